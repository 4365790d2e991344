"""OpenActive: reading RPDE 1.0 feeds and discovering them from a dataset site.

RPDE is a change feed. A consumer follows `next` until a page has no items and its `next` is
the URL it was fetched from - that is the end, for now; an empty page whose `next` differs is
just a gap and reading goes on. The last `next` is saved with each page so the following run
asks only for what changed since. Both ordering strategies (`afterTimestamp`/`afterId` and
`afterChangeNumber`) look the same from here: the publisher builds `next`, we follow it.

Items become records in `importers.openactive_items`; this module only fetches and pages.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from importers.http import FetchError, HttpClient
from importers.openactive_items import parse_item
from importers.records import Page, Reader

RPDE_FORMAT = "application/vnd.openactive.rpde+json"
MAX_EMPTY_PAGES = 1000  # an empty page that is not the end; more than this in a row is a loop
# Feeds whose items are listings come before feeds of their sessions, so parents exist first.
_FEED_ORDER = ("SessionSeries", "EventSeries", "CourseInstance", "Course", "FacilityUse",
               "IndividualFacilityUse", "Event", "HeadlineEvent", "OnDemandEvent",
               "ScheduledSession", "Slot")
_LD_SCRIPT = re.compile(r'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>', re.S | re.I)


class RpdeReader(Reader):
    """Pages from one or more RPDE feeds, resuming each from its saved `next` URL."""

    snapshot = False

    def __init__(self, feeds: list[tuple[str, str]], client: HttpClient):
        self.feeds = feeds  # (name, url); the name scopes RPDE ids when there are several feeds
        self.client = client
        self.notes: list[str] = []

    def pages(self, state: dict):
        saved = dict(state.get("feeds") or {})
        for name, feed_url in self.feeds:
            scope = f"{name}:" if len(self.feeds) > 1 else ""
            url = saved.get(feed_url) or feed_url
            empty_run = 0
            while True:
                body = self.client.get_json(url)
                items, next_url = _check_page(url, body)
                records = []
                for item in items:
                    records.extend(parse_item(item, scope))
                saved[feed_url] = next_url
                yield Page(records, state={"feeds": dict(saved)}, label=url)
                if next_url == url:
                    if items:
                        self.notes.append(
                            f"{url} returned items but named itself as `next`; stopped there to "
                            "avoid reading it forever. Tell the publisher their feed does not advance."
                        )
                    break
                empty_run = empty_run + 1 if not items else 0
                if empty_run > MAX_EMPTY_PAGES:
                    raise FetchError(url, f"more than {MAX_EMPTY_PAGES} empty pages in a row without "
                                          "reaching the end; the feed's `next` links go round in circles.")
                url = next_url

    def report_notes(self) -> list[str]:
        return self.notes


def _check_page(url: str, body) -> tuple[list, str]:
    """The items and absolute `next` of an RPDE page, or a `FetchError` saying what is wrong."""
    if not isinstance(body, dict):
        raise FetchError(url, "this is not an RPDE page (expected a JSON object with `items` and `next`).")
    items, next_url = body.get("items"), body.get("next")
    if not isinstance(items, list):
        raise FetchError(url, "the page has no `items` list, so it is not an RPDE feed page. "
                              "If this is a dataset site, give its address instead.")
    if not isinstance(next_url, str) or not next_url.strip():
        raise FetchError(url, "the page has no `next` URL, so the feed cannot be followed. "
                              "RPDE requires `next` on every page, including the last.")
    return items, urljoin(url, next_url.strip())


def discover(url: str, client: HttpClient) -> list[tuple[str, str]]:
    """The feeds behind `url`: itself if it is an RPDE page, or a dataset site's RPDE feeds."""
    response = client.get(url)
    text = response.text
    try:
        body = json.loads(response.content)
    except ValueError:
        match = _LD_SCRIPT.search(text)  # a dataset site is HTML with its JSON-LD embedded
        if not match:
            raise FetchError(url, "this is neither an RPDE feed nor an OpenActive dataset site "
                                  "(no JSON and no embedded JSON-LD).") from None
        try:
            body = json.loads(match.group(1))
        except ValueError as exc:
            raise FetchError(url, f"the dataset site's JSON-LD is broken ({exc}).") from None
    if isinstance(body, dict) and "items" in body:
        return [("feed", url)]
    downloads = body.get("distribution") if isinstance(body, dict) else None
    if not isinstance(downloads, list):
        raise FetchError(url, "this is neither an RPDE feed (no `items`) nor a dataset site (no `distribution`).")
    feeds = []
    for dl in downloads:
        if not isinstance(dl, dict):
            continue
        fmt = str(dl.get("encodingFormat") or "")
        content = dl.get("contentUrl")
        if RPDE_FORMAT not in fmt or not isinstance(content, str):
            continue
        name = str(dl.get("identifier") or dl.get("name") or str(dl.get("additionalType", "")).rsplit("/", 1)[-1])
        feeds.append((name, urljoin(url, content)))
    if not feeds:
        raise FetchError(url, "the dataset site lists no RPDE feeds in its `distribution`.")
    rank = {name: i for i, name in enumerate(_FEED_ORDER)}
    return sorted(feeds, key=lambda f: rank.get(f[0], len(rank)))


def reader_for(url: str, client: HttpClient, feeds: list | None = None) -> RpdeReader:
    """A reader for a feed or dataset site URL (feeds found earlier can be passed in)."""
    return RpdeReader([tuple(f) for f in feeds] if feeds else discover(url, client), client)
