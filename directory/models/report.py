"""Things the public tell us about a listing.

`ProblemReport` is a "report something wrong" note about a listing, kept for the group and the
admins. It holds only what is needed to fix the listing: what is wrong, in the person's words,
and an email address only if they ask for a reply. No IP address, browser or account is stored.
Reports are deleted `REPORT_RETENTION_DAYS` after they were made (`wayfinder reports prune`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base
from directory.models._common import id_column, timestamp, utcnow

# What a member of the public can say is wrong, with the words shown on the form.
REPORT_PROBLEMS: dict[str, str] = {
    "closed": "It has stopped or closed",
    "times": "The day or time is wrong",
    "place": "The place or address is wrong",
    "contact": "The phone number, email or website is wrong",
    "cost": "The cost is wrong",
    "access": "The access information is wrong",
    "other": "Something else",
}

REPORT_STATUSES = ("open", "resolved")


class ProblemReport(Base):
    """A member of the public says something on a listing is wrong."""

    __tablename__ = "problem_report"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    problem: Mapped[str] = mapped_column(String(16))  # a REPORT_PROBLEMS code
    details: Mapped[str] = mapped_column(Text, default="")
    # Only when the person wants a reply; erased with the report at the end of retention.
    reply_email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = timestamp()
    resolved_by: Mapped[str | None] = mapped_column(String(255))

    service: Mapped["Service"] = relationship()  # noqa: F821
