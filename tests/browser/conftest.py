"""Browser fixtures: the real app on a live server, and Debian's headless Chromium via Playwright.

The server runs in a thread on 127.0.0.1, port 0 (the OS picks a free one), on its own SQLite
file holding a directory. Chromium is the Debian package at /usr/bin/chromium, driven by the
Playwright library from PyPI; Playwright never downloads a browser here. When Chromium is
missing the tests skip with the reason, unless WAYFINDER_REQUIRE_BROWSER=1 (CI), which fails.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from directory.db import make_engine, make_session_factory, upgrade_database
from tests.web.seed import seed_directory
from web import create_app

CHROMIUM = Path(os.environ.get("WAYFINDER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("WAYFINDER_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


class LiveServer:
    """A WSGI app served from a background thread until `stop()`."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def _load_directory(url: str) -> dict[str, str]:
    """Fill the live server's database with the demo directory (seeded, so every run sees the
    same one) plus the fixed listings the journeys look for; returns their ids by a short key."""
    try:
        from directory.demo import DEMO_SEED, generate_demo
    except ImportError:  # the demo generator has not reached this branch yet
        generate_demo = None
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        if generate_demo is not None:
            generate_demo(session, seed=DEMO_SEED)
            session.commit()
        services = seed_directory(session, extra=24)
        ids = {key: s.id for key, s in services.items()}
        session.commit()
    engine.dispose()
    return ids


@pytest.fixture(scope="session")
def live_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite'}"
    upgrade_database(url)
    return url, _load_directory(url), str(tmp_path_factory.mktemp("live-index"))


@pytest.fixture(scope="session")
def live_app(live_db):
    return create_app({"DATABASE_URL": live_db[0], "SEARCH_INDEX_DIR": live_db[2], "SECRET_KEY": "browser-tests"})


@pytest.fixture(scope="session")
def live_server(live_app):
    _need((ROOT / "web" / "static" / "vendor" / "VERSIONS.json").exists(), "front-end assets are not built (run make assets)")
    server = LiveServer(live_app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_ids(live_db) -> dict[str, str]:
    return live_db[1]


@pytest.fixture(scope="session")
def browser():
    _need(CHROMIUM.exists(), f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone first
    context.set_default_timeout(10_000)  # fail fast: every page here answers in milliseconds
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page whose CSP lets us inject axe-core (our CSP rightly refuses injected scripts)."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def run_axe(page) -> list[dict]:
    """Inject axe-core from node_modules (offline) and return WCAG 2.2 AA violations."""
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
        }"""
    )
