"""Views for the public pages. Views parse the request and call a service, nothing more."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
