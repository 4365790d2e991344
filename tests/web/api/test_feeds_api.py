"""The `/feeds/services` RPDE endpoint over HTTP: next URLs, the last page, cache headers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from directory.export import rpde
from directory.services import delete_service, update_service
from tests.export_data import add_fillers, build_directory
from tests.oruk_conformance import rpde_page_problems


@pytest.fixture
def directory(session):
    d = build_directory(session)
    session.commit()
    return d


def walk_feed(client, url="/feeds/services?limit=4"):
    """Follow `next` until it points at itself; returns (items, responses)."""
    items, responses = [], []
    for _ in range(500):
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        responses.append(response)
        body = response.get_json()
        items += body["items"]
        if body["next"] == response.request.url:
            assert body["items"] == []
            return items, responses
        url = body["next"]
    raise AssertionError("the feed never reached its last page")


def test_following_next_reaches_the_end_and_every_page_conforms(client, directory, standards):
    items, responses = walk_feed(client)
    assert len(items) == len(directory.services) == 10
    for response in responses:
        assert rpde_page_problems(standards, response.get_json()) == []
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    query = parse_qs(urlsplit(responses[0].get_json()["next"]).query)
    assert query == {"afterTimestamp": [str(items[3]["modified"])], "afterId": [items[3]["id"]], "limit": ["4"]}


def test_cache_headers_follow_the_rpde_guidance(client, directory):
    _, responses = walk_feed(client)
    assert [r.headers["Cache-Control"] for r in responses] == [
        rpde.FULL_PAGE_CACHE, rpde.FULL_PAGE_CACHE, rpde.LAST_PAGE_CACHE, rpde.LAST_PAGE_CACHE]
    assert "max-age=3600" in rpde.FULL_PAGE_CACHE and "max-age=8" in rpde.LAST_PAGE_CACHE


def test_last_page_url_is_stable_and_picks_up_new_changes(client, directory, session):
    items, responses = walk_feed(client)
    last_url = responses[-1].request.url
    update_service(session, "e@example.org", directory.services["swim"].id, {"capacity_status": "full"})
    delete_service(session, "e@example.org", directory.services["fair"].id)
    session.commit()
    body = client.get(last_url).get_json()
    assert [(i["id"], i["state"]) for i in body["items"]] == [
        (directory.services["swim"].id, "updated"), (directory.services["fair"].id, "deleted")]
    everything, _ = walk_feed(client)
    assert [i["id"] for i in everything].count(directory.services["swim"].id) == 1


def test_default_page_size_and_no_limit_in_next(client, directory):
    body = client.get("/feeds/services").get_json()
    assert len(body["items"]) == 10
    assert "limit" not in parse_qs(urlsplit(body["next"]).query)


def test_conditional_requests_on_the_feed(client, directory):
    first = client.get("/feeds/services")
    assert client.get("/feeds/services", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("query", ["afterTimestamp=3", "afterId=abc", "afterTimestamp=x&afterId=y", "limit=0", "limit=5000"])
def test_bad_cursors_are_json_400s(client, query):
    response = client.get(f"/feeds/services?{query}")
    assert response.status_code == 400 and response.is_json


def test_feed_index(client):
    body = client.get("/feeds/").get_json()
    assert body["feeds"][0]["url"] == "http://localhost/feeds/services"


def test_larger_feed_pages_fill_up(client, session):
    add_fillers(session, 23)
    session.commit()
    items, responses = walk_feed(client, "/feeds/services?limit=10")
    assert [len(r.get_json()["items"]) for r in responses] == [10, 10, 3, 0]
    assert len({i["id"] for i in items}) == 23
