"""The open API under /api/v1: JSON, read-only endpoints open to any origin (CORS).

Each endpoint lives in its own module and registers its OpenAPI description with
`web.api.openapi`, which serves the whole document at /api/v1/openapi.json.
"""

from __future__ import annotations

from flask import Blueprint, request

bp = Blueprint("api", __name__, url_prefix="/api/v1")

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.after_request
def _cors(response):
    # Reads are public data: any web page may fetch them. Nothing here uses cookies, so no
    # credentials are allowed and a wildcard origin is safe.
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


from web.api import openapi, search  # noqa: E402,F401  (routes register on `bp`)
