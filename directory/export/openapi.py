"""The OpenAPI 3.1 document of Wayfinder's Open Referral UK API, built in code.

Response bodies point at the UK profile's published schemas (by URL, the way the profile's own
OpenAPI document does), so the contract is the standard's, not a copy of it.
"""

from __future__ import annotations

PROFILE_SCHEMAS = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _path_id(what: str) -> dict:
    return {"name": "id", "in": "path", "required": True, "description": f"The {what}'s UUID.",
            "schema": {"type": "string", "format": "uuid"}}


PAGING = [
    _query("page", "Which page, counting from 1.", {"type": "integer", "minimum": 1, "default": 1}),
    _query("per_page", "Items per page (default 50, at most 200; lowered to the limit when above it).",
           {"type": "integer", "minimum": 1, "default": 50}),
]

SERVICE_FILTERS = [
    _query("text", "Words that must all appear in the name, description, organisation or category."),
    _query("search", "The same as `text` (the name the ORUK profile uses)."),
    _query("taxonomy_term_id", "Services filed under this term or any term beneath it."),
    _query("taxonomy_id", "Services filed under any term of this taxonomy."),
    _query("organization_id", "Services run by this organisation."),
    _query("modified_after", "Services changed on or after this ISO 8601 moment (UTC if no offset).",
           {"type": "string", "format": "date-time"}),
    _query("minimal", "`true`: only id, name, status and last_modified, up to 10,000 a page.",
           {"type": "boolean"}),
    _query("full", "`true`: each item is the full service tree, as from /services/{id}.", {"type": "boolean"}),
    _query("postcode", "A UK postcode. Services limited to areas must cover it."),
    _query("proximity", "With `postcode`: only services with a venue within this many metres.",
           {"type": "number", "minimum": 1}),
    _query("minimum_age", "Services whose minimum age is at least this.", {"type": "number"}),
    _query("maximum_age", "Services whose maximum age is at most this.", {"type": "number"}),
    _query("day", "Services with a session on this day: MO..SU or Monday..Sunday."),
    _query("start_time", "With a session starting at or after this time (HH:MM).", {"type": "string"}),
    _query("end_time", "With a session ending at or before this time (HH:MM).", {"type": "string"}),
]

PAGE_SCHEMA = {
    "type": "object",
    "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
    "properties": {
        "total_items": {"type": "integer", "description": "How many items match, on all pages."},
        "total_pages": {"type": "integer", "description": "How many pages there are (0 when nothing matches)."},
        "page_number": {"type": "integer", "description": "This page's number, from 1."},
        "size": {"type": "integer", "description": "How many items are on this page."},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean", "description": "True when this page has no items."},
    },
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _page_of(item_schema_ref: str) -> dict:
    return {
        "allOf": [{"$ref": "#/components/schemas/Page"}],
        "properties": {"contents": {"type": "array", "items": {"$ref": PROFILE_SCHEMAS + item_schema_ref}}},
    }


def _errors(*codes: int) -> dict:
    words = {400: "A parameter makes no sense; `field` names it.", 404: "No such item."}
    return {str(c): _json(words[c], {"$ref": "#/components/schemas/Error"}) for c in codes}


def _get(operation_id: str, summary: str, parameters: list, ok: dict, *errors: int) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": parameters,
                    "responses": {"200": ok, **_errors(*errors)}}}


def openapi_document(server_url: str) -> dict:
    """The document, with `server_url` (e.g. ``https://example.org/oruk``) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wayfinder Open Referral UK API",
            "version": "3.0",
            "description": (
                "Read-only HSDS-UK 3.0 API of a Wayfinder directory of community activities. No key "
                "is needed. Responses carry ETag and Last-Modified; send If-None-Match or "
                "If-Modified-Since to get 304 Not Modified. Changes are also published as an RPDE "
                "1.0 feed at /feeds/services."
            ),
            "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": server_url}],
        "paths": {
            "/": _get("getAPIMetaInformation", "Which HSDS version and profile this API implements.", [],
                      _json("API details.", {"type": "object", "required": ["version", "profile", "openapi_url"]})),
            "/openapi.json": _get("getOpenAPIDocument", "This document.", [], _json("OpenAPI.", {"type": "object"})),
            "/services": _get("getPaginatedListOfServices", "A page of services.", PAGING + SERVICE_FILTERS,
                              _json("A page of services.", _page_of("compiled/service_list.json")), 400),
            "/services/{id}": _get("getFullyNestedServiceById", "One service with everything about it.",
                                   [_path_id("service")],
                                   _json("The service.", {"$ref": PROFILE_SCHEMAS + "compiled/service.json"}), 404),
            "/taxonomies": _get("getPaginatedListOfTaxonomies", "A page of taxonomies.", PAGING,
                                _json("A page of taxonomies.", _page_of("taxonomy.json")), 400),
            "/taxonomies/{id}": _get("getTaxonomyById", "One taxonomy with its terms.", [_path_id("taxonomy")],
                                     _json("The taxonomy.", {"$ref": PROFILE_SCHEMAS + "taxonomy.json"}), 404),
            "/taxonomy_terms": _get(
                "getPaginatedListOfTaxonomyTerms", "A page of taxonomy terms.",
                PAGING + [_query("taxonomy_id", "Only terms of this taxonomy."),
                          _query("parent_id", "Only the terms directly beneath this one.")],
                _json("A page of terms.", _page_of("taxonomy_term.json")), 400),
            "/taxonomy_terms/{id}": _get("getTaxonomyTermById", "One taxonomy term.", [_path_id("taxonomy term")],
                                         _json("The term.", {"$ref": PROFILE_SCHEMAS + "taxonomy_term.json"}), 404),
            "/organizations": _get("getPaginatedListOfOrganizations", "A page of organisations.", PAGING,
                                   _json("A page of organisations.", _page_of("compiled/organization_list.json")), 400),
            "/organizations/{id}": _get("getOrganizationById", "One organisation with its services.",
                                        [_path_id("organisation")],
                                        _json("The organisation.",
                                              {"$ref": PROFILE_SCHEMAS + "compiled/organization.json"}), 404),
        },
        "components": {"schemas": {"Page": PAGE_SCHEMA, "Error": ERROR_SCHEMA}},
    }
