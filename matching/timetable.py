"""Bus reachability from a real timetable (GTFS), in memory and without a database.

A listing is bus-reachable when one trip calls at a stop the person can walk to from home and
later at a stop they can walk from to the venue, on a day that trip runs, arriving in time for
the session (and not absurdly early). Only direct trips count: a journey that needs a change is
reported as such rather than guessed. `directory.transit.load_timetable` fills a `Timetable`
from the tables `wayfinder import gtfs` loads; tests build one by hand.

GTFS times are seconds after midnight of the service day and may pass 24:00 for trips that run
after midnight; those belong to the previous day's service and are ignored here, since nobody
is going to a 1am activity.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Protocol, Sequence

import numpy as np

from directory.geo import EARTH_RADIUS_KM
from matching.transport import DETOUR

EARLIEST_ARRIVAL_MIN = 90  # arriving more than this before the start is not a useful journey
DAY_SECONDS = 24 * 3600


class TimetableSource(Protocol):
    """Anything that can hand over the timetable around some places."""

    def around(self, points: Sequence[tuple[float, float]], radius_m: float) -> "Timetable": ...


@dataclass(frozen=True)
class Stop:
    id: str
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Trip:
    id: str
    route: str  # what people read on the front of the bus: "Q3", "X84"
    service_id: str
    headsign: str | None = None


@dataclass(frozen=True)
class ServiceDays:
    """When a GTFS service runs: weekdays (0 = Monday) between two dates, plus exceptions."""

    service_id: str
    weekdays: frozenset[int] = frozenset()
    start: date | None = None
    end: date | None = None
    added: frozenset[date] = frozenset()
    removed: frozenset[date] = frozenset()

    def runs_on(self, day: date) -> bool:
        if day in self.removed:
            return False
        if day in self.added:
            return True
        in_range = (self.start is None or self.start <= day) and (self.end is None or day <= self.end)
        return in_range and day.weekday() in self.weekdays


@dataclass(frozen=True)
class Call:
    trip_id: str
    stop_id: str
    sequence: int
    arrival: int  # seconds after midnight
    departure: int


@dataclass(frozen=True)
class BusJourney:
    """One direct bus from near home to near the venue."""

    route: str
    board: Stop
    alight: Stop
    departs: datetime
    arrives: datetime
    walk_to_stop_min: float
    walk_from_stop_min: float
    headsign: str | None = None

    @property
    def leave_home(self) -> datetime:
        return self.departs - timedelta(minutes=self.walk_to_stop_min)

    @property
    def minutes(self) -> float:
        """Door to door: walk, ride, walk."""
        ride = (self.arrives - self.departs).total_seconds() / 60.0
        return self.walk_to_stop_min + ride + self.walk_from_stop_min

    def describe(self) -> str:
        """ "bus Q3 from Heaton Road at 9:32, off at Shields Road at 9:51"."""
        return (
            f"bus {self.route} from {self.board.name} at {_clock(self.departs)}, "
            f"off at {self.alight.name} at {_clock(self.arrives)}"
        )


def _clock(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


@dataclass
class Timetable:
    """Stops, trips, calls and service calendars for an area, indexed for reachability checks."""

    stops: dict[str, Stop]
    trips: dict[str, Trip]
    services: dict[str, ServiceDays]
    calls_by_stop: dict[str, list[Call]] = field(default_factory=dict)
    calls_by_trip: dict[str, list[Call]] = field(default_factory=dict)
    _stop_ids: list[str] = field(default_factory=list, repr=False)
    _lat: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    _lon: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    _sequences: dict[str, list[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, stops: Iterable[Stop], trips: Iterable[Trip], calls: Iterable[Call],
              services: Iterable[ServiceDays]) -> "Timetable":
        by_stop: dict[str, list[Call]] = defaultdict(list)
        by_trip: dict[str, list[Call]] = defaultdict(list)
        for call in calls:
            by_stop[call.stop_id].append(call)
            by_trip[call.trip_id].append(call)
        for calls_ in by_trip.values():
            calls_.sort(key=lambda c: c.sequence)
        table = cls(
            stops={s.id: s for s in stops}, trips={t.id: t for t in trips},
            services={s.service_id: s for s in services}, calls_by_stop=dict(by_stop), calls_by_trip=dict(by_trip),
        )
        table._stop_ids = list(table.stops)
        table._lat = np.array([table.stops[s].latitude for s in table._stop_ids])
        table._lon = np.array([table.stops[s].longitude for s in table._stop_ids])
        table._sequences = {trip: [c.sequence for c in calls_] for trip, calls_ in by_trip.items()}
        return table

    def __len__(self) -> int:
        return len(self.stops)

    def around(self, points, radius_m: float) -> "Timetable":
        """The part of the timetable near `points` (all of it: it is already in memory).

        A database-backed source (`web.matching_data.DatabaseTimetable`) answers the same call by
        loading only the stops within `radius_m` of the points, so `matching.rank` accepts either.
        """
        return self

    def stops_near(self, lat: float, lon: float, walk_limit_m: float, walk_speed_kmh: float) -> dict[str, float]:
        """Stops within walking reach of a point, with the minutes it takes to walk there."""
        if not self.stops:
            return {}
        p1, l1 = np.radians(lat), np.radians(lon)
        p2, l2 = np.radians(self._lat), np.radians(self._lon)
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
        metres = 2000.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a))) * DETOUR["walk"]
        near = np.flatnonzero(metres <= walk_limit_m)
        return {self._stop_ids[i]: float(metres[i]) / 1000.0 / walk_speed_kmh * 60.0 for i in near}

    def journey(self, home: tuple[float, float], venue: tuple[float, float], arrive_by: datetime,
                walk_limit_m: float, walk_speed_kmh: float) -> BusJourney | None:
        """The direct bus that lets the person leave home latest and still arrive by `arrive_by`.

        Returns None when no trip running that day serves a stop in walking reach of home and
        then one in walking reach of the venue, in time.
        """
        origins = self.stops_near(*home, walk_limit_m, walk_speed_kmh)
        destinations = self.stops_near(*venue, walk_limit_m, walk_speed_kmh)
        if not origins or not destinations:
            return None
        day = arrive_by.date()
        midnight = datetime.combine(day, datetime.min.time())
        deadline = (arrive_by - midnight).total_seconds()
        best: tuple[float, float] | None = None
        found: BusJourney | None = None
        for stop_id, walk_to in origins.items():
            for call in self.calls_by_stop.get(stop_id, ()):
                trip = self.trips.get(call.trip_id)
                if trip is None or call.departure >= DAY_SECONDS:
                    continue
                service = self.services.get(trip.service_id)
                if service is None or not service.runs_on(day):
                    continue
                for later in self._calls_after(call):
                    walk_from = destinations.get(later.stop_id)
                    if walk_from is None:
                        continue
                    at_door = later.arrival + walk_from * 60.0
                    if at_door > deadline or at_door < deadline - EARLIEST_ARRIVAL_MIN * 60:
                        continue
                    leave = call.departure - walk_to * 60.0
                    door_to_door = at_door - leave
                    key = (leave, -door_to_door)  # leave as late as possible, then quickest
                    if best is None or key > best:
                        best = key
                        found = BusJourney(
                            route=trip.route, board=self.stops[stop_id], alight=self.stops[later.stop_id],
                            departs=midnight + timedelta(seconds=call.departure),
                            arrives=midnight + timedelta(seconds=later.arrival),
                            walk_to_stop_min=walk_to, walk_from_stop_min=walk_from, headsign=trip.headsign,
                        )
        return found

    def _calls_after(self, call: Call) -> list[Call]:
        calls = self.calls_by_trip.get(call.trip_id, [])
        position = bisect_left(self._sequences.get(call.trip_id, []), call.sequence + 1)
        return calls[position:]


def seconds(text: str) -> int:
    """GTFS "HH:MM:SS" (hours may pass 24) -> seconds after midnight."""
    hours, minutes, secs = (int(part) for part in text.strip().split(":"))
    return hours * 3600 + minutes * 60 + secs
