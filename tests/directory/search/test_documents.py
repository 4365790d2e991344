"""The SQL side of search: what is read for the index, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

from directory.models import Language, Schedule, ServiceArea, ServiceAtLocation
from directory.search.documents import cost_summary, iter_all_documents, load_documents, services_query
from directory.services import resolve_terms
from tests.factories import add_cost, make_location, make_service

AREA = {"type": "Polygon", "coordinates": [[[-1.6, 54.9], [-1.5, 54.9], [-1.5, 55.0], [-1.6, 55.0], [-1.6, 54.9]]]}


def test_only_listings_the_public_may_see_are_read(session):
    shown = make_service(session, name="Shown")
    closed = make_service(session, name="Closed for the summer", status="temporarily closed")
    draft = make_service(session, name="Draft", moderation_status="draft")
    gone = make_service(session, name="Gone", status="defunct")
    session.flush()
    ids = {shown.id, closed.id, draft.id, gone.id}
    names = {r.name for r in session.execute(services_query(ids))}
    assert names == {"Shown", "Closed for the summer"}
    assert set(load_documents(session.connection(), ids)) == {shown.id, closed.id}


def test_a_document_carries_everything_search_needs(taxonomy):
    session = taxonomy
    venue = make_location(session, name="Heaton Library", accessibility=["step-free", "hearing-loop"])
    service = make_service(
        session, name="Knit and natter", description="Bring your knitting.", location=venue,
        minimum_age=18, gender="female", delivery_modes=["in_person", "online"], referral_routes=["self"],
        accessibility=["accessible-toilet"], capacity_status="limited", assured_date=date(2026, 1, 5),
    )
    second = make_location(session, name="Online room", latitude=None, longitude=None, postal_code=None)
    service.locations.append(ServiceAtLocation(location=second))
    service.schedules.append(Schedule(freq="MONTHLY", byday="-1FR", opens_at=time(14)))
    service.taxonomy_terms = resolve_terms(session, ["crafts"])
    service.languages.append(Language(name="Polish"))
    service.service_areas.append(ServiceArea(name="Heaton ward", extent=AREA))
    add_cost(service, "2.00")
    add_cost(service, "0", "carers")
    session.flush()

    doc = load_documents(session.connection(), [service.id])[service.id]
    assert doc.title == "Knit and natter"
    assert "Crafts" in doc.categories
    assert doc.organisation == service.organization.name
    assert "knitting" in doc.description and "Polish" in doc.description
    facts = doc.facts
    assert facts["categories"] == ["crafts"]
    assert facts["cost_min"] == 0.0 and len(facts["costs"]) == 2
    assert facts["min_age"] == 18 and facts["max_age"] is None and facts["gender"] == "female"
    assert {v["name"] for v in facts["venues"]} == {"Heaton Library", "Online room"}
    library = next(v for v in facts["venues"] if v["name"] == "Heaton Library")
    assert library["lat"] == 54.9707 and library["access"] == ["step-free", "hearing-loop"]
    assert sorted(r["byday"] for r in facts["rules"]) == ["-1FR", "TU"]
    assert facts["areas"] == [{"name": "Heaton ward", "extent": AREA}]
    assert facts["assured"] == "2026-01-05" and facts["capacity"] == "limited"
    assert facts["delivery"] == ["in_person", "online"] and facts["access"] == ["accessible-toilet"]


def test_every_listing_is_read_a_page_at_a_time(session):
    services = [make_service(session, name=f"Group {n}") for n in range(7)]
    session.flush()
    made = {s.id for s in services}
    seen = [doc.id for doc in iter_all_documents(session.connection(), page=3)]
    assert made <= set(seen)
    assert len(seen) == len(set(seen)) and seen == sorted(seen)


def _cost(amount, valid_to=None):
    return SimpleNamespace(amount=amount, option=None, valid_to=valid_to)


def test_cost_summary_reads_prices_and_plain_words():
    today = date(2026, 3, 2)
    assert cost_summary(None, [_cost(3), _cost(1.5)], today)[0] == 1.5
    assert cost_summary("Free to all", [], today)[0] == 0.0
    assert cost_summary("Free for members, £3 otherwise", [], today)[0] is None  # not guessed
    assert cost_summary(None, [], today)[0] is None
    expired = _cost(0, valid_to=today - timedelta(days=1))
    assert cost_summary(None, [expired, _cost(4)], today)[0] == 4.0


def test_listing_without_any_venue_is_indexed(session):
    phone = make_service(session, name="Friendly phone calls", location=False, delivery_modes=["phone"])
    session.flush()
    doc = load_documents(session.connection(), [phone.id])[phone.id]
    assert doc.facts["venues"] == [] and doc.facts["delivery"] == ["phone"]
