"""Conformance: every listing and every page the API serves, checked against the UK profile.

Runs over a committed directory in its own database on each backend, and checks the two
backends give the same answers.
"""

from __future__ import annotations

import pytest

from tests.oruk_conformance import OrukSchemas, coordinate_problems, errors, page_problems, rpde_page_problems

pytestmark = pytest.mark.slow
PER_PAGE = 37  # deliberately not a divisor of the directory's size


@pytest.fixture(scope="module")
def schemas(standards):
    return OrukSchemas(standards)


def all_pages(client, query=""):
    pages, number = [], 1
    while True:
        response = client.get(f"/oruk/services?per_page={PER_PAGE}&page={number}{query}")
        assert response.status_code == 200
        pages.append(response.get_json())
        if pages[-1]["last_page"]:
            return pages
        number += 1
        assert number < 1000


def test_every_page_of_services_validates_and_pages_are_honest(published, schemas):
    pages = all_pages(published.client)
    seen: list[str] = []
    for page in pages:
        assert errors(schemas.service_page, page) == []
        for item in page["contents"]:
            assert errors(schemas.service_list_item, item) == []
        assert page_problems(page, per_page=PER_PAGE) == []
        assert page["total_items"] == pages[0]["total_items"]
        seen += [item["id"] for item in page["contents"]]
    assert len(seen) == len(set(seen)), "an id appeared on two pages"
    assert len(seen) == pages[0]["total_items"] > PER_PAGE
    assert len(pages) == pages[0]["total_pages"]


def test_every_listing_validates_through_services_by_id(published, schemas):
    client = published.client
    pages = all_pages(client)
    ids = [item["id"] for page in pages for item in page["contents"]]
    for service_id in ids:
        response = client.get(f"/oruk/services/{service_id}")
        assert response.status_code == 200
        tree = response.get_json()
        assert errors(schemas.service, tree) == [], service_id
        assert errors(schemas.service_core, tree) == [], service_id
        assert coordinate_problems(tree) == [], service_id
        assert tree["id"] == service_id


def test_the_whole_feed_validates(published, standards, schemas):
    client, url, items = published.client, "/feeds/services?limit=200", []
    while True:
        response = client.get(url)
        body = response.get_json()
        assert rpde_page_problems(standards, body) == []
        items += body["items"]
        if body["next"] == response.request.url:
            break
        url = body["next"]
    updated = [i for i in items if i["state"] == "updated"]
    for item in updated:
        assert errors(schemas.service, item["data"]) == []
    total = published.client.get("/oruk/services?minimal=true").get_json()["total_items"]
    assert len(updated) == total


def _probe(client) -> dict:
    """Filter values taken from the served data itself: a venue's postcode and a category."""
    services = client.get("/oruk/services?full=true&per_page=200").get_json()["contents"]
    postcodes = sorted(address["postal_code"] for s in services for sal in s["service_at_locations"]
                       for address in sal["location"]["addresses"] if address["postal_code"])
    categories = sorted({(a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for s in services
                         for a in s["attributes"] if a["link_type"] == "category"})
    return {"postcode": postcodes[len(postcodes) // 2], "category": categories[0]}


def _term_id(client, taxonomy: str, code: str) -> str:
    """Ids differ between two databases; codes do not."""
    for tax in client.get("/oruk/taxonomies?per_page=200").get_json()["contents"]:
        if tax["name"] == taxonomy:
            terms = client.get(f"/oruk/taxonomies/{tax['id']}").get_json()["taxonomy_terms"]
            return next(t["id"] for t in terms if t["code"] == code)
    raise AssertionError(f"no taxonomy {taxonomy}")


def _answers(client, probe: dict) -> dict:
    """What a consumer would see, minus the ids and timestamps each database made itself."""
    def names(query):
        response = client.get(f"/oruk/services?per_page=200{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        return body["total_items"], [item["name"] for item in body["contents"]]

    postcode = probe["postcode"].replace(" ", "%20")
    return {
        "all": names(""),
        "text": names("&text=walk"),
        "ages": names("&minimum_age=18&maximum_age=120"),
        "day": names("&day=TU&start_time=09:00&end_time=12:00"),
        "near": names(f"&postcode={postcode}&proximity=3000"),
        "area": names(f"&postcode={postcode}"),
        "category": names(f"&taxonomy_term_id={_term_id(client, *probe['category'])}"),
        "since": names("&modified_after=2000-01-01T00:00:00Z"),
        "page3": names("&page=3&per_page=20"),
        "minimal": client.get("/oruk/services?minimal=true").get_json()["total_items"],
    }


def test_sqlite_and_postgresql_give_the_same_answers(published_directories):
    clients = {b: published_directories.get(b).client for b in ("sqlite", "postgresql")}
    probe = _probe(clients["sqlite"])
    answers = {b: _answers(client, probe) for b, client in clients.items()}
    assert answers["sqlite"] == answers["postgresql"]
    # Each question found something, so agreeing on it meant something.
    assert all(answer[0] > 0 for key, answer in answers["sqlite"].items() if key != "minimal")
