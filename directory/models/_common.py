"""Column helpers shared by the model modules."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column


def new_id() -> str:
    """A new stable identifier: HSDS and ORUK use UUIDs as ids."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def id_column() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def timestamp(nullable: bool = True, **kwargs) -> Mapped[datetime | None]:
    return mapped_column(DateTime(timezone=True), nullable=nullable, **kwargs)
