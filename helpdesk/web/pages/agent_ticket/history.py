"""What happened to the ticket, in the reader's language: the history entries and the warning
about ticket mail that did not arrive. Made on the server (names, relative dates), so the
page's `relocalize` draws them again when the language switches."""

from __future__ import annotations

from typing import Callable

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.domain.tickets import Ticket
from helpdesk.services import mail_failures, ticket_reads
from helpdesk.web.pages.agent_ticket.views import EventView, MailFailureView

HISTORY = 30

Translate = Callable[..., str]


def why_text(why: str, reason: str, tr: Translate) -> str:
    """'el servidor lo rechazó: 550 5.1.1 …' / 'it came back as a bounce'."""
    return tr(f"mail_delivery.why.{why}", reason=reason or "—")


def event_views(s, actor: User, t: Ticket, locale: str, tr: Translate) -> list[EventView]:
    rows = ticket_reads.history(s, actor, t, HISTORY)
    ids = {r.actor_id for r in rows if r.actor_id}
    ids |= {int(v) for r in rows if r.kind == "assignee" for v in (r.from_value, r.to_value) if v.isdigit()}
    names = ticket_reads.names(s, ids)

    def value(kind: str, raw: str) -> str:
        if not raw:
            return tr("agent.nobody") if kind == "assignee" else "—"
        if kind == "status":
            return tr(f"agent.status.{raw}")
        if kind == "priority":
            return tr(f"priority.{raw}")
        if kind == "category":
            return tr(f"category.{raw}")
        if kind == "csat":
            return tr(f"agent.csat.{raw}")
        if kind == "assignee" and raw.isdigit():
            return names.get(int(raw), raw)
        return raw

    out = []
    for r in rows:
        who = names.get(r.actor_id, tr("agent.system")) if r.actor_id else tr("agent.system")
        old = value(r.kind, r.from_value)
        if r.kind == mail_failures.FAILED_EVENT:  # "<why>:<reason>", stored language-free
            old = why_text(*mail_failures.why_and_reason(r), tr)
        key = f"agent.event.{r.kind}"
        text = tr(key, who=who, old=old, new=value(r.kind, r.to_value))
        if text == key:
            text = tr("agent.event.other", who=who, kind=r.kind)
        out.append(EventView(text=text, at=i18n.relative_time(r.created_at, locale), at_full=i18n.full_datetime(r.created_at, locale)))
    return out


def mail_failure_views(s, actor: User, t: Ticket, locale: str, tr: Translate) -> list[MailFailureView]:
    """The ticket's mail that did not arrive and no later mail to that address made moot."""
    return [
        MailFailureView(
            address=f.address,
            text=tr("mail_delivery.line", address=f.address, why=why_text(f.why, f.reason, tr)),
            at=i18n.relative_time(f.at, locale),
            at_full=i18n.full_datetime(f.at, locale),
        )
        for f in mail_failures.unresolved(s, actor, t)
    ]
