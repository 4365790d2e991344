"""The `/oruk` endpoints over HTTP: bodies, errors, CORS and conditional requests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from directory.export.openapi import SERVICE_FILTERS
from directory.services import update_service
from tests.export_data import add_fillers, build_directory
from tests.oruk_conformance import OrukSchemas, errors, page_problems


@pytest.fixture(scope="module")
def schemas(standards):
    return OrukSchemas(standards)


@pytest.fixture
def directory(session):
    d = build_directory(session)
    session.commit()
    return d


def test_index_says_what_it_is(client, schemas, standards):
    response = client.get("/oruk/")
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == "HSDS-UK-3.0"
    assert body["openapi_url"] == "http://localhost/oruk/openapi.json"
    assert errors(schemas.api_details, body) == []
    legacy = json.loads((standards / "openreferral" / "oruk-validator-legacy" / "OpenReferralApi" / "Schemas"
                         / "V3.0-UK" / "api_details.json").read_text())
    assert set(legacy["required"]) <= set(body)


def test_openapi_document_matches_the_routes(client, app):
    document = client.get("/oruk/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/oruk"}]
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("oruk.")}
    for path in document["paths"]:
        assert "/oruk" + path.replace("{id}", "<", 1).split("<")[0] in {r.split("<")[0] for r in routes}, path
    documented = {p["name"] for p in document["paths"]["/services"]["get"]["parameters"]}
    assert {"page", "per_page", "text", "search", "taxonomy_term_id", "taxonomy_id", "organization_id",
            "modified_after", "minimal", "postcode", "proximity", "minimum_age", "maximum_age", "day",
            "start_time", "end_time"} <= documented
    assert {p["name"] for p in SERVICE_FILTERS} <= documented


def test_services_page_validates_and_hides_unpublished(client, directory, schemas):
    body = client.get("/oruk/services").get_json()
    assert errors(schemas.service_page, body) == []
    assert page_problems(body, per_page=50) == []
    names = [item["name"] for item in body["contents"]]
    assert "Draft Walk" not in names and "Pending Walk" not in names
    assert names == sorted(names) and len(names) == body["total_items"] == 8


def test_services_filters_over_http(client, directory):
    term = directory.terms["physical-activity"].id
    body = client.get(f"/oruk/services?taxonomy_term_id={term}&day=TU").get_json()
    assert [i["name"] for i in body["contents"]] == ["Heaton Park Health Walk", "Women's Early Swim"]
    body = client.get("/oruk/services?postcode=NE4%205PL&proximity=1000").get_json()
    assert [i["name"] for i in body["contents"]] == ["Women's Early Swim"]


def test_paging_parameters(client, directory, session):
    add_fillers(session, 30)
    session.commit()
    body = client.get("/oruk/services?page=2&per_page=15").get_json()
    assert (body["page_number"], body["size"], body["total_items"], body["total_pages"]) == (2, 15, 38, 3)
    assert page_problems(body, per_page=15) == []
    capped = client.get("/oruk/services?per_page=100000").get_json()
    assert capped["size"] == 38 and capped["total_pages"] == 1
    past = client.get("/oruk/services?page=9&per_page=15").get_json()
    assert past["empty"] and past["last_page"] and past["contents"] == []


@pytest.mark.parametrize("query,field", [
    ("page=0", "page"), ("per_page=abc", "per_page"), ("day=Someday", "day"),
    ("proximity=100", "proximity"), ("postcode=ZZ", "postcode"), ("start_time=noon", "start_time"),
    ("minimum_age=-1", "minimum_age"), ("modified_after=last%20week", "modified_after"),
])
def test_bad_parameters_are_json_400s_naming_the_field(client, query, field):
    response = client.get(f"/oruk/services?{query}")
    assert response.status_code == 400
    assert response.is_json and response.get_json()["field"] == field
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_postcode_is_a_400_not_a_404(client, directory):
    response = client.get("/oruk/services?postcode=NE99%209ZZ")
    assert response.status_code == 400 and response.get_json()["field"] == "postcode"


def test_minimal_and_full(client, directory, schemas):
    minimal = client.get("/oruk/services?minimal=true").get_json()
    assert errors(schemas.service_page, minimal) == []
    assert all(set(item) == {"id", "name", "status", "last_modified"} for item in minimal["contents"])
    full = client.get("/oruk/services?full=true&per_page=3").get_json()
    for item in full["contents"]:
        assert errors(schemas.service, item) == []
        assert "service_at_locations" in item


def test_service_by_id(client, directory, schemas):
    walk = directory.services["walk"]
    response = client.get(f"/oruk/services/{walk.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert errors(schemas.service, body) == []
    assert body["id"] == walk.id and body["organization"]["name"] == "Heaton Walkers"


@pytest.mark.parametrize("path", ["/oruk/services/00000000-0000-4000-8000-000000000000", "/oruk/nothing-here",
                                  "/oruk/services/a/b", "/oruk/taxonomies/nope", "/oruk/taxonomy_terms/nope",
                                  "/oruk/organizations/nope", "/feeds/nope"])
def test_unknown_things_are_json_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"] == "not_found"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unpublished_service_is_a_404(client, directory):
    assert client.get(f"/oruk/services/{directory.services['draft'].id}").status_code == 404


def test_open_to_any_origin_without_a_key(client, directory):
    response = client.get("/oruk/services", headers={"Origin": "https://council.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/oruk/services", headers={
        "Origin": "https://council.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_etag_and_last_modified_give_304s_until_something_changes(client, directory, session):
    walk = directory.services["walk"]
    first = client.get(f"/oruk/services/{walk.id}")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified
    again = client.get(f"/oruk/services/{walk.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"/oruk/services/{walk.id}", headers={"If-Modified-Since": modified}).status_code == 304
    listing = client.get("/oruk/services")
    assert client.get("/oruk/services", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304

    update_service(session, "editor@example.org", walk.id, {"description": "Now with tea."})
    session.commit()
    changed = client.get(f"/oruk/services/{walk.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get("/oruk/services", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 200
    long_ago = format_datetime(datetime.now(timezone.utc) - timedelta(days=400), usegmt=True)
    assert client.get(f"/oruk/services/{walk.id}", headers={"If-Modified-Since": long_ago}).status_code == 200


def test_taxonomies_and_terms(client, directory, schemas):
    page = client.get("/oruk/taxonomies").get_json()
    assert errors(schemas.taxonomy_page, page) == [] and page_problems(page, per_page=50) == []
    names = [t["name"] for t in page["contents"]]
    assert "wayfinder-test" in names and "wayfinder:referral-route" in names
    for tax in page["contents"]:
        full = client.get(f"/oruk/taxonomies/{tax['id']}").get_json()
        assert errors(schemas.taxonomy, full) == [] and full["taxonomy_terms"]
    terms = client.get(f"/oruk/taxonomy_terms?taxonomy_id={directory.taxonomy.id}").get_json()
    assert errors(schemas.taxonomy_term_page, terms) == []
    assert {t["term"] for t in terms["contents"]} == set(directory.terms)
    children = client.get(f"/oruk/taxonomy_terms?parent_id={directory.terms['physical-activity'].id}").get_json()
    assert {t["term"] for t in children["contents"]} == {"health-walks", "swimming"}
    one = client.get(f"/oruk/taxonomy_terms/{directory.terms['swimming'].id}").get_json()
    assert errors(schemas.taxonomy_term, one) == [] and one["parent_id"] == directory.terms["physical-activity"].id


def test_organisations(client, directory, schemas):
    page = client.get("/oruk/organizations").get_json()
    assert page_problems(page, per_page=50) == []
    for item in page["contents"]:
        assert errors(schemas.organization_list_item, item) == []
    walkers = client.get(f"/oruk/organizations/{directory.services['walk'].organization_id}").get_json()
    assert errors(schemas.organization, walkers) == []
    assert [s["name"] for s in walkers["services"]] == ["Heaton Park Health Walk"]
    draft_org = directory.services["draft"].organization_id
    assert client.get(f"/oruk/organizations/{draft_org}").status_code == 404
