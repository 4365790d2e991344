"""The anonymous search log: scrubbed words, district only, retention and pruning."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from directory.db import make_engine, make_session_factory, upgrade_database
from directory.models import SearchLogEntry
from directory.search import SearchRequest, prune_search_log
from directory.search.log import district_of, logged_filters, record_search, scrub
from tests.directory.search.conftest import find


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("lonely, call me on 07700 900123", "lonely, call me on [number]"),
        ("walks near NE6 5QT please", "walks near NE6 please"),
        ("email jo.bloggs+x@example.co.uk about choirs", "email [email] about choirs"),
        ("NHS number 4857773456", "NHS number [number]"),
        ("  knit   and natter  ", "knit and natter"),
        ("", None),
    ],
)
def test_words_are_scrubbed_of_personal_details(typed, stored):
    assert scrub(typed) == stored


def test_only_filters_and_a_district_are_kept():
    request = SearchRequest(text="x", near="NE6 5QT", latitude=None, age=70, days=("TU",), free=True, now=datetime.now())
    assert logged_filters(request) == {"age": 70, "days": ["TU"], "free": True}
    assert district_of("ne65qt") == "NE6" and district_of("Heaton") is None


def test_searches_are_recorded_and_old_entries_pruned(session, index):
    find(session, index, text="choir", log=True)
    record_search(session, SearchRequest(text="walks", source="public"), district="NE4", result_count=0)
    entries = session.scalars(select(SearchLogEntry).order_by(SearchLogEntry.id)).all()[-2:]
    assert [(e.query, e.result_count, e.source) for e in entries] == [("choir", 0, "api"), ("walks", 0, "public")]
    old = SearchLogEntry(query="old", filters={}, result_count=1, searched_at=datetime.now(timezone.utc) - timedelta(days=400))
    session.add(old)
    session.flush()
    assert prune_search_log(session, 365) == 1
    assert session.scalar(select(func.count()).select_from(SearchLogEntry).where(SearchLogEntry.query == "old")) == 0
    assert session.scalar(select(func.count()).select_from(SearchLogEntry).where(SearchLogEntry.query == "walks")) == 1
    with pytest.raises(ValueError):
        prune_search_log(session, 0)


def test_commands_prune_and_reindex(tmp_path, monkeypatch):
    from web.cli import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        from tests.factories import make_service

        make_service(session, name="Choir")
        session.add(SearchLogEntry(query="old", filters={}, result_count=1, searched_at=datetime.now(timezone.utc) - timedelta(days=40)))
        session.commit()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WAYFINDER_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("WAYFINDER_SEARCH_LOG_RETENTION_DAYS", "30")
    runner = CliRunner()
    result = runner.invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "1 listings" in result.output
    result = runner.invoke(main, ["search-index", "status"])
    assert "listings: 1" in result.output
    result = runner.invoke(main, ["search-log", "prune"])
    assert result.exit_code == 0 and "Removed 1 search-log entries older than 30 days" in result.output


def test_logging_after_a_search_survives_another_writer_on_sqlite(tmp_path):
    # A search reads inside a transaction; if another connection writes meanwhile, SQLite
    # refuses to upgrade that read snapshot to a write ("database is locked", at once).
    from directory.search import SearchIndex
    from tests.factories import make_service

    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    index = SearchIndex(tmp_path / "index")
    with factory() as searching, factory() as writing:
        find(searching, index, text="choir")  # the read transaction stays open
        make_service(writing, name="Choir")
        writing.commit()
        record_search(searching, SearchRequest(text="choir"), district=None, result_count=0)
        assert searching.scalar(select(func.count()).select_from(SearchLogEntry)) == 1
