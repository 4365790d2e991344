"""axe-core finds no WCAG 2.2 AA problems on any public page or the embed, and each page
(HTML plus every same-origin file it loads, map off) weighs at most 150 KB."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import run_axe

pytestmark = pytest.mark.browser

BUDGET = 150 * 1024


def _pages(ids):
    return {
        "start": "/",
        "results": "/results?where=NE4+5PL",
        "results-filtered": "/results?where=NE4+5PL&only=free&day=TU&access=step-free&category=physical-activity",
        "nothing-found": "/results?where=NE4+5PL&q=Quillfield&radius=1",
        "place-error": "/results?where=Atlantis",
        "activity": f"/activity/{ids['walk']}",
        "activity-full": f"/activity/{ids['lunch']}",
        "activity-referral": f"/activity/{ids['referral']}",
        "activity-phone": f"/activity/{ids['phone']}",
        "print": f"/activity/{ids['walk']}/print",
        "embed": "/embed?postcode=NE4+5PL",
        "embed-error": "/embed?postcode=Atlantis",
        "embed-demo": "/embed/demo",
        "not-found": "/no-such-page",
    }


@pytest.mark.parametrize("name", list(_pages({k: "x" for k in ["walk", "lunch", "referral", "phone"]})))
def test_no_wcag_violations(live_server, live_ids, axe_page, name):
    axe_page.goto(live_server.url + _pages(live_ids)[name])
    assert run_axe(axe_page) == []


def test_no_wcag_violations_on_a_report_form_with_errors(live_server, live_ids, axe_page):
    page = axe_page
    page.goto(f"{live_server.url}/activity/{live_ids['walk']}")
    page.get_by_label("Something else").check()
    page.get_by_label("Your email address (optional)").fill("not an email")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert run_axe(page) == []


@pytest.mark.parametrize("name", ["start", "results", "activity", "print", "embed"])
def test_page_weight_is_within_budget(live_server, live_ids, browser, name):
    """Sum the bytes of the page and everything it loads from our origin, on a cold cache."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    origin = urlsplit(live_server.url).netloc
    loaded: dict[str, int] = {}

    def count(response):
        if urlsplit(response.url).netloc == origin:
            loaded[response.url] = len(response.body())

    page.on("response", count)
    page.goto(live_server.url + _pages(live_ids)[name], wait_until="networkidle")
    context.close()
    total = sum(loaded.values())
    print(f"{name}: {total} bytes in {len(loaded)} files")
    assert len(loaded) > 1  # the page and at least its stylesheet
    assert total <= BUDGET, sorted(loaded.items(), key=lambda kv: -kv[1])
