"""Where records came from: sources, the records they supplied, imports and quarantine."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base
from directory.models._common import id_column, timestamp, utcnow


class Source(Base):
    """A feed, API, file or person that supplies listings."""

    __tablename__ = "source"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # openactive | oruk | hsds | spreadsheet | demo | manual
    url: Mapped[str | None] = mapped_column(String(1000))
    # Only an authoritative full-snapshot source may delete what it no longer lists.
    authoritative: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. the last RPDE `next` URL
    created_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)

    records: Mapped[list["SourceRecord"]] = relationship(
        back_populates="source", cascade="all, delete-orphan"
    )


class SourceRecord(Base):
    """Which directory record a source's record became, and when it was seen."""

    __tablename__ = "source_record"
    __table_args__ = (UniqueConstraint("source_id", "source_record_id", "entity_type"),)

    id: Mapped[str] = id_column()
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    source_record_id: Mapped[str] = mapped_column(String(1000))
    entity_type: Mapped[str] = mapped_column(String(32), default="service")
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    source_modified: Mapped[str | None] = mapped_column(String(64))  # RPDE modified can pass 2^53
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # What the importer needs to remember about the record between runs: a series' normalised
    # fields for split feeds' children to inherit, an occurrence's weekday and times, a merge role.
    payload: Mapped[dict | None] = mapped_column(JSON)
    first_seen: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    last_seen: Mapped[datetime] = timestamp(nullable=False, default=utcnow)

    source: Mapped[Source] = relationship(back_populates="records")


class ImportRun(Base):
    """One run of an importer, and its report."""

    __tablename__ = "import_run"

    id: Mapped[str] = id_column()
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = timestamp()
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class QuarantinedRecord(Base):
    """A record an import could not accept, kept with its raw form and the reason."""

    __tablename__ = "quarantined_record"

    id: Mapped[str] = id_column()
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    import_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("import_run.id", ondelete="SET NULL"), index=True
    )
    source_record_id: Mapped[str | None] = mapped_column(String(1000))
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = timestamp()


class FieldConflict(Base):
    """An import wanted to change a field a person had edited by hand."""

    __tablename__ = "field_conflict"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(64))
    local_value: Mapped[str | None] = mapped_column(Text)
    incoming_value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = timestamp()
