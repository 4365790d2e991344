"""The OpenAPI 3.1 document for /api/v1, assembled from what each endpoint module registers."""

from __future__ import annotations

from flask import request

from web.api import bp
from web.api.opendata_http import json_response

_paths: dict[str, dict] = {}
_schemas: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A short code: bad_request, not_found, ..."},
            "message": {"type": "string", "description": "What is wrong, in plain English."},
            "field": {"type": "string", "description": "The query parameter at fault (on a 400)."},
        },
    }
}


def register(path: str, item: dict, schemas: dict | None = None) -> None:
    """Add an endpoint (`path` relative to /api/v1) and the component schemas it refers to."""
    _paths[path] = item
    _schemas.update(schemas or {})


def document(server_url: str = "/api/v1") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wayfinder API",
            "version": "1.0.0",
            "description": "Community activities and support for social prescribing: search the directory.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server_url}],
        "paths": dict(sorted(_paths.items())),
        "components": {"schemas": dict(sorted(_schemas.items()))},
    }


@bp.get("/openapi.json")
def openapi_document():
    return json_response(document(request.script_root + bp.url_prefix))
