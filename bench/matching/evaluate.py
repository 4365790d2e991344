"""How good are Wayfinder's matches? NDCG@5 and precision@5 on the personas, against two baselines.

    .venv/bin/python bench/matching/evaluate.py                    # generate the demo directory, evaluate
    .venv/bin/python bench/matching/evaluate.py --database sqlite:///instance/wayfinder.sqlite
    .venv/bin/python bench/matching/evaluate.py --per-persona      # one line per persona too

The personas and their graded labels are in `personas.toml` (written before any tuning; see its
header for how a label is read). Three systems rank the same demo directory for each persona:

* wayfinder     - `matching.rank.match`, top five;
* nearest first - every open listing by straight-line distance from home (what most directories
                  do once you give a postcode); phone and online listings last;
* keyword match - open listings sharing the most words with what the person said (stemmed, stop
                  words dropped: a decent search box), nearest first among equals; no synonyms.

NDCG@5 uses gains 2^grade - 1 and the best five grades in the whole directory as the ideal;
precision@5 is the share of the top five graded 2 or 3 (a short list counts its gaps as misses).
Personas for whom the directory holds nothing relevant are reported and left out of the means.
The goal (issue 5): Wayfinder NDCG@5 >= 0.80 and at least 0.20 above the better baseline.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import tomllib
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from directory.demo import DEMO_AS_OF, DEMO_SEED  # noqa: E402
from directory.geo import haversine_km, point_in_area  # noqa: E402
from directory.postcodes import normalise_postcode  # noqa: E402
from directory.schedules import time_of_day  # noqa: E402
from directory.taxonomy_index import read_wayfinder_taxonomy, tokens  # noqa: E402
from matching.index import MatchIndex  # noqa: E402
from matching.listing import Listing  # noqa: E402
from matching.profile import Profile  # noqa: E402
from matching.rank import match  # noqa: E402

PERSONAS = Path(__file__).with_name("personas.toml")
POSTCODES = ROOT / "data" / "gazetteer" / "demo-postcodes.csv"
K = 5


# -- personas and labels ---------------------------------------------------------------------------


def read_personas(path: Path = PERSONAS) -> list[dict]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)["persona"]


def postcode_table(path: Path = POSTCODES) -> dict[str, tuple[float, float]]:
    with open(path, newline="") as fh:
        return {row["pcds"]: (float(row["lat"]), float(row["long"])) for row in csv.DictReader(fh)}


def profile_for(persona: dict, postcodes: dict[str, tuple[float, float]]) -> Profile:
    profile = Profile.from_dict(persona["profile"])
    if profile.postcode and not profile.has_location:
        lat, lon = postcodes[normalise_postcode(profile.postcode)]
        profile = replace(profile, latitude=lat, longitude=lon)
    return profile


def _open(listing: Listing, today: date) -> bool:
    if listing.status != "active" or not listing.published:
        return False
    ends = [r.valid_to for r in listing.schedules]
    return not (ends and all(e is not None and e < today for e in ends))


def _eligible(listing: Listing, profile: Profile) -> bool:
    if profile.age is not None:
        if listing.min_age is not None and profile.age < listing.min_age:
            return False
        if listing.max_age is not None and profile.age > listing.max_age:
            return False
    if listing.gender in ("female", "male") and profile.gender in ("female", "male") and listing.gender != profile.gender:
        return False
    if listing.residency_areas and not any(
        point_in_area(profile.latitude, profile.longitude, area.geojson) for area in listing.residency_areas
    ):
        return False
    return True


def _sessions(listing: Listing, days: list[str] | None, times: list[str] | None) -> bool:
    for rule in listing.schedules:
        if not rule.is_recurring or rule.opens_at is None:
            continue
        if days and not rule.weekdays() & set(days):
            continue
        if times and time_of_day(rule.opens_at) not in times:
            continue
        return True
    return False


def grade(persona: dict, profile: Profile, listing: Listing, today: date) -> int:
    """The persona's label for this listing at this venue (see personas.toml)."""
    if not _open(listing, today) or not _eligible(listing, profile):
        return 0
    remote_ok = any(m in listing.delivery_modes for m in profile.delivery if m != "in_person")
    in_person = "in_person" in listing.delivery_modes and "in_person" in profile.delivery and listing.has_location
    required = persona.get("requires_any")
    if in_person and required and not set(required) & listing.accessibility:
        in_person = False
    if not in_person and not remote_ok:
        return 0
    full = listing.capacity_status in ("full", "waiting_list") and not (
        listing.capacity_expires and listing.capacity_expires < today)
    for rule in persona["grades"]:
        if not set(rule["categories"]) & set(listing.categories):
            continue
        if rule.get("features_any") and not set(rule["features_any"]) & listing.accessibility:
            continue
        if rule.get("women_only") and not (listing.gender == "female" or "women-only-sessions" in listing.accessibility):
            continue
        if (rule.get("days") or rule.get("times")) and not _sessions(listing, rule.get("days"), rule.get("times")):
            continue
        near = in_person and (
            "within_km" not in rule
            or haversine_km(profile.latitude, profile.longitude, listing.latitude, listing.longitude) <= rule["within_km"]
        )
        if not (near or remote_ok):
            continue
        return max(0, rule["grade"] - (1 if full else 0))
    return 0


# -- the systems -----------------------------------------------------------------------------------


def _unique(listings) -> list[Listing]:
    seen, found = set(), []
    for item in listings:
        if item.id not in seen:
            seen.add(item.id)
            found.append(item)
    return found


def nearest_first(profile: Profile, listings: list[Listing], today: date) -> list[Listing]:
    def distance(item: Listing) -> float:
        if not item.has_location:
            return math.inf
        return haversine_km(profile.latitude, profile.longitude, item.latitude, item.longitude)

    return _unique(sorted((x for x in listings if _open(x, today)), key=distance))[:K]


def keyword_match(profile: Profile, listings: list[Listing], today: date, names: dict[str, str]) -> list[Listing]:
    words = set(tokens(" ".join(profile.what_matters + [names.get(c, c) for c in profile.categories])))
    scored = []
    for item in listings:
        if not _open(item, today):
            continue
        text = " ".join([item.name, item.description, *(names.get(c, c) for c in item.categories)])
        hits = len(words & set(tokens(text)))
        if hits:
            far = haversine_km(profile.latitude, profile.longitude, item.latitude, item.longitude) \
                if item.has_location else math.inf
            scored.append((-hits, far, item))
    scored.sort(key=lambda t: (t[0], t[1]))
    return _unique(item for *_, item in scored)[:K]


def wayfinder(profile: Profile, index: MatchIndex, now: datetime) -> list[Listing]:
    return [m.listing for m in match(profile, index, limit=K, now=now).matches]


# -- metrics -----------------------------------------------------------------------------------------


def dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(n + 2) for n, g in enumerate(grades[:K]))


def ndcg(found: list[int], ideal: list[int]) -> float:
    best = dcg(sorted(ideal, reverse=True))
    return dcg(found) / best if best else float("nan")


def precision(found: list[int]) -> float:
    return sum(1 for g in found[:K] if g >= 2) / K


# -- loading the demo ----------------------------------------------------------------------------------


def load_demo(database: str | None, seed: int) -> list[Listing]:
    """The demo directory (generated into a throwaway SQLite file), or an existing database's."""
    import tempfile

    from directory.db import make_engine, make_session_factory, upgrade_database
    from web.matching_data import load_listings

    if database is not None:
        return load_listings(make_session_factory(make_engine(database))(), only_open=False)
    from directory.demo import generate_demo

    with tempfile.TemporaryDirectory(prefix="wayfinder-eval-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        upgrade_database(url)
        engine = make_engine(url)
        session = make_session_factory(engine)()
        generate_demo(session, seed=seed)
        session.commit()
        listings = load_listings(session, only_open=False)
        session.close()
        engine.dispose()
    return listings


def evaluate(listings: list[Listing], personas: list[dict], now: datetime, per_persona: bool = False,
             config=None) -> dict[str, dict[str, float]]:
    terms = read_wayfinder_taxonomy()
    names = {t.code: t.name for t in terms}
    index = MatchIndex.build(listings, terms, config)
    postcodes = postcode_table()
    today = now.date()
    results: dict[str, dict[str, list[float]]] = {s: {"ndcg": [], "p": []} for s in ("wayfinder", "nearest", "keyword")}
    empty = []
    for persona in personas:
        profile = profile_for(persona, postcodes)
        best_by_id: dict[str, int] = {}
        for item in listings:
            best_by_id[item.id] = max(best_by_id.get(item.id, 0), grade(persona, profile, item, today))
        ideal = sorted(best_by_id.values(), reverse=True)[:K]
        if not any(ideal):
            empty.append(persona["id"])
            continue
        ranked = {
            "wayfinder": wayfinder(profile, index, now),
            "nearest": nearest_first(profile, listings, today),
            "keyword": keyword_match(profile, listings, today, names),
        }
        line = []
        for system, found in ranked.items():
            grades = [grade(persona, profile, item, today) for item in found]
            results[system]["ndcg"].append(ndcg(grades, ideal))
            results[system]["p"].append(precision(grades))
            line.append(f"{system} {results[system]['ndcg'][-1]:.2f} {grades}")
        if per_persona:
            print(f"{persona['id']:<24} ideal {ideal}  " + "  ".join(line))
    summary = {s: {"ndcg@5": statistics.mean(r["ndcg"]), "precision@5": statistics.mean(r["p"])} for s, r in results.items()}
    summary["_"] = {"personas": len(personas) - len(empty), "without_relevant": len(empty)}
    if empty:
        print("No relevant listing in the directory for: " + ", ".join(empty))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="Evaluate an existing directory instead of generating the demo.")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="Demo generator seed.")
    parser.add_argument("--now", default=f"{DEMO_AS_OF}T09:00", help="Rank as if it were this local time "
                        "(default: the demo's own 'today').")
    parser.add_argument("--per-persona", action="store_true")
    args = parser.parse_args()
    listings = load_demo(args.database, args.seed)
    summary = evaluate(listings, read_personas(), datetime.fromisoformat(args.now), args.per_persona)
    meta = summary.pop("_")
    print(f"{len(listings)} listings (venues); {meta['personas']} personas evaluated")
    print("| system | NDCG@5 | precision@5 |\n|---|---|---|")
    for system, scores in summary.items():
        print(f"| {system} | {scores['ndcg@5']:.3f} | {scores['precision@5']:.3f} |")
    best_baseline = max(summary["nearest"]["ndcg@5"], summary["keyword"]["ndcg@5"])
    ours = summary["wayfinder"]["ndcg@5"]
    print(f"goal NDCG@5 >= 0.80: {'met' if ours >= 0.8 else 'NOT met'}; "
          f"margin over the better baseline {ours - best_baseline:+.3f} (goal >= +0.20: "
          f"{'met' if ours - best_baseline >= 0.2 else 'NOT met'})")


if __name__ == "__main__":
    main()
