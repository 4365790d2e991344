"""How long one ranking takes against a large directory, in-process (goal: p95 <= 100 ms at 100,000).

    .venv/bin/python bench/matching/latency.py                       # 100,000 synthetic listings
    .venv/bin/python bench/matching/latency.py --listings 20000 --profiles 100
    .venv/bin/python bench/matching/latency.py --source demo         # the demo generator, England-wide
    .venv/bin/python bench/matching/latency.py --source demo --database sqlite:////tmp/.../demo.sqlite

`synthetic` draws listings across England from the taxonomy (names, descriptions, schedules,
prices, access features, capacity and verification dates all varied), which needs no database.
`demo` runs `wayfinder demo --listings N` into a throwaway SQLite file and loads it the way the
API does; it is slower to prepare but is the real generator's data.

The timed part is `matching.rank.match` for one profile with a built `MatchIndex` (the API keeps
one per directory version); building the index is reported separately. Profiles vary: own words,
chosen categories, every travel mode, access needs, days and times, budgets.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from directory.schedules import Rule  # noqa: E402
from directory.taxonomy_index import read_wayfinder_taxonomy  # noqa: E402
from directory.vocab import ACCESSIBILITY_FEATURES, DAYS  # noqa: E402
from matching.index import MatchIndex  # noqa: E402
from matching.listing import Cost, Listing  # noqa: E402
from matching.profile import Profile  # noqa: E402
from matching.rank import match  # noqa: E402

NOW = datetime(2026, 3, 3, 9, 0)
# Towns the synthetic listings cluster around (population-weighted, roughly): lat, lon, weight.
TOWNS = [
    (51.507, -0.128, 9), (52.486, -1.890, 3), (53.480, -2.242, 3), (53.800, -1.549, 2), (54.978, -1.618, 2),
    (53.408, -2.991, 2), (53.381, -1.470, 2), (51.455, -2.588, 2), (52.954, -1.158, 1), (52.637, -1.139, 1),
    (50.909, -1.404, 1), (50.376, -4.143, 1), (54.574, -1.235, 1), (53.745, -0.336, 1), (52.406, -1.512, 1),
    (50.822, -0.137, 1), (51.752, -1.258, 1), (52.205, 0.122, 1), (53.958, -1.082, 1), (54.906, -1.383, 1),
]
WORDS = ("friendly welcoming gentle local free volunteers tea coffee chat newcomers all abilities beginners "
         "weekly relaxed supportive community centre library church hall park café small group").split()


def synthetic_listings(n: int, seed: int = 7) -> list[Listing]:
    rng = random.Random(seed)
    terms = [t for t in read_wayfinder_taxonomy() if t.parent_code]
    weights = [w for *_, w in TOWNS]
    features = list(ACCESSIBILITY_FEATURES)
    found = []
    for i in range(n):
        term = rng.choice(terms)
        lat0, lon0, _ = rng.choices(TOWNS, weights)[0]
        lat, lon = lat0 + rng.gauss(0, 0.08), lon0 + rng.gauss(0, 0.12)
        words = rng.sample(WORDS, 6) + rng.sample(list(term.synonyms) or [term.name], min(2, len(term.synonyms) or 1))
        day = rng.choice(DAYS)
        start = clock(rng.choice([9, 10, 10, 11, 13, 14, 18, 19]), rng.choice([0, 30]))
        modes = rng.choices([("in_person",), ("in_person", "phone"), ("online",), ("phone",)], [80, 8, 7, 5])[0]
        found.append(Listing(
            id=f"s{i}", name=f"{rng.choice(['Northside', 'Riverside', 'St Mary', 'Park', 'Hillview'])} {term.name}",
            description=" ".join(words), organisation=f"Org {i % 20000}", categories=(term.code,),
            latitude=lat if "in_person" in modes else None, longitude=lon if "in_person" in modes else None,
            delivery_modes=modes, accessibility=frozenset(rng.sample(features, rng.randint(0, 5))),
            schedules=(Rule(freq="WEEKLY", byday=day, opens_at=start, closes_at=clock(start.hour + 2, start.minute)),),
            costs=(Cost(rng.choice([0, 0, 0, 1.5, 2, 3, 5])),), min_age=rng.choice([None, None, None, 18, 50, 60]),
            gender=rng.choices(["any", "female", "male"], [90, 6, 4])[0],
            capacity_status=rng.choice(["open", "open", "limited", "unknown", "full", "waiting_list"]),
            assured_date=date(2026, 1, 1) if rng.random() < 0.6 else date(2024, rng.randint(1, 12), 1),
        ))
    return found


def demo_listings(n: int, seed: int, database: str | None = None) -> list[Listing]:
    """Run the demo generator into a throwaway SQLite file (or read `database`) and load it as
    the API does."""
    from directory.db import make_engine, make_session_factory, upgrade_database
    from directory.demo import generate_demo
    from web.matching_data import load_listings

    if database:
        return load_listings(make_session_factory(make_engine(database))())
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='wayfinder-bench-')) / 'demo.sqlite'}"
    upgrade_database(url)
    session = make_session_factory(make_engine(url))()
    generate_demo(session, listings=n, seed=seed)
    session.commit()
    print(f"demo database kept at {url} (reuse it with --database)")
    return load_listings(session)


NEEDS = ["I'm lonely since my wife died", "I can't pay my bills", "my knees hurt and I want to get fitter",
         "I used to love painting", "I want to get out of the house", "I look after my mum", "I want to sing",
         "I've no food in", "I want to learn English", "I feel down all the time", "I miss my garden"]


def profiles(n: int, seed: int = 11) -> list[Profile]:
    rng = random.Random(seed)
    terms = [t.code for t in read_wayfinder_taxonomy()]
    weights = [w for *_, w in TOWNS]
    found = []
    for _ in range(n):
        lat0, lon0, _ = rng.choices(TOWNS, weights)[0]
        found.append(Profile(
            what_matters=rng.sample(NEEDS, rng.randint(1, 3)),
            categories=rng.sample(terms, rng.choice([0, 0, 1])),
            latitude=lat0 + rng.gauss(0, 0.05), longitude=lon0 + rng.gauss(0, 0.08),
            travel_modes=rng.choice([["walk"], ["walk", "bus"], ["car"], ["walk", "bus", "lift"], ["community_transport"]]),
            max_travel_minutes=rng.choice([20, 30, 45, 60]), walking=rng.choice(["normal", "slow", "limited"]),
            access_needs=rng.sample(["wheelchair", "hearing", "dementia", "carer"], rng.choice([0, 0, 1, 2])),
            days_free=rng.sample(list(DAYS), rng.choice([0, 3, 5])),
            times_free=rng.sample(["morning", "afternoon", "evening"], rng.choice([0, 1, 2])),
            budget_per_session=rng.choice([None, 0, 3]), avoid_dark=rng.random() < 0.3,
            fare_matters=rng.random() < 0.3, age=rng.choice([None, 35, 68, 80]),
        ))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--source", choices=["synthetic", "demo"], default="synthetic")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", help="With --source demo: a database the demo was already written to.")
    args = parser.parse_args()

    started = time.perf_counter()
    listings = synthetic_listings(args.listings, args.seed) if args.source == "synthetic" else demo_listings(
        args.listings, args.seed, args.database)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    index = MatchIndex.build(listings, read_wayfinder_taxonomy())
    built = time.perf_counter() - started
    people = profiles(args.profiles)
    for person in people[:10]:  # warm up caches and lazy imports
        match(person, index, now=NOW)
    timings, found = [], []
    for person in people:
        started = time.perf_counter()
        report = match(person, index, now=NOW)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(report.matches))
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"listings: {len(listings):,} ({args.source}, prepared in {prepared:.1f} s); index built in {built:.1f} s")
    print(f"profiles: {len(people)}; matches per profile: median {statistics.median(found):.0f}")
    print(f"match latency ms: p50 {statistics.median(timings):.1f}, p95 {p95:.1f}, max {timings[-1]:.1f}")
    print("goal p95 <= 100 ms:", "met" if p95 <= 100 else "NOT met")


if __name__ == "__main__":
    main()
