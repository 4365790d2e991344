"""Open Referral UK APIs (3.0 and legacy 1.0) and HSDS tabular packages."""

from __future__ import annotations

import copy
import json
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import select

from directory.models import Organization, QuarantinedRecord, Service
from directory.taxonomy import load_wayfinder_taxonomy
from importers.hsds_package import HsdsPackageReader
from importers.oruk import OrukReader
from tests.importers.conftest import make_source, run
from tests.importers.feedserver import Reply
from tests.importers.helpers import read_json

FIXTURES = Path(__file__).with_name("fixtures")


def _uk(service: dict, sid: str, name: str) -> dict:
    """The standard's example moved to Newcastle (it sits at latitude 100 in 'MyCity', US)."""
    service = copy.deepcopy(service)
    service["id"], service["name"] = sid, name
    loc = service["service_at_locations"][0]["location"]
    loc["id"] = f"loc-{sid}"
    loc["latitude"], loc["longitude"] = 54.9707, -1.6369
    loc["addresses"][0].update(postal_code="ne4 5pl", country="GB", city="Newcastle upon Tyne")
    return service


def _page(contents, number, total_pages, total_items):
    return {"total_items": total_items, "total_pages": total_pages, "page_number": number, "size": len(contents),
            "first_page": number == 1, "last_page": number == total_pages, "empty": not contents,
            "contents": contents}


@pytest.fixture
def oruk3(server, standards):
    base = standards / "openreferral" / "oruk-3.0-uk-profile" / "examples"
    full = read_json(base / "service_full.json")
    services = [_uk(full, f"svc-{n}", f"Community Counselling {n}") for n in range(1, 4)]
    summaries = [{"id": s["id"], "name": s["name"], "status": "active"} for s in services]
    for s in services:
        server.add(f"/api/services/{s['id']}", Reply(s))
    return server, services, summaries


def _route_pages(server, pages):
    def handler(raw_path, query):
        number = int(query.get("page", 1))
        return Reply(pages.get(number, _page([], number, 2, 3)))
    server.add("/api/services", handler)


def test_oruk3_api_pages_then_full_records(session, oruk3, client):
    server, services, summaries = oruk3
    load_wayfinder_taxonomy(session)
    _route_pages(server, {1: _page(summaries[:2], 1, 2, 3), 2: _page(summaries[2:], 2, 2, 3)})
    source = make_source(session, kind="oruk", url=server.url("/api"))
    report = run(session, source, OrukReader(source.url, client))
    assert report.ok, report.lines()
    assert report.counts["created"] == 3
    service = session.scalars(select(Service).where(Service.name == "Community Counselling 1")).one()
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.assured_date.isoformat() == "2005-01-01"
    rule = service.schedules[0]
    assert (rule.freq, rule.byday, rule.opens_at, rule.closes_at) == ("WEEKLY", "TH,FR", time(10), time(18))
    loc = service.locations[0].location
    assert loc.postal_code == "NE4 5PL" and "hearing-loop" in loc.accessibility
    assert str(service.cost_options[0].amount) == "35.00"
    org = service.organization
    assert org.name == "Example Organization Inc." and org.identifiers[0].identifier_scheme == "GB-COH"
    assert any("/api/services/svc-2" in hit for hit in server.hits)
    # Unchanged second run.
    report = run(session, source, OrukReader(source.url, client))
    assert report.counts["unchanged"] == 3 and report.counts["created"] == 0


def test_paging_that_lies_is_handled_and_reported(session, oruk3, client):
    server, services, summaries = oruk3
    # total_pages says 10 and total_items 10, but there are two pages, and one id repeats.
    _route_pages(server, {1: _page(summaries[:2], 1, 10, 10), 2: _page(summaries[1:], 2, 10, 10)})
    source = make_source(session, kind="oruk", url=server.url("/api/services"))
    report = run(session, source, OrukReader(source.url, client))
    assert report.ok and report.counts["created"] == 3
    notes = " ".join(report.notes)
    assert "said it had 10 services but its pages listed 4" in notes
    assert "svc-2 was listed twice" in notes


def test_nonsense_records_are_quarantined(session, server, client, standards):
    base = standards / "openreferral" / "oruk-3.0-uk-profile" / "examples"
    full = read_json(base / "service_full.json")  # latitude 100, longitude 101: passes the schema
    clash = _uk(full, full["id"], "Something else entirely")  # the same UUID, different service
    server.add("/api/services", Reply(_page([full, clash], 1, 1, 2)))
    source = make_source(session, kind="oruk", url=server.url("/api"))
    report = run(session, source, OrukReader(source.url, client, fetch_details=False))
    assert report.counts["created"] == 0 and report.counts["quarantined"] == 2
    reasons = " ".join(q.reason for q in session.scalars(select(QuarantinedRecord)))
    assert "latitude" in reasons and "between -90 and 90" in reasons
    assert "used by two different services" in reasons


def test_legacy_oruk1_spring_pages(session, server, client):
    pages = {0: read_json(FIXTURES / "oruk1-page0.json"), 1: read_json(FIXTURES / "oruk1-page1.json")}
    server.add("/v1/services", lambda raw, q: Reply(pages[int(q.get("page", 0))]))
    load_wayfinder_taxonomy(session)
    source = make_source(session, kind="oruk", url=server.url("/v1"))
    report = run(session, source, OrukReader(source.url, client))
    assert report.ok and report.counts["created"] == 3, report.lines()
    befriend = session.scalars(select(Service).where(Service.name == "Benwell Befriending")).one()
    days = sorted((s.byday, s.opens_at) for s in befriend.schedules)
    assert days == [("TH", time(14)), ("TU", time(10))]  # weekday 2 is Tuesday
    assert "Closed 2025-12-24 to 2026-01-02" in " ".join(s.notes or "" for s in befriend.schedules)
    assert befriend.minimum_age == 60 and {t.code for t in befriend.taxonomy_terms} == {"befriending"}
    assert [lang.name for lang in befriend.languages] == ["English", "Punjabi"]
    assert set(befriend.referral_routes) == {"link_worker", "clinician"}
    loc = befriend.locations[0].location
    assert loc.postal_code == "NE4 8XS" and {"wheelchair-accessible", "hearing-loop"} <= set(loc.accessibility)
    cafe = session.scalars(select(Service).where(Service.name == "Elswick Dementia Cafe")).one()
    assert (cafe.schedules[0].freq, cafe.schedules[0].byday) == ("MONTHLY", "-1FR")
    football = session.scalars(select(Service).where(Service.name == "Fenham Walking Football")).one()
    assert football.gender == "male" and football.status == "active"
    assert any("weekday 9" in w for w in report.warnings)
    assert session.scalars(select(Organization.name).where(Organization.name == "West End Age Concern")).all() == [
        "West End Age Concern"]  # one organisation for both its services


def test_hsds_tabular_package(session):
    load_wayfinder_taxonomy(session)
    source = make_source(session, kind="hsds", url=str(FIXTURES / "hsds"))
    report = run(session, source, HsdsPackageReader(source.url))
    assert report.ok, report.lines()
    assert report.counts["created"] == 3 and report.counts["quarantined"] == 2
    coffee = session.scalars(select(Service).where(Service.name == "Carers' Coffee Morning")).one()
    assert (coffee.schedules[0].byday, coffee.schedules[0].freq) == ("2MO", "MONTHLY")
    assert [t.code for t in coffee.taxonomy_terms] == ["carers-support"]
    assert coffee.locations[0].location.postal_code == "NE8 1HH"
    assert "step-free" in coffee.locations[0].location.accessibility
    assert coffee.organization.identifiers[0].identifier == "1234567"
    assert str(coffee.cost_options[0].amount) == "1.50"
    advice = session.scalars(select(Service).where(Service.name == "Carers' Advice Surgery")).one()
    assert advice.languages[0].code == "pol" and advice.fees_description == "Free"
    notes = " ".join(report.notes)
    assert "missing-org" in notes and "loc-9" in notes and "tt-404" in notes
    reasons = " ".join(session.scalars(select(QuarantinedRecord.reason)))
    assert "svc-2 is used by two rows" in reasons and "latitude" in reasons
    assert run(session, source, HsdsPackageReader(source.url)).counts["unchanged"] == 3


def test_hsds_standard_example_package(session, standards):
    folder = standards / "openreferral" / "hsds-3.0" / "examples" / "csv"
    source = make_source(session, kind="hsds", url=str(folder))
    report = run(session, source, HsdsPackageReader(folder))
    assert report.ok
    # The example's only location sits at latitude 100: quarantined, with the reason.
    assert report.counts["quarantined"] == 1
    assert "latitude" in session.scalars(select(QuarantinedRecord.reason)).one()


def test_missing_package_fails_clearly(session, tmp_path):
    source = make_source(session, kind="hsds", url=str(tmp_path))
    report = run(session, source, HsdsPackageReader(tmp_path))
    assert not report.ok and "no datapackage.json" in report.run.error


def test_wayfinder_extras_survive(session, server, client, standards):
    base = standards / "openreferral" / "oruk-3.0-uk-profile" / "examples"
    service = _uk(read_json(base / "service_full.json"), "svc-x", "Women's Swim")
    sal = service["service_at_locations"][0]
    sal["location"]["accessibility"] = [{"description": "Women-only sessions"}, {"description": "Hearing loop"},
                                        {"description": "Ramp at the side door."}]
    service["schedules"][0]["service_at_location_id"] = sal["id"]
    service["interpretation_services"] = "Urdu on request"
    area = {"type": "Polygon", "coordinates": [[[-1.7, 54.9], [-1.5, 54.9], [-1.5, 55.0], [-1.7, 54.9]]]}
    service["service_areas"] = [{"id": "a1", "name": "Newcastle", "extent": json.dumps(area)}]
    service["attributes"] = [
        {"link_type": "wayfinder", "taxonomy_term": {"taxonomy": "wayfinder:gender", "code": "female"}},
        {"link_type": "wayfinder", "taxonomy_term": {"taxonomy": "wayfinder:capacity", "code": "full"}},
        {"link_type": "wayfinder", "taxonomy_term": {"taxonomy": "wayfinder:referral-route", "code": "link_worker"}},
    ]
    server.add("/api/services", Reply(_page([service], 1, 1, 1)))
    source = make_source(session, kind="oruk", url=server.url("/api"))
    report = run(session, source, OrukReader(source.url, client, fetch_details=False))
    assert report.counts["created"] == 1, report.lines()
    swim = session.scalars(select(Service)).one()
    assert (swim.gender, swim.capacity_status, swim.referral_routes) == ("female", "full", ["link_worker"])
    assert swim.alert.startswith("Following COVID-19") and swim.interpretation_services == "Urdu on request"
    assert swim.service_areas[0].extent == area and swim.taxonomy_terms == []
    loc = swim.locations[0].location
    assert loc.accessibility == ["women-only-sessions", "hearing-loop"]
    assert loc.accessibility_details == "Ramp at the side door."
    assert swim.schedules[0].location_id == loc.id
