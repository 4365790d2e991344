"""Bus reachability from a hand-built timetable, and how it changes a ranking's reasons."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from matching.profile import Profile
from matching.rank import rank
from matching.timetable import Call, ServiceDays, Stop, Timetable, Trip, seconds
from tests.matching.helpers import HOME, NOW, build, listing, offset, weekly

VENUE = offset(*HOME, north_km=4.0)
STOPS = [
    Stop("home-stop", "Westgate Road", *offset(*HOME, east_km=0.15)),
    Stop("middle", "Haymarket", *offset(*HOME, north_km=2.0)),
    Stop("venue-stop", "Gosforth High Street", *offset(*VENUE, east_km=-0.1)),
    Stop("elsewhere", "Airport", *offset(*HOME, north_km=9.0)),
]


def calls(trip: str, *times: tuple[str, str]) -> list[Call]:
    return [Call(trip, stop, n, seconds(t), seconds(t)) for n, (stop, t) in enumerate(times, start=1)]


def timetable() -> Timetable:
    weekdays = ServiceDays("weekdays", frozenset(range(5)), date(2026, 1, 1), date(2026, 12, 31),
                           removed=frozenset({date(2026, 3, 10)}))
    saturdays = ServiceDays("saturdays", frozenset({5}), date(2026, 1, 1), date(2026, 12, 31))
    trips = [Trip("t1", "Q3", "weekdays", "Gosforth"), Trip("t2", "X12", "saturdays"), Trip("t3", "Q3", "weekdays"),
             Trip("t4", "55", "weekdays")]
    stop_times = (
        calls("t1", ("home-stop", "09:30:00"), ("middle", "09:40:00"), ("venue-stop", "09:50:00"))
        + calls("t2", ("home-stop", "09:20:00"), ("venue-stop", "09:45:00"))
        + calls("t3", ("home-stop", "09:55:00"), ("venue-stop", "10:15:00"))  # too late for 10am
        + calls("t4", ("venue-stop", "08:00:00"), ("home-stop", "08:20:00"))  # the wrong direction
    )
    return Timetable.build(STOPS, trips, stop_times, [weekdays, saturdays])


def person(**fields) -> Profile:
    fields.setdefault("what_matters", ["I want to get out of the house"])
    fields.setdefault("latitude", HOME[0])
    fields.setdefault("longitude", HOME[1])
    fields.setdefault("travel_modes", ["walk", "bus"])
    fields.setdefault("max_travel_minutes", 45)
    return Profile(**fields)


def journey(arrive_by: datetime, walk_limit: float = 400, speed: float = 4.8):
    return timetable().journey(HOME, VENUE, arrive_by, walk_limit, speed)


def test_a_direct_trip_on_a_day_it_runs_arriving_in_time():
    trip = journey(datetime(2026, 3, 3, 10, 0))  # a Tuesday
    assert trip is not None
    assert trip.route == "Q3" and trip.board.name == "Westgate Road" and trip.alight.name == "Gosforth High Street"
    assert trip.describe() == "bus Q3 from Westgate Road at 9:30, off at Gosforth High Street at 9:50"
    assert 20 < trip.minutes < 30  # a 2-minute walk, 20 minutes on the bus, a 2-minute walk


def test_the_calendar_decides_which_trips_run():
    assert journey(datetime(2026, 3, 7, 10, 0)).route == "X12"  # Saturday
    assert journey(datetime(2026, 3, 8, 10, 0)) is None  # Sunday: nothing runs
    assert journey(datetime(2026, 3, 10, 10, 0)) is None  # a Tuesday taken out of service


def test_arriving_too_late_or_far_too_early_does_not_count():
    assert journey(datetime(2026, 3, 3, 9, 45)) is None  # the 9:30 arrives at 9:50
    assert journey(datetime(2026, 3, 3, 13, 0)) is None  # three hours early is not a plan
    assert journey(datetime(2026, 3, 3, 10, 20)).departs.time() == time(9, 55)  # the later bus


def test_stops_must_be_within_walking_reach():
    assert journey(datetime(2026, 3, 3, 10, 0), walk_limit=100) is None


def test_seconds_reads_gtfs_times_past_midnight():
    assert seconds("25:10:00") == 25 * 3600 + 600


def test_ranking_names_the_route_when_a_timetable_is_loaded():
    item = listing(id="gosforth", latitude=VENUE[0], longitude=VENUE[1], schedules=(weekly("TU", time(10), time(12)),))
    index = build([item])
    estimated = rank(person(), index, now=NOW)[0]
    assert estimated.journey.estimate
    timetabled = rank(person(), index, now=NOW, timetable=timetable())[0]
    assert not timetabled.journey.estimate
    assert timetabled.reasons[1].endswith(": bus Q3 from Westgate Road at 9:30, off at Gosforth High Street at 9:50 (Tuesdays)")


def test_no_bus_in_time_leaves_other_ways_or_none():
    sunday = listing(id="sunday", latitude=VENUE[0], longitude=VENUE[1], schedules=(weekly("SU", time(10), time(12)),))
    index = build([sunday])
    assert rank(person(), index, now=NOW, timetable=timetable()) == []
    with_lift = rank(person(travel_modes=["bus", "lift"]), index, now=NOW, timetable=timetable())
    assert with_lift[0].journey.mode == "lift"


@pytest.mark.parametrize("modes", [["walk"], ["car"]])
def test_the_timetable_is_ignored_for_people_who_do_not_take_the_bus(modes):
    item = listing(latitude=VENUE[0], longitude=VENUE[1])
    matches = rank(person(travel_modes=modes, max_walk_metres=6000, max_travel_minutes=90), build([item]), now=NOW,
                   timetable=timetable())
    assert matches[0].journey.mode == modes[0]
