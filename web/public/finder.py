"""The results page's one door to the directory: a search request in, a page of results out.

Views build a `SearchRequest` from the query string and call `find_activities`; templates read
the `ResultsPage`. Nothing else in web/public knows how searching is done, so when the search
engine (`directory.search`) lands only this module changes. Until then it narrows the listings
with `directory.queries` (category, distance) and filters and ranks the rest in Python, which is
fine at demo size and is what the 100,000-listing benchmark replaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session, selectinload

from directory.errors import NotFound, ValidationError
from directory.gazetteer import Gazetteer
from directory.geo import haversine_km, miles_to_km
from directory.models import Location, Service, ServiceAtLocation, TaxonomyTerm
from directory.queries import category_with_children, top_level_categories, visible_services, with_categories, within_box
from directory.schedules import Rule, next_occurrence, time_of_day
from directory.vocab import Capacity, DeliveryMode, ReferralRoute
from web.public import present

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

_STOPWORDS = set(
    "a an and are as at be but by can do for from get got have help i i'd i'm i've im in is it "
    "like me my need of on or some something so that the to too up want with would you "
    "feel feeling really just bit more lot go going could should please somewhere anything".split()
)


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
    """One listing as the results page and the embed show it: words, not database rows, so
    the templates do not care whether it came from the ORM or the search index."""

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
    delivery: str | None  # "Online", "By phone", or None for in person


def _result(service: Service, location: Location | None, distance: float | None, next_session: datetime | None) -> Result:
    return Result(
        id=service.id, name=service.name, organisation=service.organization.name, summary=service.description or "",
        distance_km=distance, distance_text=present.distance_text(distance),
        venue_name=location.name if location else None,
        latitude=location.latitude if location else None, longitude=location.longitude if location else None,
        next_session=next_session, schedule=present.schedule_lines(service)[0], cost=present.cost_text(service),
        access=tuple(present.access_labels(service, location)), turn_up=present.can_just_turn_up(service),
        full=service.capacity_status in (Capacity.FULL.value, Capacity.WAITING_LIST.value),
        capacity=present.capacity_text(service), delivery=present.delivery_text(service),
    )


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


def locate(session: Session, where: str) -> Place:
    """The gazetteer's answer for a postcode or place; raises ValidationError or NotFound."""
    point = Gazetteer(session).lookup(where)
    return Place(point.latitude, point.longitude, point.label)


def _words(text: str) -> list[str]:
    found = re.findall(r"[a-z0-9']+", (text or "").lower())
    return [_stem(w) for w in found if w not in _STOPWORDS and len(w) > 1]


def _stem(word: str) -> str:
    # Crude, but "walks"/"walking"/"walk" meeting is what matters for a few hundred listings.
    word = word.strip("'")
    for suffix in ("ing", "ers", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _term_text(term: TaxonomyTerm) -> str:
    parts = []
    while term is not None:
        parts += [term.name, *(term.synonyms or []), *(term.need_phrases or [])]
        term = term.parent
    return " ".join(parts)


def _text_score(service: Service, words: list[str], term_words: dict[str, set[str]]) -> int:
    if not words:
        return 1
    own = set(_words(f"{service.name} {service.description} {service.organization.name}"))
    for term in service.taxonomy_terms:
        own |= term_words.setdefault(term.id, set(_words(_term_text(term))))
    return sum(1 for w in words if w in own)


def _matches_filters(service: Service, location: Location | None, rules: list[Rule], req: SearchRequest, now: datetime) -> bool:
    other = req.other
    if "free" in other and not is_free(service):
        return False
    if "turn-up" in other and ReferralRoute.SELF.value not in (service.referral_routes or []):
        return False
    if "places" in other and service.capacity_status in (Capacity.FULL.value, Capacity.WAITING_LIST.value):
        return False
    if "remote" in other and not {DeliveryMode.ONLINE.value, DeliveryMode.PHONE.value} & set(service.delivery_modes or []):
        return False
    if req.access:
        features = set(service.accessibility or []) | set(location.accessibility or [] if location else [])
        if not req.access <= features:
            return False
    if req.days and not any(req.days & r.weekdays() for r in rules if r.is_recurring):
        return False
    if req.times and not any(time_of_day(r.opens_at) in req.times for r in rules if r.opens_at):
        return False
    return True


def is_free(service: Service) -> bool:
    """Free when every stated price is zero (no prices and no fee text means "not stated")."""
    amounts = [c.amount for c in service.cost_options if c.amount is not None]
    return bool(amounts) and all(a == 0 for a in amounts)


def _candidates(session: Session, term_ids: set[str] | None, place: Place | None, radius_km: float | None):
    query = visible_services().options(
        selectinload(Service.locations).selectinload(ServiceAtLocation.location),
        selectinload(Service.organization),
        selectinload(Service.schedules),
        selectinload(Service.cost_options),
    )
    if term_ids:
        query = with_categories(query, term_ids)
    if place and radius_km:
        query = within_box(query, place.latitude, place.longitude, radius_km)
    return session.scalars(query.order_by(Service.name, Service.id)).unique().all()


def _search(session: Session, req: SearchRequest, place: Place | None, term_ids, now: datetime) -> list[Result]:
    radius_km = miles_to_km(req.radius_miles) if place else None
    words = _words(req.text)
    term_words: dict[str, set[str]] = {}
    scored = []
    for service in _candidates(session, term_ids, place, radius_km):
        venues = [sal.location for sal in service.locations if sal.location.has_coordinates]
        location, distance = (venues[0] if venues else None), None
        if place and venues:
            location = min(venues, key=lambda v: haversine_km(place.latitude, place.longitude, v.latitude, v.longitude))
            distance = haversine_km(place.latitude, place.longitude, location.latitude, location.longitude)
            if distance > radius_km:
                continue
        elif place and radius_km:
            continue  # no venue: phone and online services have no distance to be within
        rules = [Rule.from_row(s) for s in service.schedules]
        if not _matches_filters(service, location, rules, req, now):
            continue
        score = _text_score(service, words, term_words)
        if score == 0:
            continue
        scored.append((score, distance, service, location, rules))
    # Nearest first: people choose by how far they must go; more matching words break ties.
    scored.sort(key=lambda sr: (sr[1] is None, round(sr[1] or 0, 1), -sr[0], sr[2].name))
    return scored


def find_activities(session: Session, req: SearchRequest, now: datetime) -> ResultsPage:
    """Search the directory for `req` and return one page of results, with suggestions when
    nothing matches (a wider radius that does find something, and related categories)."""
    place, place_error = None, None
    if req.where.strip():
        try:
            place = locate(session, req.where)
        except ValidationError as exc:
            place_error = exc.message
        except NotFound as exc:
            place_error = str(exc)
    chosen_terms: list[TaxonomyTerm] = []
    term_ids: set[str] | None = None
    for code in req.categories:
        family = category_with_children(session, code)
        chosen_terms += family[:1]
        term_ids = (term_ids or set()) | {t.id for t in family}
    categories = top_level_categories(session)
    page = ResultsPage(req, place, place_error, [], 0, categories, chosen_terms)
    if place_error:
        return page
    found = _search(session, req, place, term_ids, now)
    start = (max(req.page, 1) - 1) * req.per_page
    page.results = [
        _result(service, location, distance, next_occurrence(rules, now))
        for _, distance, service, location, rules in found[start : start + req.per_page]
    ]
    page.total = len(found)
    if not found:
        page.wider_radius = _wider(session, req, place, term_ids, now)
        page.related = _related(session, chosen_terms, categories)
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


def _wider(session, req: SearchRequest, place: Place | None, term_ids, now) -> tuple[float, int] | None:
    if place is None:
        return None
    for miles in [r for r in RADIUS_CHOICES if r > req.radius_miles]:
        count = len(_search(session, replace(req, radius_miles=miles), place, term_ids, now))
        if count:
            return miles, count
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
