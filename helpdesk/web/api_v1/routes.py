"""The endpoints of /api/v1. Each one is a thin adapter: schema in, one service call, schema out."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.responses import JSONResponse, Response

from helpdesk.services import api_views, policy, ticket_list, tickets
from helpdesk.services.policy import Action
from helpdesk.web.api_v1 import schemas as sc
from helpdesk.web.api_v1.context import bearer, idempotent_post, unit

router = APIRouter()
Cred = Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer)]
Number = Annotated[str, Path(max_length=20, description="Public ticket number, with or without '#'")]
StatusFilter = Literal["", "group_open", "group_closed", "new", "open", "pending", "solved", "closed"]

_ERRORS = {
    code: {"model": sc.Error, "description": text}
    for code, text in {
        401: "Missing, unknown, revoked or expired token",
        403: "The token's user may not do this, or the token is read-only",
        404: "No such ticket (or not visible to this user)",
        409: "Not allowed in the ticket's current state / idempotency key reused",
        422: "Invalid input (also malformed JSON)",
        429: "Too many requests for this token (see Retry-After)",
    }.items()
}


def _etagged(request: Request, payload: dict) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    match = [t.strip() for t in (request.headers.get("if-none-match") or "").split(",")]
    if etag in match or f"W/{etag}" in match or "*" in match:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag, "Cache-Control": "private, no-cache"})


@router.get("/tickets", response_model=sc.TicketPage, responses=_ERRORS, summary="List visible tickets, most recent activity first")
def list_tickets(
    request: Request,
    cred: Cred,
    page: Annotated[int, Query(ge=1, le=ticket_list.MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = ticket_list.PAGE_SIZE,
    status: StatusFilter = "",
    q: Annotated[str, Query(max_length=200, description="Text in the subject")] = "",
):
    with unit(request, cred) as (s, p):
        data = api_views.ticket_page(s, p.user, page=page, status=status, q=q, page_size=page_size)
    return sc.TicketPage.model_validate(data)


@router.post("/tickets", status_code=201, response_model=sc.TicketDetail, responses=_ERRORS, summary="Open a ticket")
def create_ticket(request: Request, cred: Cred, body: sc.TicketCreate):
    def work(s, p):
        draft = api_views.resolve_draft(s, service=body.service, category=body.category, request_type=body.request_type,
                                        subject=body.subject, description=body.description)
        ticket = tickets.create_ticket(s, p.user, draft, locale=p.user.locale)
        return 201, sc.TicketDetail.model_validate(api_views.ticket_dict(s, p.user, ticket)).model_dump(mode="json")

    return idempotent_post(request, cred, body.model_dump(), work)


@router.get("/tickets/{number}", response_model=sc.TicketDetail, responses={**_ERRORS, 304: {"description": "Not modified (If-None-Match)"}},
            summary="One ticket with its messages (internal notes only for staff)")
def get_ticket(request: Request, cred: Cred, number: Number):
    with unit(request, cred) as (s, p):
        data = api_views.ticket_detail(s, p.user, number)
    return _etagged(request, sc.TicketDetail.model_validate(data).model_dump(mode="json"))


@router.post("/tickets/{number}/messages", status_code=201, response_model=sc.MessageOut, responses=_ERRORS,
             summary="Reply on a ticket (staff: or add an internal note)")
def add_message(request: Request, cred: Cred, number: Number, body: sc.MessageCreate):
    def work(s, p):
        if body.internal:
            policy.require(p, Action.ADD_INTERNAL_NOTE)
        message = tickets.add_message(s, p.user, number, body.body, internal=body.internal)
        return 201, sc.MessageOut.model_validate(api_views.message_dict(s, p.user, message)).model_dump(mode="json")

    return idempotent_post(request, cred, {"number": number, **body.model_dump()}, work)


@router.patch("/tickets/{number}", response_model=sc.TicketDetail, responses=_ERRORS,
              summary="Agents: change status, priority or assignee")
def update_ticket(request: Request, cred: Cred, number: Number, body: sc.TicketPatch):
    with unit(request, cred, write=True, staff=True) as (s, p):
        ticket = tickets.get_ticket(s, p.user, number)
        if body.assignee is not None:
            tickets.assign(s, p.user, ticket.number, api_views.staff_by_email(s, body.assignee))
        if body.priority is not None:
            tickets.set_priority(s, p.user, ticket.number, body.priority)
        if body.status is not None:
            tickets.change_status(s, p.user, ticket.number, body.status)
        data = api_views.ticket_dict(s, p.user, ticket)
    return sc.TicketDetail.model_validate(data)


@router.get("/catalog", response_model=sc.Catalog, responses=_ERRORS, summary="Services, categories and request types with their slugs")
def get_catalog(request: Request, cred: Cred):
    with unit(request, cred) as (s, _):
        return sc.Catalog.model_validate(api_views.catalog(s))


@router.get("/articles", response_model=sc.ArticleList, responses=_ERRORS, summary="Search help-center articles")
def search_articles(
    request: Request,
    cred: Cred,
    q: Annotated[str, Query(max_length=200)] = "",
    locale: Annotated[Optional[Literal["es", "en"]], Query(description="Default: the token user's language")] = None,
):
    with unit(request, cred) as (s, p):
        items = api_views.article_hits(s, q, locale or p.user.locale)
    return sc.ArticleList(items=[sc.ArticleHit.model_validate(i) for i in items])


@router.get("/articles/{slug}", response_model=sc.ArticleOut, responses=_ERRORS, summary="One article (Markdown body)")
def get_article(request: Request, cred: Cred, slug: Annotated[str, Path(max_length=200)]):
    with unit(request, cred) as (s, p):
        return sc.ArticleOut.model_validate(api_views.article(s, p.user, slug))


@router.get("/me", response_model=sc.Me, responses=_ERRORS, summary="The token's user")
def get_me(request: Request, cred: Cred):
    with unit(request, cred) as (s, p):
        return sc.Me.model_validate({**api_views.me(s, p.user), "token_scope": p.scope})


@router.get("/users", response_model=sc.UserList, responses=_ERRORS, summary="Staff: people")
def list_users(
    request: Request,
    cred: Cred,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
):
    with unit(request, cred, staff=True) as (s, p):
        return sc.UserList.model_validate(api_views.users(s, p.user, query=q, page=page))


@router.get("/organizations", response_model=sc.OrganizationList, responses=_ERRORS, summary="Staff: organizations")
def list_organizations(request: Request, cred: Cred):
    with unit(request, cred, staff=True) as (s, p):
        return sc.OrganizationList(items=[sc.OrganizationOut.model_validate(o) for o in api_views.organizations(s, p.user)])


__all__ = ["router", "JSONResponse"]
