"""`wayfinder sources`, `wayfinder sync`, `wayfinder import ...` as real processes.

These run the installed `wayfinder` command against their own database (a fresh SQLite file,
or a fresh PostgreSQL database), because the commands commit and one test checks that a
second process is refused while another holds the import lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text

from directory.db import make_engine, make_session_factory, upgrade_database
from directory.models import QuarantinedRecord, Service
from importers.sources import import_lock
from tests.conftest import PG_ADMIN_URL
from tests.importers.feedserver import Reply, RpdeFeed
from tests.importers.test_openactive import _series

WAYFINDER = str(Path(sys.executable).with_name("wayfinder"))
FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
        upgrade_database(url)
        yield url
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"wayfinder_cli_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("WAYFINDER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unavailable: {exc}")
        pytest.skip(f"no PostgreSQL server at {PG_ADMIN_URL}: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade_database(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def wayfinder(database, *args, timeout=60, process=False):
    """Run the command: in this process (click's runner) or, for lock tests, as a real process."""
    env = {"DATABASE_URL": database, "WAYFINDER_SECRET_KEY": "test", "WAYFINDER_IMPORT_DELAYS": "0.01"}
    if process:
        return subprocess.run([WAYFINDER, *args], capture_output=True, text=True, env={**os.environ, **env},
                              timeout=timeout)
    from click.testing import CliRunner

    from web.cli import main

    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout,
                           stderr=getattr(result, "stderr", result.output))


def test_sources_add_list_sync_remove(database, server, tmp_path):
    url = server.add("/feed", RpdeFeed("/feed", [_series(n, n) for n in range(1, 4)]))
    sheet = tmp_path / "groups.csv"
    sheet.write_text("Activity name,Postcode,When,Cost\nKnit and Natter,NE6 2PA,Mon 10-12,Free\n"
                     ",NE6 2PA,Mon 10-12,Free\n")
    assert wayfinder(database, "sources", "add", "Leisure feed", "openactive", url).returncode == 0
    added = wayfinder(database, "sources", "add", "Council sheet", "spreadsheet", str(sheet), "--authoritative")
    assert added.returncode == 0, added.stderr
    dup = wayfinder(database, "sources", "add", "Leisure feed", "openactive", url)
    assert dup.returncode != 0 and "already a source called" in dup.stderr
    listing = wayfinder(database, "sources", "list")
    assert "Leisure feed  [openactive]" in listing.stdout and "never run" in listing.stdout

    result = wayfinder(database, "sync", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "== Council sheet" in result.stdout and "== Leisure feed" in result.stdout
    assert "Finished: 3 created" in result.stdout and "1 quarantined" in result.stdout
    again = wayfinder(database, "sync", "--quiet")
    assert "Finished: 0 created, 0 updated, 1 unchanged" in again.stdout  # the sheet: a snapshot
    assert "Finished: 0 created, 0 updated, 0 unchanged" in again.stdout  # the feed: nothing new

    listing = wayfinder(database, "sources", "list")
    assert "last run" in listing.stdout and "ok" in listing.stdout

    quarantine = wayfinder(database, "import", "quarantine")
    assert quarantine.returncode == 0 and "Row 3, column 'Activity name'" in quarantine.stdout
    record_id = quarantine.stdout.split()[0]
    shown = wayfinder(database, "import", "quarantine", "--show", record_id)
    assert "Reason:" in shown.stdout and "NE6 2PA" in shown.stdout

    removed = wayfinder(database, "sources", "remove", "Leisure feed")
    assert removed.returncode == 0 and "its listings were kept" in removed.stdout
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        assert len(session.scalars(select(Service)).all()) == 4
        assert len(session.scalars(select(QuarantinedRecord)).all()) == 1
    engine.dispose()


def test_a_second_run_is_refused_while_one_holds_the_lock(database, server):
    url = server.add("/feed", RpdeFeed("/feed", [_series(1, 1)]))
    wayfinder(database, "sources", "add", "Feed", "openactive", url)
    engine = make_engine(database)
    with import_lock(engine):
        refused = wayfinder(database, "sync", "--quiet", process=True)
        one_off = wayfinder(database, "import", "openactive", url, "--quiet")
    assert refused.returncode != 0 and "Another import is running" in refused.stderr
    assert one_off.returncode != 0 and "Another import is running" in one_off.stderr
    ran = wayfinder(database, "sync", "--quiet")  # the lock is released: now it runs
    assert ran.returncode == 0 and "1 created" in ran.stdout
    engine.dispose()


def test_two_syncs_at_once_only_one_runs(database, server):
    slow_page = {"items": [_series(1, 1)], "next": "/end"}
    server.add("/slow", Reply(slow_page, delay=3.0))
    server.add("/end", Reply({"items": [], "next": "/end"}))
    wayfinder(database, "sources", "add", "Slow feed", "openactive", server.url("/slow"))
    env = {**os.environ, "DATABASE_URL": database, "WAYFINDER_SECRET_KEY": "test"}
    first = subprocess.Popen([WAYFINDER, "sync", "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        # Wait until the first run is inside its import (it has asked for the slow page).
        for _ in range(400):
            if server.hits:
                break
            time.sleep(0.05)
        second = wayfinder(database, "sync", "--quiet")
    finally:
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out + err
    assert second.returncode != 0 and "Another import is running" in second.stderr


def test_one_off_imports_from_the_command_line(database, server, tmp_path):
    url = server.add("/feed", RpdeFeed("/feed", [_series(n, n) for n in range(1, 3)]))
    result = wayfinder(database, "import", "openactive", url, "--quiet")
    assert result.returncode == 0 and "Finished: 2 created" in result.stdout
    result = wayfinder(database, "import", "spreadsheet", str(FIXTURES / "other-columns.csv"),
                       "--mapping", str(FIXTURES / "other-columns.toml"), "--quiet")
    assert result.returncode == 0 and "Finished: 2 created" in result.stdout, result.stdout + result.stderr
    result = wayfinder(database, "import", "hsds", str(FIXTURES / "hsds"), "--quiet")
    assert result.returncode == 0 and "Finished: 3 created" in result.stdout
    missing = wayfinder(database, "import", "openactive", server.url("/nope"), "--quiet")
    assert missing.returncode == 1 and "HTTP 404" in missing.stdout
