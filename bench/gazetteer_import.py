"""Benchmark the postcode import: a synthetic ONSPD-layout CSV into SQLite (and PostgreSQL).

    .venv/bin/python bench/gazetteer_import.py                 # 2,700,000 rows, the full ONSPD size
    .venv/bin/python bench/gazetteer_import.py --rows 500000   # quicker; extrapolate
    .venv/bin/python bench/gazetteer_import.py --pg postgresql://127.0.0.1:5432/test

The file has the real ONSPD's width (~50 columns) so the CSV parsing cost is realistic, and
about a third of its rows terminated, as in a real release. PostgreSQL is benchmarked in a
throwaway database when the server answers, skipped otherwise.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from directory.db import make_engine, upgrade_database  # noqa: E402
from directory.gazetteer_import import import_postcodes  # noqa: E402

# The real ONSPD header (Feb 2024 layout), so the row width matches.
HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,"
    "npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua22,ru11ind,oac11,lat,"
    "long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21"
).split(",")
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
AREAS = ["AB", "B", "BS", "CB", "DH", "E", "G", "L", "LS", "M", "N", "NE", "NW", "S", "SE", "SR", "SW", "TS", "W", "YO"]


def write_onspd(path: Path, rows: int, seed: int = 1) -> None:
    """Write `rows` unique ONSPD-layout rows; ~30% terminated, ~0.5% without coordinates."""
    rng = random.Random(seed)
    lat_i, long_i, pcds_i, term_i, la_i = (HEADER.index(c) for c in ("lat", "long", "pcds", "doterm", "oslaua"))
    template = ["x"] * len(HEADER)
    written = 0
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for area in AREAS:
            for district in range(1, 100):
                for sector in range(10):
                    lat0, lon0 = 50.5 + rng.random() * 4.5, -4.5 + rng.random() * 6
                    for a in LETTERS:
                        for b in LETTERS:
                            if written >= rows:
                                return
                            row = list(template)
                            row[pcds_i] = f"{area}{district} {sector}{a}{b}"
                            row[term_i] = "201001" if rng.random() < 0.3 else ""
                            no_coords = rng.random() < 0.005
                            row[lat_i] = "99.999999" if no_coords else f"{lat0 + rng.random() * 0.01:.6f}"
                            row[long_i] = "0.000000" if no_coords else f"{lon0 + rng.random() * 0.01:.6f}"
                            row[la_i] = "E08000021"
                            out.writerow(row)
                            written += 1


def run(label: str, url: str, csv_path: Path, rows: int, reimport: bool = True) -> None:
    upgrade_database(url)
    engine = make_engine(url)
    try:
        summary = import_postcodes(engine, csv_path, progress=False)
        print(
            f"{label}: {rows:,} rows in {summary.seconds:.1f}s = {summary.rows_per_second:,.0f} rows/s "
            f"({summary.imported:,} imported, {summary.terminated:,} terminated, "
            f"{summary.no_coordinates:,} without coordinates, {summary.areas:,} areas)"
        )
        if not reimport:
            return
        started = time.perf_counter()
        again = import_postcodes(engine, csv_path, progress=False)
        print(f"{label}: re-import of the same file {time.perf_counter() - started:.1f}s ({again.imported:,} upserted)")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_700_000)
    parser.add_argument("--pg", default="postgresql+psycopg://127.0.0.1:5432/test", help="admin URL for PostgreSQL")
    parser.add_argument("--no-reimport", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "ONSPD_SYNTHETIC_UK.csv"
        started = time.perf_counter()
        write_onspd(csv_path, args.rows)
        print(f"wrote {args.rows:,} rows ({csv_path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f}s")
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite'}", csv_path, args.rows, not args.no_reimport)

        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        name = f"wayfinder_bench_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            print(f"PostgreSQL: skipped ({exc.__class__.__name__}: {exc})")
            return
        try:
            run("PostgreSQL", args.pg.rsplit("/", 1)[0] + f"/{name}", csv_path, args.rows, not args.no_reimport)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
