"""Every OpenActive feed shape and every real-world defect: imported, repaired or quarantined."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from sqlalchemy import select

from directory.models import QuarantinedRecord, Service, SourceRecord
from importers.openactive import RpdeReader, reader_for
from importers.openactive_items import parse_item
from importers.records import Occurrence, Rejected, ServiceRecord
from tests.importers.conftest import make_source, run
from tests.importers.feedserver import Reply
from tests.importers.helpers import load_activity_list, read_json


def _fixture(standards, name):
    return read_json(standards / "openactive" / "feed-normaliser-fixtures" / name)


def _serve_items(server, path, items):
    server.add(path, Reply({"items": items, "next": f"{path}-end"}))
    server.add(f"{path}-end", Reply({"items": [], "next": f"{path}-end"}))
    return server.url(path)


def _by_name(session, name):
    return session.scalars(select(Service).where(Service.name == name)).one()


def test_every_feed_normaliser_fixture_is_imported_or_quarantined(session, server, client, standards):
    load_activity_list(session, standards)
    folder = standards / "openactive" / "feed-normaliser-fixtures"
    files = sorted(folder.glob("*.json"))
    assert len(files) == 43
    items = []
    for path in files:
        body = json.loads(path.read_text())
        items += body if isinstance(body, list) else [body]
    url = _serve_items(server, "/fixtures", items)
    source = make_source(session, url=url)
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.ok, report.lines()
    handled = sum(report.counts.get(k, 0) for k in (
        "created", "updated", "unchanged", "merged", "quarantined", "stale", "occurrences",
        "occurrences_unchanged"))
    assert handled >= len(items)  # an inverted session yields its series and an occurrence
    assert all(parse_item(item) for item in items)
    for row in session.scalars(select(QuarantinedRecord)):
        assert len(row.reason) > 20 and row.raw  # a reason a person can act on, and the input
    assert report.counts["created"] >= 15


def test_goodgym_defects_are_repaired(session, server, client, standards):
    load_activity_list(session, standards)
    url = _serve_items(server, "/gg", [_fixture(standards, "event-not-normalised.json")])
    source = make_source(session, url=url)
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.counts["created"] == 1
    service = _by_name(session, "Hill Session with Tom")
    assert service.gender == "any"  # "mixed"
    assert service.minimum_age == 18  # ageRange "18"
    # activity as a bare string: the Activity List's term, and the Wayfinder category it sits in
    assert {t.name for t in service.taxonomy_terms} == {"Running", "Gym and exercise classes"}
    assert str(service.cost_options[0].amount) == "0.00"
    assert service.locations[0].location.postal_code == "E3 4PL"
    record = session.scalars(select(SourceRecord).where(SourceRecord.entity_type == "service")).one()
    assert record.source_modified == "1410768771706"  # the date string, as epoch milliseconds
    assert any("modified was a date" in w for w in report.warnings)


def test_schema_org_http_day_and_beta_timezone(session, server, client, standards):
    url = _serve_items(server, "/course", [_fixture(standards, "course-schedule-httpday.json")])
    source = make_source(session, url=url)
    run(session, source, RpdeReader([("feed", url)], client))
    rule = _by_name(session, "S4K TV - Dance").schedules[0]
    assert (rule.freq, rule.byday, rule.opens_at, rule.closes_at) == ("WEEKLY", "FR", time(9), time(10))
    assert rule.timezone == "Europe/London" and rule.valid_from == date(2020, 7, 31)


def test_except_dates_and_array_gender(session, server, client, standards):
    items = [_fixture(standards, "sessionseries-with-schedule-exdates.json"),
             _fixture(standards, "event-with-superevent.json")]
    url = _serve_items(server, "/x", items)
    source = make_source(session, url=url)
    run(session, source, RpdeReader([("feed", url)], client))
    series = session.scalars(select(Service).where(Service.name.is_not(None))).all()
    with_excepts = [s for s in series if s.schedules and s.schedules[0].except_dates]
    assert with_excepts and "2020-" in with_excepts[0].schedules[0].except_dates
    wod = _by_name(session, "WOD Class")  # the Event has no name: inherited from its EventSeries
    assert wod.gender == "any" and wod.minimum_age == 14
    assert str(wod.cost_options[0].amount) == "5.00"


def test_inverted_scheduled_session_creates_its_series(session, server, client, standards):
    page = read_json(standards / "openactive" / "data-models-examples" / "scheduledsession_example_1.json")
    url = _serve_items(server, "/inv", page["items"])
    source = make_source(session, url=url)
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.counts["created"] == 1 and report.counts["occurrences"] == 1
    service = session.scalars(select(Service)).one()
    assert service.schedules[0].byday  # from the superEvent's PartialSchedule
    assert service.schedules[0].notes.startswith("Times as published")
    # A tombstone for the session removes the occurrence, not the series' listing.
    server.add("/inv", Reply({"items": [{"state": "deleted", "kind": page["items"][0]["kind"],
                                          "id": page["items"][0]["id"], "modified": 1521565720}],
                              "next": "/inv-end"}))
    report = run(session, source, RpdeReader([("feed", url)], client), from_start=True)
    assert report.counts.get("occurrences_deleted") == 1


def test_split_feeds_from_a_dataset_site(session, server, client, standards):
    examples = standards / "openactive" / "data-models-examples"
    series = read_json(examples / "sessionseries-split_example_1.json")["items"][0]
    session_item = read_json(examples / "scheduledsession-split_example_1.json")["items"][0]
    site = read_json(standards / "openactive" / "dataset-site-samples" / "example-minimal.jsonld")
    for dl in site["distribution"]:
        dl["contentUrl"] = "/feeds/" + dl["identifier"]
    html = f'<html><script type="application/ld+json">{json.dumps(site)}</script></html>'
    server.add("/dataset", Reply(html, content_type="text/html"))
    # The session feed is listed first on the site; the importer reads the series feed first.
    _serve_items(server, "/feeds/ScheduledSession", [session_item])
    _serve_items(server, "/feeds/SessionSeries", [series])
    source = make_source(session, url=server.url("/dataset"))
    reader = reader_for(source.url, client)
    assert [name for name, _ in reader.feeds] == ["SessionSeries", "ScheduledSession"]
    report = run(session, source, reader)
    assert report.ok and report.counts["created"] == 1 and report.counts["occurrences"] == 1
    service = session.scalars(select(Service)).one()
    assert service.minimum_age is not None and service.schedules
    assert set(source.state["feeds"]) == {u for _, u in reader.feeds}


def test_split_series_without_schedule_takes_its_sessions_times(session, server, client):
    series = {"state": "updated", "kind": "SessionSeries", "id": "s1", "modified": 1, "data": {
        "@type": "SessionSeries", "@id": "https://x.org/series/1", "name": "Aqua Fit",
        "location": {"@type": "Place", "name": "Pool", "address": {"postalCode": "ne1 1aa"},
                     "geo": {"latitude": 54.97, "longitude": -1.61}}}}
    sessions = [
        {"state": "updated", "kind": "ScheduledSession", "id": f"x{n}", "modified": 2 + n, "data": {
            "@type": "ScheduledSession", "@id": f"https://x.org/session/{n}", "superEvent": "https://x.org/series/1",
            "startDate": start, "endDate": end}}
        for n, (start, end) in enumerate([("2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"),
                                          ("2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z"),
                                          ("2026-06-02T10:00:00+01:00", "2026-06-02T11:00:00+01:00")])
    ]
    url = _serve_items(server, "/f", sessions + [series])  # children before their parent
    source = make_source(session, url=url)
    run(session, source, RpdeReader([("feed", url)], client))
    service = _by_name(session, "Aqua Fit")
    rule = service.schedules[0]
    assert (rule.byday, rule.opens_at, rule.closes_at) == ("TU,TH", time(10), time(11))
    assert service.locations[0].location.postal_code == "NE1 1AA"
    # One session cancelled (tombstoned): its weekday goes.
    server.add("/f", Reply({"items": [{"state": "deleted", "kind": "ScheduledSession", "id": "x1",
                                       "modified": 99}], "next": "/f-end"}))
    run(session, source, RpdeReader([("feed", url)], client), from_start=True)
    assert service.schedules[0].byday == "TU"


def test_facility_use_with_slots_and_opening_hours(session, server, client, standards):
    items = [_fixture(standards, "facilityuse.json"), _fixture(standards, "slot-referenced-facilityuse.json"),
             _fixture(standards, "facilityuse-embedded-slot.json")]
    url = _serve_items(server, "/fu", items)
    source = make_source(session, url=url)
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.ok
    creche = _by_name(session, "Creche 3-5yrs 2hrs")
    assert creche.schedules and {c.option for c in creche.cost_options} >= {"Adult: Peak"}
    tennis = _by_name(session, "Example Leisure Centre Table Tennis")
    assert tennis.schedules[0].byday == "TH"  # from its embedded slots


def test_course_instance_and_one_off_event(session, server, client, standards):
    examples = standards / "openactive" / "data-models-examples"
    items = read_json(examples / "courseinstance_example_1.json")["items"] + \
        read_json(examples / "event_example_1.json")["items"]
    url = _serve_items(server, "/c", items)
    source = make_source(session, url=url)
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.counts["created"] == 2
    services = session.scalars(select(Service)).all()
    freqs = {s.schedules[0].freq for s in services if s.schedules}
    assert "DAILY" in freqs and None in freqs  # the course runs daily; the event is one date


@pytest.mark.parametrize("item,reason", [
    ({"state": "updated", "kind": "SessionSeries", "id": "1", "modified": 1}, "no `data`"),
    ({"state": "updated", "kind": "X", "id": "2", "modified": 1, "data": {"@type": "Order"}}, "not activities"),
    ({"state": "weird", "id": "3", "data": {}}, "Unknown item state"),
    ({"state": "updated", "modified": 1, "data": {"@type": "SessionSeries"}}, "no id"),
    ({"state": "updated", "id": "5", "data": {"@type": "ScheduledSession", "startDate": "2020-01-01"}}, "names no series"),
    ({"state": "updated", "id": "6", "data": {"@type": "SessionSeries", "description": "x"}}, "no name"),
    ("not an object", "not a JSON object"),
])
def test_unrepairable_items_are_rejected_with_a_reason(item, reason):
    out = parse_item(item)
    assert isinstance(out[0], Rejected) and reason in out[0].reason


def test_parser_output_types():
    out = parse_item({"state": "updated", "id": "1", "modified": "17", "data": {
        "type": "ScheduledSession", "id": "https://a/1", "superEvent": "https://a/series",
        "startDate": "2026-01-06T18:00:00Z"}})
    assert isinstance(out[0], Occurrence) and out[0].byday == "TU" and out[0].modified == 17
    out = parse_item({"state": "updated", "id": "1", "modified": 1, "data": {
        "type": "SessionSeries", "id": "https://a/s", "name": "x", "genderRestriction": ["https://openactive.io/FemaleOnly"]}})
    assert isinstance(out[0], ServiceRecord) and out[0].gender == "female" and out[0].minimum_age == 18


def test_bad_values_in_a_record_quarantine_only_that_record(session, server, client):
    good = {"state": "updated", "id": "g", "modified": 1, "data": {"@type": "SessionSeries", "@id": "https://a/g", "name": "Good"}}
    bad = {"state": "updated", "id": "b", "modified": 2, "data": {
        "@type": "SessionSeries", "@id": "https://a/b", "name": "Bad",
        "location": {"@type": "Place", "name": "Nowhere", "geo": {"latitude": 100, "longitude": 1}}}}
    url = _serve_items(server, "/q", [good, bad])
    source = make_source(session, url=url)
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.counts["created"] == 1 and report.counts["quarantined"] == 1
    held = session.scalars(select(QuarantinedRecord)).one()
    assert "latitude" in held.reason and "between -90 and 90" in held.reason
    # Re-running keeps one quarantine entry, not two.
    report = run(session, source, RpdeReader([("feed", url)], client), from_start=True)
    assert len(session.scalars(select(QuarantinedRecord)).all()) == 1
