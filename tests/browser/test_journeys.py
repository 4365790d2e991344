"""A person's journeys in real headless Chromium: with JavaScript, and with it switched off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _journey(page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Where are you?").fill("NE4 5PL")
    page.get_by_label("What would you like help with?").fill("I would like to go walking")
    page.locator("form.wf-search").get_by_role("button", name="Search").click()

    expect(page.locator("h1")).to_contain_text("within 3 miles of NE4 5PL")
    results = page.locator("ol.wf-results")
    expect(results).to_contain_text("Elswick Park Health Walk")
    for fact in ("Distance", "Next session", "Cost", "Access"):
        expect(results.locator("dt", has_text=fact).first).to_be_visible()
    expect(results.locator(".nhsuk-tag").first).to_be_visible()  # turn up, or ask to be referred

    # Filter: only what you can just turn up to. Nothing that needs a referral is left.
    page.locator("#filters").get_by_label("You can just turn up").check()
    page.locator("#filters").get_by_role("button", name="Update results").click()
    expect(page).to_have_url(re.compile(r"only=turn-up"))
    expect(results).not_to_contain_text("Ask to be referred")
    expect(results).not_to_contain_text("Gateshead Cardiac Rehab Walk")
    expect(page.locator("#filters").get_by_label("You can just turn up")).to_be_checked()

    page.get_by_role("link", name="Elswick Park Health Walk").click()
    expect(page.locator("h1")).to_have_text("Elswick Park Health Walk")
    expect(page.locator("main")).to_contain_text("Every Tuesday, 10am to 11:30am")

    # Printed straight from the activity page, the header, search and forms stay off the paper.
    page.emulate_media(media="print")
    expect(page.locator("header.nhsuk-header")).to_be_hidden()
    expect(page.locator("#report ~ form")).to_be_hidden()
    expect(page.locator("#when")).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Print this page").click()
    expect(page.locator("h1")).to_have_text("Elswick Park Health Walk")
    expect(page.locator("body")).to_contain_text("See the latest details at")


def test_postcode_and_need_to_results_filter_activity_and_print(live_server, page):
    _journey(page, live_server.url)
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # JavaScript adds it


def test_the_same_journey_without_javascript(live_server, nojs_page):
    _journey(nojs_page, live_server.url)
    expect(nojs_page.get_by_role("button", name="Print")).to_be_hidden()  # and nothing breaks


def test_paginated_results_keep_the_filters(live_server, page):
    page.goto(live_server.url + "/results?where=NE4+5PL&access=step-free")
    expect(page.locator("ol.wf-results > li")).to_have_count(10)
    page.get_by_role("navigation", name="Pages of results").get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).to_have_url(re.compile(r"access=step-free"))
    expect(page.locator("ol.wf-results")).to_have_attribute("start", "11")


def test_report_something_wrong_by_keyboard(live_server, page, live_ids):
    page.goto(f"{live_server.url}/activity/{live_ids['chair']}")
    page.get_by_role("link", name="Report something wrong").focus()
    page.keyboard.press("Enter")
    page.get_by_label("The day or time is wrong").check()
    page.get_by_label("Tell us more (optional)").fill("It is on Fridays now.")
    page.get_by_role("button", name="Send report").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Thank you")


def test_nothing_found_is_never_a_dead_end(live_server, page):
    page.goto(live_server.url + "/results?where=NE4+5PL&q=Quillfield&radius=1")
    expect(page.locator("h1")).to_contain_text("Nothing found")
    page.get_by_role("link", name=re.compile(r"Look further away, up to 25 miles")).click()
    expect(page.locator("ol.wf-results")).to_contain_text("Quillfield Riverside Walk")


def test_the_optional_map_shows_the_results_when_asked(live_db, page):
    from tests.browser.conftest import LiveServer
    from web import create_app

    app = create_app({"DATABASE_URL": live_db[0], "SEARCH_INDEX_DIR": live_db[2], "SECRET_KEY": "browser-tests"})
    server = LiveServer(app)
    try:
        # Tiles from our own origin: the test machine has no network, and this checks the wiring.
        app.config["MAP_TILE_URL"] = server.url + "/static/icons/generic.svg?{z}/{x}/{y}"
        page.goto(server.url + "/results?where=NE4+5PL")
        expect(page.locator("#wf-map")).to_be_hidden()  # the list comes first; the map waits
        page.get_by_text("Show these on a map").click()
        expect(page.locator("#wf-map .leaflet-marker-icon")).to_have_count(10)
        expect(page.locator("#wf-map img.leaflet-tile").first).to_be_attached()
    finally:
        server.stop()
