"""The first-reply estimate a customer was given when their ticket opened.

The form and the chat show it before sending and the confirmation mail repeats it; keeping it
lets the dashboard say how often it came true (services/estimate_accuracy.py). A table of its
own rather than a ticket column: written once, read only by that report, and the busy tickets
table keeps its shape.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class TicketEstimate(SQLModel, table=True):
    __tablename__ = "ticket_estimates"

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id")
    expected_at: datetime
    # The ticket's creation time, copied so the period filter needs no join (indexed).
    created_at: datetime = Field(index=True)
