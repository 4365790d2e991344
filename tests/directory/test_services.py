"""Editing listings keeps a version trail, marks hand edits and refuses nonsense."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.errors import NotFound, ValidationError
from directory.models import ChangeLog, Service, ServiceVersion, Taxonomy, TaxonomyTerm, Verification
from directory.services import delete_service, resolve_terms, update_service, verify_service
from tests.factories import make_service


def _taxonomy(session):
    tax = Taxonomy(name="test-taxonomy")
    walks = TaxonomyTerm(code="test-walks", name="Walks", taxonomy=tax)
    session.add_all([tax, walks])
    return walks


def test_update_records_version_and_manual_fields(session):
    service = make_service(session)
    session.commit()
    update_service(session, "worker@example.org", service.id, {"description": "Longer walk now", "minimum_age": 16})
    session.commit()
    assert service.version == 2
    assert service.manual_fields == ["description", "minimum_age"]
    version = session.scalars(select(ServiceVersion).where(ServiceVersion.service_id == service.id)).one()
    assert version.changed_by == "worker@example.org"
    assert version.snapshot["description"] == "Longer walk now"
    entry = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == service.id).order_by(ChangeLog.id.desc())).first()
    assert (entry.action, entry.actor) == ("updated", "worker@example.org")


def test_update_with_same_values_is_not_a_version(session):
    service = make_service(session)
    session.commit()
    update_service(session, "a@example.org", service.id, {"name": service.name})
    session.commit()
    assert service.version == 1
    assert session.scalars(select(ServiceVersion).where(ServiceVersion.service_id == service.id)).all() == []


def test_update_refuses_unknown_fields_and_bad_values(session):
    service = make_service(session)
    session.commit()
    with pytest.raises(ValidationError, match="cannot be edited"):
        update_service(session, "a@example.org", service.id, {"organization_id": "x"})
    with pytest.raises(ValidationError, match="capacity_status"):
        update_service(session, "a@example.org", service.id, {"capacity_status": "bursting"})


def test_unknown_taxonomy_term_is_a_clear_error(session):
    walks = _taxonomy(session)
    service = make_service(session)
    session.commit()
    update_service(session, "a@example.org", service.id, {"taxonomy": ["test-walks"]})
    assert service.taxonomy_terms == [walks]
    with pytest.raises(ValidationError, match="Unknown category: no-such-thing"):
        resolve_terms(session, ["test-walks", "no-such-thing"])


def test_verify_and_delete_keep_history(session):
    service = make_service(session)
    session.commit()
    verify_service(session, "group@example.org", service.id, method="phone")
    session.commit()
    assert service.assured_date is not None
    assert session.scalars(select(Verification)).one().method == "phone"
    sid = service.id
    delete_service(session, "admin@example.org", sid, note="Group closed")
    session.commit()
    assert session.get(Service, sid) is None
    assert session.scalars(select(ServiceVersion.note).where(ServiceVersion.service_id == sid)).all() == ["Group closed"]
    last = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == sid).order_by(ChangeLog.id.desc())).first()
    assert last.action == "deleted"
    with pytest.raises(NotFound):
        update_service(session, "a@example.org", sid, {"name": "x"})
