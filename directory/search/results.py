"""What a search returns: plain dataclasses that turn into JSON with `to_dict()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from directory.geo import format_distance, haversine_km, km_to_miles
from directory.schedules import describe, format_time
from directory.search.segments import rule_from_facts
from directory.vocab import ACCESSIBILITY_FEATURES, CAPACITY_LABELS, DAY_NAMES, DAYS, Capacity


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class SearchResult:
    """One listing as found: what it is, where, when next, and how it fits the search."""

    id: str
    name: str
    organisation: str
    summary: str
    categories: list[dict]
    score: float
    distance_km: float | None
    distance_miles: float | None
    distance_text: str | None
    venue: dict | None
    remote: bool
    next_session: datetime | None
    next_session_text: str | None
    schedule: list[str]
    cost: dict
    delivery: list[str]
    referral: list[str]
    accessibility: list[dict]
    age: dict
    gender: str
    capacity: dict
    verified: str | None
    stale: bool
    full: bool
    temporarily_closed: bool
    residency: dict
    contact: dict

    def to_dict(self) -> dict:
        data = asdict(self)
        data["next_session"] = self.next_session.isoformat(timespec="minutes") if self.next_session else None
        return data


@dataclass
class SearchResults:
    """A page of results with everything a page or API client shows around it."""

    total: int
    page: int
    per_page: int
    sort: str
    results: list[SearchResult]
    facets: list[Facet]
    suggestion: str | None = None
    location: dict | None = None
    understood: list[dict] = field(default_factory=list)  # categories read from the text
    index: dict = field(default_factory=dict)
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def facet(self, name: str) -> dict[str, int]:
        """A facet's counts by value (convenient in tests and templates)."""
        for facet in self.facets:
            if facet.name == name:
                return {v.value: v.count for v in facet.values}
        raise KeyError(name)

    def to_dict(self) -> dict:
        return {
            "total": self.total, "page": self.page, "per_page": self.per_page, "pages": self.pages,
            "sort": self.sort, "suggestion": self.suggestion, "location": self.location,
            "understood": self.understood,
            "results": [r.to_dict() for r in self.results],
            "facets": [asdict(f) for f in self.facets],
            "index": self.index, "took_ms": round(self.took_ms, 2),
        }


# --------------------------------------------------------------------------------------------
# Building a result from stored facts
# --------------------------------------------------------------------------------------------


def cost_text(facts: dict) -> str:
    low = facts.get("cost_min")
    if low is None:
        return facts.get("fees") or "Cost not stated - ask the group"
    if low == 0:
        paid = [c["amount"] for c in facts.get("costs") or () if c.get("amount")]
        return "Free" if not paid else f"Free, or up to £{max(paid):.2f}"
    return f"From £{low:.2f}"


def session_text(moment: datetime | None, today: date) -> str | None:
    if moment is None:
        return None
    day = moment.date()
    when = "Today" if day == today else "Tomorrow" if (day - today).days == 1 else f"{DAY_NAMES[DAYS[day.weekday()]]} {day.day} {day:%B}"
    return f"{when}, {format_time(moment.time())}"


def nearest_venue(facts: dict, point: tuple[float, float] | None) -> dict | None:
    venues = [v for v in facts.get("venues") or () if v.get("lat") is not None]
    if not venues:
        return None
    if point:
        venues.sort(key=lambda v: haversine_km(point[0], point[1], v["lat"], v["lon"]))
    v = venues[0]
    return {"name": v.get("name"), "address": v.get("address"), "postcode": v.get("postcode"),
            "latitude": v["lat"], "longitude": v["lon"]}


def build_result(
    service_id: str, facts: dict, *, score: float, distance_km: float | None, point, next_session: datetime | None,
    today: date, stale: bool, full: bool, capacity: str, residency: dict, category_name,
) -> SearchResult:
    """A result from a listing's stored facts and what the search worked out about it."""
    has_distance = distance_km is not None
    capacity_label = CAPACITY_LABELS.get(Capacity(capacity), capacity) if capacity in Capacity._value2member_map_ else capacity
    return SearchResult(
        id=service_id,
        name=facts.get("name") or "",
        organisation=(facts.get("organisation") or {}).get("name") or "",
        summary=facts.get("summary") or "",
        categories=[{"code": c, "name": category_name(c)} for c in facts.get("categories") or ()],
        score=round(float(score), 4),
        distance_km=round(distance_km, 2) if has_distance else None,
        distance_miles=round(km_to_miles(distance_km), 2) if has_distance else None,
        distance_text=format_distance(distance_km) if has_distance else None,
        venue=nearest_venue(facts, point),
        remote=not any(v.get("lat") is not None for v in facts.get("venues") or ()),
        next_session=next_session,
        next_session_text=session_text(next_session, today),
        schedule=[describe(rule_from_facts(r)) for r in facts.get("rules") or ()],
        cost={"min": facts.get("cost_min"), "text": cost_text(facts)},
        delivery=list(facts.get("delivery") or ()),
        referral=list(facts.get("referral") or ()),
        accessibility=[
            {"code": code, "label": ACCESSIBILITY_FEATURES.get(code, code)}
            for code in sorted(set(facts.get("access") or ()).union(*(v.get("access") or () for v in facts.get("venues") or ())))
        ],
        age={"min": facts.get("min_age"), "max": facts.get("max_age")},
        gender=facts.get("gender") or "any",
        capacity={"status": capacity, "label": capacity_label, "note": facts.get("capacity_note")},
        verified=facts.get("assured"),
        stale=bool(stale),
        full=bool(full),
        temporarily_closed=facts.get("status") == "temporarily closed",
        residency=residency,
        contact={"url": facts.get("url"), "phone": facts.get("phone"), "email": facts.get("email")},
    )
