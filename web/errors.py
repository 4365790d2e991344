"""Error pages people can act on: plain-English HTML for the site, JSON for the APIs.

The open data blueprints (`/oruk`, `/feeds`, `/api/v1/search`) answer their own errors in
JSON; these handlers catch everything else, including paths that match no route at all.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

# What to tell a person, by status. Anything not listed gets the generic wording.
MESSAGES = {
    404: ("Page not found", "We cannot find that page. It may have been removed, or the address may be "
                            "mistyped. Try searching for an activity instead."),
    405: ("That did not work", "That page cannot be used in that way. Go back and try again."),
    429: ("Too many requests", "You have sent a lot of requests in a short time. Please wait a few minutes, "
                               "then try again."),
}
GENERIC = ("Sorry, something went wrong", "Please go back and try again. If it keeps happening, try again later.")
API_PREFIXES = ("/api/", "/oruk", "/feeds")


def init_app(app: Flask) -> None:
    """Register the handlers on the app (blueprint handlers still win inside their blueprints)."""
    app.register_error_handler(HTTPException, _http_error)


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIXES)


def _http_error(exc: HTTPException):
    status = exc.code or 500
    if status < 400:  # redirects raised as exceptions (e.g. RequestRedirect) pass through
        return exc
    title, message = MESSAGES.get(status, GENERIC)
    if _wants_json():
        return jsonify({"error": title.lower().replace(" ", "_"), "message": message}), status
    return render_template("public/error.html", title=title, message=message), status
