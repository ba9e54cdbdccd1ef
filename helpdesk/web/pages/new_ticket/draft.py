"""What a tab kept of a ticket send that was lost on the way (read back from the browser)."""

from __future__ import annotations

import json

MAX_LOST_FILES = 10


def parse_draft(draft_json: str) -> dict:
    """What the browser kept of a lost send; anything malformed counts as nothing."""
    try:
        draft = json.loads(draft_json) if len(draft_json) < 64_000 else {}
    except ValueError:
        return {}
    return draft if isinstance(draft, dict) else {}


def lost_file_names(draft: dict) -> list[str]:
    """The attachment names a lost send carried (browser-supplied: shown as text only)."""
    names = draft.get("files", [])
    if not isinstance(names, list):
        return []
    return [n[:120] for n in names if isinstance(n, str) and n.strip()][:MAX_LOST_FILES]
