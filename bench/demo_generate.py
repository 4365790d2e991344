"""Benchmark: generate the 100,000-listing demo (spread over England) into a fresh database.

    .venv/bin/python bench/demo_generate.py                      # SQLite in a temp folder
    .venv/bin/python bench/demo_generate.py --listings 20000
    .venv/bin/python bench/demo_generate.py --url postgresql+psycopg://127.0.0.1:5432/bench_demo

Creates (or, for SQLite, replaces) the database, migrates it, runs `generate_demo`, commits,
and prints wall time, CPU time, peak memory, rows written and the database size. A PostgreSQL
URL must name an existing, empty database.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from directory.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from directory.demo import DEMO_SEED, generate_demo  # noqa: E402
from directory.models import ChangeLog, Service  # noqa: E402


def _size(engine, url: str) -> int:
    if url.startswith("sqlite:///"):
        with engine.connect() as conn:  # fold the write-ahead log into the file first
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(url[len("sqlite:///"):])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--url", help="database URL (default: a new SQLite file in a temp folder)")
    args = parser.parse_args()

    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='wayfinder-bench-')) / 'demo.sqlite'}"
    if url.startswith("sqlite:///"):
        for stale in Path(url[len("sqlite:///"):]).parent.glob("demo.sqlite*"):
            os.remove(stale)
    upgrade_database(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()

    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] > 10 or done == total:
            last[0] = now
            print(f"  {done:>7,} / {total:,} listings  ({now - started:5.1f} s)", flush=True)

    started, cpu = time.monotonic(), time.process_time()
    summary = generate_demo(session, listings=args.listings, seed=args.seed, progress=progress)
    session.commit()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    services = session.scalar(select(func.count()).select_from(Service))
    changes = session.scalar(select(func.count()).select_from(ChangeLog))
    session.close()
    size = _size(engine, url)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database        {url}")
    print(f"area            {summary.area}")
    print(f"listings        {services:,} ({changes:,} change-log entries)")
    print(f"organisations   {summary.organisations:,}")
    print(f"venues          {summary.locations:,}")
    print(f"duplicate pairs {summary.duplicates:,}")
    print(f"wall time       {wall:.1f} s ({args.listings / wall:,.0f} listings/s)")
    print(f"CPU time        {cpu:.1f} s")
    print(f"peak memory     {peak_mb:,.0f} MB")
    print(f"database size   {size / 1e6:,.0f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
