"""Conformance checks against the standards in ../shared, used by the export and API tests.

- `OrukSchemas`: jsonschema validators (Draft 2020-12, with format checking) for the UK
  profile's schemas. Every schema file under the profile's `schema/` folder is registered under
  the URL the profile publishes it at, so `$ref`s (relative ones, and the absolute URLs in the
  profile's OpenAPI document) resolve to the local copies; nothing is fetched.
- `page_problems`: the paging rules the schemas cannot express.
- `rpde_page_problems`: an RPDE page checked against OpenActive's FeedPage/FeedItem models
  (required fields, allowed states, integer `modified`, no `data` on a tombstone, absolute URLs).
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

PROFILE_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
HSDS_CORE_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _resources(folder: Path, base: str) -> list[tuple[str, Resource]]:
    found = []
    for path in sorted(folder.rglob("*.json")):
        contents = json.loads(path.read_text())
        found.append((base + path.relative_to(folder).as_posix(),
                      Resource.from_contents(contents, default_specification=DRAFT202012)))
    return found


class OrukSchemas:
    """Validators for the UK profile (and HSDS 3.0 core) read from the shared standards folder."""

    def __init__(self, standards: Path):
        openreferral = standards / "openreferral"
        self.registry = Registry().with_resources(
            _resources(openreferral / "oruk-3.0-uk-profile" / "schema", PROFILE_BASE)
            + _resources(openreferral / "hsds-3.0" / "schema", HSDS_CORE_BASE)
        )
        self.format_checker = FormatChecker()

    def validator(self, ref: str) -> Draft202012Validator:
        """A validator for the schema at `ref` (a URL under one of the bases, with a fragment)."""
        return Draft202012Validator({"$ref": ref}, registry=self.registry, format_checker=self.format_checker)

    def _openapi_response(self, path: str) -> Draft202012Validator:
        pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + \
            "/get/responses/200/content/application~1json/schema"
        return self.validator(PROFILE_BASE + "openapi.json#" + pointer)

    @cached_property
    def service(self) -> Draft202012Validator:
        return self.validator(PROFILE_BASE + "compiled/service.json")

    @cached_property
    def service_core(self) -> Draft202012Validator:
        """HSDS 3.0 core, whose compiled schema uses internal `#/definitions` references."""
        return self.validator(HSDS_CORE_BASE + "compiled/service_with_definitions.json")

    @cached_property
    def service_list_item(self) -> Draft202012Validator:
        return self.validator(PROFILE_BASE + "compiled/service_list.json")

    @cached_property
    def service_page(self) -> Draft202012Validator:
        """The `/services` 200 response as the profile's OpenAPI document defines it."""
        return self._openapi_response("/services")

    @cached_property
    def api_details(self) -> Draft202012Validator:
        return self._openapi_response("/")

    @cached_property
    def taxonomy(self) -> Draft202012Validator:
        return self.validator(PROFILE_BASE + "taxonomy.json")

    @cached_property
    def taxonomy_page(self) -> Draft202012Validator:
        return self._openapi_response("/taxonomies")

    @cached_property
    def taxonomy_term(self) -> Draft202012Validator:
        return self.validator(PROFILE_BASE + "taxonomy_term.json")

    @cached_property
    def taxonomy_term_page(self) -> Draft202012Validator:
        return self._openapi_response("/taxonomy_terms")

    @cached_property
    def organization(self) -> Draft202012Validator:
        return self.validator(PROFILE_BASE + "compiled/organization.json")

    @cached_property
    def organization_list_item(self) -> Draft202012Validator:
        return self.validator(PROFILE_BASE + "compiled/organization_list.json")


def errors(validator: Draft202012Validator, instance) -> list[str]:
    """Every schema error as ``path: message``, so a failing assertion says what and where."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


def coordinate_problems(service: dict) -> list[str]:
    """Latitude/longitude out of range (the schemas accept any number)."""
    problems = []
    for sal in service.get("service_at_locations", []):
        loc = sal.get("location", {})
        lat, lon = loc.get("latitude"), loc.get("longitude")
        if lat is not None and not -90 <= lat <= 90:
            problems.append(f"location {loc.get('id')}: latitude {lat}")
        if lon is not None and not -180 <= lon <= 180:
            problems.append(f"location {loc.get('id')}: longitude {lon}")
        if (lat is None) != (lon is None):
            problems.append(f"location {loc.get('id')}: only one of latitude/longitude")
    return problems


def page_problems(page: dict, per_page: int | None = None) -> list[str]:
    """HSDS page invariants: counts and flags true to the page, no id twice on it."""
    problems = []
    contents = page.get("contents", [])
    if page.get("size") != len(contents):
        problems.append(f"size {page.get('size')} but {len(contents)} items")
    if page.get("empty") != (len(contents) == 0):
        problems.append(f"empty is {page.get('empty')} with {len(contents)} items")
    if page.get("first_page") != (page.get("page_number") == 1):
        problems.append(f"first_page is {page.get('first_page')} on page {page.get('page_number')}")
    total_pages = page.get("total_pages")
    if page.get("last_page") != (page.get("page_number", 0) >= (total_pages or 0)):
        problems.append(f"last_page is {page.get('last_page')} on page {page.get('page_number')} of {total_pages}")
    if per_page:
        if total_pages != math.ceil(page.get("total_items", 0) / per_page):
            problems.append(f"total_pages {total_pages} for {page.get('total_items')} items at {per_page} a page")
        if len(contents) > per_page:
            problems.append(f"{len(contents)} items on a page of {per_page}")
    ids = [item.get("id") for item in contents]
    if len(ids) != len(set(ids)):
        problems.append("an id appears twice on the page")
    return problems


def _model(standards: Path, name: str) -> dict:
    return json.loads((standards / "openactive" / "data-models-models" / f"rpde-{name}.json").read_text())


def _absolute_url(value) -> bool:
    parts = urlsplit(str(value))
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def rpde_page_problems(standards: Path, page: dict) -> list[str]:
    """An RPDE page against OpenActive's FeedPage and FeedItem models, where they apply.

    `kind`'s option list names OpenActive opportunity types; Wayfinder's items are HSDS
    services, so that one list does not apply (the RPDE spec itself leaves `kind` open).
    """
    feed_page, feed_item = _model(standards, "FeedPage"), _model(standards, "FeedItem")
    problems = [f"page lacks {f}" for f in feed_page["requiredFields"] if f not in page]
    problems += [f"page has {f}, which FeedPage does not define" for f in page if f not in feed_page["inSpec"]]
    if "next" in page and not _absolute_url(page["next"]):
        problems.append(f"next is not an absolute URL: {page['next']!r}")
    if "license" in page and not _absolute_url(page["license"]):
        problems.append("license is not a URL")
    if not isinstance(page.get("items"), list):
        return problems + ["items is not a list"]
    states = feed_item["fields"]["state"]["options"]
    for n, item in enumerate(page["items"]):
        where = f"item {n} ({item.get('id')})"
        problems += [f"{where} lacks {f}" for f in feed_item["requiredFields"] if f not in item]
        problems += [f"{where} has {f}, not in FeedItem" for f in item if f not in feed_item["inSpec"]]
        if item.get("state") not in states:
            problems.append(f"{where} state {item.get('state')!r} not in {states}")
        # "Integer values must be represented as integers, not strings."
        if not isinstance(item.get("modified"), int) or isinstance(item.get("modified"), bool):
            problems.append(f"{where} modified {item.get('modified')!r} is not an integer")
        if item.get("state") == "deleted" and "data" in item:
            problems.append(f"{where} is deleted but carries data")
        if item.get("state") == "updated" and "data" not in item:
            problems.append(f"{where} is updated but has no data")
        if not isinstance(item.get("kind"), str) or not item.get("kind"):
            problems.append(f"{where} kind is not text")
    return problems
