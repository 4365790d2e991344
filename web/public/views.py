"""Views for the public pages. Views parse the request and call a service, nothing more.

Every page works without JavaScript: search and filters are one plain GET form, the report form
is a plain POST, printing has its own page. JavaScript (web/static/js/wayfinder.mjs) only adds
conveniences: a print button, copy-link, and the optional map.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from directory.errors import NotFound, ValidationError
from directory.models.report import REPORT_PROBLEMS
from directory.reports import submit_report
from web.extensions import db, limiter, online_geocoder
from web.public import present
from web.public.finder import (
    ACCESS_FILTERS,
    DAY_FILTERS,
    OTHER_FILTERS,
    RADIUS_CHOICES,
    TIME_FILTERS,
    find_activities,
    public_service,
    quick_categories,
)
from web.public.calendar import activity_calendar
from web.public.forms import ReportForm, parse_search, search_args
from web.public.icons import icon_for

bp = Blueprint("public", __name__)
LONDON = ZoneInfo("Europe/London")


def now_local() -> datetime:
    """Wall-clock time in the UK, naive, which is how schedules are stored."""
    return datetime.now(LONDON).replace(tzinfo=None)


@bp.record_once
def _register_helpers(state) -> None:
    # Globals rather than a context processor, so macros imported without context see them too.
    state.app.jinja_env.globals.update(present.HELPERS, icon_for=icon_for, search_args=search_args)


@bp.app_context_processor
def _per_request():
    return {"today": now_local().date(), "map_tile_url": current_app.config.get("MAP_TILE_URL")}


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/")
def start():
    """"Where are you?" and "What would you like help with?", plus quick categories."""
    return render_template("public/start.html", categories=quick_categories(db.session))


@bp.get("/results")
def results():
    """The results of a search, with filters as checkboxes in the same GET form."""
    search = parse_search(request.args)
    page = find_activities(db.session, search, now_local(), current_app.config["SEARCH_INDEX_DIR"],
                           geocoder=online_geocoder())
    return render_template(
        "public/results.html",
        page=page,
        search=search,
        category_items=_checkbox_items(page, "category", {t.code: t.name for t in page.categories + page.chosen}, set(search.categories)),
        radius_items=[
            {"value": f"{r:g}", "text": f"{r:g} mile{'s' if r != 1 else ''}", "selected": r == search.radius_miles}
            for r in RADIUS_CHOICES
        ],
        map_points=_map_points(page.results) if current_app.config.get("MAP_TILE_URL") else [],
        filter_groups=[
            ("Cost and joining", "only", _checkbox_items(page, "only", OTHER_FILTERS, search.other)),
            ("Day", "day", _checkbox_items(page, "day", DAY_FILTERS, search.days)),
            ("Time of day", "time", _checkbox_items(page, "time", TIME_FILTERS, search.times)),
            ("Access", "access", _checkbox_items(page, "access", ACCESS_FILTERS, search.access)),
        ],
    )


# Which search-engine facet counts each checkbox: (facet, value), by (form field, value).
_FACETS = {
    ("only", "free"): ("cost", "free"),
    ("only", "turn-up"): ("referral", "self"),
    ("only", "places"): ("capacity", "has_places"),
}
_FIELD_FACET = {"day": "day", "time": "time", "access": "accessibility", "category": "category"}


def _checkbox_items(page, name: str, options: dict[str, str], chosen) -> list[dict]:
    """Checkboxes for one filter, each labelled with how many results it would leave."""
    items = []
    for value, label in options.items():
        facet, key = _FACETS.get((name, value), (_FIELD_FACET.get(name), value))
        count = page.count(facet, key) if facet else None
        text = f"{label} ({count})" if count is not None and value not in chosen else label
        items.append({"value": value, "text": text, "checked": value in chosen})
    return items


def _map_points(results) -> list[dict]:
    return [
        {"lat": r.latitude, "lon": r.longitude, "name": r.name, "href": url_for("public.activity", service_id=r.id)}
        for r in results
        if r.latitude is not None and r.longitude is not None
    ]


def _service_or_404(service_id: str):
    try:
        return public_service(db.session, service_id)
    except NotFound:
        abort(404)


@bp.get("/activity/<service_id>")
def activity(service_id: str):
    """One activity in full, with the "report something wrong" form."""
    service = _service_or_404(service_id)
    return _activity_page(service, ReportForm(), reported=request.args.get("reported") == "1")


def _activity_page(service, form: ReportForm, reported: bool = False, status: int = 200, error: str | None = None):
    now = now_local()
    location = next((sal.location for sal in service.locations), None)
    return render_template(
        "public/activity.html",
        service=service,
        location=location,
        upcoming=present.upcoming_sessions(service, now),
        checked=present.last_checked(service, now.date()),
        form=form,
        problems=REPORT_PROBLEMS,
        reported=reported,
        report_error=error,
        share_url=url_for("public.activity", service_id=service.id, _external=True),
        back=request.args.get("back", ""),
    ), status


@bp.post("/activity/<service_id>/report")
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"])
def report(service_id: str):
    """Store a "report something wrong" note for the group and the admins."""
    service = _service_or_404(service_id)
    form = ReportForm()
    if not form.validate_on_submit():
        return _activity_page(service, form, status=400)
    try:
        submit_report(db.session, None, service.id, form.problem.data, form.details.data, form.reply_email.data)
    except ValidationError as exc:
        getattr(form, exc.field, form.details).errors = [exc.message]
        db.session.rollback()
        return _activity_page(service, form, status=400)
    db.session.commit()
    return redirect(url_for("public.activity", service_id=service.id, reported=1, _anchor="report"))


@bp.get("/activity/<service_id>/print")
def activity_print(service_id: str):
    """A plain, one-column page meant for paper: no header search, no forms, full addresses."""
    service = _service_or_404(service_id)
    now = now_local()
    return render_template(
        "public/print.html",
        service=service,
        location=next((sal.location for sal in service.locations), None),
        upcoming=present.upcoming_sessions(service, now, 5),
        checked=present.last_checked(service, now.date()),
        share_url=url_for("public.activity", service_id=service.id, _external=True),
    )


@bp.get("/activity/<service_id>/calendar.ics")
def activity_ics(service_id: str):
    """The activity's sessions as a calendar file."""
    service = _service_or_404(service_id)
    url = url_for("public.activity", service_id=service.id, _external=True)
    body = activity_calendar(service, url, datetime.now(LONDON), request.host.split(":")[0])
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="wayfinder-{service.id[:8]}.ics"'},
    )
