"""A search request, checked, and the filters it makes over a snapshot's columns.

`SearchRequest` is what the API, the public pages and the link-worker workspace fill in; its
`validate()` raises `directory.errors.ValidationError` naming the parameter at fault. Every
filter becomes a boolean mask over the candidate rows, one per *dimension*, so that facet
counts can be computed for each dimension with all the other filters applied (choosing
"Tuesday" still shows how many run on Wednesday).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from dateutil.relativedelta import relativedelta

from directory.errors import ValidationError
from directory.search.segments import (
    ACCESS_BITS,
    CAPACITY_CODES,
    DELIVERY_BITS,
    GENDER_CODES,
    NO_AGE_MAX,
    NO_AGE_MIN,
    REFERRAL_BITS,
    TIMES_OF_DAY,
    day_bit,
    slot_bit,
)
from directory.search.sessions import MINUTES_PER_DAY
from directory.vocab import ACCESSIBILITY_FEATURES, DAYS, DeliveryMode, Gender

SORTS = ("relevance", "distance", "soonest")
OUTSIDE_AREA = ("hide", "mark")
MAX_RADIUS_KM = 160.0  # 100 miles: beyond that "near" means nothing
MIN_RADIUS_KM = 0.1
DEFAULT_RADIUS_KM = 8.0467  # 5 miles, when a place is given without a radius
MAX_PER_PAGE = 100
MAX_PAGE = 1000
STALE_MONTHS = 12
PLACES = (CAPACITY_CODES["open"], CAPACITY_CODES["limited"])
NO_PLACES = (CAPACITY_CODES["full"], CAPACITY_CODES["waiting_list"])


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search can ask. Empty values mean "no filter"."""

    text: str = ""
    near: str | None = None  # a postcode or place name, looked up in the gazetteer
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None  # default DEFAULT_RADIUS_KM when a location is given
    categories: tuple[str, ...] = ()  # each includes everything beneath it
    days: tuple[str, ...] = ()  # MO..SU
    times: tuple[str, ...] = ()  # morning, afternoon, evening
    next_7_days: bool = False
    free: bool = False
    max_cost: float | None = None  # pounds: costs at most this much
    age: int | None = None  # the person's age
    gender: str | None = None  # the person's gender: hides groups for another gender only
    accessibility: tuple[str, ...] = ()  # all of these features
    self_referral: bool = False
    delivery: tuple[str, ...] = ()  # any of in_person, online, phone
    verified_within_months: int | None = None
    has_places: bool = False
    outside_area: str = "hide"  # residents-only listings for somewhere else: hide or mark
    include_remote: bool = True  # online/phone listings with no venue, when searching near
    sort: str | None = None  # default: relevance with text, distance near a place, else name
    page: int = 1
    per_page: int = 20
    now: datetime | None = None  # for tests and reproducible reports; default: the present
    source: str = "api"  # who asked (api, public, embed, linkworker), for the search log

    def validate(self, known_category=None) -> "SearchRequest":
        """Check every parameter; return the request with defaults filled in."""
        if len(self.text or "") > 500:
            raise ValidationError("q", "The search text is too long (500 characters at most).")
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("lat" if self.latitude is None else "lon", "Give both lat and lon.")
        if self.latitude is not None:
            _check_range("lat", self.latitude, -90, 90)
            _check_range("lon", self.longitude, -180, 180)
            if self.near:
                raise ValidationError("near", "Give either near (a postcode or place) or lat and lon, not both.")
        if self.radius_km is not None:
            if not (self.near or self.latitude is not None):
                raise ValidationError("radius", "A radius needs a place: give near, or lat and lon.")
            if not (MIN_RADIUS_KM <= self.radius_km <= MAX_RADIUS_KM) or math.isnan(self.radius_km):
                raise ValidationError(
                    "radius", f"The radius must be between {MIN_RADIUS_KM} and {MAX_RADIUS_KM:g} km (100 miles)."
                )
        for day in self.days:
            if day not in DAYS:
                raise ValidationError("day", f"{day!r} is not a day; use {', '.join(DAYS)}.")
        for part in self.times:
            if part not in TIMES_OF_DAY:
                raise ValidationError("time", f"{part!r} is not one of {', '.join(TIMES_OF_DAY)}.")
        if self.max_cost is not None:
            _check_range("max_cost", self.max_cost, 0, 10_000)
        if self.age is not None:
            _check_range("age", self.age, 0, 120)
        if self.gender is not None and self.gender not in (Gender.FEMALE.value, Gender.MALE.value):
            raise ValidationError("gender", "Use female or male (leave it out to see everything).")
        for code in self.accessibility:
            if code not in ACCESSIBILITY_FEATURES:
                raise ValidationError("accessibility", f"{code!r} is not a known accessibility feature.")
        for mode in self.delivery:
            if mode not in {m.value for m in DeliveryMode}:
                raise ValidationError("delivery", f"{mode!r} is not one of in_person, online, phone.")
        if self.verified_within_months is not None:
            _check_range("verified_within_months", self.verified_within_months, 1, 120)
        if self.outside_area not in OUTSIDE_AREA:
            raise ValidationError("outside_area", "Use hide or mark.")
        if self.sort is not None and self.sort not in SORTS:
            raise ValidationError("sort", f"Sort by one of: {', '.join(SORTS)}.")
        if self.sort == "distance" and not (self.near or self.latitude is not None):
            raise ValidationError("sort", "Sorting by distance needs a place: give near, or lat and lon.")
        if not 1 <= self.page <= MAX_PAGE:
            raise ValidationError("page", f"The page must be between 1 and {MAX_PAGE}.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValidationError("per_page", f"per_page must be between 1 and {MAX_PER_PAGE}.")
        if known_category is not None:
            for code in self.categories:
                if not known_category(code):
                    raise ValidationError("category", f"There is no category {code!r}.")
        return self

    @property
    def has_location(self) -> bool:
        return bool(self.near) or self.latitude is not None

    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        if (self.text or "").strip():
            return "relevance"
        return "distance" if self.has_location else "relevance"


def _check_range(name: str, value, low, high) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or not low <= value <= high:
        raise ValidationError(name, f"{name} must be between {low} and {high}.")


# --------------------------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What the masks need besides the request: the moment, and lazily the next sessions."""

    today: date
    now_epoch: float
    now_minutes: int
    next_sessions: object  # callable () -> np.ndarray over all rows
    expand_category: object  # callable code -> set of category keys
    _next: np.ndarray | None = field(default=None, repr=False)

    def upcoming(self) -> np.ndarray:
        if self._next is None:
            self._next = self.next_sessions()
        return self._next


def effective_capacity(columns: dict, rows: np.ndarray, now_epoch: float) -> np.ndarray:
    """Capacity codes, with statements past their expiry read as "unknown"."""
    capacity = columns["capacity"][rows].copy()
    expires = columns["capacity_expires"][rows]
    capacity[expires < now_epoch] = CAPACITY_CODES["unknown"]  # nan compares False: kept
    return capacity


def months_ago(today: date, months: int) -> int:
    return (today - relativedelta(months=months)).toordinal()


def dimension_masks(snapshot, rows: np.ndarray, request: SearchRequest, ctx: Context) -> dict[str, np.ndarray]:
    """One boolean mask over `rows` per filter the request uses."""
    col = {name: values for name, values in snapshot.columns.items()}
    masks: dict[str, np.ndarray] = {}
    if request.categories:
        keys = set().union(*(ctx.expand_category(code) for code in request.categories))
        masks["category"] = snapshot.rows_in_categories(keys)[rows]
    if request.days or request.times:
        days = request.days or DAYS
        if request.times:
            bits = sum(slot_bit(d, t) for d in days for t in request.times)
            masks["when"] = (col["slot_mask"][rows] & bits) != 0
        else:
            masks["when"] = (col["day_mask"][rows] & sum(day_bit(d) for d in days)) != 0
    if request.next_7_days:
        masks["next_7_days"] = ctx.upcoming()[rows] < ctx.now_minutes + 7 * MINUTES_PER_DAY
    if request.free or request.max_cost is not None:
        limit = 0.0 if request.free else request.max_cost
        masks["cost"] = col["cost_min"][rows] <= limit  # "not stated" (nan) never passes
    if request.age is not None:
        low, high = col["min_age"][rows], col["max_age"][rows]
        masks["age"] = ((low == NO_AGE_MIN) | (low <= request.age)) & ((high == NO_AGE_MAX) | (request.age <= high))
    if request.gender:
        masks["gender"] = np.isin(col["gender"][rows], [GENDER_CODES["any"], GENDER_CODES[request.gender]])
    if request.accessibility:
        bits = sum(ACCESS_BITS[a] for a in request.accessibility)
        masks["accessibility"] = (col["access"][rows] & bits) == bits
    if request.self_referral:
        masks["referral"] = (col["referral"][rows] & REFERRAL_BITS["self"]) != 0
    if request.delivery:
        masks["delivery"] = (col["delivery"][rows] & sum(DELIVERY_BITS[m] for m in request.delivery)) != 0
    if request.verified_within_months:
        masks["verified"] = col["assured"][rows] >= months_ago(ctx.today, request.verified_within_months)
    if request.has_places:
        masks["capacity"] = np.isin(effective_capacity(col, rows, ctx.now_epoch), PLACES)
    return masks


def combine(masks: dict[str, np.ndarray], size: int, without: str | None = None) -> np.ndarray:
    """AND of the masks (optionally leaving one dimension out, for its facet counts)."""
    out = np.ones(size, bool)
    for name, mask in masks.items():
        if name != without:
            out &= mask
    return out


def demotion(snapshot, rows: np.ndarray, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """(stale, full) flags: unverified for over a year; full or waiting list right now."""
    assured = snapshot.columns["assured"][rows]
    stale = assured < months_ago(ctx.today, STALE_MONTHS)  # never verified (0) is stale too
    full = np.isin(effective_capacity(snapshot.columns, rows, ctx.now_epoch), NO_PLACES)
    return stale, full
