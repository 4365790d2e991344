"""Reading what the person sent: the search query string and the "report something wrong" form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.models.report import REPORT_PROBLEMS
from directory.reports import MAX_DETAILS
from web.public.finder import (
    ACCESS_FILTERS,
    DAY_FILTERS,
    DEFAULT_RADIUS,
    OTHER_FILTERS,
    PER_PAGE,
    RADIUS_CHOICES,
    TIME_FILTERS,
    SearchRequest,
)

try:  # WTForms 3.3 deprecates (value, label) tuples for choices
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older WTForms
    def _Choice(value, label):
        return (value, label)

MAX_TEXT = 200
MAX_PAGE = 500


def _chosen(args: MultiDict, name: str, allowed) -> frozenset[str]:
    return frozenset(v for v in args.getlist(name) if v in allowed)


def parse_search(args: MultiDict, per_page: int = PER_PAGE) -> SearchRequest:
    """A `SearchRequest` from the query string; anything unknown or silly is quietly ignored,
    because a shared or bookmarked link should still show something sensible."""
    try:
        radius = float(args.get("radius", DEFAULT_RADIUS))
    except ValueError:
        radius = DEFAULT_RADIUS
    if radius not in RADIUS_CHOICES:
        radius = min(RADIUS_CHOICES, key=lambda r: abs(r - radius)) if 0 < radius < 1000 else DEFAULT_RADIUS
    page = args.get("page", 1, type=int) or 1
    categories = tuple(dict.fromkeys(c.strip()[:64] for c in args.getlist("category") if c.strip()))[:10]
    return SearchRequest(
        where=args.get("where", "").strip()[:MAX_TEXT],
        text=args.get("q", "").strip()[:MAX_TEXT],
        categories=categories,
        radius_miles=radius,
        days=_chosen(args, "day", DAY_FILTERS),
        times=_chosen(args, "time", TIME_FILTERS),
        access=_chosen(args, "access", ACCESS_FILTERS),
        other=_chosen(args, "only", OTHER_FILTERS),
        page=min(max(page, 1), MAX_PAGE),
        per_page=per_page,
    )


def search_args(req: SearchRequest, **changes) -> dict:
    """The query string for `req` with `changes` applied, for links (pages, wider radius)."""
    args = {
        "where": req.where, "q": req.text, "category": list(req.categories),
        "radius": f"{req.radius_miles:g}", "day": sorted(req.days), "time": sorted(req.times),
        "access": sorted(req.access), "only": sorted(req.other), "page": req.page,
    }
    args.update(changes)
    if args.get("page") == 1:
        del args["page"]
    return {k: v for k, v in args.items() if v not in ("", [], None)}


class ReportForm(FlaskForm):
    """"Report something wrong". CSRF-protected by Flask-WTF; the domain re-checks everything."""

    problem = RadioField(
        "What is wrong?",
        choices=[_Choice(code, label) for code, label in REPORT_PROBLEMS.items()],
        validators=[DataRequired(message="Choose what is wrong.")],
    )
    details = TextAreaField(
        "Tell us more (optional)",
        validators=[Optional(), Length(max=MAX_DETAILS, message=f"Please keep it under {MAX_DETAILS} characters.")],
    )
    reply_email = StringField(
        "Your email address, only if you want a reply (optional)",
        validators=[Optional(), Length(max=255)],
    )
