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
from web.api import openapi
from web.extensions import csrf, db, limiter, online_geocoder
from web.matching_data import INDEXES, local_now, match_config, parse_profile, timetable_source, weights_file

bp = Blueprint("api_match", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_LIMIT = 50


def _bad_request(errors: dict[str, str]):
    response = jsonify({"errors": errors})
    response.status_code = 400
    return response


@bp.post("/match")
@limiter.limit(lambda: current_app.config["MATCH_RATE_LIMIT"])
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
        profile = parse_profile(session, data, geocoder=online_geocoder())
    except ProfileError as exc:
        return _bad_request(exc.errors)
    config = match_config(weights_file({**current_app.config, "INSTANCE_PATH": current_app.instance_path}))
    index = INDEXES.get(session, config)
    report = match(profile, index, limit=limit, now=local_now(), timetable=timetable_source(session))
    body = report.to_dict()
    body["profile"] = profile.to_dict()
    return jsonify(body)


openapi.register(
    "/match",
    {
        "post": {
            "summary": "Rank activities for a person, with reasons and warnings",
            "description": "The body is a profile (see docs/matching.md). Matches carry their component "
                           "scores, reasons and warnings in plain words; `unmet` lists what nothing matched.",
            "operationId": "match",
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}},
            "responses": {
                "200": {"description": "Ranked matches", "content": {"application/json": {"schema": {"type": "object"}}}},
                "400": {"description": "A profile that cannot be used, one message per field",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProfileErrors"}}}},
            },
        }
    },
    {
        "Profile": {
            "type": "object",
            "description": "What matters to the person and how they can take part; every field is optional "
                           "but what_matters or categories must say something.",
            "properties": {
                "what_matters": {"type": "array", "items": {"type": "string"}},
                "categories": {"type": "array", "items": {"type": "string"}},
                "postcode": {"type": "string"},
                "latitude": {"type": "number"},
                "longitude": {"type": "number"},
                "travel_modes": {"type": "array", "items": {"type": "string"}},
                "max_travel_minutes": {"type": "integer"},
                "access_needs": {"type": "array", "items": {"type": "string"}},
                "age": {"type": "integer"},
                "days_free": {"type": "array", "items": {"type": "string"}},
                "times_free": {"type": "array", "items": {"type": "string"}},
                "budget_per_session": {"type": "number"},
                "delivery": {"type": "array", "items": {"type": "string"}},
            },
        },
        "ProfileErrors": {
            "type": "object",
            "required": ["errors"],
            "properties": {"errors": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
    },
)
