"""The scores a link worker would recognise, each 0..1 over every listing at once.

topic fit, travel burden, schedule fit, access (softer needs), cost, freshness, capacity and
preferences. The shapes and numbers come from `matching/weights.toml`; this module only says how
they combine with the facts in a `MatchIndex`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from directory.geo import EARTH_RADIUS_KM
from directory.vocab import DAYS
from matching import transport
from matching.config import MatchConfig
from matching.constraints import feature_mask, soft_needs
from matching.index import CAPACITY_CODES, DARK_FROM, ROUTE_BIT, SETTING_CODE, TIMES, MatchIndex, slot
from matching.profile import Profile
from matching.topics import Interest, category_fit


def dark_from(month: int) -> int:
    """Minutes after midnight when it is dark in the middle of `month` (1-12)."""
    return DARK_FROM[month - 1]


# -- topic ---------------------------------------------------------------------------------------


@dataclass
class TopicFit:
    score: np.ndarray  # overall, per listing
    per_interest: np.ndarray  # (interests, listings)
    by_category: np.ndarray  # (interests, listings): True when a category (not text) gave the fit


def topic_fit(index: MatchIndex, interests: list[Interest], config: MatchConfig) -> TopicFit:
    """How well each listing fits each thing the person named, and overall.

    Per interest: the better of (a) the best relevance among the listing's categories and (b)
    the listing's own words against the person's words (word TF-IDF cosine, calibrated and capped
    at `text_share`). Overall: the best interest plus a small bonus for also fitting a second.
    """
    cfg = config.topic
    n = len(index)
    if not interests:
        empty = np.ones((0, n), np.float32)
        return TopicFit(np.ones(n, np.float32), empty, empty.astype(bool))
    per, by_cat = [], []
    for interest in interests:
        cat = category_fit(index.categories, interest.relevance)
        sims = index.text_similarity(interest.text)
        text = cfg.text_share * np.clip((sims - cfg.text_floor) / (cfg.text_full - cfg.text_floor), 0.0, 1.0)
        per.append(np.maximum(cat, text))
        by_cat.append(cat >= text)
    per_interest = np.vstack(per).astype(np.float32)
    if len(interests) == 1:
        score = per_interest[0]
    else:
        # Fitting a second thing they named counts a little, so a walk that is also sociable
        # beats one that is only a walk; rescaled so fitting two perfectly scores 1.
        best_row = per_interest.argmax(axis=0)
        best = per_interest.max(axis=0)
        rest = per_interest.copy()
        rest[best_row, np.arange(n)] = -1.0
        score = (best + cfg.second_interest * rest.max(axis=0)) / (1.0 + cfg.second_interest)
    return TopicFit(score, per_interest, np.vstack(by_cat))


# -- travel ----------------------------------------------------------------------------------------


@dataclass
class Travel:
    km: np.ndarray  # straight line, NaN when either end has no location
    mode: np.ndarray  # index into transport.MODE_ORDER, -1 = no way to get there
    minutes: np.ndarray
    perceived: np.ndarray
    reachable: np.ndarray  # within their longest journey (or unknown, so not ruled out)
    in_person_score: np.ndarray


def distances_km(index: MatchIndex, lat: float, lon: float) -> np.ndarray:
    """Great-circle distance from one point to every listing (NaN where a listing has no venue)."""
    p1, l1 = np.radians(lat), np.radians(lon)
    a = np.sin((index.lat_rad - p1) / 2) ** 2 + np.cos(p1) * index.cos_lat * np.sin((index.lon_rad - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def travel(profile: Profile, index: MatchIndex, config: MatchConfig) -> Travel:
    """Door-to-door minutes by the least burdensome mode this person can use, and its score."""
    cfg = config.travel
    n = len(index)
    if not profile.has_location:
        nan = np.full(n, np.nan)
        return Travel(nan, np.full(n, -1, np.int8), nan, nan, np.ones(n, bool), np.full(n, cfg.unknown))
    km = distances_km(index, profile.latitude, profile.longitude)
    near_stop = (index.access & np.uint32(feature_mask(("near-bus-stop",)))) > 0
    venue_unknown = np.isnan(km)
    mode, minutes, perceived = transport.best_modes(profile, np.where(venue_unknown, 0.0, km), near_stop)
    mode[venue_unknown] = -1
    minutes[venue_unknown] = np.nan
    perceived[venue_unknown] = np.nan
    score = transport.travel_score(perceived, profile.max_travel_minutes, cfg.quick_minutes, cfg.at_limit,
                                   minutes, cfg.tolerance)
    score = np.where(venue_unknown, cfg.unknown, score)
    # Their limit is on real minutes; how heavy the journey feels only shapes the score.
    reachable = venue_unknown | transport.within_reach(minutes, profile.max_travel_minutes, cfg.tolerance)
    return Travel(km, mode, minutes, perceived, reachable, score)


def travel_score(travel_: Travel, in_person: np.ndarray, remote: np.ndarray, config: MatchConfig) -> tuple[np.ndarray, np.ndarray]:
    """The travel score and whether the person would go in person (True) or take part remotely."""
    in_person_score = np.where(in_person, travel_.in_person_score, -1.0)
    remote_score = np.where(remote, config.travel.remote, -1.0)
    goes = in_person_score >= remote_score
    return np.clip(np.maximum(in_person_score, remote_score), 0.0, 1.0), goes & in_person


# -- schedule --------------------------------------------------------------------------------------


def availability(profile: Profile) -> np.uint32:
    """The slots (day x part of day) the person is free, as a bit mask: all when they did not say."""
    days = profile.days_free or list(DAYS)
    parts = profile.times_free or list(TIMES)
    free = 0
    for day in days:
        for part in parts:
            free |= 1 << slot(day, part)
    return np.uint32(free)


def schedule_fit(profile: Profile, index: MatchIndex, goes_in_person: np.ndarray, today: date, config: MatchConfig) -> np.ndarray:
    """1 when a session falls when they are free (and, if they avoid the dark, ends in daylight)."""
    cfg = config.schedule
    free = availability(profile)
    fits = (index.slots & free) > 0
    score = np.where(fits, 1.0, cfg.clash)
    if profile.avoid_dark:
        fits_daylight = (index.daylight_slots[:, today.month - 1] & free) > 0
        score = np.where(goes_in_person & fits & ~fits_daylight, cfg.after_dark, score)
    has_sessions = index.slots > 0
    return np.where(has_sessions, score, np.where(index.flexible, cfg.flexible, cfg.unknown))


# -- cost ------------------------------------------------------------------------------------------


def pays_bus_fare(profile: Profile, config: MatchConfig) -> bool:
    """A fare counts when it matters to them and they are below bus-pass age (or age unknown)."""
    return profile.fare_matters and (profile.age is None or profile.age < config.cost.concession_age)


def cost_fit(profile: Profile, index: MatchIndex, uses_bus: np.ndarray, config: MatchConfig) -> np.ndarray:
    """Free scores 1; within budget falls to `within_budget_floor` at the budget; over it scores 0.

    With no budget given, price still counts a little (x pounds scores 1 - x / 2*scale). A
    return bus fare is added when the fare matters to them.
    """
    cfg = config.cost
    price = index.min_cost.astype(np.float64)
    if pays_bus_fare(profile, config):
        price = price + np.where(uses_bus, 2 * cfg.bus_fare, 0.0)
    budget = profile.budget_per_session
    if budget is None:
        score = np.clip(1.0 - price / (2.0 * cfg.scale_pounds), 0.0, 1.0)
    elif budget == 0:
        score = np.where(price <= 0, 1.0, cfg.over_budget)
    else:
        within = 1.0 - (1.0 - cfg.within_budget_floor) * price / budget
        score = np.where(price <= budget + 1e-9, within, cfg.over_budget)
    return np.where(np.isnan(price), cfg.unknown, score)


# -- freshness and capacity -----------------------------------------------------------------------


def freshness(index: MatchIndex, today: date, config: MatchConfig) -> np.ndarray:
    """1 if checked in the last six months, falling linearly to `stale` at two years."""
    cfg = config.freshness
    age_days = today.toordinal() - index.assured.astype(np.float64)
    span = cfg.stale_days - cfg.fresh_days
    score = 1.0 - (1.0 - cfg.stale) * np.clip((age_days - cfg.fresh_days) / span, 0.0, 1.0)
    return np.where(index.assured < 0, cfg.never, score)


def effective_capacity(index: MatchIndex, today: date) -> np.ndarray:
    """Capacity codes, with statements past their expiry date treated as unknown."""
    expired = index.capacity_expires < today.toordinal()
    return np.where(expired, CAPACITY_CODES.index("unknown"), index.capacity).astype(np.int8)


def capacity(index: MatchIndex, today: date, config: MatchConfig) -> np.ndarray:
    table = np.array([getattr(config.capacity, code) for code in CAPACITY_CODES])
    return table[effective_capacity(index, today)]


# -- access and preferences ----------------------------------------------------------------------


def access_fit(profile: Profile, index: MatchIndex, goes_in_person: np.ndarray, config: MatchConfig) -> np.ndarray:
    """The share of softer access needs the venue mentions (1 when there are none or remote)."""
    needs = soft_needs(profile)
    if not needs:
        return np.ones(len(index))
    met = np.zeros(len(index))
    for features in needs.values():
        met += ((index.access & np.uint32(feature_mask(features))) > 0)
    share = met / len(needs)
    score = config.access.unknown + (config.access.met - config.access.unknown) * share
    return np.where(goes_in_person, score, 1.0)


def preference_fit(profile: Profile, index: MatchIndex, goes_in_person: np.ndarray, config: MatchConfig) -> np.ndarray:
    """The mean of four small preferences: group or one-to-one, language, referral route, format."""
    cfg = config.preference
    n = len(index)
    if profile.setting == "either":
        setting = np.full(n, cfg.match)
    else:
        wanted = SETTING_CODE[profile.setting]
        setting = np.where(index.setting == wanted, cfg.match, np.where(index.setting == 0, cfg.unknown, cfg.mismatch))
    spoken = index.language_mask(profile.languages)
    shares_language = (index.languages & spoken) > 0
    language = np.where(shares_language, cfg.match, np.where(index.interpretation, cfg.unknown, cfg.mismatch))
    if profile.referrer:
        # Anyone can help a person contact a group that takes self-referrals.
        accepted = np.uint8(ROUTE_BIT[profile.referrer] | ROUTE_BIT["self"])
        route = np.where((index.routes & accepted) > 0, cfg.match, cfg.mismatch)
    else:
        route = np.where((index.routes & ROUTE_BIT["self"]) > 0, cfg.match, cfg.unknown)
    preferred = profile.delivery[0] if profile.delivery else "in_person"
    fmt = np.where(goes_in_person == (preferred == "in_person"), cfg.match, cfg.unknown)
    return (setting + language + route + fmt) / 4.0


def combine(components: dict[str, np.ndarray], config: MatchConfig) -> np.ndarray:
    """topic_weight x topic + topic x sum(weight x practical score), scaled so perfect = 1."""
    weights = config.weights.as_dict()
    total = sum(weights.values())
    topic = components["topic"]
    practical = sum(weights[name] * components[name] for name in weights if name != "topic")
    return (weights["topic"] * topic + topic * practical) / total


__all__ = [
    "TopicFit", "Travel", "access_fit", "availability", "capacity", "combine", "cost_fit",
    "dark_from", "distances_km", "freshness", "preference_fit", "schedule_fit", "topic_fit", "travel",
    "travel_score",
]
