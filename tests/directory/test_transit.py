"""Loading a GTFS feed into the database and reading back the timetable around some places."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from directory.errors import ValidationError
from directory.models import TransitStop, TransitStopTime
from directory.transit import has_timetable, import_gtfs, load_slice
from tests.gtfs import make_feed


def test_a_feed_is_loaded_with_its_stops_trips_and_calendars(session, tmp_path):
    summary = import_gtfs(session, make_feed(tmp_path / "feed.zip"))
    assert summary.counts == {"stops": 3, "routes": 2, "trips": 3, "stop times": 6, "calendars": 2,
                              "calendar exceptions": 1}
    assert summary.skipped == {"stations and entrances": 1, "untimed stop times": 1}
    assert "Loaded feed.zip: 3 stops" in summary.report()
    assert has_timetable(session)
    first = session.scalar(select(TransitStopTime).where(TransitStopTime.trip_id == "T1",
                                                         TransitStopTime.stop_sequence == 1))
    assert (first.arrival_seconds, first.departure_seconds) == (9 * 3600 + 1800, 9 * 3600 + 1800)
    late = session.scalar(select(TransitStopTime).where(TransitStopTime.trip_id == "T3",
                                                        TransitStopTime.stop_sequence == 1))
    assert late.arrival_seconds == 25 * 3600 + 300  # past midnight, as GTFS writes it


def test_loading_again_replaces_the_feed(session, tmp_path):
    import_gtfs(session, make_feed(tmp_path / "feed.zip"))
    import_gtfs(session, make_feed(tmp_path / "feed.zip"))
    assert session.scalar(select(func.count()).select_from(TransitStop)) == 3


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"leave_out": "stop_times.txt"}, "no stop_times.txt"),
        ({"replace": {"calendar.txt": "service_id,monday,start_date,end_date\nWEEKDAY,1,2026-01-01,20261231\n"}},
         "is not a date"),
        ({"replace": {"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                        "T1,09:30,09:30,home-stop,1\n"}}, "is not a time"),
        ({"replace": {"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                        "T1,09:30:00,09:30:00,nowhere,1\n"}}, "does not have"),
    ],
)
def test_a_broken_feed_is_refused_with_the_file_and_line(session, tmp_path, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        import_gtfs(session, make_feed(tmp_path / "feed.zip", **kwargs))


def test_a_file_that_is_not_a_zip(session, tmp_path):
    bad = tmp_path / "feed.zip"
    bad.write_text("hello")
    with pytest.raises(ValidationError, match="not a GTFS zip"):
        import_gtfs(session, bad)


def test_the_slice_around_places_holds_only_nearby_stops_and_their_calls(session, tmp_path):
    import_gtfs(session, make_feed(tmp_path / "feed.zip"))
    piece = load_slice(session, [(54.9780, -1.6100)], 400)
    assert [s[0] for s in piece.stops] == ["home-stop"]
    assert sorted(c[0] for c in piece.calls) == ["T1", "T2", "T3"]
    assert sorted(t[1] for t in piece.trips) == ["Q3", "Q3", "X12"]
    assert sorted(c[0] for c in piece.calendars) == ["SATURDAY", "WEEKDAY"]
    assert piece.exceptions == [("WEEKDAY", date(2026, 3, 10), 2)]
    assert load_slice(session, [], 400).stops == []
