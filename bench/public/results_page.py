"""Server time of the public results page at scale (default 100,000 listings).

    .venv/bin/python bench/public/results_page.py [--listings 100000] [--requests 300] [--db URL]

Builds (once, then reuses) a database with the demo generator's England-wide directory, brings
the search index up to date, then requests ``/results`` through the WSGI app in-process with a
seeded mix of what people do: a postcode anywhere in the data, their own words or a category,
sometimes filters, sometimes page 2. Server time is the time from the request entering the app
to the finished HTML (rendering included, network excluded). Prints p50/p95/p99 and writes a
JSON report under bench/results/ (gitignored). Run it on a quiet machine; the figures in
docs/performance.md say which machine they came from.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from directory.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from directory.models import Postcode, Service, TaxonomyTerm  # noqa: E402

NEEDS = [
    "walking", "I feel lonely", "singing", "help with money", "gardening", "I want to get fitter",
    "coffee morning", "my knees hurt", "dementia", "I can't pay my bills", "art", "befriending",
    "swimming", "I've lost my husband", "computer help", "",
]
FILTERS = [
    {}, {}, {}, {"only": "free"}, {"only": "turn-up"}, {"day": "TU"}, {"access": "step-free"},
    {"time": "morning", "only": "free"}, {"radius": "10"}, {"radius": "1"},
]


def build(url: str, listings: int) -> None:
    upgrade_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        have = session.scalar(select(func.count()).select_from(Service))
        if have >= listings:
            print(f"reusing {have} listings in {url}")
        else:
            from directory.demo import generate_demo

            started = time.perf_counter()
            summary = generate_demo(session, listings=listings, area="england", progress=_progress)
            session.commit()
            print(f"\ngenerated {summary.services} listings in {time.perf_counter() - started:.0f}s")
    engine.dispose()


def _progress(done: int, total: int) -> None:
    if done % 10_000 == 0 or done == total:
        print(f"  {done}/{total}", end="\r", flush=True)


def queries(session, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    postcodes = session.scalars(select(Postcode.postcode).order_by(Postcode.postcode)).all()
    codes = session.scalars(select(TaxonomyTerm.code).where(TaxonomyTerm.parent_id.is_not(None)).order_by(TaxonomyTerm.code)).all()
    mix = []
    for _ in range(count):
        args = {"where": rng.choice(postcodes)}
        if rng.random() < 0.3 and codes:
            args["category"] = rng.choice(codes)
        else:
            args["q"] = rng.choice(NEEDS)
        args.update(rng.choice(FILTERS))
        if rng.random() < 0.15:
            args["page"] = "2"
        mix.append(args)
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file under bench/results/)")
    args = parser.parse_args()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    url = args.db or f"sqlite:///{out / f'public-{args.listings}.sqlite'}"
    build(url, args.listings)

    from web import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SEARCH_INDEX_DIR": str(out / f"index-{args.listings}")})
    client = app.test_client()
    with app.extensions["wayfinder_db"].session_factory() as session:
        listings = session.scalar(select(func.count()).select_from(Service))
        mix = queries(session, args.warmup + args.requests, args.seed)

    print(f"{listings} listings; warming up ({args.warmup} requests, the first builds or loads the index)")
    started = time.perf_counter()
    for query in mix[: args.warmup]:
        assert client.get("/results", query_string=query).status_code == 200
    print(f"warm-up took {time.perf_counter() - started:.1f}s")

    timings, sizes = [], []
    for query in mix[args.warmup :]:
        started = time.perf_counter()
        response = client.get("/results", query_string=query)
        body = response.get_data()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (query, response.status_code)
        sizes.append(len(body))
    cuts = statistics.quantiles(timings, n=100)
    report = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "listings": listings, "requests": len(timings), "database": url.split(":", 1)[0],
        "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "p99_ms": round(cuts[98], 1),
        "max_ms": round(max(timings), 1), "mean_ms": round(statistics.mean(timings), 1),
        "html_kb_mean": round(statistics.mean(sizes) / 1024, 1),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    name = out / f"public-results-{args.listings}-{report['when'][:10]}.json"
    name.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"| {listings:,} | {report['database']} | {len(timings)} | {report['p50_ms']} | {report['p95_ms']} | {report['p99_ms']} | {report['max_ms']} |")


if __name__ == "__main__":
    main()
