"""The bridge between the directory's rows and matching's plain dataclasses.

`matching` never sees SQLAlchemy and the directory sits below matching, so the conversion lives
here, in the one layer that may know both. It is shared by `POST /api/v1/match`, the
`wayfinder match` and `wayfinder train-ranker` commands.

Building a `MatchIndex` costs a few seconds for a large directory, so `IndexCache` keeps one
per database and rebuilds it only when the change log has moved (or the weights file changed).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from directory.errors import NotFound, ValidationError
from directory.gazetteer import Gazetteer
from directory.listing_view import directory_version, infer_setting, load_services, load_terms
from directory.models import Service
from directory.schedules import Rule
from directory.transit import has_timetable, load_slice
from directory.vocab import Moderation
from matching.config import MatchConfig, load_config
from matching.index import MatchIndex
from matching.listing import Area, Cost, Listing
from matching.profile import Profile, ProfileError
from matching.timetable import Call, ServiceDays, Stop, Timetable, Trip
from matching.topics import TopicModel

LONDON = ZoneInfo("Europe/London")
WEIGHTS_FILE = "matching-weights.toml"  # in the instance folder; written by train-ranker


def _as_date(value) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def listings_from_service(service: Service) -> list[Listing]:
    """One `Listing` per physical venue of `service` (or one without a venue)."""
    costs = tuple(
        Cost(float(c.amount) if c.amount is not None else None, c.option, c.amount_description)
        for c in service.cost_options
    )
    areas = tuple(Area(a.name, a.extent) for a in service.service_areas if a.extent is not None and a.residents_only)
    languages = tuple(dict.fromkeys(v for lang in service.languages for v in (lang.name, lang.code) if v))
    words = " ".join(p for p in (service.name, service.description or "", service.what_to_expect or "") if p)
    common = dict(
        id=service.id,
        name=service.name,
        description=service.description or "",
        organisation=service.organization.name if service.organization else "",
        categories=tuple(t.code for t in service.taxonomy_terms),
        delivery_modes=tuple(service.delivery_modes or ()),
        costs=costs,
        fees_description=service.fees_description,
        min_age=service.minimum_age,
        max_age=service.maximum_age,
        gender=service.gender,
        residency_areas=areas,
        conditions=service.conditions,
        referral_routes=tuple(service.referral_routes or ()),
        capacity_status=service.capacity_status,
        capacity_note=service.capacity_note,
        capacity_expires=_as_date(service.capacity_expires_at),
        assured_date=service.assured_date,
        status=service.status,
        published=service.moderation_status == Moderation.PUBLISHED.value,
        languages=languages,
        interpretation=bool((service.interpretation_services or "").strip()),
        setting=infer_setting(words),
        url=service.url,
        phone=service.phone,
    )
    venues = [sal.location for sal in service.locations if sal.location.location_type == "physical"]
    if not venues:
        rules = tuple(Rule.from_row(s) for s in service.schedules)
        return [Listing(**common, accessibility=frozenset(service.accessibility or ()), schedules=rules)]
    found = []
    for venue in venues:
        rules = tuple(Rule.from_row(s) for s in service.schedules if s.location_id in (None, venue.id))
        found.append(Listing(
            **common,
            venue_id=venue.id,
            venue=venue.name,
            address=venue.one_line_address() or None,
            postcode=venue.postal_code,
            latitude=venue.latitude,
            longitude=venue.longitude,
            accessibility=frozenset(service.accessibility or ()) | frozenset(venue.accessibility or ()),
            schedules=rules,
        ))
    return found


def load_listings(session: Session, *, only_open: bool = True) -> list[Listing]:
    """Every published, active service as matching listings."""
    found: list[Listing] = []
    for service in load_services(session, only_open=only_open):
        found.extend(listings_from_service(service))
    return found


def weights_file(settings: dict) -> Path | None:
    """Where trained weights live: `MATCH_WEIGHTS_FILE`, else the instance folder."""
    if settings.get("MATCH_WEIGHTS_FILE"):
        return Path(settings["MATCH_WEIGHTS_FILE"])
    instance = settings.get("INSTANCE_PATH")
    return Path(instance) / WEIGHTS_FILE if instance else None


def match_config(override: str | Path | None) -> MatchConfig:
    """`matching/weights.toml`, with trained weights from `override` laid over it if it exists."""
    return load_config(override)


_TOPIC_MODELS: dict[tuple, TopicModel] = {}


def topic_model(terms, config: MatchConfig) -> TopicModel:
    """The topic model for these categories, reused while they and the settings are unchanged
    (training its classifier takes seconds; listings change far more often than categories)."""
    key = (tuple((t.code, t.name, t.parent_code, tuple(t.synonyms), tuple(t.need_phrases)) for t in terms),
           config.topic)
    model = _TOPIC_MODELS.get(key)
    if model is None:
        _TOPIC_MODELS.clear()  # one taxonomy at a time is plenty
        model = _TOPIC_MODELS[key] = TopicModel(terms, config.topic)
    return model


def build_index(session: Session, config: MatchConfig | None = None) -> MatchIndex:
    """A `MatchIndex` over the whole published directory."""
    config = config or load_config()
    return MatchIndex.build(load_listings(session), topic_model(load_terms(session), config), config)


class IndexCache:
    """One `MatchIndex` per database, rebuilt when the change log moves or the config changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[tuple, MatchIndex]] = {}

    def get(self, session: Session, config: MatchConfig) -> MatchIndex:
        database = str(session.get_bind().url)
        key = (directory_version(session), config)
        with self._lock:
            entry = self._entries.get(database)
            if entry is not None and entry[0] == key:
                return entry[1]
        index = build_index(session, config)
        with self._lock:
            self._entries[database] = (key, index)
        return index


INDEXES = IndexCache()


class DatabaseTimetable:
    """A timetable source for `matching.rank`: loads only the stops around the places asked about."""

    def __init__(self, session: Session):
        self.session = session

    def around(self, points: Sequence[tuple[float, float]], radius_m: float) -> Timetable:
        return timetable_from_slice(load_slice(self.session, points, radius_m))


def timetable_source(session: Session) -> DatabaseTimetable | None:
    """The loaded GTFS timetable, or None when no feed has been imported (bus times are estimated)."""
    return DatabaseTimetable(session) if has_timetable(session) else None


def timetable_from_slice(piece) -> Timetable:
    removed: dict[str, set] = {}
    added: dict[str, set] = {}
    for service_id, day, kind in piece.exceptions:
        (added if kind == 1 else removed).setdefault(service_id, set()).add(day)
    services = {
        service_id: ServiceDays(service_id, frozenset(n for n, runs in enumerate(days) if runs), start, end,
                                frozenset(added.get(service_id, ())), frozenset(removed.get(service_id, ())))
        for service_id, days, start, end in piece.calendars
    }
    for service_id in (added.keys() | removed.keys()) - services.keys():  # calendar_dates-only services
        services[service_id] = ServiceDays(service_id, added=frozenset(added.get(service_id, ())),
                                           removed=frozenset(removed.get(service_id, ())))
    return Timetable.build(
        stops=[Stop(*row) for row in piece.stops],
        trips=[Trip(*row) for row in piece.trips],
        calls=[Call(*row) for row in piece.calls],
        services=services.values(),
    )


def local_now() -> datetime:
    """Wall-clock time in England, naive: schedules are stored as local times."""
    return datetime.now(LONDON).replace(tzinfo=None)


def locate(session: Session, profile: Profile, geocoder=None) -> Profile:
    """Fill in coordinates from the postcode when only a postcode was given.

    Raises `ProfileError` on the postcode field when the gazetteer (and the optional online
    `geocoder`) does not know it.
    """
    if profile.has_location or not profile.postcode:
        return profile
    try:
        point = Gazetteer(session, online=geocoder).lookup(profile.postcode)
    except ValidationError as exc:
        raise ProfileError({"postcode": exc.message}) from None
    except NotFound as exc:
        raise ProfileError({"postcode": str(exc)}) from None
    return replace(profile, latitude=point.latitude, longitude=point.longitude)


def parse_profile(session: Session, data, known_categories: set[str] | None = None, geocoder=None) -> Profile:
    """Validate a profile from JSON-like data against the loaded taxonomy, and locate it."""
    if known_categories is None:
        known_categories = {t.code for t in load_terms(session)}
    profile = Profile.from_dict(data, known_categories=known_categories)
    return locate(session, profile, geocoder)
