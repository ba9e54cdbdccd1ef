"""What became of one received mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass
class Result:
    outcome: str  # message | note | ticket | bounce | ignored | refused | rejected | rate_limited | duplicate
    reason: str = ""
    ticket_number: Optional[int] = None
    inbound_id: Optional[int] = None
