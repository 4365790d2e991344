"""Reports from the public: validated, kept only as long as needed, then pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from directory.errors import NotFound, ValidationError
from directory.models import ProblemReport
from directory.models._common import utcnow
from directory.reports import open_reports, prune_reports, resolve_report, submit_report
from tests.factories import make_service


def test_a_report_is_stored_for_the_listing(session):
    service = make_service(session)
    session.flush()
    report = submit_report(session, None, service.id, "times", "  It moved to Thursdays.  ")
    session.flush()
    assert (report.problem, report.details, report.status, report.reply_email) == ("times", "It moved to Thursdays.", "open", None)
    assert open_reports(session, service.id) == [report]


@pytest.mark.parametrize("problem,details,email,field", [
    ("nonsense", "", None, "problem"),
    ("other", "   ", None, "details"),
    ("times", "x" * 1001, None, "details"),
    ("times", "", "not-an-email", "reply_email"),
])
def test_bad_reports_are_refused_with_the_field(sqlite_session, problem, details, email, field):
    service = make_service(sqlite_session)
    sqlite_session.flush()
    with pytest.raises(ValidationError) as err:
        submit_report(sqlite_session, None, service.id, problem, details, email)
    assert err.value.field == field


def test_a_report_on_a_missing_listing_is_not_found(sqlite_session):
    with pytest.raises(NotFound):
        submit_report(sqlite_session, None, "nope", "times")


def test_resolving_forgets_the_reply_email(sqlite_session):
    service = make_service(sqlite_session)
    sqlite_session.flush()
    report = submit_report(sqlite_session, None, service.id, "contact", "", "me@example.org")
    sqlite_session.flush()
    resolve_report(sqlite_session, "admin@example.org", report.id)
    assert (report.status, report.reply_email, report.resolved_by) == ("resolved", None, "admin@example.org")
    assert open_reports(sqlite_session, service.id) == []


def test_prune_deletes_reports_past_the_retention_period(session):
    service = make_service(session)
    session.flush()
    old = submit_report(session, None, service.id, "closed")
    new = submit_report(session, None, service.id, "cost")
    old.created_at = utcnow() - timedelta(days=200)
    session.flush()
    assert prune_reports(session, retention_days=180) == 1
    left = session.scalars(select(ProblemReport.id).where(ProblemReport.service_id == service.id)).all()
    assert left == [new.id]
