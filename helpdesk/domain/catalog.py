"""What a ticket is about: services, the three categories, and request types."""

from __future__ import annotations

import enum
from typing import Optional

from sqlmodel import Field, SQLModel


class Category(str, enum.Enum):
    """The three kinds of contact a customer can open (seed 002)."""

    QUESTION = "consulta"
    REQUEST = "peticion"
    INCIDENT = "anomalia"


class Service(SQLModel, table=True):
    __tablename__ = "services"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    name_en: str = Field(default="", max_length=120)
    position: int = Field(default=0)
    is_active: bool = Field(default=True)


class RequestType(SQLModel, table=True):
    """Sub-types of a 'petición' (e.g. cambio de titularidad)."""

    __tablename__ = "request_types"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    name_en: str = Field(default="", max_length=120)
    position: int = Field(default=0)
    is_active: bool = Field(default=True)
