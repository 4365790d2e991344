"""The built front-end assets: purging kept every design-system class our pages use, nothing
loads from another origin, and the `reports prune` command works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.web.public.conftest import csrf_token
from web.cli import main

ROOT = Path(__file__).resolve().parents[3]
BUILT = ROOT / "web" / "static" / "vendor" / "nhsuk" / "nhsuk.css"
FULL = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "nhsuk-frontend.css"


def _selectors(css: str) -> set[str]:
    return set(re.findall(r"\.(nhsuk-[a-zA-Z0-9_-]+)", css))


def _pages(client, ids) -> dict[str, str]:
    urls = {
        "start": "/", "results": "/results?where=NE4+5PL", "nothing": "/results?where=NE6+5XA&category=chair-exercise&radius=1",
        "error": "/results?where=Atlantis", "activity": f"/activity/{ids['walk']}", "closed": f"/activity/{ids['lunch']}",
        "embed": "/embed?postcode=NE4+5PL", "embed-error": "/embed?postcode=ZZ99", "print": f"/activity/{ids['walk']}/print",
    }
    pages = {name: client.get(url).get_data(as_text=True) for name, url in urls.items()}
    form = pages["activity"]
    pages["form-errors"] = client.post(f"/activity/{ids['walk']}/report", data={"csrf_token": csrf_token(form), "problem": "other"}).get_data(as_text=True)
    return pages


def test_purged_css_keeps_every_design_system_class_the_pages_use(client, ids):
    if not (BUILT.exists() and FULL.exists()):
        pytest.skip("front-end assets are not built (make assets)")
    kept, everything = _selectors(BUILT.read_text()), _selectors(FULL.read_text())
    missing = {}
    for name, html in _pages(client, ids).items():
        used = {c for attr in re.findall(r'class="([^"]*)"', html) for c in attr.split() if c.startswith("nhsuk-")}
        lost = sorted(c for c in used if c in everything and c not in kept)
        if lost:
            missing[name] = lost
    assert missing == {}


def test_pages_load_nothing_from_another_origin(client, ids):
    for name, html in _pages(client, ids).items():
        for url in re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="([^"]+)"', html):
            assert url.startswith("/") or url.startswith("http://wayfinder.test/"), (name, url)


def test_reports_prune_command(app):
    result = CliRunner().invoke(main, ["reports", "prune", "--days", "180"], env={"DATABASE_URL": app.config["DATABASE_URL"]})
    assert result.exit_code == 0, result.output
    assert re.match(r"Deleted \d+ report\(s\) older than 180 days\.", result.output)
