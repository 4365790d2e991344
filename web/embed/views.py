"""The embed widget's pages: the loader script, the framed search, and a sample practice page.

A practice pastes ``<script src="https://HOST/embed.js" data-postcode="NE4 5PL" ...>``. The
script makes an iframe to ``/embed?...&parent=<the practice page's origin>``. This view lets the
page be framed only by that origin, and only when an admin registered it: the CSP header says
``frame-ancestors <origin>`` and the browser refuses every other framer. The parent origin in
the URL is only a claim, so a site that lies about it is still refused, because the browser
compares the header with the real framing page.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, g, render_template, request, send_from_directory, url_for
from werkzeug.datastructures import MultiDict

from directory.embed_origins import is_registered, normalise_origin
from directory.errors import ValidationError
from web.extensions import db, online_geocoder
from web.public.finder import find_activities
from web.public.forms import parse_search, search_args
from web.public.views import now_local

bp = Blueprint("embed", __name__)

EMBED_PER_PAGE = 5
MAX_TITLE = 80


def _own_origin() -> str:
    return request.host_url.rstrip("/")


def _allowed_parent(claimed: str) -> str | None:
    """The claimed parent origin, normalised, when it may frame us; else None."""
    try:
        origin = normalise_origin(claimed)
    except ValidationError:
        return None
    if origin == normalise_origin(_own_origin()) or is_registered(db.session, origin):
        return origin
    return None


@bp.get("/embed.js")
def loader():
    """The script practices paste; it is static, and finds its own host from its src."""
    return send_from_directory(current_app.static_folder, "js/embed.js", mimetype="text/javascript", max_age=3600)


@bp.get("/embed")
def frame():
    """The framed compact search. Categories arrive comma-separated from the snippet."""
    args = MultiDict(request.args)
    if "postcode" in args and "where" not in args:
        args["where"] = args["postcode"]
    for value in request.args.getlist("categories"):
        args.setlist("category", args.getlist("category") + [c for c in value.split(",") if c.strip()])
    search = replace(parse_search(args, per_page=EMBED_PER_PAGE), source="embed")
    parent = _allowed_parent(request.args.get("parent", ""))
    g.frame_ancestors = ("'self'" if parent == normalise_origin(_own_origin()) else parent) if parent else "'none'"
    page = find_activities(db.session, search, now_local(), current_app.config["SEARCH_INDEX_DIR"],
                           geocoder=online_geocoder())
    keep = {"parent": request.args.get("parent", ""), "title": request.args.get("title", "")[:MAX_TITLE]}
    return render_template(
        "embed/frame.html",
        page=page,
        search=search,
        title=keep["title"] or "Find activities near you",
        keep={k: v for k, v in keep.items() if v},
        categories=list(search.categories),
        parent_origin=parent or "",
        full_results=url_for("public.results", _external=True, **search_args(search, page=1)),
    )


@bp.get("/embed/demo")
def demo():
    """A sample practice page with the snippet on it, so people can see and copy it."""
    snippet_src = url_for("embed.loader", _external=True)
    return render_template("embed/demo.html", snippet_src=snippet_src)
