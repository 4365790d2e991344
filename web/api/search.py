"""GET /api/v1/search: parse the query string, call `directory.search.search`, return JSON.

Each parameter is declared once in `PARAMETERS`; the same table parses requests and writes the
OpenAPI description, so the document cannot drift from what the endpoint accepts. A bad value
is a 400 naming the parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, request, url_for

from directory.errors import ValidationError
from directory.geo import miles_to_km
from directory.search import SearchRequest, get_index, search
from directory.search.filters import MAX_PER_PAGE, MAX_RADIUS_KM, MIN_RADIUS_KM, OUTSIDE_AREA, SORTS
from directory.search.segments import TIMES_OF_DAY
from directory.vocab import ACCESSIBILITY_FEATURES, DAY_NAMES, DAYS, DeliveryMode
from web.api import bp, openapi
from web.api.opendata_http import error_response, json_response
from web.api.search_schemas import RESPONSE_SCHEMAS
from web.extensions import db, online_geocoder

_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
_DAY_WORDS = {**{d.lower(): d for d in DAYS}, **{n.lower(): d for d, n in DAY_NAMES.items()},
              **{n[:3].lower(): d for d, n in DAY_NAMES.items()}}


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str  # string | number | integer | boolean
    description: str
    field: str | None = None  # the SearchRequest field (default: the same name)
    many: bool = False  # repeatable, or comma-separated
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: object = None

    def schema(self) -> dict:
        item: dict = {"type": self.kind}
        if self.choices:
            item["enum"] = list(self.choices)
        if self.minimum is not None:
            item["minimum"] = self.minimum
        if self.maximum is not None:
            item["maximum"] = self.maximum
        if self.many:
            return {"type": "array", "items": item}
        if self.default is not None:
            item["default"] = self.default
        return item


PARAMETERS = (
    Parameter("q", "string", "Words to look for: an activity (\"knitting\"), or a need in the person's own words (\"I'm lonely\").", field="text"),
    Parameter("near", "string", "A postcode (NE4 5PL, NE4 5 or NE4) or a place name (Heaton)."),
    Parameter("lat", "number", "Latitude (WGS84), with lon, instead of near.", field="latitude", minimum=-90, maximum=90),
    Parameter("lon", "number", "Longitude (WGS84), with lat.", field="longitude", minimum=-180, maximum=180),
    Parameter("radius_miles", "number", "How far to look, in miles (default 5).", field="radius_km",
              minimum=round(MIN_RADIUS_KM / 1.609344, 3), maximum=100),
    Parameter("radius_km", "number", "How far to look, in kilometres (instead of radius_miles).", minimum=MIN_RADIUS_KM, maximum=MAX_RADIUS_KM),
    Parameter("category", "string", "A category code; everything beneath it is included. Repeat for any of several.", field="categories", many=True),
    Parameter("day", "string", "Runs on this day (MO..SU or the day's name). Repeat for any of several.", field="days", many=True, choices=DAYS),
    Parameter("time", "string", "Starts in this part of the day. Repeat for any of several.", field="times", many=True, choices=TIMES_OF_DAY),
    Parameter("next_7_days", "boolean", "Only listings with a session in the next 7 days."),
    Parameter("free", "boolean", "Only free listings."),
    Parameter("max_cost", "number", "Costs at most this many pounds a session.", minimum=0),
    Parameter("age", "integer", "The person's age: hides listings for other ages.", minimum=0, maximum=120),
    Parameter("gender", "string", "The person's gender: hides listings only for another gender.", choices=("female", "male")),
    Parameter("accessibility", "string", "Must have every one of these features.", many=True, choices=tuple(ACCESSIBILITY_FEATURES)),
    Parameter("self_referral", "boolean", "Only listings people can contact themselves."),
    Parameter("delivery", "string", "Delivered in any of these ways.", many=True, choices=tuple(m.value for m in DeliveryMode)),
    Parameter("verified_within_months", "integer", "Checked by someone within this many months.", minimum=1, maximum=120),
    Parameter("has_places", "boolean", "Only listings that say they have places."),
    Parameter("outside_area", "string", "Residents-only listings for another area: hide them, or mark them.", choices=OUTSIDE_AREA, default="hide"),
    Parameter("include_remote", "boolean", "Include online and phone listings with no venue when searching near a place.", default=True),
    Parameter("sort", "string", "relevance (default with q), distance (default near a place) or soonest.", choices=SORTS),
    Parameter("page", "integer", "Page number.", minimum=1, maximum=1000, default=1),
    Parameter("per_page", "integer", "Results per page.", minimum=1, maximum=MAX_PER_PAGE, default=20),
)
_BY_NAME = {p.name: p for p in PARAMETERS}


class BadParameter(Exception):
    def __init__(self, parameter: str | None, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message




def _convert(param: Parameter, raw: str):
    raw = raw.strip()
    if param.kind == "boolean":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise BadParameter(param.name, f"{param.name} must be true or false.")
    if param.kind in ("number", "integer"):
        try:
            value = int(raw) if param.kind == "integer" else float(raw)
        except ValueError:
            kind = "a whole number" if param.kind == "integer" else "a number"
            raise BadParameter(param.name, f"{param.name} must be {kind}, not {raw!r}.") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise BadParameter(param.name, f"{param.name} must be a finite number.")
        if (param.minimum is not None and value < param.minimum) or (param.maximum is not None and value > param.maximum):
            raise BadParameter(param.name, f"{param.name} must be between {param.minimum:g} and {param.maximum:g}."
                               if param.maximum is not None else f"{param.name} must be at least {param.minimum:g}.")
        return value
    if param.name == "day":
        if raw.lower() not in _DAY_WORDS:
            raise BadParameter("day", f"{raw!r} is not a day; use MO, TU, WE, TH, FR, SA or SU.")
        return _DAY_WORDS[raw.lower()]
    if param.choices and raw not in param.choices:
        raise BadParameter(param.name, f"{raw!r} is not allowed for {param.name}; use one of: {', '.join(param.choices)}.")
    return raw


def parse_search_request(args) -> SearchRequest:
    """A `SearchRequest` from query-string arguments; `BadParameter` names what is wrong."""
    unknown = sorted(name for name in args if name not in _BY_NAME and not name.startswith("_"))
    if unknown:
        raise BadParameter(unknown[0], f"Unknown parameter {unknown[0]!r}. See /api/v1/openapi.json.")
    if "radius_km" in args and "radius_miles" in args:
        raise BadParameter("radius_km", "Give radius_km or radius_miles, not both.")
    fields: dict = {"source": "api"}
    for name in args:
        param = _BY_NAME.get(name)
        if param is None:
            continue
        if param.many:
            values = [v for raw in args.getlist(name) for v in raw.split(",") if v.strip()]
            value = tuple(dict.fromkeys(_convert(param, v) for v in values))
        else:
            if len(args.getlist(name)) > 1:
                raise BadParameter(name, f"Give {name} once.")
            value = _convert(param, args[name])
            if name == "radius_miles":
                value = miles_to_km(value)
        fields[param.field or param.name] = value
    return SearchRequest(**fields)


def _request_parameter(field: str, args) -> str:
    """The query parameter a service-level field error refers to."""
    if field == "radius":
        return "radius_miles" if "radius_miles" in args else "radius_km"
    if field == "text":
        return "q"
    return field.split(".")[-1]


@bp.get("/search")
def search_endpoint():
    try:
        wanted = parse_search_request(request.args)
        index = get_index(current_app.config["SEARCH_INDEX_DIR"])
        found = search(db.session, wanted, index=index, geocoder=online_geocoder())
    except BadParameter as exc:
        return error_response(400, "bad_request", exc.message, exc.parameter)
    except ValidationError as exc:
        return error_response(400, "bad_request", exc.message, _request_parameter(exc.field, request.args))
    body = found.to_dict()
    body["links"] = _links(found)
    # Revalidate every time: results move with the clock (next sessions) and each search is logged.
    return json_response(body, cache_control="no-cache")


def _links(found) -> dict:
    args = request.args.to_dict(flat=False)

    def page(n: int) -> str:
        return url_for("api.search_endpoint", _external=False) + "?" + urlencode({**args, "page": [n]}, doseq=True)

    return {
        "self": page(found.page),
        "next": page(found.page + 1) if found.page < found.pages else None,
        "prev": page(found.page - 1) if found.page > 1 else None,
    }


openapi.register(
    "/search",
    {
        "get": {
            "operationId": "search",
            "summary": "Search the directory: text, a place and filters",
            "description": (
                "Finds listings by words (stemmed, typo-tolerant, widened with category synonyms "
                "and the need phrases people use), near a postcode or place, with filters. "
                "Results carry the next session, distance in miles and km, facet counts for every "
                "filter, and a 'did you mean' suggestion. Stale and full listings are demoted, not hidden."
            ),
            "parameters": [
                {"name": p.name, "in": "query", "required": False, "description": p.description,
                 "schema": p.schema(), **({"style": "form", "explode": True} if p.many else {})}
                for p in PARAMETERS
            ],
            "responses": {
                "200": {"description": "A page of results.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}}}},
                "400": {"description": "A parameter is wrong; `field` names it.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }
    },
    RESPONSE_SCHEMAS,
)
