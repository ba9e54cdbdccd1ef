"""Pydantic schemas of every request and answer of /api/v1 (they are the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["new", "open", "pending", "solved", "closed"]
PriorityName = Literal["low", "medium", "high", "urgent"]
Role = Literal["customer", "agent", "admin"]


class Strict(BaseModel):
    # Unknown fields are an error, not silently dropped: a typo in "priority" must not look accepted.
    model_config = ConfigDict(extra="forbid")


class Error(BaseModel):
    code: str = Field(description="Stable machine-readable code")
    message: str = Field(description="Human-readable text in the token user's language")
    fields: dict[str, str] = Field(default_factory=dict, description="Per-field messages, for 422")


class Person(BaseModel):
    name: str
    email: Optional[str] = Field(None, description="Only for staff readers and for the person themselves")
    role: Role


class Named(BaseModel):
    slug: str
    name: str
    name_en: str


class TicketSummary(BaseModel):
    number: int = Field(description="Public ticket number (shown as #number)")
    subject: str
    status: Status
    priority: Optional[PriorityName]
    category: str
    requester_name: str
    created_at: datetime
    last_activity_at: datetime


class TicketPage(BaseModel):
    items: list[TicketSummary]
    page: int
    page_size: int
    has_next: bool
    total: int
    total_capped: bool = Field(description="True when there are more than `total` tickets")


class AttachmentInfo(BaseModel):
    filename: str
    content_type: str
    size: int


class MessageOut(BaseModel):
    id: int
    author: Optional[Person]
    body: str
    internal: bool = Field(description="Internal note (only ever shown to staff)")
    created_at: datetime
    attachments: list[AttachmentInfo]


class TicketDetail(BaseModel):
    number: int
    subject: str
    status: Status
    priority: Optional[PriorityName]
    category: str
    service: Optional[Named]
    requester: Person
    assignee: Optional[Person]
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    solved_at: Optional[datetime]
    closed_at: Optional[datetime]
    version: int
    messages: list[MessageOut]


class TicketCreate(Strict):
    service: str = Field(min_length=1, max_length=200, description="Service slug or its name as shown on the form")
    category: str = Field(min_length=1, max_length=200, description="Category slug (consulta, peticion, anomalia) or name")
    subject: str = Field(max_length=1000)
    description: str = Field(max_length=40_000)
    request_type: Optional[str] = Field(None, max_length=200, description="Request type slug or name (category peticion)")


class MessageCreate(Strict):
    body: str = Field(max_length=40_000)
    internal: bool = Field(False, description="Internal note: staff tokens only")


class TicketPatch(Strict):
    status: Optional[Status] = None
    priority: Optional[PriorityName] = None
    assignee: Optional[str] = Field(None, max_length=320, description="Agent e-mail; empty string unassigns")


class CatalogEntry(BaseModel):
    slug: str
    name: str
    name_en: str


class Catalog(BaseModel):
    services: list[CatalogEntry]
    categories: list[CatalogEntry]
    request_types: list[CatalogEntry]


class ArticleHit(BaseModel):
    slug: str
    title: str
    summary: str
    category: str
    locale: str


class ArticleList(BaseModel):
    items: list[ArticleHit]


class ArticleOut(BaseModel):
    slug: str
    title: str
    summary: str
    body: str = Field(description="Markdown")
    category: str
    locale: str
    updated_at: datetime


class Me(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    organization: Optional[str]
    org_admin: bool
    locale: str
    token_scope: Literal["read", "write"]


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    organization: Optional[str]
    org_admin: bool
    active: bool
    created_at: datetime


class UserList(BaseModel):
    items: list[UserOut]
    page: int
    has_next: bool


class OrganizationOut(BaseModel):
    id: int
    name: str
    members: int
    created_at: datetime


class OrganizationList(BaseModel):
    items: list[OrganizationOut]
