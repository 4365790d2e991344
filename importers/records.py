"""The plain intermediate records every source format is normalised into.

Format modules (OpenActive, ORUK, HSDS, spreadsheets) parse their input into these dataclasses
and nothing else; the pipeline validates, geocodes, matches and writes them. Keeping them free
of SQLAlchemy means a parser can be tested without a database and the pipeline never has to
know which format a record came from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any, Iterable, Iterator


@dataclass
class OrganizationRecord:
    """Who runs a service. `key` is the source's id for it (or its name when it has none)."""

    key: str
    name: str
    description: str | None = None
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    identifiers: list[tuple[str | None, str, str]] = field(default_factory=list)  # scheme, type, id


@dataclass
class LocationRecord:
    """A venue or virtual location. `key` identifies it within the source."""

    key: str
    name: str | None = None
    location_type: str = "physical"
    description: str | None = None
    url: str | None = None
    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accessibility: list[str] = field(default_factory=list)
    accessibility_details: str | None = None
    geocoded: str | None = None  # how coordinates were found when the source gave none


@dataclass
class ScheduleRecord:
    """One recurring rule, in the directory's RRULE-style terms."""

    freq: str | None = None
    interval: int = 1
    byday: str | None = None
    bymonthday: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    except_dates: str | None = None
    timezone: str = "Europe/London"
    by_appointment: bool = False
    description: str | None = None
    notes: str | None = None
    location_key: str | None = None  # the venue (LocationRecord.key) this rule is at, if one


@dataclass
class CostRecord:
    """A price. `amount` None with a description means "see the description"."""

    amount: Decimal | None = None
    currency: str = "GBP"
    option: str | None = None
    amount_description: str | None = None


@dataclass
class TermRef:
    """A category the source gave: by URI (OpenActive), by code, or by label."""

    uri: str | None = None
    code: str | None = None
    label: str | None = None
    taxonomy: str | None = None
    widen: bool = False  # also link the Wayfinder category of the same name (OpenActive activities)


@dataclass
class ServiceRecord:
    """One listing as a source describes it, already in the directory's vocabulary."""

    source_id: str
    name: str
    modified: int | None = None
    description: str = ""
    alternate_name: str | None = None
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    status: str = "active"
    organization: OrganizationRecord | None = None
    locations: list[LocationRecord] = field(default_factory=list)
    schedules: list[ScheduleRecord] = field(default_factory=list)
    costs: list[CostRecord] = field(default_factory=list)
    minimum_age: int | None = None
    maximum_age: int | None = None
    gender: str = "any"
    accessibility: list[str] = field(default_factory=list)
    delivery_modes: list[str] = field(default_factory=lambda: ["in_person"])
    referral_routes: list[str] = field(default_factory=lambda: ["self"])
    languages: list[tuple[str, str | None]] = field(default_factory=list)  # name, ISO code
    contacts: list[tuple[str | None, str | None, str | None, str | None]] = field(default_factory=list)
    terms: list[TermRef] = field(default_factory=list)
    service_areas: list[tuple[str, str | None, dict | None]] = field(default_factory=list)  # name, text, GeoJSON
    capacity_status: str | None = None  # None: the source does not say
    alert: str | None = None
    interpretation_services: str | None = None
    eligibility_description: str | None = None
    fees_description: str | None = None
    application_process: str | None = None
    assured_date: date | None = None
    assurer_email: str | None = None
    # For split OpenActive feeds: schedules come from the occurrences when the series has none.
    schedules_from_occurrences: bool = False
    alias: str | None = None  # another id the source uses for it (an RPDE item id), for tombstones
    warnings: list[str] = field(default_factory=list)
    raw: Any = None

    def content_hash(self) -> str:
        """A stable digest of everything that would be written: equal hash, nothing to do."""
        data = {k: v for k, v in vars(self).items() if k not in ("raw", "modified", "warnings", "alias")}
        text = json.dumps(data, sort_keys=True, default=_plain)
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(value):
    """JSON for the nested records (much faster than `dataclasses.asdict`), dates and decimals."""
    if hasattr(value, "__dataclass_fields__"):
        return vars(value)
    return str(value)


@dataclass
class Occurrence:
    """A dated session of a series (OpenActive ScheduledSession, Slot): a pattern for its parent."""

    source_id: str
    parent_id: str
    byday: str | None
    opens_at: str | None  # "HH:MM" local time
    closes_at: str | None
    modified: int | None = None
    raw: Any = None
    alias: str | None = None


@dataclass
class Deletion:
    """The source says this record is gone (an RPDE tombstone)."""

    source_id: str
    modified: int | None = None
    raw: Any = None


@dataclass
class Rejected:
    """Input the parser could not turn into a record: quarantined with a reason a person can act on."""

    source_id: str | None
    reason: str
    raw: Any = None


@dataclass
class Skipped:
    """A record already read in this run (listed twice): nothing to do, but it was listed."""

    source_id: str


def ContactTuple(name=None, title=None, email=None, phone=None) -> tuple:  # noqa: N802
    """A contact as the writer stores it: (name, title, email, phone)."""
    return (name, title, email, phone)


Item = ServiceRecord | Occurrence | Deletion | Rejected


@dataclass
class Page:
    """A batch of items written in one transaction, then `state` is saved so a rerun resumes."""

    items: list[Item]
    state: dict | None = None  # None: leave the saved state as it is; {}: clear it
    label: str = ""  # where it came from, for error messages ("page 3", a URL)
    total: int | None = None  # items expected in the whole run, when the source knows


class Reader:
    """What a format module supplies: pages of items, resuming from a saved state.

    `snapshot` says every run lists the whole source (spreadsheets, packages, ORUK APIs), so
    an authoritative source may delete what a complete run did not list; RPDE feeds are
    change feeds and delete only by tombstone.
    """

    snapshot: bool = False

    def pages(self, state: dict) -> Iterator[Page]:  # pragma: no cover - interface
        raise NotImplementedError

    def report_notes(self) -> list[str]:
        """Anything worth telling the person about the source itself (paging that lied, ...)."""
        return []


def chunked(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
