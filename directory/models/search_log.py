"""The anonymous search log: what people looked for, never who they are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.db import Base
from directory.models._common import timestamp, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class SearchLogEntry(Base):
    """One search: the words, the filters, the postcode district and how many results.

    No person, address, full postcode, coordinates, IP address or session is recorded, so the
    log can feed unmet-need reports ("searches near NE6 for befriending that found nothing")
    without holding personal data. Rows older than the retention period are pruned.
    """

    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    searched_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow, index=True)
    query: Mapped[str | None] = mapped_column(String(200))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    district: Mapped[str | None] = mapped_column(String(4), index=True)
    result_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="api")
