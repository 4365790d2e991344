"""Views for the public pages. Views parse the request and call a service, nothing more."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from directory.errors import NotFound, ValidationError
from directory.gazetteer import Gazetteer
from directory.queries import browse_services, category_with_children, top_level_categories
from directory.schedules import Rule, describe, next_occurrences
from directory.services import get_service
from directory.geo import format_distance
from web.extensions import db

bp = Blueprint("public", __name__)

RADIUS_CHOICES = (1, 2, 3, 5, 10, 25)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/")
def index():
    """List and filter the directory by category and distance from a postcode or place."""
    session = db.session
    category = request.args.get("category", "").strip()
    where = request.args.get("where", "").strip()
    radius = request.args.get("radius", type=float) or 5.0
    page = request.args.get("page", type=int) or 1
    error, near, place = None, None, None
    if where:
        try:
            place = Gazetteer(session).lookup(where)
            near = (place.latitude, place.longitude)
        except (ValidationError, NotFound) as exc:
            error = exc.message if isinstance(exc, ValidationError) else str(exc)
    term_ids = {t.id for t in category_with_children(session, category)} if category else None
    if category and not term_ids:
        error = f"There is no category called '{category}'."
    results = browse_services(
        session,
        category_term_ids=term_ids,
        near=near,
        radius_km=radius if near else None,
        page=page,
    )
    return render_template(
        "public/index.html",
        results=results,
        categories=top_level_categories(session),
        category=category,
        where=where,
        radius=radius,
        radius_choices=RADIUS_CHOICES,
        place=place,
        error=error,
        format_distance=format_distance,
    )


@bp.get("/activity/<service_id>")
def activity(service_id: str):
    """One listing in full."""
    try:
        service = get_service(db.session, service_id)
    except NotFound:
        abort(404)
    if service.moderation_status != "published":
        abort(404)
    from datetime import datetime

    rules = [Rule.from_row(s) for s in service.schedules]
    upcoming = sorted(d for r in rules for d in next_occurrences(r, datetime.now(), 3))[:3]
    return render_template(
        "public/activity.html",
        service=service,
        schedules=[describe(r) for r in rules],
        upcoming=upcoming,
    )
