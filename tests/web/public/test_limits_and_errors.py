"""Rate limits on the forms anyone can post, and error pages a person can act on."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from directory.models import ProblemReport
from tests.web.public.conftest import csrf_token
from web import create_app


def _app(web_db, **config):
    return create_app({"TESTING": True, "DATABASE_URL": web_db[0], "SEARCH_INDEX_DIR": web_db[2],
                       "SECRET_KEY": "test-secret", "SERVER_NAME": "wayfinder.test", **config})


def _post_reports(client, service_id: str, times: int) -> list:
    page = client.get(f"/activity/{service_id}").get_data(as_text=True)
    token = csrf_token(page)
    return [client.post(f"/activity/{service_id}/report",
                        data={"csrf_token": token, "problem": "times", "details": f"try {n}"})
            for n in range(times)]


def _statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def _count_reports(app, service_id: str) -> int:
    with app.extensions["wayfinder_db"].session_factory() as session:
        return session.scalar(select(func.count()).select_from(ProblemReport)
                              .where(ProblemReport.service_id == service_id))


def test_the_report_form_is_rate_limited_per_address_with_a_plain_page(web_db, ids):
    app = _app(web_db, REPORT_RATE_LIMIT="3 per 10 minutes")
    client = app.test_client()
    before = _count_reports(app, ids["walk"])
    responses = _post_reports(client, ids["walk"], 5)
    assert _statuses(responses) == [302, 302, 302, 429, 429]
    assert _count_reports(app, ids["walk"]) == before + 3  # the refused posts stored nothing
    page = responses[-1]
    html = page.get_data(as_text=True)
    assert page.status_code == 429 and "wait a few minutes" in html and "<title>Too many requests" in html
    assert int(page.headers["Retry-After"]) > 0
    # Another visitor is not blocked by the first one's posts.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert _statuses(_post_reports(other, ids["walk"], 1)) == [302]
    app.extensions["wayfinder_db"].engine.dispose()


def test_limits_are_shared_between_workers_through_redis(web_db, ids):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis server at 127.0.0.1:6379: {exc}")
    # A fresh key prefix so runs (and parallel test workers) never see each other's counters.
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "REPORT_RATE_LIMIT": "2 per minute",
              "RATELIMIT_KEY_PREFIX": f"wayfinder-test-{uuid.uuid4().hex}"}
    first, second = _app(web_db, **config), _app(web_db, **config)
    assert _statuses(_post_reports(first.test_client(), ids["lunch"], 2)) == [302, 302]
    assert _statuses(_post_reports(second.test_client(), ids["lunch"], 1)) == [429]
    for app in (first, second):
        app.extensions["wayfinder_db"].engine.dispose()


def test_an_unknown_page_is_a_plain_english_404(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "<title>Page not found - Wayfinder</title>" in html
    assert "We cannot find that page" in html and 'href="/"' in html


def test_api_paths_keep_json_errors(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.is_json


def test_the_match_api_is_rate_limited_in_json(web_db):
    app = _app(web_db, MATCH_RATE_LIMIT="1 per minute")
    client = app.test_client()
    client.post("/api/v1/match", json={"postcode": "NE4 5PL", "interests": "walking"})
    response = client.post("/api/v1/match", json={"postcode": "NE4 5PL", "interests": "walking"})
    assert response.status_code == 429 and response.is_json
    assert response.get_json()["error"] == "too_many_requests"
    app.extensions["wayfinder_db"].engine.dispose()
