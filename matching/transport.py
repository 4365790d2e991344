"""Door-to-door travel time by each mode a person can use, from straight-line distance.

Assumptions (documented in docs/matching.md too; every number is here and nowhere else):

* Roads and paths are not straight. Network distance = straight-line distance x a detour
  factor: 1.3 on foot or by bike (UK urban circuity is typically 1.2-1.4), 1.35 by car, and 1.4
  by bus, whose routes wander a little more between stops.
* Walking speed depends on the person: 4.8 km/h for most adults, 3.2 km/h for "slow" (about
  0.9 m/s, typical of older adults), 2.0 km/h for "limited" (below the 0.8 m/s frailty
  threshold) and 3.5 km/h in a wheelchair. How far they can walk defaults to 2,000 / 800 / 200 /
  800 metres for the same four, unless the profile says otherwise.
* Car and lift: 35 km/h on the road (DfT: traffic on local A roads averages about 25 mph, less
  in town centres), plus 5 minutes to get in, park and walk in. A lift depends on someone else, so it feels 15% longer than it is.
* Community transport (dial-a-ride): car speed plus a 15-minute pick-up window, and it must be
  booked ahead: it feels 30% longer.
* Bus, estimated when no timetable is loaded: a walk to a stop 300 m away (150 m at a venue
  marked "bus stop nearby"), 5 minutes at the stop (a trip to a session is planned, so people
  time their walk to the bus rather than wait half a headway), 18 km/h on board (urban buses
  including stops), the same walk at the far end. Trips over 6 km in a straight line are assumed to need
  two buses (+10 minutes). Waiting and uncertainty make bus time feel 20% longer (50% with a
  change). With a GTFS timetable `matching.timetable` replaces the estimate with a real trip.
* Nobody is sent on foot further than they can walk; a bus is only offered when they can walk to
  the stop. Because all this is an estimate, a journey up to 20% over their longest journey is
  still offered (scored low, with a warning); `[travel] tolerance` in weights.toml sets it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.profile import Profile

WALK_SPEED_KMH = {"normal": 4.8, "slow": 3.2, "limited": 2.0, "wheelchair": 3.5}
DEFAULT_WALK_LIMIT_M = {"normal": 2000, "slow": 800, "limited": 200, "wheelchair": 800}
DETOUR = {"walk": 1.3, "cycle": 1.3, "car": 1.35, "lift": 1.35, "community_transport": 1.35, "bus": 1.4}
CYCLE_SPEED_KMH = 14.0
CAR_SPEED_KMH = 35.0
CAR_OVERHEAD_MIN = 5.0
COMMUNITY_TRANSPORT_PICKUP_MIN = 15.0
BUS_SPEED_KMH = 18.0
BUS_STOP_WALK_M = 300.0
BUS_STOP_WALK_NEAR_M = 150.0
BUS_WAIT_MIN = 5.0
BUS_TRANSFER_KM = 6.0
BUS_TRANSFER_MIN = 10.0
# How much longer each mode feels than it takes (waiting, depending on others, booking).
BURDEN = {"walk": 1.0, "cycle": 1.0, "car": 1.0, "lift": 1.15, "community_transport": 1.3, "bus": 1.2}
BURDEN_TWO_BUSES = 1.5

MODE_ORDER = ("walk", "cycle", "bus", "car", "lift", "community_transport")


def walk_speed_kmh(profile: Profile) -> float:
    return WALK_SPEED_KMH[profile.walking]


def walk_limit_m(profile: Profile) -> float:
    """How far this person can walk, in metres (their own figure, else the default)."""
    if profile.max_walk_metres is not None:
        return float(profile.max_walk_metres)
    return float(DEFAULT_WALK_LIMIT_M[profile.walking])


def walk_minutes(profile: Profile, metres: float) -> float:
    """Minutes to walk `metres` of real path at this person's speed."""
    return metres / 1000.0 / walk_speed_kmh(profile) * 60.0


@dataclass(frozen=True)
class Journey:
    """One way of getting there: minutes door to door and how heavy it feels."""

    mode: str
    minutes: float
    perceived: float  # minutes x burden: what ranking compares
    distance_km: float  # straight line
    buses: int = 0
    estimate: bool = True  # False when a real timetable confirmed it
    route: str | None = None  # "Q3 from Heaton Road at 9:32, arrives 9:51" with a timetable


def mode_minutes(profile: Profile, km: np.ndarray, near_stop: np.ndarray | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For every mode the person can use: (minutes, perceived minutes), NaN where not possible.

    `km` is straight-line distance per listing; `near_stop` marks venues with a bus stop nearby.
    """
    km = np.asarray(km, dtype=np.float64)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    limit = walk_limit_m(profile)
    speed = walk_speed_kmh(profile)
    for mode in profile.travel_modes:
        if mode == "walk":
            metres = km * DETOUR["walk"] * 1000.0
            minutes = metres / 1000.0 / speed * 60.0
            minutes = np.where(metres <= limit, minutes, np.nan)
        elif mode == "cycle":
            minutes = km * DETOUR["cycle"] / CYCLE_SPEED_KMH * 60.0
        elif mode in ("car", "lift"):
            minutes = km * DETOUR[mode] / CAR_SPEED_KMH * 60.0 + CAR_OVERHEAD_MIN
        elif mode == "community_transport":
            minutes = km * DETOUR[mode] / CAR_SPEED_KMH * 60.0 + CAR_OVERHEAD_MIN + COMMUNITY_TRANSPORT_PICKUP_MIN
        elif mode == "bus":
            if limit < BUS_STOP_WALK_M:
                continue  # cannot reach a stop
            far_end = BUS_STOP_WALK_M if near_stop is None else np.where(near_stop, BUS_STOP_WALK_NEAR_M, BUS_STOP_WALK_M)
            walking = (BUS_STOP_WALK_M + far_end) / 1000.0 / speed * 60.0
            riding = km * DETOUR["bus"] / BUS_SPEED_KMH * 60.0
            transfer = np.where(km > BUS_TRANSFER_KM, BUS_TRANSFER_MIN, 0.0)
            minutes = walking + BUS_WAIT_MIN + riding + transfer
            burden = np.where(km > BUS_TRANSFER_KM, BURDEN_TWO_BUSES, BURDEN["bus"])
            out[mode] = (minutes, minutes * burden)
            continue
        else:  # pragma: no cover - the profile validates modes
            continue
        out[mode] = (minutes, minutes * BURDEN[mode])
    return out


def best_modes(profile: Profile, km: np.ndarray, near_stop: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per listing: index into MODE_ORDER of the least burdensome mode (-1 if none), its minutes
    and its perceived minutes (NaN if none)."""
    km = np.asarray(km, dtype=np.float64)
    best_mode = np.full(km.shape, -1, dtype=np.int8)
    best_minutes = np.full(km.shape, np.nan)
    best_perceived = np.full(km.shape, np.inf)
    for mode, (minutes, perceived) in mode_minutes(profile, km, near_stop).items():
        better = perceived < best_perceived  # NaN (mode impossible) is never better
        best_mode[better] = MODE_ORDER.index(mode)
        best_minutes[better] = minutes[better]
        best_perceived[better] = perceived[better]
    best_perceived[np.isinf(best_perceived)] = np.nan
    return best_mode, best_minutes, best_perceived


def journeys(profile: Profile, km: float, near_stop: bool = False) -> list[Journey]:
    """Every way this person could make the trip, least burdensome first (for reasons)."""
    found = []
    for mode, (minutes, perceived) in mode_minutes(profile, np.array([km]), np.array([near_stop])).items():
        if np.isnan(minutes[0]):
            continue
        buses = (2 if km > BUS_TRANSFER_KM else 1) if mode == "bus" else 0
        found.append(Journey(mode, float(minutes[0]), float(perceived[0]), km, buses=buses))
    return sorted(found, key=lambda j: (j.perceived, MODE_ORDER.index(j.mode)))


def travel_score(perceived: np.ndarray, max_minutes: float, quick: float, at_limit: float,
                 minutes: np.ndarray | None = None, tolerance: float = 1.0) -> np.ndarray:
    """1 up to `quick` perceived minutes, falling linearly to `at_limit` at their longest journey.

    Estimates are rough, so a journey up to `tolerance` x their limit still counts, its score
    falling from `at_limit` to 0 there; beyond that (or with no way there) it scores 0.
    `minutes` are the real minutes the limit applies to (`perceived` if not given).
    """
    perceived = np.asarray(perceived, dtype=np.float64)
    real = perceived if minutes is None else np.asarray(minutes, dtype=np.float64)
    span = max(max_minutes - quick, 1e-9)
    score = 1.0 - (1.0 - at_limit) * np.clip((perceived - quick) / span, 0.0, 1.0)
    stretch = max(max_minutes * (tolerance - 1.0), 1e-9)
    over = np.clip((real - max_minutes) / stretch, 0.0, 1.0)
    score = np.where(real > max_minutes, at_limit * (1.0 - over), score)
    return np.where(real <= max_minutes * tolerance, score, 0.0)  # NaN (no way there) scores 0


def within_reach(minutes: np.ndarray, max_minutes: float, tolerance: float) -> np.ndarray:
    """Journeys short enough to offer: up to `tolerance` x their limit (NaN: no way there)."""
    return np.asarray(minutes) <= max_minutes * tolerance


_MODE_WORDS = {
    "walk": "walk", "cycle": "by bike", "bus": "by bus", "car": "by car", "lift": "with a lift",
    "community_transport": "by community transport",
}


def describe_minutes(minutes: float) -> str:
    rounded = max(5, int(round(minutes / 5.0)) * 5) if minutes >= 7.5 else max(1, int(round(minutes)))
    return f"{rounded} minute" + ("" if rounded == 1 else "s")


def describe_journey(journey: Journey) -> str:
    """ "1.2 km - about 15 minutes' walk", "3.4 km - about 25 minutes by bus (estimate)"."""
    distance = f"{journey.distance_km:.1f} km" if journey.distance_km >= 0.1 else "under 100 m"
    if journey.mode == "walk":
        span = describe_minutes(journey.minutes)
        possessive = span + ("'" if span.endswith("s") else "'s")  # "15 minutes' walk", "1 minute's walk"
        return f"{distance} — about {possessive} walk"
    text = f"{distance} — about {describe_minutes(journey.minutes)} {_MODE_WORDS[journey.mode]}"
    if journey.route:
        text += f": {journey.route}"
    elif journey.mode == "bus":
        text += " (an estimate: no bus timetable checked)"
    return text
