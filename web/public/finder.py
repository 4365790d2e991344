"""The results page's one door to the search engine: a search request in, a page of results out.

Views build a `SearchRequest` (this module's, shaped like the page's form) from the query string
and call `find_activities`; templates read the `ResultsPage`. This module turns the page's request
into `directory.search`'s and its results into plain `Result` cards, so templates never see search
internals or database rows. The "nothing found" suggestions (a wider radius that does find
something, related categories) are worked out here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from directory import search as engine
from directory.errors import NotFound, ValidationError
from directory.geo import miles_to_km
from directory.models import Service, TaxonomyTerm
from directory.queries import category_with_children, top_level_categories, visible_services
from directory.vocab import ACCESSIBILITY_FEATURES, DeliveryMode, ReferralRoute

RADIUS_CHOICES = (1, 3, 5, 10, 25)  # miles
DEFAULT_RADIUS = 3
PER_PAGE = 10

# The checkboxes, grouped as they appear on the page: (group legend, {code: label}).
DAY_FILTERS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
TIME_FILTERS = {"morning": "Morning", "afternoon": "Afternoon", "evening": "Evening"}
ACCESS_FILTERS = {
    "step-free": "Step-free access",
    "wheelchair-accessible": "Wheelchair accessible",
    "accessible-toilet": "Accessible toilet",
    "hearing-loop": "Hearing loop",
    "dementia-friendly": "Dementia friendly",
    "near-bus-stop": "Bus stop nearby",
}
OTHER_FILTERS = {
    "free": "Free",
    "turn-up": "You can just turn up",
    "places": "Has places now",
    "remote": "Online or by phone",
}


@dataclass(frozen=True)
class SearchRequest:
    """What the person asked for, already parsed and clamped by the view."""

    where: str = ""
    text: str = ""
    categories: tuple[str, ...] = ()
    radius_miles: float = DEFAULT_RADIUS
    days: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()
    access: frozenset[str] = frozenset()
    other: frozenset[str] = frozenset()
    page: int = 1
    per_page: int = PER_PAGE
    source: str = "public"  # public or embed, for the anonymous search log

    @property
    def has_filters(self) -> bool:
        return bool(self.days or self.times or self.access or self.other)


@dataclass(frozen=True)
class Place:
    """Where the person is, as the gazetteer understood it."""

    latitude: float
    longitude: float
    label: str


@dataclass(frozen=True)
class Result:
    """One listing as the results page and the embed show it: words, not search internals."""

    id: str
    name: str
    organisation: str
    summary: str
    distance_km: float | None
    distance_text: str | None
    venue_name: str | None
    latitude: float | None
    longitude: float | None
    next_session: datetime | None
    schedule: str  # the first schedule in words, for when there is no next date
    cost: str
    access: tuple[str, ...]
    turn_up: bool  # "You can just turn up" rather than "Ask to be referred"
    full: bool
    capacity: str | None
    delivery: str | None  # "Online", "By phone", or None for in person only


@dataclass
class ResultsPage:
    request: SearchRequest
    place: Place | None
    place_error: str | None
    results: list[Result]
    total: int
    categories: list[TaxonomyTerm]  # the top-level categories, for the filter checkboxes
    chosen: list[TaxonomyTerm]  # the categories asked for, by name
    wider_radius: tuple[float, int] | None = None  # (miles, how many) when nothing was found
    related: list[TaxonomyTerm] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean", from the search engine
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # counts by filter value

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    def count(self, facet: str, value: str) -> int | None:
        """How many results this filter value would leave, when the engine counted it."""
        return self.facets.get(facet, {}).get(value)


def _result(found: engine.SearchResult) -> Result:
    venue = found.venue or {}
    codes = {a["code"] for a in found.accessibility}
    return Result(
        id=found.id, name=found.name, organisation=found.organisation, summary=found.summary,
        distance_km=found.distance_km, distance_text=found.distance_text, venue_name=venue.get("name"),
        latitude=venue.get("latitude"), longitude=venue.get("longitude"), next_session=found.next_session,
        schedule=(found.schedule or ["Contact them for times"])[0], cost=found.cost["text"],
        access=tuple(label for code, label in ACCESSIBILITY_FEATURES.items() if code in codes),
        turn_up=ReferralRoute.SELF.value in found.referral, full=found.full,
        capacity=found.capacity.get("label"), delivery=delivery_words(found.delivery),
    )


def delivery_words(modes) -> str | None:
    """"Online", "By phone", "In person and online"; None for in person only (the usual case)."""
    remote = [word for mode, word in ((DeliveryMode.ONLINE.value, "online"), (DeliveryMode.PHONE.value, "by phone")) if mode in modes]
    if not remote:
        return None
    if DeliveryMode.IN_PERSON.value in modes:
        remote.insert(0, "in person")
    text = " and ".join(remote)
    return text[0].upper() + text[1:]


def _engine_request(req: SearchRequest, categories: tuple[str, ...], **changes) -> engine.SearchRequest:
    other = req.other
    wanted = engine.SearchRequest(
        text=req.text,
        near=req.where or None,
        radius_km=miles_to_km(req.radius_miles) if req.where else None,
        categories=categories,
        days=tuple(sorted(req.days)),
        times=tuple(sorted(req.times)),
        accessibility=tuple(sorted(req.access)),
        free="free" in other,
        self_referral="turn-up" in other,
        has_places="places" in other,
        delivery=(DeliveryMode.ONLINE.value, DeliveryMode.PHONE.value) if "remote" in other else (),
        page=req.page,
        per_page=max(1, req.per_page),
        source=req.source,
    )
    return replace(wanted, **changes)


def find_activities(session: Session, req: SearchRequest, now: datetime, index_dir: str, geocoder=None) -> ResultsPage:
    """Search the directory for `req` and return one page of results, with suggestions when
    nothing matches (a wider radius that does find something, and related categories).

    `now` fixes "next session" for reproducible pages; `index_dir` is the search index folder;
    `geocoder` is the optional online fallback for places the gazetteer does not know.
    """
    index = engine.get_index(index_dir)
    chosen_terms: list[TaxonomyTerm] = []
    for code in req.categories:
        chosen_terms += category_with_children(session, code)[:1]  # unknown codes drop out
    codes = tuple(t.code for t in chosen_terms)
    page = ResultsPage(req, None, None, [], 0, top_level_categories(session), chosen_terms)
    try:
        found = engine.search(session, _engine_request(req, codes, now=now), index=index, geocoder=geocoder)
    except ValidationError as exc:
        if exc.field != "near":
            raise
        page.place_error = exc.message
        return page
    if found.location and found.location.get("latitude") is not None:
        loc = found.location
        page.place = Place(loc["latitude"], loc["longitude"], loc["label"])
    page.results = [_result(r) for r in found.results]
    page.total = found.total
    page.suggestion = found.suggestion
    page.facets = {f.name: {v.value: v.count for v in f.values} for f in found.facets}
    if not found.total:
        page.wider_radius = _wider(session, req, codes, now, index, geocoder)
        page.related = _related(session, chosen_terms, page.categories)
    return page


def quick_categories(session: Session) -> list[TaxonomyTerm]:
    """The categories offered as one-tap searches on the start page: the top level."""
    return top_level_categories(session)


def public_service(session: Session, service_id: str) -> Service:
    """A listing the public may see (published and running); NotFound otherwise."""
    service = session.scalars(visible_services().where(Service.id == service_id)).first()
    if service is None:
        raise NotFound(f"There is no listing with id {service_id}.")
    return service


def _wider(session: Session, req: SearchRequest, codes: tuple[str, ...], now: datetime, index,
           geocoder=None) -> tuple[float, int] | None:
    """The nearest bigger radius that finds something, and how much it finds (not logged)."""
    if not req.where:
        return None
    for miles in [r for r in RADIUS_CHOICES if r > req.radius_miles]:
        wider = _engine_request(req, codes, radius_km=miles_to_km(miles), page=1, per_page=1, now=now)
        found = engine.search(session, wider, index=index, log=False, geocoder=geocoder)
        if found.total:
            return miles, found.total
    return None


def _related(session: Session, chosen: list[TaxonomyTerm], top: list[TaxonomyTerm]) -> list[TaxonomyTerm]:
    """Categories near the ones asked for: their parent and siblings, else the top level."""
    related: list[TaxonomyTerm] = []
    for term in chosen:
        parent = term.parent
        if parent is not None:
            related.append(parent)
            siblings = session.query(TaxonomyTerm).filter(TaxonomyTerm.parent_id == parent.id).order_by(TaxonomyTerm.name)
            related += [s for s in siblings if s.id != term.id]
        else:
            related += session.query(TaxonomyTerm).filter(TaxonomyTerm.parent_id == term.id).order_by(TaxonomyTerm.name).all()
    chosen_ids = {t.id for t in chosen}
    unique = {t.id: t for t in (related or top) if t.id not in chosen_ids}
    return list(unique.values())[:6]
