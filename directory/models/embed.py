"""Practice websites an admin has allowed to show the embed widget.

Registered with `wayfinder embed register-origin https://practice.example`; the embed page's
Content-Security-Policy `frame-ancestors` lists only a registered origin, so any other site that
tries to frame the widget is refused by the browser.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from directory.db import Base
from directory.models._common import id_column, timestamp, utcnow


class EmbedOrigin(Base):
    """A practice website (scheme://host[:port]) allowed to frame the embed widget."""

    __tablename__ = "embed_origin"

    id: Mapped[str] = id_column()
    origin: Mapped[str] = mapped_column(String(255), unique=True)
    label: Mapped[str | None] = mapped_column(String(255))  # the practice's name, for admins
    created_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(255))
