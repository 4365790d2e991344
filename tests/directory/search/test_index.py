"""The index follows the change log, heals itself, and serves several processes.

Freshness tests run on both backends through the rolled-back `session`. Tests about separate
databases, processes and late commits need real commits, so they make databases of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from whoosh import index as whoosh_index

from directory.db import make_engine, make_session_factory, upgrade_database
from directory.models import TaxonomyTerm
from directory.search import SearchIndex
from directory.search.schema import META_ID
from directory.services import delete_service, update_service
from tests.conftest import PG_ADMIN_URL
from tests.directory.search.conftest import find, names
from tests.factories import make_service

ROOT = Path(__file__).resolve().parents[3]


def test_an_edit_is_searchable_on_the_next_search(session, index):
    service = make_service(session, name="Tuesday walk", description="Meet at the gates.")
    session.flush()
    assert names(find(session, index, text="walk")) == ["Tuesday walk"]
    update_service(session, "editor@example.org", service.id, {"name": "Tuesday ramble"})
    session.flush()
    started = time.perf_counter()
    found = find(session, index, text="ramble")
    assert time.perf_counter() - started < 2.0
    assert names(found) == ["Tuesday ramble"]
    assert names(find(session, index, text="walk")) == []
    assert index.last_apply.listings_updated == 1
    assert found.index["head"] == index.snapshot(session).head


def test_edits_to_children_deletions_and_moderation_reach_the_index(session, index):
    service = make_service(session, name="Lunch club")
    other = make_service(session, name="Coffee morning")
    session.flush()
    assert find(session, index).total == 2
    service.locations[0].location.latitude = 51.5  # moved to London
    session.flush()
    near_newcastle = find(session, index, latitude=54.97, longitude=-1.63, radius_km=5)
    assert names(near_newcastle) == ["Coffee morning"]
    update_service(session, "mod@example.org", other.id, {"moderation_status": "pending"})
    session.flush()
    assert names(find(session, index)) == ["Lunch club"]
    update_service(session, "mod@example.org", other.id, {"moderation_status": "published"})
    delete_service(session, "mod@example.org", service.id)
    session.flush()
    assert names(find(session, index)) == ["Coffee morning"]


def test_a_missing_index_is_built(session, index):
    make_service(session, name="Men's shed")
    session.flush()
    assert not index.path.exists()
    assert names(find(session, index)) == ["Men's shed"]
    assert index.last_rebuild.reason.startswith("there is no search index")


def test_a_corrupt_index_is_rebuilt_not_served(session, tmp_path):
    make_service(session, name="Men's shed")
    session.flush()
    first = SearchIndex(tmp_path / "index")
    find(session, first)
    build = first.store.builds / first.store.current_build()
    for path in build.iterdir():
        if path.suffix in (".seg", ".toc", ".trm", ".pst"):
            path.write_bytes(b"\x00garbage" * 10)
    fresh = SearchIndex(tmp_path / "index")  # a process starting up on the damaged folder
    assert names(find(session, fresh)) == ["Men's shed"]
    assert "cannot" in fresh.last_rebuild.reason or "damaged" in fresh.last_rebuild.reason


def test_an_index_from_an_older_schema_is_rebuilt(session, tmp_path):
    make_service(session, name="Choir")
    session.flush()
    first = SearchIndex(tmp_path / "index")
    find(session, first)
    ix = whoosh_index.open_dir(str(first.store.builds / first.store.current_build()))
    with ix.searcher() as searcher:
        meta = searcher.document(id=META_ID)["facts"]["meta"]
    writer = ix.writer()
    writer.update_document(id=META_ID, facts={"meta": {**meta, "schema": 1}})
    writer.commit()
    fresh = SearchIndex(tmp_path / "index")
    assert names(find(session, fresh)) == ["Choir"]
    assert "schema version 1" in fresh.last_rebuild.reason


def test_renamed_categories_make_the_index_stale(taxonomy, index):
    from directory.services import resolve_terms

    session = taxonomy
    service = make_service(session, name="Thursday group")
    service.taxonomy_terms = resolve_terms(session, ["crafts"])
    session.flush()
    assert names(find(session, index, text="crafts")) == ["Thursday group"]
    term = session.query(TaxonomyTerm).filter_by(code="crafts").one()
    term.name = "Making things"
    session.flush()
    index.check_interval = 0  # the periodic check runs on this search
    assert names(find(session, index, text="making")) == ["Thursday group"]
    assert index.last_rebuild.reason == "the categories have changed since it was built"


def _file_db(tmp_path: Path, name: str):
    url = f"sqlite:///{tmp_path / name}"
    upgrade_database(url)
    return url, make_session_factory(make_engine(url))


def test_an_index_built_for_another_database_is_rebuilt(tmp_path):
    _, first_db = _file_db(tmp_path, "first.sqlite")
    _, second_db = _file_db(tmp_path, "second.sqlite")
    with first_db() as session:
        make_service(session, name="From the first database")
        session.commit()
        find(session, SearchIndex(tmp_path / "index"))
    with second_db() as session:
        for n in range(3):  # more changes than the first, so only identity can tell them apart
            make_service(session, name=f"Second {n}")
        session.commit()
        fresh = SearchIndex(tmp_path / "index")
        assert sorted(names(find(session, fresh))) == ["Second 0", "Second 1", "Second 2"]
        assert "not in this database's change log" in fresh.last_rebuild.reason


def test_another_process_writes_and_this_one_picks_it_up(tmp_path):
    url, factory = _file_db(tmp_path, "shared.sqlite")
    with factory() as session:
        service = make_service(session, name="Before")
        session.commit()
        here = SearchIndex(tmp_path / "index")
        assert names(find(session, here)) == ["Before"]
        script = textwrap.dedent(f"""
            from directory.db import make_engine, make_session_factory
            from directory.search import SearchIndex, SearchRequest, search
            from directory.services import update_service
            session = make_session_factory(make_engine({url!r}))()
            update_service(session, "other@example.org", {service.id!r}, {{"name": "After"}})
            session.commit()
            print([r.name for r in search(session, SearchRequest(), index=SearchIndex({str(tmp_path / 'index')!r}), log=False).results])
        """)
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "['After']"
        session.rollback()  # end this session's read transaction, as a new request would
        assert names(find(session, here)) == ["After"]
        assert here.last_apply is None  # nothing applied here: the other process had written it


def test_several_processes_search_while_one_writes(tmp_path):
    url, factory = _file_db(tmp_path, "busy.sqlite")
    with factory() as session:
        for n in range(20):
            make_service(session, name=f"Group {n}")
        session.commit()
        find(session, SearchIndex(tmp_path / "index"))
    reader = textwrap.dedent(f"""
        import time
        from directory.db import make_engine, make_session_factory
        from directory.search import SearchIndex, SearchRequest, search
        factory = make_session_factory(make_engine({url!r}))
        index = SearchIndex({str(tmp_path / 'index')!r})
        end, count = time.time() + 4, 0
        while time.time() < end:
            with factory() as session:
                found = search(session, SearchRequest(text="group"), index=index, log=False)
                assert found.total >= 20, found.total
                count += 1
        print(count)
    """)
    readers = [subprocess.Popen([sys.executable, "-c", reader], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    writer_index = SearchIndex(tmp_path / "index")
    with factory() as session:
        for n in range(20, 40):
            make_service(session, name=f"Group {n}")
            session.commit()
            find(session, writer_index)
            time.sleep(0.05)
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert int(out.strip()) > 0
    with factory() as session:
        assert find(session, SearchIndex(tmp_path / "index"), text="group").total == 40


@pytest.fixture
def pg_factory():
    """A PostgreSQL database of its own: this test commits from two connections at once."""
    from tests.conftest import throwaway_postgres

    with throwaway_postgres("wayfinder_gap") as url:
        engine = make_engine(url)
        yield make_session_factory(engine)
        engine.dispose()


def test_a_late_commit_below_the_head_is_still_indexed(pg_factory, tmp_path):
    index = SearchIndex(tmp_path / "index")
    slow, quick = pg_factory(), pg_factory()
    make_service(slow, name="Slow import")
    slow.flush()  # takes a change-log id now, commits later
    make_service(quick, name="Quick edit")
    quick.commit()  # a higher id, committed first
    with pg_factory() as reader:
        assert names(find(reader, index)) == ["Quick edit"]
        assert index.snapshot(reader).gaps  # the slow transaction's id is a gap being watched
    slow.commit()
    with pg_factory() as reader:
        assert sorted(names(find(reader, index))) == ["Quick edit", "Slow import"]
        assert not index.snapshot(reader).gaps
    slow.close()
    quick.close()
