"""The change log (a monotonic id per write) and the version trail of each service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.db import Base
from directory.models._common import id_column, timestamp, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for headroom.
BigId = BigInteger().with_variant(Integer, "sqlite")


class ChangeLog(Base):
    """One entry per service created, updated or deleted, in commit order.

    The search index follows this log and the RPDE feed is built from it, so `id` must only
    ever grow: it is an auto-increment key, never reused.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_entity", "entity_type", "entity_id", "id"),
        {"sqlite_autoincrement": True},  # never reuse an id, even after pruning
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(32))  # "service" (others may follow)
    entity_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(16))  # created | updated | deleted
    changed_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(255))


class ServiceVersion(Base):
    """A snapshot of a service after each change, with who made it and why."""

    __tablename__ = "service_version"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(String(36), index=True)  # kept after deletion
    version: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON)
    changed_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)


class Verification(Base):
    """A record that someone checked a listing is still right."""

    __tablename__ = "verification"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    verified_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    verified_by: Mapped[str] = mapped_column(String(255))
    method: Mapped[str | None] = mapped_column(String(64))  # phone, visit, group portal
