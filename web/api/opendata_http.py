"""HTTP conventions shared by the open data blueprints (`/oruk` and `/feeds`).

Open data is read by other systems and by browsers on other sites, so every response is JSON
(errors too), carries `Access-Control-Allow-Origin: *`, and an ETag and Last-Modified so a
polling client gets a cheap 304 when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from directory.errors import NotFound, ValidationError

DEFAULT_CACHE = "public, max-age=60"


def json_response(body, *, status: int = 200, last_modified: datetime | None = None,
                  cache_control: str = DEFAULT_CACHE) -> Response:
    """JSON with a strong ETag over the exact bytes, answered with 304 when the client has it."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(text, status=status, mimetype="application/json")
    if status != 200:
        response.headers["Cache-Control"] = "no-store"
        return response
    response.set_etag(hashlib.sha256(text.encode()).hexdigest()[:40])
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = cache_control
    return response.make_conditional(request)


def error_response(status: int, error: str, message: str, field: str | None = None) -> Response:
    body = {"error": error, "message": message}
    if field:
        body["field"] = field
    return json_response(body, status=status)


def make_open_data_blueprint(name: str, url_prefix: str) -> Blueprint:
    """A blueprint with CORS, JSON errors and a JSON 404 for any unknown path beneath it."""
    bp = Blueprint(name, __name__, url_prefix=url_prefix)

    @bp.after_request
    def _cors(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        # Browsers preflight conditional requests; let them send and read the validators.
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        response.headers["Access-Control-Max-Age"] = "86400"
        return response

    @bp.errorhandler(ValidationError)
    def _bad_request(exc: ValidationError):
        return error_response(400, "bad_request", exc.message, exc.field)

    @bp.errorhandler(NotFound)
    def _not_found(exc: NotFound):
        return error_response(404, "not_found", str(exc))

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return error_response(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"),
                              exc.description or exc.name)

    @bp.route("/<path:unknown>", methods=["GET", "HEAD"])
    def _unknown(unknown: str):
        return error_response(404, "not_found", f"There is nothing at {request.path}.")

    return bp
