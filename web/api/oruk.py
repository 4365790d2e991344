"""The Open Referral UK (HSDS-UK 3.0) read API under `/oruk`. Views parse and delegate."""

from __future__ import annotations

from flask import request, url_for

from directory.export import api
from directory.export.openapi import openapi_document
from web.api.opendata_http import json_response, make_open_data_blueprint
from web.extensions import csrf, db

bp = make_open_data_blueprint("oruk", "/oruk")
csrf.exempt(bp)  # read-only GETs; nothing here changes state


def _respond(result: api.Result):
    return json_response(result.body, last_modified=result.last_modified)


@bp.get("/")
def index():
    return json_response(api.api_details(url_for("oruk.openapi", _external=True)))


@bp.get("/openapi.json")
def openapi():
    return json_response(openapi_document(url_for("oruk.index", _external=True).rstrip("/")))


@bp.get("/services")
def services():
    return _respond(api.list_services(db.session, request.args))


@bp.get("/services/<service_id>")
def service(service_id: str):
    return _respond(api.get_service(db.session, service_id))


@bp.get("/taxonomies")
def taxonomies():
    return _respond(api.list_taxonomies(db.session, request.args))


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str):
    return _respond(api.get_taxonomy(db.session, taxonomy_id))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    return _respond(api.list_taxonomy_terms(db.session, request.args))


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    return _respond(api.get_taxonomy_term(db.session, term_id))


@bp.get("/organizations")
def organizations():
    return _respond(api.list_organizations(db.session, request.args))


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    return _respond(api.get_organization(db.session, organization_id))
