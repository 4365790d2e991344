"""The shared pipeline: geocoding, merging across sources, hand edits, reports, page failures."""

from __future__ import annotations

from sqlalchemy import func, select

from directory.models import (
    ChangeLog, FieldConflict, ImportRun, Postcode, PostcodeArea, Service, ServiceVersion, SourceRecord,
)
from directory.services import update_service
from importers.records import LocationRecord, Page, Reader, Rejected, ServiceRecord
from importers.spreadsheet import SpreadsheetReader
from tests.importers.conftest import make_source, run


class ListReader(Reader):
    """Records given directly, one page per list."""

    def __init__(self, *pages, snapshot=False):
        self._pages = pages
        self.snapshot = snapshot

    def pages(self, state):
        for n, items in enumerate(self._pages, 1):
            yield Page(list(items), state={"page": n})


def _walk(source_id="w1", name="Heaton Park Health Walk", **kw):
    loc = kw.pop("location", LocationRecord(key="heaton", name="Heaton Park Pavilion", postal_code="NE6 5AP",
                                             latitude=54.9858, longitude=-1.5881))
    return ServiceRecord(source_id=source_id, name=name, locations=[loc], **kw)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_geocodes_from_the_gazetteer_when_no_coordinates(session):
    session.add(Postcode(postcode="NE4 5PL", latitude=54.9707, longitude=-1.6369, sector="NE4 5", district="NE4"))
    session.add(PostcodeArea(code="NE6 5", kind="sector", latitude=54.98, longitude=-1.58, postcode_count=10))
    session.flush()
    source = make_source(session)
    recs = [
        _walk("a", "Choir", location=LocationRecord(key="v1", name="Hall", postal_code="ne45pl")),
        _walk("b", "Craft club", location=LocationRecord(key="v2", name="Church", postal_code="NE6 5ZZ")),
        _walk("c", "Lunch club", location=LocationRecord(key="v3", name="Nowhere", postal_code="ZE9 9ZZ")),
    ]
    report = run(session, source, ListReader(recs))
    by_name = {s.name: s.locations[0].location for s in session.scalars(select(Service))}
    assert (by_name["Choir"].latitude, by_name["Choir"].postal_code) == (54.9707, "NE4 5PL")
    assert by_name["Craft club"].latitude == 54.98  # sector fallback
    assert by_name["Lunch club"].latitude is None
    assert report.counts["geocoded"] == 2
    assert any("ZE9 9ZZ is not in the gazetteer" in w for w in report.warnings)


def test_a_duplicate_from_a_second_source_is_merged_and_remembers_both(session):
    council = make_source(session, name="Council sheet", kind="spreadsheet")
    feed = make_source(session, name="Leisure feed")
    run(session, council, ListReader([_walk("row-7", description="")]))
    dup = _walk("https://feed/walk/1", "Health Walk - Heaton Park", description="A gentle guided walk.",
                location=LocationRecord(key="p1", name="Heaton Park", postal_code="NE6 5AP",
                                        latitude=54.9860, longitude=-1.5885))
    report = run(session, feed, ListReader([dup]))
    assert report.counts["merged"] == 1 and _count(session, Service) == 1
    service = session.scalars(select(Service)).one()
    sources = {r.source.name for r in session.scalars(
        select(SourceRecord).where(SourceRecord.entity_type == "service", SourceRecord.entity_id == service.id))}
    assert sources == {"Council sheet", "Leisure feed"}
    assert service.name == "Heaton Park Health Walk"  # the first source keeps its name
    assert service.description == "A gentle guided walk."  # the blank was filled
    # Re-running either source changes nothing; the second source's tombstone keeps the listing.
    logs = _count(session, ChangeLog)
    assert run(session, feed, ListReader([dup])).counts["unchanged"] == 1
    assert run(session, council, ListReader([_walk("row-7", description="")])).counts["unchanged"] == 1
    assert _count(session, ChangeLog) == logs
    from importers.records import Deletion

    run(session, feed, ListReader([Deletion("https://feed/walk/1")]))
    assert _count(session, Service) == 1


def test_same_source_records_are_never_merged(session):
    source = make_source(session)
    report = run(session, source, ListReader([_walk("a", "Aqua Fit"), _walk("b", "Aqua Fit")]))
    assert report.counts["created"] == 2


def test_hand_edited_field_is_not_overwritten_and_conflict_recorded(session):
    source = make_source(session)
    run(session, source, ListReader([_walk(description="Old text")]))
    service = session.scalars(select(Service)).one()
    update_service(session, "volunteer@example.org", service.id, {"description": "Meet at the cafe."})
    session.commit()
    report = run(session, source, ListReader([_walk(description="New text from the feed", phone="0191 1")]))
    assert report.counts["updated"] == 1 and report.counts["conflicts"] == 1
    assert service.description == "Meet at the cafe." and service.phone == "0191 1"
    conflict = session.scalars(select(FieldConflict)).one()
    assert (conflict.field, conflict.local_value, conflict.incoming_value) == (
        "description", "Meet at the cafe.", "New text from the feed")
    # The same conflict is not recorded twice.
    run(session, source, ListReader([_walk(description="New text from the feed", phone="0191 2")]))
    assert _count(session, FieldConflict) == 1


def test_versions_and_change_log_follow_real_changes_only(session):
    source = make_source(session)
    run(session, source, ListReader([_walk()]))
    service = session.scalars(select(Service)).one()
    assert service.version == 1 and _count(session, ServiceVersion) == 1
    run(session, source, ListReader([_walk(minimum_age=18, maximum_age=30)]))
    run(session, source, ListReader([_walk(minimum_age=40, maximum_age=90)]))  # both bounds move past each other
    assert (service.minimum_age, service.maximum_age, service.version) == (40, 90, 3)
    versions = session.scalars(select(ServiceVersion.note).order_by(ServiceVersion.version)).all()
    assert versions[-1].startswith("Updated from Test feed: minimum_age, maximum_age")


def test_report_is_stored_with_counts_and_timings(session):
    source = make_source(session)
    report = run(session, source, ListReader([_walk()], [Rejected("x", "Row 3, column 'Cost': bad", {"Cost": "?"})]))
    stored = session.get(ImportRun, report.run.id)
    assert stored.status == "ok" and stored.finished_at is not None
    assert stored.counts["created"] == 1 and stored.counts["quarantined"] == 1
    assert stored.timings["pages"] == 2 and stored.timings["total_s"] >= 0
    assert source.state == {"page": 2}
    assert "1 created" in report.lines()[0]


def test_a_record_the_database_refuses_is_quarantined_alone(session):
    source = make_source(session)
    long_url = "https://example.org/" + "x" * 600  # too long for service.url
    report = run(session, source, ListReader([_walk("a", "Fine"), _walk("b", "Too long", url=long_url)]))
    assert report.counts["created"] == 1 and report.counts["quarantined"] == 1


def test_spreadsheet_snapshot_keeps_rows_whose_new_copy_is_broken(session, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("ID,Activity name,When\n1,Walk,Mon 10-11\n2,Choir,Tue 7-9pm\n")
    source = make_source(session, kind="spreadsheet", url=str(path), authoritative=True)
    run(session, source, SpreadsheetReader(path))
    path.write_text("ID,Activity name,When\n1,Walk,Mon 10-11\n2,Choir,whenever\n")
    report = run(session, source, SpreadsheetReader(path))
    assert report.counts["quarantined"] == 1 and report.counts["deleted"] == 0
    assert _count(session, Service) == 2
