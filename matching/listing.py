"""A listing as matching sees it: a plain, frozen copy of what ranking needs.

The directory's ORM rows are turned into `Listing`s outside this package
(`directory.listing_view`), so ranking can be run from a notebook or a test with no database.
A service offered at several venues becomes one `Listing` per venue with the same `id`; the
ranker keeps the best venue for each service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from directory.schedules import Rule


@dataclass(frozen=True)
class Cost:
    """One price: `amount` in pounds (None when only described in words)."""

    amount: float | None
    option: str | None = None  # "per session", "concessions", "per term"
    description: str | None = None


@dataclass(frozen=True)
class Area:
    """An area the listing is limited to (residents only), as a GeoJSON (Multi)Polygon."""

    name: str
    geojson: dict[str, Any]


@dataclass(frozen=True)
class Listing:
    """One activity or support offer at one venue (or online / by phone)."""

    id: str
    name: str
    description: str = ""
    organisation: str = ""
    categories: tuple[str, ...] = ()  # taxonomy codes
    venue_id: str | None = None
    venue: str | None = None  # venue name
    address: str | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    delivery_modes: tuple[str, ...] = ("in_person",)  # in_person, online, phone
    accessibility: frozenset[str] = frozenset()  # directory.vocab.ACCESSIBILITY_FEATURES codes
    schedules: tuple[Rule, ...] = ()
    costs: tuple[Cost, ...] = ()
    fees_description: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    gender: str = "any"  # any, female, male
    residency_areas: tuple[Area, ...] = ()
    conditions: str | None = None  # who it can and cannot help, in words
    referral_routes: tuple[str, ...] = ("self",)  # self, link_worker, clinician
    capacity_status: str = "unknown"  # open, limited, full, waiting_list, unknown
    capacity_note: str | None = None
    capacity_expires: date | None = None  # the capacity statement holds until this date
    assured_date: date | None = None  # last verified
    status: str = "active"  # HSDS status
    published: bool = True
    languages: tuple[str, ...] = ()  # names or ISO codes; empty means English only
    interpretation: bool = False  # interpreters can be arranged
    setting: str | None = None  # group, one_to_one, or None when not known
    url: str | None = None
    phone: str | None = None

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def text(self) -> str:
        """The words a person would read: name, organisation, description, who it helps."""
        return " ".join(p for p in (self.name, self.organisation, self.description, self.conditions or "") if p)

    def min_cost(self) -> float | None:
        """The cheapest stated price, 0.0 when free, None when not stated."""
        amounts = [c.amount for c in self.costs if c.amount is not None]
        if amounts:
            return min(amounts)
        if self.fees_description and _says_free(self.fees_description):
            return 0.0
        return None


def _says_free(text: str) -> bool:
    lowered = text.lower()
    return "free" in lowered and "not free" not in lowered
