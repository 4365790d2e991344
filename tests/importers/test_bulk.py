"""The bulk path for new listings writes what the ORM path would have written."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from sqlalchemy import select

from directory.models import ChangeLog, Service, ServiceVersion
from directory.services import snapshot
from importers.records import CostRecord, LocationRecord, ScheduleRecord, ServiceRecord
from tests.importers.conftest import make_source, run
from tests.importers.test_pipeline import ListReader


def test_bulk_created_listing_matches_the_orm_snapshot_and_logs_creation(session):
    source = make_source(session)
    rec = ServiceRecord(
        source_id="x1", name="Chair Yoga", description="Gentle yoga in a chair.", minimum_age=50,
        locations=[LocationRecord(key="v", name="Hall", postal_code="NE4 5PL", latitude=54.97, longitude=-1.63)],
        schedules=[ScheduleRecord(freq="WEEKLY", byday="WE", opens_at=time(10), closes_at=time(11))],
        costs=[CostRecord(amount=Decimal("2.00"), option="per session")],
        languages=[("Polish", "pol")], contacts=[("Sam", "Leader", "sam@example.org", None)],
    )
    report = run(session, source, ListReader([rec]))
    assert report.counts["created"] == 1
    service = session.scalars(select(Service)).one()
    session.expire_all()
    version = session.scalars(select(ServiceVersion).where(ServiceVersion.service_id == service.id)).one()
    stored, fresh = version.snapshot, snapshot(service)
    for key in ("created_at", "last_modified"):  # written a moment apart
        stored.pop(key), fresh.pop(key)
    assert stored == fresh
    assert version.changed_by == "import:Test feed" and version.note == "Imported from Test feed"
    log = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == service.id)).all()
    assert [(e.action, e.actor) for e in log] == [("created", "import:Test feed")]
    assert service.languages[0].code == "pol" and service.contacts[0].email == "sam@example.org"
    assert service.moderation_status == "published" and service.capacity_status == "unknown"
