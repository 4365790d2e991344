"""JSON Schemas (OpenAPI 3.1 components) for the search response; tests validate real responses."""

from __future__ import annotations


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


_NUMBER_OR_NULL = _nullable("number")
_STRING_OR_NULL = _nullable("string")

RESPONSE_SCHEMAS = {
    "SearchResults": {
        "type": "object",
        "required": ["total", "page", "per_page", "pages", "sort", "results", "facets", "links"],
        "properties": {
            "total": {"type": "integer", "minimum": 0, "description": "Listings matching, over all pages."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "sort": {"enum": ["relevance", "distance", "soonest"]},
            "suggestion": {**_STRING_OR_NULL, "description": "The query with typos corrected (\"did you mean\")."},
            "location": {
                "type": ["object", "null"],
                "description": "Where the search was centred, as understood.",
                "properties": {
                    "label": {"type": "string"}, "precision": {"type": "string"},
                    "district": _STRING_OR_NULL, "latitude": {"type": "number"}, "longitude": {"type": "number"},
                    "radius_km": {"type": "number"}, "radius_miles": {"type": "number"},
                },
            },
            "understood": {
                "type": "array",
                "description": "Categories the words were read as (from names, synonyms and need phrases).",
                "items": {"type": "object", "required": ["code", "name", "score"],
                          "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "score": {"type": "number"}}},
            },
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchResult"}},
            "facets": {"type": "array", "items": {"$ref": "#/components/schemas/Facet"}},
            "index": {"type": "object", "description": "The index generation answered from, and the change-log id it has reached."},
            "took_ms": {"type": "number"},
            "links": {
                "type": "object",
                "required": ["self"],
                "properties": {"self": {"type": "string"}, "next": _STRING_OR_NULL, "prev": _STRING_OR_NULL},
            },
        },
    },
    "SearchResult": {
        "type": "object",
        "required": ["id", "name", "organisation", "score", "distance_km", "next_session", "cost", "capacity", "stale", "full", "residency"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "organisation": {"type": "string"},
            "summary": {"type": "string"},
            "categories": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}},
            "score": {"type": "number"},
            "distance_km": _NUMBER_OR_NULL,
            "distance_miles": _NUMBER_OR_NULL,
            "distance_text": {**_STRING_OR_NULL, "description": "For people: \"0.8 miles (1.3 km)\"."},
            "venue": {"type": ["object", "null"]},
            "remote": {"type": "boolean", "description": "No venue: an online or phone service."},
            "next_session": {**_STRING_OR_NULL, "description": "Local (UK) date and time, ISO 8601."},
            "next_session_text": _STRING_OR_NULL,
            "schedule": {"type": "array", "items": {"type": "string"}},
            "cost": {"type": "object", "properties": {"min": _NUMBER_OR_NULL, "text": {"type": "string"}}},
            "delivery": {"type": "array", "items": {"type": "string"}},
            "referral": {"type": "array", "items": {"type": "string"}},
            "accessibility": {"type": "array", "items": {"type": "object"}},
            "age": {"type": "object", "properties": {"min": _nullable("integer"), "max": _nullable("integer")}},
            "gender": {"enum": ["any", "female", "male"]},
            "capacity": {"type": "object", "properties": {"status": {"type": "string"}, "label": {"type": "string"}, "note": _STRING_OR_NULL}},
            "verified": {**_STRING_OR_NULL, "description": "When someone last checked it (ISO date)."},
            "stale": {"type": "boolean", "description": "Not checked for over 12 months (demoted)."},
            "full": {"type": "boolean", "description": "Full or waiting list (demoted)."},
            "temporarily_closed": {"type": "boolean"},
            "residency": {
                "type": "object",
                "required": ["restricted", "areas", "person_inside"],
                "properties": {
                    "restricted": {"type": "boolean"},
                    "areas": {"type": "array", "items": {"type": "string"}},
                    "person_inside": {"type": ["boolean", "null"], "description": "null when the person's location is not known."},
                },
            },
            "contact": {"type": "object"},
        },
    },
    "Facet": {
        "type": "object",
        "required": ["name", "label", "values"],
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "values": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["value", "label", "count", "selected"],
                    "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                                   "count": {"type": "integer", "minimum": 0}, "selected": {"type": "boolean"}},
                },
            },
        },
    },
}
