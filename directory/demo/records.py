"""Plain records the planner produces and the writer stores: column values, no ORM objects.

Keeping the plan free of SQLAlchemy means the random choices (and so the content) depend only
on the seed and the content files, never on how or where the rows are written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from directory.demo.geography import Locality, TownPlace

# Source keys used in records; the writer maps them to `Source` rows.
DEMO_SOURCE = "demo"
CVS_SOURCE = "cvs"
OPENACTIVE_SOURCE = "openactive"


class Ids:
    """Identifiers drawn from their own seeded stream, so they are the same on every run.

    A separate stream (rather than the content generator) keeps ids stable when a content file
    gains a template, and UUID version 4 keeps them indistinguishable from ordinary ids.
    """

    def __init__(self, seed: int):
        self._rng = random.Random(f"wayfinder-demo-ids:{seed}")

    def new(self) -> str:
        """Equal to ``str(uuid.UUID(int=bits, version=4))``, without building the UUID object
        (the 100,000-listing demo makes over a million ids)."""
        bits = self._rng.getrandbits(128)
        bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
        bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, digits: int = 12) -> str:
        return f"{self._rng.getrandbits(4 * digits):0{digits}x}"


class Clock:
    """Dates and times relative to the demo's reference date (`as_of`), never the wall clock."""

    def __init__(self, as_of: date):
        self.as_of = as_of

    def day(self, days_ago: int) -> date:
        return self.as_of - timedelta(days=days_ago)

    def moment(self, rng: random.Random, days_ago: int) -> datetime:
        """A working-hours moment `days_ago` days before the reference date, in UTC."""
        clock = time(rng.randint(8, 17), rng.choice((0, 10, 20, 30, 40, 50)))
        return datetime.combine(self.day(days_ago), clock, tzinfo=timezone.utc)


@dataclass
class OrgState:
    """An organisation being planned, with what later listings need to know about it."""

    id: str
    kind: object  # content.OrgKind
    town: TownPlace
    locality: Locality
    row: dict
    count: int = 0
    slug: str = ""

    @property
    def full(self) -> bool:
        return self.count >= self.kind.max_services


@dataclass
class VenueState:
    id: str
    kind: str
    locality: Locality
    row: dict

    @property
    def short_name(self) -> str:
        return self.row["name"]


@dataclass
class ServiceRecord:
    """One listing and everything that hangs off it, ready to be written."""

    number: int
    service: dict
    org: OrgState
    venue: VenueState | None
    codes: tuple[str, ...]
    schedules: list[dict] = field(default_factory=list)
    costs: list[dict] = field(default_factory=list)
    languages: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    areas: list[dict] = field(default_factory=list)
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # (source key, record id, modified)
    verification: dict | None = None
    twin_of: str | None = None
    template_key: str = ""


@dataclass
class OrgRecord:
    row: dict


@dataclass
class VenueRecord:
    row: dict
