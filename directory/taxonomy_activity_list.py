"""The OpenActive Activity List: read its SKOS JSON-LD into term specs, fetch it and cache it.

The Activity List (https://openactive.io/activity-list) is the vocabulary OpenActive feeds use
for `activity`. Wayfinder stores it as its own taxonomy so imported sessions keep the exact
concept they were filed under, alongside Wayfinder's social-prescribing categories.

Codes: a concept's code is the identifier at the end of its `id` URI, the part after ``#``
(for the published list that is the concept's UUID, equal to its `identifier`). OpenActive
promises those identifiers stay stable while labels and notations may be corrected, and feeds
refer to concepts by that URI, so the code maps straight back to what a feed says. The full
URI is kept in `uri`.

Hierarchy: built from `broader` only. The published `narrower` arrays disagree with `broader`
on three concepts (Medau, Rugby League, Rugby Union list narrower concepts that do not exist),
so `narrower` is ignored. A concept with several broader concepts gets the first as its tree
parent and the rest as extra parents; a concept with `topConceptOf` is a root.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import requests

from directory.errors import DirectoryError, ValidationError
from directory.taxonomy_index import TermSpec, validate_specs

log = logging.getLogger(__name__)

# The address OpenActive publishes the list at; deployments opt in by setting ACTIVITY_LIST_URL.
PUBLISHED_URL = "https://openactive.io/activity-list/activity-list.jsonld"
DEFAULT_MAX_AGE = timedelta(days=1)
FETCH_TIMEOUT = (5, 30)  # seconds to connect, seconds between bytes: never hang an import


class ActivityListUnavailable(DirectoryError):
    """The Activity List could not be fetched and there is no cached copy to fall back on."""


def concept_code(uri: str) -> str:
    """The code for a concept URI: the fragment after ``#``, else the last path segment."""
    uri = (uri or "").strip()
    code = uri.rsplit("#", 1)[1] if "#" in uri else uri.rstrip("/").rsplit("/", 1)[-1]
    if not code:
        raise ValidationError("activity_list.id", f"Cannot make a code from the concept id {uri!r}.")
    return code


def _id(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("id") or value.get("@id")
    return value if isinstance(value, str) and value.strip() else None


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value) -> list[str]:
    """Labels as plain strings, whether given as text, a list or a JSON-LD language map."""
    out = []
    for item in _as_list(value):
        if isinstance(item, dict):
            if "@value" in item:
                item = item["@value"]
            else:  # {"en": "Fishing", "cy": "Pysgota"}: English first, then the rest
                ordered = [item[k] for k in sorted(item, key=lambda k: (not k.startswith("en"), k))]
                out.extend(t for v in ordered for t in _text(v))
                continue
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
    return out


def _is_concept(concept: dict) -> bool:
    types = _as_list(concept.get("type", concept.get("@type")))
    # An entry with no type is taken as a concept: it sits in the `concept` array.
    return not types or any(str(t).rsplit(":", 1)[-1].rsplit("#", 1)[-1] == "Concept" for t in types)


def read_activity_list(data: dict) -> list[TermSpec]:
    """Term specs for every concept in an OpenActive Activity List document (SKOS JSON-LD).

    Accepts both `id`/`type` and `@id`/`@type`. `prefLabel` becomes the name, `definition` the
    description, `altLabel`s the synonyms. Raises `ValidationError` when the document has no
    concepts, a concept has no id or label, or the `broader` links are broken or circular.
    """
    concepts = data.get("concept") if isinstance(data, dict) else None
    if not isinstance(concepts, list) or not concepts:
        raise ValidationError(
            "activity_list", "This is not an OpenActive Activity List: it has no `concept` list."
        )
    specs = []
    for n, concept in enumerate(concepts, start=1):
        if not isinstance(concept, dict) or not _is_concept(concept):
            continue
        uri = _id(concept)
        if uri is None:
            raise ValidationError("activity_list.id", f"Concept number {n} has no id.")
        code = concept_code(uri)
        labels = _text(concept.get("prefLabel"))
        if not labels:
            raise ValidationError("activity_list.prefLabel", f"Concept {uri} has no prefLabel.")
        broader = [concept_code(b) for b in (_id(x) for x in _as_list(concept.get("broader"))) if b]
        if concept.get("topConceptOf"):
            parent, extra = None, broader  # a root, even if it also names broader concepts
        else:
            parent, extra = (broader[0] if broader else None), broader[1:]
        synonyms = [s for s in dict.fromkeys(_text(concept.get("altLabel"))) if s != labels[0]]
        definitions = _text(concept.get("definition"))
        specs.append(
            TermSpec(
                code=code,
                name=labels[0],
                description=definitions[0] if definitions else None,
                parent_code=parent,
                synonyms=tuple(synonyms),
                uri=uri,
                extra_parent_codes=tuple(dict.fromkeys(extra)),
            )
        )
    return validate_specs(specs, source="activity_list")


def _parse(body: bytes | str, source: str) -> dict:
    """The JSON document, checked to be an Activity List (raises `ValidationError`)."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ValidationError("activity_list", f"{source} is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("concept"), list) or not data["concept"]:
        raise ValidationError("activity_list", f"{source} is not an OpenActive Activity List (no concepts).")
    return data


def _http_get(url: str) -> bytes:
    """GET `url` with a timeout; an HTTP error status raises."""
    response = requests.get(
        url,
        timeout=FETCH_TIMEOUT,
        headers={"Accept": "application/ld+json, application/json;q=0.9", "User-Agent": "Wayfinder"},
    )
    response.raise_for_status()
    return response.content


def cache_path(url: str, cache_dir: str | Path) -> Path:
    """Where the copy of the list from `url` is kept (one file per address)."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return Path(cache_dir) / f"activity-list-{digest}.jsonld"


def _write_atomically(path: Path, body: bytes) -> None:
    # Write beside the target and rename, so a crash or a second worker never leaves a
    # half-written cache that the next run would trust.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch_activity_list(
    url: str,
    cache_dir: str | Path,
    fetch: Callable[[str], bytes | str] | None = None,
    max_age: timedelta | float | None = DEFAULT_MAX_AGE,
) -> dict:
    """The Activity List document from `url`, through a cache in `cache_dir`.

    A cached copy younger than `max_age` (a timedelta or seconds; None means always ask the
    network first) is used without fetching. Otherwise the list is fetched with `fetch` (a
    callable taking the URL and returning the body; by default an HTTP GET with a timeout),
    checked, and saved to the cache. When the fetch fails or returns something that is not an
    Activity List, the cached copy is used and a warning logged, because a stale list is far
    better than none. With no cached copy it raises `ActivityListUnavailable` saying why.
    """
    fetch = fetch or _http_get
    path = cache_path(url, cache_dir)
    if isinstance(max_age, (int, float)):
        max_age = timedelta(seconds=max_age)
    if path.exists() and max_age is not None:
        age = timedelta(seconds=time.time() - path.stat().st_mtime)
        if age < max_age:
            try:
                return _parse(path.read_bytes(), str(path))
            except ValidationError:
                log.warning("The cached Activity List at %s is damaged; fetching it again.", path)
    try:
        body = fetch(url)
        if isinstance(body, str):
            body = body.encode("utf-8")
        data = _parse(body, url)
    # Any failure of the injected fetch (network, HTTP status, timeout, bad JSON) is handled
    # the same way: fall back to the cache if there is one.
    except Exception as exc:  # noqa: BLE001
        reason = f"{type(exc).__name__}: {exc}"
        if path.exists():
            try:
                cached = _parse(path.read_bytes(), str(path))
            except ValidationError:
                cached = None
            if cached is not None:
                saved = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
                log.warning(
                    "Could not fetch the OpenActive Activity List from %s (%s); using the copy cached on %s.",
                    url, reason, saved.strftime("%Y-%m-%d %H:%M UTC"),
                )
                return cached
        raise ActivityListUnavailable(
            f"Could not fetch the OpenActive Activity List from {url} ({reason}), and there is no "
            f"usable cached copy in {Path(cache_dir)}. Check the address and the network, or load "
            "the list from a file with `wayfinder taxonomy activity-list --file PATH`."
        ) from exc
    _write_atomically(path, body)
    return data
