""""Report something wrong": storing what the public tell us about a listing, and forgetting it.

Domain functions take the session and the acting user and never reach into Flask. A report keeps
only what is needed to fix the listing (see `directory.models.report`); `prune_reports` deletes
reports older than the retention period, which `wayfinder reports prune` runs (daily, by cron).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import click
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory import cli_support
from directory.errors import NotFound, ValidationError
from directory.models import ProblemReport, Service
from directory.models._common import utcnow
from directory.models.report import REPORT_PROBLEMS

DEFAULT_RETENTION_DAYS = 180
MAX_DETAILS = 1000
# Good enough to catch a typo; we never send mail from here, so no deliverability checks.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def submit_report(
    session: Session, actor: str | None, service_id: str, problem: str, details: str = "",
    reply_email: str | None = None,
) -> ProblemReport:
    """Store a report about a listing for its group and the admins. Commits nothing.

    `actor` is None for a member of the public: we do not record who they are.
    """
    if session.get(Service, service_id) is None:
        raise NotFound(f"There is no listing with id {service_id}.")
    if problem not in REPORT_PROBLEMS:
        raise ValidationError("problem", "Choose what is wrong.")
    details = (details or "").strip()
    if len(details) > MAX_DETAILS:
        raise ValidationError("details", f"Please keep it under {MAX_DETAILS} characters.")
    if problem == "other" and not details:
        raise ValidationError("details", "Tell us what is wrong.")
    reply_email = (reply_email or "").strip() or None
    if reply_email and not _EMAIL.match(reply_email):
        raise ValidationError("reply_email", "Enter an email address like name@example.com, or leave it empty.")
    report = ProblemReport(service_id=service_id, problem=problem, details=details, reply_email=reply_email)
    session.add(report)
    return report


def open_reports(session: Session, service_id: str | None = None) -> list[ProblemReport]:
    """Reports nobody has dealt with yet, newest first (for the group portal and admins)."""
    query = select(ProblemReport).where(ProblemReport.status == "open")
    if service_id:
        query = query.where(ProblemReport.service_id == service_id)
    return list(session.scalars(query.order_by(ProblemReport.created_at.desc())))


def resolve_report(session: Session, actor: str, report_id: str) -> ProblemReport:
    """Mark a report dealt with; its reply email is erased now, since it is no longer needed."""
    report = session.get(ProblemReport, report_id)
    if report is None:
        raise NotFound(f"There is no report with id {report_id}.")
    report.status = "resolved"
    report.resolved_at = utcnow()
    report.resolved_by = actor
    report.reply_email = None
    return report


def prune_reports(session: Session, retention_days: int = DEFAULT_RETENTION_DAYS, now: datetime | None = None) -> int:
    """Delete every report made more than `retention_days` ago; returns how many went."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    result = session.execute(delete(ProblemReport).where(ProblemReport.created_at < cutoff))
    return result.rowcount or 0


@click.group("reports")
def reports_group() -> None:
    """Reports from the public that something on a listing is wrong."""


@reports_group.command("prune")
@click.option("--days", type=int, default=None, help="Keep this many days (default: REPORT_RETENTION_DAYS).")
def prune_command(days: int | None) -> None:
    """Delete reports older than the retention period (run it daily)."""
    keep = days if days is not None else int(cli_support.settings().get("REPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    with cli_support.open_session() as session:
        removed = prune_reports(session, keep)
        session.commit()
    click.echo(f"Deleted {removed} report(s) older than {keep} days.")
