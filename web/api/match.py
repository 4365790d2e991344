"""``POST /api/v1/match``: a person's profile in, ranked matches with scores and reasons out.

The body is the profile as JSON (the fields of `matching.profile.Profile`); ``?limit=`` picks
how many matches (1-50, default 10). A profile that cannot be used gets a 400 with one message
per field: ``{"errors": {"age": "This must be between 0 and 120."}}``. The API is for other
systems, so it takes no cookies and is exempt from CSRF protection.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from matching.profile import ProfileError
from matching.rank import match
from web.extensions import csrf, db
from web.matching_data import INDEXES, local_now, match_config, parse_profile, timetable_source, weights_file

bp = Blueprint("api_match", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_LIMIT = 50


def _bad_request(errors: dict[str, str]):
    response = jsonify({"errors": errors})
    response.status_code = 400
    return response


@bp.post("/match")
def match_profile():
    """Rank the directory for the profile in the request body."""
    data = request.get_json(silent=True)
    if data is None:
        return _bad_request({"profile": "Send the profile as a JSON object with Content-Type: application/json."})
    limit = request.args.get("limit", default=10, type=int)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        return _bad_request({"limit": f"limit must be a whole number from 1 to {MAX_LIMIT}."})
    session = db.session
    try:
        profile = parse_profile(session, data)
    except ProfileError as exc:
        return _bad_request(exc.errors)
    config = match_config(weights_file({**current_app.config, "INSTANCE_PATH": current_app.instance_path}))
    index = INDEXES.get(session, config)
    report = match(profile, index, limit=limit, now=local_now(), timetable=timetable_source(session))
    body = report.to_dict()
    body["profile"] = profile.to_dict()
    return jsonify(body)
