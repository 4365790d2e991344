"""The anonymous search log: query, filters, postcode district and result count - nothing else.

What people search for and do not find is the evidence commissioners need for unmet-need
reports, but a search box invites personal details ("Mrs Smith 07700 900123 NE6 5QT lonely").
So the words are scrubbed before they are stored: e-mail addresses, phone and other long numbers and full
postcodes are replaced (a postcode by its district), long digit runs dropped, and the text cut
to 200 characters. Where the person was is kept only as a postcode district. Entries older
than the retention period (`SEARCH_LOG_RETENTION_DAYS`, default 365) are deleted by
`wayfinder search-log prune`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from directory.models import SearchLogEntry
from directory.postcodes import parse_postcode

DEFAULT_RETENTION_DAYS = 365
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<!\w)(\+?\d[\d\s().-]{7,}\d)(?!\w)")
_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})\b")
_DIGITS = re.compile(r"\d{5,}")

# The filters worth keeping for reports; location fields are reduced to the district.
_FILTER_FIELDS = (
    "categories", "days", "times", "next_7_days", "free", "max_cost", "age", "gender",
    "accessibility", "self_referral", "delivery", "verified_within_months", "has_places",
    "radius_km", "sort",
)


def scrub(text: str | None) -> str | None:
    """The search words with anything that could identify a person taken out."""
    if not text:
        return None
    text = _EMAIL.sub("[email]", text)
    text = _POSTCODE.sub(lambda m: m.group(1).upper(), text)
    text = _PHONE.sub("[number]", text)
    text = _DIGITS.sub("[number]", text)
    text = " ".join(text.split())[:200]
    return text or None


def district_of(text: str | None) -> str | None:
    """The postcode district of something typed (``"ne6 5qt"`` -> ``"NE6"``), if it is one."""
    if not text:
        return None
    try:
        return parse_postcode(text).district
    except ValueError:
        return None


def logged_filters(request) -> dict:
    """The request's filters, without anything that locates the person more finely."""
    out = {}
    for name in _FILTER_FIELDS:
        value = getattr(request, name)
        if value in (None, False, (), ""):
            continue
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def record_search(session: Session, request, *, district: str | None, result_count: int) -> None:
    """Append one entry and commit it (a search is otherwise read-only)."""
    # End the search's read transaction first: SQLite cannot turn a read snapshot into a write
    # once another connection has written since it began ("database is locked" at once, no
    # waiting), whereas a fresh transaction that starts by writing waits its turn.
    session.commit()
    session.execute(
        insert(SearchLogEntry).values(
            searched_at=datetime.now(timezone.utc),
            query=scrub(request.text),
            filters=logged_filters(request),
            district=district,
            result_count=int(result_count),
            source=(request.source or "api")[:16],
        )
    )
    session.commit()


def prune(session: Session, retention_days: int = DEFAULT_RETENTION_DAYS, *, now: datetime | None = None) -> int:
    """Delete entries older than `retention_days`; returns how many went."""
    if retention_days < 1:
        raise ValueError("The retention period must be at least one day.")
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=retention_days)
    result = session.execute(
        delete(SearchLogEntry).where(SearchLogEntry.searched_at < cutoff),
        execution_options={"synchronize_session": False},  # nothing in memory needs the rows
    )
    session.commit()
    return result.rowcount or 0
