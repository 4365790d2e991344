"""OpenActive RPDE import over real HTTP from a local server, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import time

import pytest
from sqlalchemy import func, select

from directory.models import ChangeLog, ImportRun, QuarantinedRecord, Service, ServiceVersion, SourceRecord
from importers.openactive import RpdeReader, reader_for
from tests.importers.conftest import make_source, run
from tests.importers.feedserver import Reply, RpdeFeed
from tests.importers.helpers import load_activity_list, read_json


def _examples(standards, name):
    return read_json(standards / "openactive" / "data-models-examples" / name)


def _series(n, modified, **data):
    """A small SessionSeries item in the Newcastle area."""
    body = {
        "@context": "https://openactive.io/", "@type": "SessionSeries",
        "@id": f"https://example.org/session-series/{n}", "name": f"Walking Netball {n}",
        "description": "Gentle netball at walking pace.",
        "organizer": {"@type": "Organization", "@id": "https://example.org/org/1", "name": "Active Newcastle"},
        "location": {"@type": "Place", "@id": "https://example.org/place/1", "name": "Walker Activity Dome",
                     "address": {"@type": "PostalAddress", "streetAddress": "Monkchester Road",
                                 "addressLocality": "Newcastle upon Tyne", "postalCode": "NE6 2LJ"},
                     "geo": {"@type": "GeoCoordinates", "latitude": 54.9706, "longitude": -1.5567}},
        "eventSchedule": [{"@type": "PartialSchedule", "repeatFrequency": "P1W",
                           "byDay": ["https://schema.org/Tuesday"], "startTime": "10:00", "endTime": "11:00",
                           "scheduleTimezone": "Europe/London"}],
        "offers": [{"@type": "Offer", "price": 2.5, "priceCurrency": "GBP"}],
    }
    body.update(data)
    return {"state": "updated", "kind": "SessionSeries", "id": str(n), "modified": modified, "data": body}


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_sessionseries_example_with_embedded_subevents(session, server, client, standards):
    load_activity_list(session, standards)
    page = _examples(standards, "sessionseries_example_1.json")
    server.add("/feed", [Reply(page), Reply({"items": [], "next": page["next"]})])
    # The example's `next` points at example.com; serve the end page at the same path.
    page = copy.deepcopy(page)
    page["next"] = "/feed?afterTimestamp=1521565719&afterId=1402CBP20150217"
    server.add("/feed", RpdeFeed("/feed", page["items"]))
    source = make_source(session, url=server.url("/feed"))
    report = run(session, source, reader_for(source.url, client))
    assert report.ok, report.lines()
    assert report.counts["created"] == 1
    service = session.scalars(select(Service).where(Service.name == "Virtual BODYPUMP")).one()
    assert service.organization.name == "Everyone Active"
    assert service.minimum_age == 16 and service.maximum_age is None
    assert service.gender == "any"
    loc = service.locations[0].location
    assert loc.postal_code == "TS4 3AE" and round(loc.latitude, 3) == 54.544
    assert "Bodypump" in " ".join(t.name for t in service.taxonomy_terms)
    rule = service.schedules[0]
    assert rule.freq == "WEEKLY" and rule.opens_at == time(20, 15) and rule.timezone == "Europe/London"
    assert service.eligibility_description.startswith("Supports people with: Visual impairment")
    assert source.state["feeds"][source.url].endswith("afterId=1402CBP20150217")


@pytest.mark.parametrize("strategy", ["modified", "change"])
def test_follows_next_to_the_end_and_resumes(session, server, client, strategy):
    items = [_series(n, 1000 + n) for n in range(1, 6)]
    feed = RpdeFeed("/feed", items, page_size=2, strategy=strategy)
    url = server.add("/feed", feed)
    source = make_source(session, url=url)
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.ok and report.counts["created"] == 5
    assert report.timings["pages"] == 4  # 2 + 2 + 1 + the empty last page
    saved = source.state["feeds"][url]
    assert ("afterChangeNumber=1005" if strategy == "change" else "afterTimestamp=1005") in saved

    # A new item appears: the next run asks only from the saved `next`.
    items.append(_series(6, 2000))
    server.hits.clear()
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.counts["created"] == 1 and report.counts["unchanged"] == 0
    assert all("after" in hit for hit in server.hits)


def test_empty_page_that_is_not_the_end_is_followed(session, server, client):
    pages = {
        "/p1": {"items": [], "next": "/p2"},
        "/p2": {"items": [_series(1, 5)], "next": "/p3"},
        "/p3": {"items": [], "next": "/p3"},
    }
    for path, body in pages.items():
        server.add(path, Reply(body))
    source = make_source(session, url=server.url("/p1"))
    report = run(session, source, RpdeReader([("feed", source.url)], client))
    assert report.ok and report.counts["created"] == 1
    assert source.state["feeds"][source.url] == server.url("/p3")


def test_unchanged_rerun_writes_nothing(session, server, client):
    items = [_series(n, 10 + n) for n in range(1, 4)]
    url = server.add("/feed", RpdeFeed("/feed", items))
    source = make_source(session, url=url)
    run(session, source, RpdeReader([("feed", url)], client))
    logs, versions = _count(session, ChangeLog), _count(session, ServiceVersion)
    report = run(session, source, RpdeReader([("feed", url)], client), from_start=True)
    assert report.counts["unchanged"] == 3 and report.counts["created"] == report.counts["updated"] == 0
    assert (_count(session, ChangeLog), _count(session, ServiceVersion)) == (logs, versions)
    # Even when the publisher bumps `modified` without changing anything.
    for item in items:
        item["modified"] += 100
    report = run(session, source, RpdeReader([("feed", url)], client), from_start=True)
    assert report.counts["unchanged"] == 3
    assert (_count(session, ChangeLog), _count(session, ServiceVersion)) == (logs, versions)


def test_update_and_tombstone(session, server, client):
    items = [_series(1, 10), _series(2, 11)]
    url = server.add("/feed", RpdeFeed("/feed", items))
    source = make_source(session, url=url)
    run(session, source, RpdeReader([("feed", url)], client))
    items[0] = _series(1, 20, name="Walking Netball (new time)")
    items[1] = {"state": "deleted", "kind": "SessionSeries", "id": "2", "modified": 21}
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.counts["updated"] == 1 and report.counts["deleted"] == 1
    names = set(session.scalars(select(Service.name)))
    assert "Walking Netball (new time)" in names and "Walking Netball 2" not in names
    service = session.scalars(select(Service).where(Service.name == "Walking Netball (new time)")).one()
    assert service.version == 2
    actions = [c.action for c in session.scalars(select(ChangeLog).order_by(ChangeLog.id))]
    assert actions.count("deleted") == 1


def test_modified_beyond_2_pow_53_is_compared_as_an_integer(session, server, client):
    big = 2**53 + 3  # as a float this is 2**53 + 4, the same as the next value
    items = [_series(1, big)]
    url = server.add("/feed", RpdeFeed("/feed", items, strategy="change"))
    source = make_source(session, url=url)
    run(session, source, RpdeReader([("feed", url)], client))
    items[0] = _series(1, big + 1, name="Renamed")
    report = run(session, source, RpdeReader([("feed", url)], client))
    assert report.counts["updated"] == 1
    record = session.scalars(select(SourceRecord).where(SourceRecord.entity_type == "service")).one()
    assert record.source_modified == str(big + 1)
    # An older copy of the record (smaller modified) does not undo the newer one.
    stale = Reply({"items": [_series(1, big, name="Old name")], "next": "/end"})
    server.add("/stale", stale)
    server.add("/end", Reply({"items": [], "next": "/end"}))
    report = run(session, source, RpdeReader([("stale", server.url("/stale"))], client))
    assert report.counts["stale"] == 1
    assert session.scalars(select(Service.name)).one() == "Renamed"


def test_429_then_200_and_503_are_retried(session, server, client):
    body = {"items": [_series(1, 1)], "next": "/end"}
    server.add("/feed", [Reply({}, 429, {"Retry-After": "1"}), Reply({}, 503), Reply(body)])
    server.add("/end", Reply({"items": [], "next": "/end"}))
    source = make_source(session, url=server.url("/feed"))
    report = run(session, source, RpdeReader([("feed", source.url)], client))
    assert report.ok and report.counts["created"] == 1
    assert client.retries == 2


def test_404_stops_with_a_clear_error(session, server, client):
    source = make_source(session, url=server.url("/missing"))
    report = run(session, source, RpdeReader([("feed", source.url)], client))
    assert not report.ok
    assert "HTTP 404" in report.run.error and "Check the URL" in report.run.error
    assert session.get(ImportRun, report.run.id).status == "failed"


def test_500_mid_feed_keeps_what_was_read_and_resumes(session, server, client):
    server.add("/p1", Reply({"items": [_series(1, 1), _series(2, 2)], "next": "/p2"}))
    server.add("/p2", [Reply({}, 500)] * 5 + [Reply({"items": [_series(3, 3)], "next": "/p3"})])
    server.add("/p3", Reply({"items": [], "next": "/p3"}))
    source = make_source(session, url=server.url("/p1"))
    report = run(session, source, RpdeReader([("feed", source.url)], client))
    assert not report.ok and "HTTP 500" in report.run.error
    assert _count(session, Service) == 2
    assert source.state["feeds"][source.url] == server.url("/p2")
    server.hits.clear()
    report = run(session, source, RpdeReader([("feed", source.url)], client))
    assert report.ok and report.counts["created"] == 1
    assert not any(hit.startswith("/p1") for hit in server.hits)


def test_truncated_json_is_quarantined_and_the_run_stops(session, server, client):
    server.add("/p1", Reply({"items": [_series(1, 1)], "next": "/p2"}))
    server.add("/p2", Reply(b'{"items": [{"state": "updated", "kind": "Sess'))
    source = make_source(session, url=server.url("/p1"))
    report = run(session, source, RpdeReader([("feed", source.url)], client))
    assert not report.ok and "not valid JSON" in report.run.error
    assert _count(session, Service) == 1
    held = session.scalars(select(QuarantinedRecord)).one()
    assert held.source_record_id == server.url("/p2") and '"kind": "Sess' in held.raw


def test_timeouts_are_retried_a_bounded_number_of_times(session, server):
    from importers.http import HttpClient, HttpSettings

    slow = HttpClient(HttpSettings(delays=(0.01,), timeout=0.2))
    server.add("/slow", Reply({"items": [], "next": "/slow"}, delay=1.0))
    source = make_source(session, url=server.url("/slow"))
    report = run(session, source, RpdeReader([("feed", source.url)], slow))
    assert not report.ok and "timed out after 2 attempts" in report.run.error
    assert server.hits.count("/slow") == 2


def test_the_same_record_twice_in_a_first_import(session, server, client):
    # A page that repeats an item (RPDE allows it) must update, not duplicate, even on the
    # very first import, when the writer skips looking for existing records.
    pages = {"/p1": {"items": [_series(1, 1)], "next": "/p2"},
             "/p2": {"items": [_series(1, 2, name="Renamed"), _series(1, 2, name="Renamed")], "next": "/p3"},
             "/p3": {"items": [], "next": "/p3"}}
    for path, body in pages.items():
        server.add(path, Reply(body))
    source = make_source(session, url=server.url("/p1"))
    report = run(session, source, RpdeReader([("feed", source.url)], client))
    assert report.ok and report.counts["created"] == 1 and report.counts["updated"] == 1
    assert session.scalars(select(Service.name)).all() == ["Renamed"]
