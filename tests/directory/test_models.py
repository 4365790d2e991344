"""The models store what they should and refuse what is impossible, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from directory.errors import ValidationError
from directory.models import ChangeLog, Location, Schedule, Service, ServiceArea
from tests.factories import add_cost, make_location, make_organization, make_service


def test_service_round_trip(session):
    service = make_service(session, minimum_age=18, maximum_age=99, accessibility=["hearing-loop"])
    add_cost(service, "2.50", "per session")
    session.commit()
    session.expunge_all()
    loaded = session.get(Service, service.id)
    assert loaded.name.startswith("Tuesday Health Walk")
    assert loaded.locations[0].location.postal_code == "NE4 5PL"
    assert loaded.schedules[0].opens_at == time(10)
    assert str(loaded.cost_options[0].amount) == "2.50"
    assert loaded.accessibility == ["hearing-loop"]


@pytest.mark.parametrize("field,value", [("latitude", 91), ("latitude", -90.5), ("longitude", 181), ("latitude", "abc")])
def test_impossible_coordinates_are_refused(field, value):
    with pytest.raises(ValidationError) as err:
        Location(**{field: value})
    assert err.value.field == f"location.{field}"


def test_end_time_before_start_time_is_refused():
    with pytest.raises(ValidationError, match="not after the start time"):
        Schedule(freq="WEEKLY", byday="TU", opens_at=time(12), closes_at=time(10))


def test_schedule_dates_upside_down_are_refused():
    with pytest.raises(ValidationError, match="ends"):
        Schedule(valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 1))


def test_bad_byday_names_the_part():
    with pytest.raises(ValidationError, match="'XX'"):
        Schedule(freq="WEEKLY", byday="MO,XX")


def test_age_range_upside_down_is_refused():
    service = Service(name="Youth club", minimum_age=11)
    with pytest.raises(ValidationError, match="upside down"):
        service.maximum_age = 5


def test_unknown_accessibility_code_is_refused():
    with pytest.raises(ValidationError, match="not a known accessibility feature"):
        Location(accessibility=["teleporter"])


def test_residency_area_must_be_a_polygon():
    with pytest.raises(ValidationError, match="Polygon"):
        ServiceArea(name="x", extent={"type": "Point", "coordinates": [0, 0]})
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError, match="not a valid polygon"):
        ServiceArea(name="x", extent=bow_tie)


def test_every_write_appends_to_the_change_log(session):
    service = make_service(session)
    session.commit()
    entries = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == service.id)).all()
    assert [e.action for e in entries] == ["created"]

    service.description = "Now with a cup of tea afterwards."
    session.commit()
    service.schedules[0].opens_at = time(9, 30)
    session.commit()
    service.locations[0].location.name = "New venue name"
    session.commit()
    session.delete(service)
    session.commit()
    actions = session.scalars(
        select(ChangeLog.action).where(ChangeLog.entity_id == service.id).order_by(ChangeLog.id)
    ).all()
    assert actions == ["created", "updated", "updated", "updated", "deleted"]


def test_setting_the_same_value_logs_nothing(session):
    service = make_service(session)
    session.commit()
    before = session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    service.name = service.name
    service.description = str(service.description)
    session.commit()
    after = session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    assert after == before


def test_change_log_ids_only_grow(session):
    ids = []
    for _ in range(3):
        make_service(session)
        session.commit()
        ids.append(session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1)))
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_organisation_edit_logs_each_of_its_services(session):
    org = make_organization(session)
    a = make_service(session, organization=org)
    b = make_service(session, organization=org, location=make_location(session, name="Other hall"))
    session.commit()
    start = session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    org.description = "We changed our name"
    session.commit()
    logged = set(session.scalars(select(ChangeLog.entity_id).where(ChangeLog.id > start)))
    assert logged == {a.id, b.id}


@pytest.mark.parametrize("backend", ["sqlite_url", "postgres_url"])
def test_commits_inside_a_test_transaction_are_rolled_back(request, backend):
    """The per-test isolation the whole suite relies on (pysqlite needs help with SAVEPOINTs)."""
    from directory.db import make_engine
    from tests.conftest import _transactional_session

    engine = make_engine(request.getfixturevalue(backend))
    sessions = _transactional_session(engine)
    inner = next(sessions)
    service = make_service(inner, name="Isolation probe")
    inner.commit()
    assert inner.get(Service, service.id) is not None
    sessions.close()  # runs the fixture's rollback
    with engine.connect() as conn:
        assert conn.execute(select(Service.id).where(Service.id == service.id)).first() is None
    engine.dispose()


def test_a_taxonomy_term_change_logs_the_services_filed_under_it_and_beneath_it(session):
    from directory.models import Taxonomy, TaxonomyTerm

    taxonomy = Taxonomy(name="Test categories")
    arts = TaxonomyTerm(code="t-arts", name="Arts", taxonomy=taxonomy)
    knitting = TaxonomyTerm(code="t-knit", name="Knitting", taxonomy=taxonomy, parent=arts)
    walks = TaxonomyTerm(code="t-walks", name="Walks", taxonomy=taxonomy)
    knit_group, walk, painting = make_service(session), make_service(session), make_service(session)
    knit_group.taxonomy_terms.append(knitting)
    walk.taxonomy_terms.append(walks)
    painting.taxonomy_terms.append(arts)
    session.add(taxonomy)
    session.commit()
    last = session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))

    def logged_since(mark):
        return set(session.scalars(select(ChangeLog.entity_id).where(ChangeLog.id > mark)))

    arts.name = "Arts and crafts"
    session.commit()
    assert logged_since(last) == {knit_group.id, painting.id}  # the term's services and its narrower terms'

    last = session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    knitting.synonyms = ["knit and natter", "crochet"]
    session.commit()
    assert logged_since(last) == {knit_group.id}

    last = session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    walks.name = "Walks"  # the same value: not a change
    session.commit()
    assert logged_since(last) == set()
