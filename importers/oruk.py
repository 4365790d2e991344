"""Open Referral UK APIs: ORUK 3.0 / HSDS 3.0, and legacy ORUK 1.0.

ORUK 3.0 lists services in pages (`contents`, `page_number`, `total_pages`, `total_items`) with
partial records, and serves the full record at `/services/{id}`. Legacy 1.0 APIs page
Spring-style (`content`, `number` from 0, `totalPages`, `totalElements`) with full records.
Publishers' paging is not always honest, so the reader trusts what it sees over what it is
told: it reads on while pages have new records, stops when a page repeats the last one, and
notes when the counts disagree or an id turns up twice.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from directory.errors import ValidationError

from importers.http import FetchError, HttpClient
from importers.oruk_map import service_record
from importers.records import Page, Reader, Rejected, Skipped

MAX_PAGES = 100_000


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"] + [("page", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def services_url(url: str) -> str:
    """The `/services` listing for an API base URL (or the listing URL itself)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.endswith("/services"):
        path += "/services"
    return urlunsplit(parts._replace(path=path))


class OrukReader(Reader):
    """Every service of an ORUK API, one listing page at a time (a snapshot of the API)."""

    snapshot = True

    def __init__(self, url: str, client: HttpClient, fetch_details: bool | None = None):
        self.list_url = services_url(url)
        self.client = client
        self.fetch_details = fetch_details
        self.notes: list[str] = []
        self._digests: dict[str, str] = {}

    def pages(self, state: dict):
        first = self.client.get_json(self.list_url)
        legacy = isinstance(first, dict) and "content" in first and "contents" not in first
        if not isinstance(first, dict) or not isinstance(first.get("content" if legacy else "contents"), list):
            raise FetchError(self.list_url, "this is not an Open Referral /services page (no `contents` "
                                            "or `content` list). Check the API address.")
        start = first.get("number", 0) if legacy else first.get("page_number", 1)
        start = start if isinstance(start, int) else (0 if legacy else 1)
        total_pages = first.get("totalPages" if legacy else "total_pages")
        total_items = first.get("totalElements" if legacy else "total_items")
        page_no = state.get("page") or start
        body = first if page_no == start else None
        listed = 0
        previous_ids = None
        for _ in range(MAX_PAGES):
            if body is None:
                body = self.client.get_json(_with_page(self.list_url, page_no))
            rows = body.get("content" if legacy else "contents") if isinstance(body, dict) else None
            if not isinstance(rows, list):
                raise FetchError(_with_page(self.list_url, page_no), "the page has no list of services.")
            ids = [str(r.get("id")) for r in rows if isinstance(r, dict)]
            if not rows or ids == previous_ids:
                if ids and ids == previous_ids:
                    self.notes.append(f"Page {page_no} repeated the previous page; the API ignores `page`. Stopped.")
                break
            listed += len(rows)
            items = [self._record(r, legacy) for r in rows]
            yield Page(items, state={"page": page_no + 1}, label=f"page {page_no}",
                       total=total_items if isinstance(total_items, int) else None)
            previous_ids = ids
            last_flag = body.get("last" if legacy else "last_page")
            page_no += 1
            body = None
            if isinstance(total_pages, int) and page_no - start >= total_pages and last_flag is not False:
                break
            if last_flag is True and not (isinstance(total_pages, int) and page_no - start < total_pages):
                break
        if isinstance(total_items, int) and total_items != listed:
            self.notes.append(f"The API said it had {total_items} services but its pages listed {listed}.")
        yield Page([], state={}, label="end")  # a finished snapshot: the next run starts again

    def _record(self, row, legacy: bool):
        if not isinstance(row, dict):
            return Rejected(None, "A service in the list is not a JSON object.", row)
        sid = str(row.get("id") or "").strip()
        raw = row
        if not legacy and sid and self._wants_details(row):
            try:
                raw = self.client.get_json(f"{self.list_url}/{sid}")
            except FetchError as exc:
                return Rejected(sid, f"The full record could not be fetched: {exc}", row)
            if not isinstance(raw, dict) or str(raw.get("id")) != sid:
                return Rejected(sid, f"{self.list_url}/{sid} returned a different service "
                                     f"(id {raw.get('id') if isinstance(raw, dict) else '?'}).", raw)
        digest = hashlib.sha1(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
        if sid and sid in self._digests:
            if self._digests[sid] == digest:
                self.notes.append(f"Service {sid} was listed twice (on two pages); it was read once.")
                return Skipped(sid)
            return Rejected(sid, f"The id {sid} is used by two different services in this API; the second "
                                 "was kept aside. Ask the publisher to give each service its own id.", raw)
        if sid:
            self._digests[sid] = digest
        try:
            return service_record(raw, legacy=legacy)
        except ValidationError as exc:
            return Rejected(sid or None, f"{exc.field}: {exc.message}", raw)

    def _wants_details(self, row: dict) -> bool:
        if self.fetch_details is not None:
            return self.fetch_details
        # A list entry with its schedules and locations is already the full record.
        return not ("service_at_locations" in row and "schedules" in row)

    def report_notes(self) -> list[str]:
        return list(dict.fromkeys(self.notes))

