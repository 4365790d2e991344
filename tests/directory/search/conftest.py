"""Search fixtures: a fresh index folder per test, the Wayfinder taxonomy, a fixed clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from directory.search import SearchIndex, SearchRequest, search
from directory.taxonomy import load_wayfinder_taxonomy

# A Monday morning, so "Tuesday 10am" is tomorrow and next week is easy to reason about.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # 09:00 in London (GMT in March)


@pytest.fixture
def index(tmp_path) -> SearchIndex:
    return SearchIndex(tmp_path / "index")


@pytest.fixture
def taxonomy(session):
    load_wayfinder_taxonomy(session)
    session.flush()
    return session


def find(session, index, log: bool = False, **fields):
    """Search with `fields` as the request (and the fixed clock unless given)."""
    fields.setdefault("now", NOW)
    return search(session, SearchRequest(**fields), index=index, log=log)


def names(results) -> list[str]:
    return [r.name for r in results.results]
