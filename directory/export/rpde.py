"""An RPDE 1.0 feed of services, built from the change log.

Ordering strategy "modified timestamp and id": `modified` is the ChangeLog id (an integer that
only grows), so a service sits at the position of its latest change and every change moves it
to the end. A page is the latest change-log entry of each service after the cursor
``(afterTimestamp, afterId)``, in ``(modified, id)`` order; an older entry for a service that
changed again is skipped, so each service appears once. A deleted service, or one no longer
published, is a tombstone (``state: deleted``, no `data`). Tombstones stay in the log for at
least `TOMBSTONE_RETENTION` so a consumer polling weekly still sees every deletion;
`prune_tombstones` removes older ones and refuses a shorter retention.

On PostgreSQL two transactions can commit their change-log ids out of order; a consumer that
read past the later id would never see the earlier one. `settle` holds back entries younger
than a few seconds so transactions have committed before their entries are served. (SQLite has
a single writer, so its ids always commit in order.)

The builder returns plain data and a cursor; the web layer turns cursors into absolute URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import Session, aliased

from directory.errors import ValidationError
from directory.export.loading import as_utc, last_changed, load_services
from directory.export.oruk import service_full
from directory.models import ChangeLog
from directory.vocab import Moderation

KIND = "Service"  # the HSDS-UK 3.0 service tree, as served by /oruk/services/{id}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
TOMBSTONE_RETENTION = timedelta(days=7)
# OpenActive's guidance: full pages never change, so caches may keep them; the last page is
# polled, so it may only be cached briefly.
FULL_PAGE_CACHE = "public, max-age=3600"
LAST_PAGE_CACHE = "public, max-age=8"


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after ``(after_timestamp, after_id)``; both None for the start."""

    after_timestamp: int | None = None
    after_id: str | None = None

    @classmethod
    def parse(cls, after_timestamp: str | None, after_id: str | None) -> "Cursor":
        """From the query string; RPDE requires both parameters or neither."""
        if after_timestamp in (None, "") and after_id in (None, ""):
            return cls()
        if after_timestamp in (None, "") or after_id in (None, ""):
            raise ValidationError(
                "afterTimestamp", "afterTimestamp and afterId must be given together (or neither)."
            )
        try:
            value = int(after_timestamp)
        except ValueError:
            raise ValidationError("afterTimestamp", f"{after_timestamp!r} is not an integer.") from None
        return cls(value, after_id)

    def params(self) -> dict[str, str]:
        if self.after_timestamp is None:
            return {}
        return {"afterTimestamp": str(self.after_timestamp), "afterId": str(self.after_id)}


def parse_limit(text: str | None, default: int = DEFAULT_LIMIT) -> int:
    """Items per page: the default when absent, otherwise 1..MAX_LIMIT."""
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValidationError("limit", f"{text!r} is not a whole number.") from None
    if not 1 <= value <= MAX_LIMIT:
        raise ValidationError("limit", f"It must be between 1 and {MAX_LIMIT}.")
    return value


@dataclass
class FeedPage:
    """One page: its items, the cursor for `next`, and whether it is full (long-cacheable)."""

    items: list[dict]
    next_cursor: Cursor
    limit: int
    last_changed_at: datetime | None = None
    license: str = LICENSE

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    @property
    def cache_control(self) -> str:
        return FULL_PAGE_CACHE if self.full else LAST_PAGE_CACHE

    def to_json(self, next_url: str) -> dict:
        return {"next": next_url, "items": self.items, "license": self.license}


def latest_entries(cursor: Cursor, limit: int, settled_before: datetime | None = None):
    """The select behind a page: each service's latest change after the cursor, in order."""
    later = aliased(ChangeLog)
    superseded = exists().where(
        later.entity_type == ChangeLog.entity_type,
        later.entity_id == ChangeLog.entity_id,
        later.id > ChangeLog.id,
    )
    query = (
        select(ChangeLog.id, ChangeLog.entity_id, ChangeLog.action, ChangeLog.changed_at)
        .where(ChangeLog.entity_type == "service", ~superseded)
        .order_by(ChangeLog.id, ChangeLog.entity_id)
        .limit(limit)
    )
    if cursor.after_timestamp is not None:
        query = query.where(or_(
            ChangeLog.id > cursor.after_timestamp,
            and_(ChangeLog.id == cursor.after_timestamp, ChangeLog.entity_id > cursor.after_id),
        ))
    if settled_before is not None:
        query = query.where(ChangeLog.changed_at <= settled_before)
    return query


def build_page(
    session: Session,
    cursor: Cursor,
    *,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
    settle: timedelta = timedelta(0),
    serialise: Callable = service_full,
) -> FeedPage:
    """The page of the feed after `cursor`."""
    now = now or datetime.now(timezone.utc)
    settled_before = (now - settle) if settle > timedelta(0) else None
    entries = session.execute(latest_entries(cursor, limit, settled_before)).all()
    live_ids = [e.entity_id for e in entries if e.action != "deleted"]
    services = {
        sid: s for sid, s in load_services(session, live_ids).items()
        if s.moderation_status == Moderation.PUBLISHED.value
    }
    changed = last_changed(session, services)
    items = []
    for entry in entries:
        service = services.get(entry.entity_id)
        item = {"state": "updated" if service else "deleted", "kind": KIND,
                "id": entry.entity_id, "modified": entry.id}
        if service is not None:
            item["data"] = serialise(service, changed[service.id])
        items.append(item)
    next_cursor = Cursor(entries[-1].id, entries[-1].entity_id) if entries else cursor
    newest = max((as_utc(e.changed_at) for e in entries), default=None)
    return FeedPage(items, next_cursor, limit, newest)


def prune_tombstones(session: Session, *, now: datetime | None = None,
                     keep: timedelta = TOMBSTONE_RETENTION) -> int:
    """Forget services deleted more than `keep` ago (their whole log); returns how many.

    Refuses a `keep` shorter than `TOMBSTONE_RETENTION`: a consumer that polls weekly must
    still see every deletion. Only the latest entry of a service decides, so a service that
    was deleted and then restored (same id) is never pruned. Does not commit.
    """
    if keep < TOMBSTONE_RETENTION:
        raise ValueError(f"Tombstones must be kept at least {TOMBSTONE_RETENTION.days} days.")
    cutoff = (now or datetime.now(timezone.utc)) - keep
    later = aliased(ChangeLog)
    gone = session.scalars(
        select(ChangeLog.entity_id).where(
            ChangeLog.entity_type == "service",
            ChangeLog.action == "deleted",
            ChangeLog.changed_at < cutoff,
            ~exists().where(later.entity_type == "service", later.entity_id == ChangeLog.entity_id,
                            later.id > ChangeLog.id),
        )
    ).all()
    for start in range(0, len(gone), 500):
        session.execute(
            delete(ChangeLog).where(ChangeLog.entity_type == "service",
                                    ChangeLog.entity_id.in_(gone[start : start + 500]))
        )
    return len(gone)
