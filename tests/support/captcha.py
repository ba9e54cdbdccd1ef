"""A solved ALTCHA payload, as the browser widget sends it, for service and state tests.

Set HELPDESK_CAPTCHA_MAX_NUMBER low in the test (and clear get_settings) to keep it fast.
"""

from __future__ import annotations

import json

from altcha import Challenge, Payload, solve_challenge

from helpdesk.services import captcha


def solved() -> str:
    challenge = Challenge.from_dict(json.loads(json.dumps(captcha.new_challenge())))
    return Payload(challenge, solve_challenge(challenge, timeout=20)).to_base64()
