"""Fetching over HTTP with bounded retries and back-off (requests), shared by every importer.

Publishers' servers rate-limit (429), fall over briefly (502/503/504) and time out; those are
retried with growing delays, honouring `Retry-After`. A missing feed (404, 410) is not going to
come back by retrying, so it stops the import at once with a message saying what to check.
Delays are configurable so tests run in milliseconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import requests

RETRY_STATUSES = {429, 500, 502, 503, 504}
GONE_STATUSES = {404, 410}
USER_AGENT = "Wayfinder-importer/0.1 (+https://github.com/wayfinder; community activity directory)"


class FetchError(Exception):
    """A fetch that failed for good, with a message a person can act on."""

    def __init__(self, url: str, message: str, status: int | None = None, body: str | None = None):
        self.url = url
        self.status = status
        self.body = body
        super().__init__(f"{url}: {message}")


@dataclass
class HttpSettings:
    """How patient to be. `delays` are the waits between attempts (so attempts = len + 1)."""

    delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    timeout: float = 30.0  # seconds for connect and for each read
    max_retry_after: float = 120.0  # never sleep longer than this on a server's say-so
    headers: dict = field(default_factory=dict)


class HttpClient:
    """A `requests.Session` with Wayfinder's retry policy. Use one per import run."""

    def __init__(self, settings: HttpSettings | None = None, sleep=time.sleep):
        self.settings = settings or HttpSettings()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json, application/ld+json;q=0.9, */*;q=0.5"
        self.session.headers.update(self.settings.headers)
        self._sleep = sleep
        self.retries = 0  # how many retries this client needed, for the report

    def get(self, url: str, params: dict | None = None) -> requests.Response:
        """GET `url`, retrying what is worth retrying; raise `FetchError` otherwise."""
        delays = list(self.settings.delays)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.get(url, params=params, timeout=self.settings.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
                if not delays:
                    raise FetchError(
                        url, f"{kind} after {attempt} attempts. Check the address is right and the "
                        "server is up, then run the import again: it resumes where it stopped.",
                    ) from None
                self._wait(delays.pop(0))
                continue
            status = response.status_code
            if status in GONE_STATUSES:
                raise FetchError(
                    url, f"the server says this address does not exist (HTTP {status}). "
                    "Check the URL with the publisher; the feed may have moved.", status,
                )
            if status in RETRY_STATUSES:
                if not delays:
                    raise FetchError(
                        url, f"the server kept failing (HTTP {status}) after {attempt} attempts. "
                        "Try again later: the import resumes where it stopped.", status,
                        response.text[:2000],
                    )
                self._wait(delays.pop(0), response.headers.get("Retry-After"))
                continue
            if status >= 400:
                raise FetchError(
                    url, f"the server refused the request (HTTP {status}): {response.text[:200]!r}",
                    status, response.text[:2000],
                )
            return response

    def get_json(self, url: str, params: dict | None = None):
        """GET and decode JSON; a body that is not JSON (or is cut off) is a `FetchError`."""
        response = self.get(url, params)
        try:
            return json.loads(response.content)  # ints stay exact: RPDE `modified` may pass 2^53
        except (ValueError, UnicodeDecodeError) as exc:
            raise FetchError(
                url, f"the response is not valid JSON ({exc}); it may have been cut off. "
                "The page was kept in quarantine; run the import again to retry it.",
                response.status_code, response.text[:20000],
            ) from None

    def _wait(self, delay: float, retry_after: str | None = None) -> None:
        self.retries += 1
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), self.settings.max_retry_after))
            except ValueError:
                pass  # an HTTP date: our own back-off is good enough
        self._sleep(delay)

    def close(self) -> None:
        self.session.close()
