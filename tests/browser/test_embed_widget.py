"""The embed widget on a practice website: another origin (another port) serves the practice
page with the snippet. Registered, the widget shows and fits its content; unregistered, the
browser refuses to frame it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from directory.db import make_engine, make_session_factory
from directory.embed_origins import register_origin
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def practice_site(widget_host: str):
    """A tiny WSGI app: a practice page with the snippet pasted in, as a practice would."""

    def app(environ, start_response):
        body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Elswick Road Surgery</title></head>
<body><h1>Elswick Road Surgery</h1><p>Find something to do near the surgery.</p>
<script src="{widget_host}/embed.js" data-postcode="NE4 5PL" data-categories="lunch-clubs"
  data-radius="3" data-title="Activities near the surgery"></script>
<p id="after">Opening hours: 8am to 6:30pm.</p></body></html>"""
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    return app


@pytest.fixture(scope="module")
def registered_practice(live_server, live_db):
    server = LiveServer(practice_site(live_server.url))
    engine = make_engine(live_db[0])
    with make_session_factory(engine)() as session:
        register_origin(session, "browser-test", server.url, "Elswick Road Surgery")
        session.commit()
    engine.dispose()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def unregistered_practice(live_server):
    server = LiveServer(practice_site(live_server.url))
    yield server
    server.stop()


def _frame_height(page) -> float:
    return page.locator("iframe.wayfinder-embed").evaluate("f => f.getBoundingClientRect().height")


def _content_height(frame) -> float:
    return frame.locator(".wf-embed").evaluate(
        "el => el.getBoundingClientRect().height + parseFloat(getComputedStyle(document.body).marginTop)"
        " + parseFloat(getComputedStyle(document.body).marginBottom)")


def test_widget_renders_and_fits_its_content_on_a_registered_site(registered_practice, live_server, page):
    page.goto(registered_practice.url)
    frame = page.frame_locator("iframe.wayfinder-embed")
    expect(frame.locator("h1")).to_have_text("Activities near the surgery")
    expect(frame.locator("ol.wf-results > li").first).to_be_visible()
    expect(page.locator("iframe.wayfinder-embed")).to_have_attribute("title", "Activities near the surgery")

    # The iframe takes its content's height (not the 420px it starts at), so nothing scrolls inside it.
    inner = page.frame(url=lambda url: "/embed?" in url)
    page.wait_for_function("() => document.querySelector('iframe.wayfinder-embed').style.height !== '420px'")
    assert abs(_frame_height(page) - _content_height(inner)) <= 2

    # When the content grows, the iframe follows.
    before = _frame_height(page)
    inner.evaluate("() => { const p = document.createElement('p'); p.style.height = '300px'; document.querySelector('.wf-embed').append(p); }")
    page.wait_for_function(f"() => document.querySelector('iframe.wayfinder-embed').getBoundingClientRect().height > {before + 250}")

    # Another script on the practice page cannot resize it: only our iframe, from our origin, may.
    settled = _frame_height(page)
    page.evaluate("() => window.postMessage({type: 'wayfinder:height', height: 5}, '*')")
    page.wait_for_timeout(200)
    assert _frame_height(page) == settled

    # A result opens the full page in the top window, on Wayfinder.
    first = frame.locator("ol.wf-results a").first
    name = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + "/activity/"))
    expect(page.locator("h1")).to_have_text(name)


def test_widget_is_refused_on_an_unregistered_site(unregistered_practice, page):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(unregistered_practice.url)
    page.wait_for_function("() => document.querySelector('iframe.wayfinder-embed')")
    page.wait_for_timeout(500)
    assert any("frame-ancestors 'none'" in text and "blocked" in text for text in refused), refused
    inner = page.frame(url=lambda url: "/embed?" in url)
    assert inner is None or "Activities near the surgery" not in (inner.content() if inner.url.startswith("http") else "")
    expect(page.locator("#after")).to_be_visible()  # the practice page itself is unharmed
