"""Benchmark: import N OpenActive items served from loopback, then re-sync with nothing changed.

    .venv/bin/python bench/import/run.py                 # 100,000 items into a fresh SQLite file
    .venv/bin/python bench/import/run.py --items 10000   # a quicker run
    DATABASE_URL=postgresql://127.0.0.1/bench_db .venv/bin/python bench/import/run.py --postgres

Goals (issue 3): at least 1,000 items/s end to end, and an unchanged re-sync under 10 s.
Prints the numbers; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from directory.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from directory.models import ChangeLog, Service, Source  # noqa: E402
from directory.taxonomy import load_activity_list, load_wayfinder_taxonomy  # noqa: E402
from importers.http import HttpClient, HttpSettings  # noqa: E402
from importers.openactive import RpdeReader  # noqa: E402
from importers.pipeline import ImportOptions, run_import  # noqa: E402

import feed  # noqa: E402


def _database(postgres: bool, workdir: str) -> tuple[str, callable]:
    if not postgres:
        return f"sqlite:///{workdir}/bench.sqlite", lambda: None
    admin_url = os.environ.get("WAYFINDER_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test")
    name = f"wayfinder_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--postgres", action="store_true", help="use a fresh PostgreSQL database")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (its folder is printed)")
    args = parser.parse_args()

    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=feed.serve, args=(ports, args.items, args.page_size), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{ports.get(timeout=30)}/feed"
    workdir = tempfile.mkdtemp(prefix="wayfinder-bench-")
    db_url, drop = _database(args.postgres, workdir)
    try:
        upgrade_database(db_url)
        engine = make_engine(db_url)
        session = make_session_factory(engine)()
        load_wayfinder_taxonomy(session)
        shared = ROOT.parent / "shared" / "standards" / "openactive" / "activity-list.jsonld"
        if shared.exists():
            load_activity_list(session, json.loads(shared.read_text()))
        session.add(Source(name="bench", kind="openactive", url=url, options={}, state={}))
        session.commit()
        source = session.scalars(select(Source)).one()
        client = HttpClient(HttpSettings(delays=(0.1, 0.2)))
        results = {"items": args.items, "backend": engine.dialect.name}

        def timed(label, from_start=False):
            started, cpu = time.perf_counter(), time.process_time()
            report = run_import(session, source, RpdeReader([("feed", url)], client),
                                ImportOptions(progress=sys.stderr.isatty(), from_start=from_start))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert report.ok, report.lines()
            results[label] = {"seconds": round(elapsed, 2), "items_per_s": round(args.items / elapsed, 1),
                              "cpu_s": round(cpu, 2), "items_per_cpu_s": round(args.items / max(cpu, 1e-9), 1),
                              "counts": {k: v for k, v in report.counts.items() if v},
                              "fetch_s": report.timings["fetch_s"], "write_s": report.timings["write_s"]}
            print(f"{label}: {elapsed:.2f}s wall ({args.items / elapsed:,.0f} items/s), {cpu:.2f}s CPU in the "
                  f"importer ({args.items / max(cpu, 1e-9):,.0f} items/CPU-s), {results[label]['counts']}", flush=True)

        timed("first_import")
        logs = session.scalar(select(func.count()).select_from(ChangeLog))
        timed("resync_from_saved_position")
        timed("resync_full_reread", from_start=True)
        results["services"] = session.scalar(select(func.count()).select_from(Service))
        results["change_log_unchanged_by_resync"] = session.scalar(select(func.count()).select_from(ChangeLog)) == logs
        results["load_average_after"] = os.getloadavg()
        print(json.dumps(results, indent=1))
        session.close()
        engine.dispose()
    finally:
        server.terminate()
        drop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
