"""Rank listings for a person: hard constraints, weighted scores, diversity, reasons.

    report = match(profile, index)            # a MatchReport: matches, gaps, exclusions
    for m in rank(profile, index, limit=5):   # just the ranked matches
        print(m.listing.name, m.score, m.reasons, m.warnings)

1. Hard constraints remove what cannot be offered (closed, age, gender, format, must-have
   access needs, out of reach; residency areas for the shortlist).
2. Every remaining listing gets the component scores (`matching.scores`), combined with the
   weights in `matching/weights.toml`. Listings that do not fit anything the person asked for
   (topic fit below `min_fit`) are not matches, however close they are.
3. The best few dozen are looked at one by one: residency areas, a real bus timetable when one
   is loaded, the best venue per service and near-duplicates from different sources.
4. The order is diversified (xQuAD) so the top five cover the different things the person
   named rather than five of the same kind.
5. Every match carries its component scores, reasons and warnings in plain words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from rapidfuzz import fuzz

from directory.geo import haversine_km
from directory.schedules import next_occurrences, time_of_day
from matching import constraints, reasons, scores, transport
from matching.config import COMPONENTS, MatchConfig
from matching.index import MatchIndex
from matching.listing import Listing
from matching.profile import Profile
from matching.timetable import Timetable, TimetableSource
from matching.transport import Journey

DUPLICATE_NAME_SIMILARITY = 92  # rapidfuzz token-sort ratio at which two names are the same group
DUPLICATE_DISTANCE_KM = 0.3


@dataclass
class Match:
    """One ranked listing for the person, with why it fits and what may get in the way."""

    listing: Listing
    score: float
    components: dict[str, float]
    delivery: str  # in_person, online or phone: how they would take part
    journey: Journey | None
    matched: list[str]  # the things they said that it fits, best first
    reasons: list[str]
    warnings: list[str]

    def to_dict(self) -> dict:
        """JSON-safe form for the API and the command line."""
        item = self.listing
        travel = None
        if self.journey is not None:
            travel = {
                "mode": self.journey.mode, "minutes": round(self.journey.minutes, 1),
                "distance_km": round(self.journey.distance_km, 2), "buses": self.journey.buses,
                "estimate": self.journey.estimate, "route": self.journey.route,
            }
        return {
            "id": item.id, "name": item.name, "organisation": item.organisation, "venue": item.venue,
            "address": item.address, "postcode": item.postcode, "latitude": item.latitude,
            "longitude": item.longitude, "categories": list(item.categories), "delivery": self.delivery,
            "url": item.url, "phone": item.phone, "score": round(self.score, 4),
            "components": {k: round(v, 4) for k, v in self.components.items()}, "travel": travel,
            "matched": self.matched, "reasons": self.reasons, "warnings": self.warnings,
        }


@dataclass
class MatchReport:
    """The ranked matches plus what a link worker or commissioner needs to read them."""

    matches: list[Match]
    considered: int  # listings looked at
    excluded: dict[str, int]  # why the others were left out (first reason only)
    unmet: list[str]  # things the person said that nothing matched: gaps in local provision
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "matches": [m.to_dict() for m in self.matches], "considered": self.considered,
            "excluded": self.excluded, "unmet": self.unmet, "notes": self.notes,
        }


@dataclass
class _Candidate:
    position: int
    components: dict[str, float]
    score: float
    delivery: str
    journey: Journey | None
    residency: bool | None
    fits: np.ndarray  # per interest
    category: int  # the category it stands for, for diversity


@dataclass
class Scored:
    """Every listing's component scores for one person, before any shortlist is drawn."""

    interests: list
    fit: scores.TopicFit
    trips: scores.Travel
    eligible: constraints.Eligibility
    goes: np.ndarray  # would go in person (else remotely)
    columns: dict[str, np.ndarray]
    final: np.ndarray
    cost_by_bus: np.ndarray
    cost_otherwise: np.ndarray


def score_all(profile: Profile, index: MatchIndex, now: datetime, config: MatchConfig) -> Scored:
    """Hard constraints and component scores for every listing (whole-array, no shortlist).

    `match` ranks with this; `matching.learn` reads the components of referred listings from it.
    """
    today = now.date()
    interests = index.topics.interests(profile.what_matters, profile.categories)
    fit = scores.topic_fit(index, interests, config)
    trips = scores.travel(profile, index, config)
    eligible = constraints.check(profile, index, today, trips.reachable)
    travel, goes = scores.travel_score(trips, eligible.in_person, eligible.remote, config)
    uses_bus = goes & (trips.mode == transport.MODE_ORDER.index("bus"))
    cost_by_bus = scores.cost_fit(profile, index, np.ones(len(index), bool), config)
    cost_otherwise = scores.cost_fit(profile, index, np.zeros(len(index), bool), config)
    columns = {
        "topic": fit.score,
        "travel": travel,
        "schedule": scores.schedule_fit(profile, index, goes, today, config),
        "access": scores.access_fit(profile, index, goes, config),
        "cost": np.where(uses_bus, cost_by_bus, cost_otherwise),
        "freshness": scores.freshness(index, today, config),
        "capacity": scores.capacity(index, today, config),
        "preference": scores.preference_fit(profile, index, goes, config),
    }
    return Scored(interests, fit, trips, eligible, goes, columns, scores.combine(columns, config),
                  cost_by_bus, cost_otherwise)


def rank(profile: Profile, index: MatchIndex, **options) -> list[Match]:
    """The ranked matches only; see `match` for the options."""
    return match(profile, index, **options).matches


def match(
    profile: Profile,
    index: MatchIndex,
    *,
    limit: int = 10,
    now: datetime | None = None,
    timetable: TimetableSource | None = None,
    config: MatchConfig | None = None,
) -> MatchReport:
    """Rank `index`'s listings for `profile` and explain each match.

    `now` (naive local time) fixes "today" for freshness, capacity and schedules, and is when a
    timetabled bus journey must start; `timetable` replaces bus estimates with real trips for the
    shortlist; `config` overrides the index's weights.
    """
    config = config or index.config
    now = (now or datetime.now()).replace(tzinfo=None)
    today = now.date()
    scored = score_all(profile, index, now, config)
    interests, fit, trips, eligible, goes = scored.interests, scored.fit, scored.trips, scored.eligible, scored.goes
    columns, final = scored.columns, scored.final
    cost_by_bus, cost_otherwise = scored.cost_by_bus, scored.cost_otherwise
    relevant = fit.score >= config.topic.min_fit if interests else np.ones(len(index), bool)
    pool = eligible.allowed & relevant
    excluded = dict(eligible.excluded)
    excluded["topic"] = int((eligible.allowed & ~relevant).sum())
    excluded["area"] = 0
    unmet = [
        interest.label for n, interest in enumerate(interests)
        if not (pool & (fit.per_interest[n] >= config.topic.min_fit)).any()
    ]

    positions = np.flatnonzero(pool)
    take = min(len(positions), max(config.diversity.candidates, limit * 3))
    if take < len(positions):
        positions = positions[np.argpartition(-final[positions], take - 1)[:take]]
    positions = positions[np.argsort(-final[positions], kind="stable")]

    bus_times = None
    if timetable is not None and "bus" in profile.travel_modes and profile.has_location:
        venues = [(index.lat[p], index.lon[p]) for p in positions if goes[p] and not np.isnan(index.lat[p])]
        if venues:
            home = (profile.latitude, profile.longitude)
            bus_times = timetable.around([home, *venues], transport.walk_limit_m(profile))

    shortlist: list[_Candidate] = []
    for position in positions:
        listing = index.listings[position]
        residency = constraints.residency_ok(profile, listing)
        if residency is False:
            excluded["area"] += 1
            continue
        row = {name: float(columns[name][position]) for name in COMPONENTS}
        delivery = _delivery(profile, listing, bool(goes[position]))
        journey = None
        if delivery == "in_person" and trips.mode[position] >= 0:
            journey = _estimated_journey(profile, trips, position)
            if bus_times is not None:
                journey = _timetabled(profile, listing, journey, bus_times, now)
                if journey is None or not transport.within_reach(
                        journey.minutes, profile.max_travel_minutes, config.travel.tolerance):
                    if not eligible.remote[position]:
                        excluded["distance"] += 1
                        continue
                    journey, delivery = None, _delivery(profile, listing, False)
                    row["travel"] = config.travel.remote
                else:
                    row["travel"] = float(transport.travel_score(
                        np.array([journey.perceived]), profile.max_travel_minutes,
                        config.travel.quick_minutes, config.travel.at_limit, np.array([journey.minutes]),
                        config.travel.tolerance)[0])
                by_bus = journey is not None and journey.mode == "bus"
                row["cost"] = float((cost_by_bus if by_bus else cost_otherwise)[position])
        best_interest = int(np.argmax(fit.per_interest[:, position])) if interests else 0
        category = index.category_of(position, interests[best_interest].relevance) \
            if interests and fit.by_category[best_interest, position] else int(index.primary_category[position])
        shortlist.append(_Candidate(
            position=int(position), components=row, score=float(scores.combine(row, config)), delivery=delivery,
            journey=journey, residency=residency, fits=fit.per_interest[:, position], category=category,
        ))

    shortlist.sort(key=lambda c: -c.score)
    shortlist = _without_duplicates(index, shortlist)
    ordered = diversify(shortlist, limit, config, n_interests=len(interests))
    matches = [_explain(profile, index, interests, fit, c, today, config) for c in ordered]
    notes = []
    if not profile.has_location:
        notes.append("No home location was given, so travel could not be judged.")
    if "bus" in profile.travel_modes and timetable is None:
        notes.append("Bus times are estimates: no bus timetable is loaded.")
    return MatchReport(matches=matches, considered=len(index), excluded=excluded, unmet=unmet, notes=notes)


def _delivery(profile: Profile, listing: Listing, goes_in_person: bool) -> str:
    if goes_in_person:
        return "in_person"
    for mode in profile.delivery:  # the first format they accept that the listing offers
        if mode != "in_person" and mode in listing.delivery_modes:
            return mode
    return "in_person"


def _estimated_journey(profile: Profile, trips: scores.Travel, position: int) -> Journey:
    mode = transport.MODE_ORDER[trips.mode[position]]
    km = float(trips.km[position])
    buses = (2 if km > transport.BUS_TRANSFER_KM else 1) if mode == "bus" else 0
    return Journey(mode, float(trips.minutes[position]), float(trips.perceived[position]), km, buses=buses)


def _next_session(profile: Profile, listing: Listing, now: datetime) -> datetime | None:
    """The next session the person could go to: one on a day and at a time they are free."""
    found = []
    for rule in listing.schedules:
        if not rule.is_recurring or rule.opens_at is None:
            continue
        for start in next_occurrences(rule, now, 14):
            days_ok = not profile.days_free or start.strftime("%a")[:2].upper() in profile.days_free
            part_ok = not profile.times_free or time_of_day(start.time()) in profile.times_free
            if days_ok and part_ok:
                found.append(start)
                break
    return min(found) if found else None


def _timetabled(profile: Profile, listing: Listing, estimate: Journey, timetable: Timetable,
                now: datetime) -> Journey | None:
    """Replace a bus estimate with a real direct trip; None when no bus gets them there in time.

    Other modes they can use still compete: the least burdensome journey wins.
    """
    session = _next_session(profile, listing, now)
    if session is None or not timetable.services:
        return estimate  # nothing to check against: keep the estimate, which says it is one
    others = [j for j in transport.journeys(profile, estimate.distance_km) if j.mode != "bus"]
    trip = timetable.journey(
        (profile.latitude, profile.longitude), (listing.latitude, listing.longitude), session,
        transport.walk_limit_m(profile), transport.walk_speed_kmh(profile),
    )
    if trip is not None:
        when = f"{session:%A}s" if session - now < timedelta(days=7) else f"{session:%A %d %B}"
        others.append(Journey(
            "bus", trip.minutes, trip.minutes * transport.BURDEN["bus"], estimate.distance_km, buses=1,
            estimate=False, route=f"{trip.describe()} ({when})",
        ))
    others.sort(key=lambda j: j.perceived)
    return others[0] if others else None


def _normal_name(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", name.lower().replace("&", "and")).split())


def _without_duplicates(index: MatchIndex, shortlist: list[_Candidate]) -> list[_Candidate]:
    """Keep the best venue of each service, and one of each group listed twice by two sources."""
    kept: list[tuple[Listing, str]] = []
    result: list[_Candidate] = []
    seen_ids: set[str] = set()
    for candidate in shortlist:
        listing = index.listings[candidate.position]
        if listing.id in seen_ids:
            continue
        name = _normal_name(listing.name)
        if any(_same_group(listing, name, other, other_name) for other, other_name in kept):
            continue
        seen_ids.add(listing.id)
        kept.append((listing, name))
        result.append(candidate)
    return result


def _same_group(a: Listing, name_a: str, b: Listing, name_b: str) -> bool:
    if a.has_location and b.has_location:
        if haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) > DUPLICATE_DISTANCE_KM:
            return False
    elif a.has_location != b.has_location or a.postcode != b.postcode:
        return False
    if re.findall(r"\d+", name_a) != re.findall(r"\d+", name_b):
        return False  # "Walk 1" and "Walk 2" are different groups
    return fuzz.token_sort_ratio(name_a, name_b) >= DUPLICATE_NAME_SIMILARITY


def diversify(shortlist: list[_Candidate], limit: int, config: MatchConfig, n_interests: int) -> list[_Candidate]:
    """Greedy xQuAD re-ranking (Santos et al., 2010).

    Each next pick maximises (1 - c) x score x same_category^(earlier picks in its category)
    + c x (the share of the person's interests it covers that earlier picks have not), where
    c = `coverage`. With one interest it reduces to score order with a gentle penalty on
    repeating a category, so five walking groups only appear when nothing else fits.
    """
    cfg = config.diversity
    remaining = list(shortlist)
    chosen: list[_Candidate] = []
    uncovered = np.ones(n_interests)
    per_category: Counter[int] = Counter()
    while remaining and len(chosen) < limit:
        def value(c: _Candidate) -> float:
            relevance = c.score * cfg.same_category ** per_category[c.category]
            novelty = float((c.fits * uncovered).sum() / n_interests) if n_interests else 0.0
            return (1 - cfg.coverage) * relevance + cfg.coverage * novelty

        best = max(remaining, key=value)
        remaining.remove(best)
        chosen.append(best)
        if n_interests:
            uncovered *= 1.0 - np.clip(best.fits, 0.0, 1.0)
        per_category[best.category] += 1
    return chosen


def _explain(profile: Profile, index: MatchIndex, interests, fit: scores.TopicFit, candidate: _Candidate,
             today: date, config: MatchConfig) -> Match:
    listing = index.listings[candidate.position]
    order = np.argsort(-candidate.fits, kind="stable") if interests else []
    matched, topic_lines = [], []
    for n in order:
        if candidate.fits[n] < config.topic.min_fit:
            break
        interest = interests[n]
        matched.append(interest.label)
        by_category = bool(fit.by_category[n, candidate.position])
        name = index.topics.names[index.category_of(candidate.position, interest.relevance)] if by_category else None
        topic_lines.append((interest.label, name, by_category, interest.chosen_category))
    reason_lines, warnings = reasons.explain(
        profile, listing, topic=reasons.topic_reasons(topic_lines[:2]), journey=candidate.journey,
        delivery=candidate.delivery, residency=candidate.residency, today=today, config=config,
    )
    return Match(
        listing=listing, score=candidate.score, components=candidate.components, delivery=candidate.delivery,
        journey=candidate.journey, matched=matched, reasons=reason_lines, warnings=warnings,
    )
