"""The client moved to tests/support/reflex_client.py (the e2e attack tests use it too); this
alias keeps imports from branches written before the move working."""

from tests.support.reflex_client import *  # noqa: F401,F403
from tests.support.reflex_client import NAMESPACE, ReflexClient, find_value, hydrated, serving_pid  # noqa: F401
