"""`wayfinder match`, `wayfinder import gtfs` and `wayfinder train-ranker` on a real SQLite file."""

from __future__ import annotations

import csv
import json
import random

import pytest
from click.testing import CliRunner

from directory.db import make_engine, make_session_factory
from directory.models import Service
from tests.gtfs import make_feed
from tests.web.match_world import HOME_POSTCODE, make_world
from web.cli import main


def run(url: str, *args: str):
    result = CliRunner().invoke(main, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)
    return result


def profile_file(tmp_path, **profile) -> str:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    return str(path)


def test_match_prints_ranked_matches_with_reasons(tmp_path):
    url = make_world(tmp_path / "w.sqlite")
    result = run(url, "match", "--profile", profile_file(tmp_path, what_matters=["I can't pay my bills"],
                                                         postcode="NE1 4AA"),
                 "--at", "2026-03-03T09:00", "--weights-file", str(tmp_path / "none.toml"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1. Money and debt advice drop-in at Elswick Library (Tyneside Money Matters)")
    assert "     + Matches 'I can't pay my bills' (Money and debt advice)" in lines
    assert "Looked at 3 listings. Left out: 1 too far for the journeys they can make; 1 not about anything they " \
        "asked for." in lines


def test_match_as_json(tmp_path):
    url = make_world(tmp_path / "w.sqlite")
    result = run(url, "match", "--json", "--limit", "1", "--profile",
                 profile_file(tmp_path, categories=["health-walks"], postcode="NE1 4AA"))
    body = json.loads(result.output)
    assert [m["name"] for m in body["matches"]] == ["Leazes Park health walk"]


def test_match_refuses_a_bad_profile_field_by_field(tmp_path):
    url = make_world(tmp_path / "w.sqlite")
    result = CliRunner().invoke(main, ["match", "--profile", profile_file(tmp_path, age=-1)], env={"DATABASE_URL": url})
    assert result.exit_code == 1
    assert "age: This must be between 0 and 120." in result.output
    assert "what_matters:" in result.output


def test_a_loaded_timetable_names_the_bus(tmp_path):
    url = make_world(tmp_path / "w.sqlite")
    loaded = run(url, "import", "gtfs", str(make_feed(tmp_path / "feed.zip")))
    assert loaded.exit_code == 0 and "Loaded feed.zip: 3 stops, 2 routes, 3 trips" in loaded.output
    singer = profile_file(tmp_path, what_matters=["I'd love to sing in a choir"], latitude=54.9780,
                          longitude=-1.6080, travel_modes=["bus"], max_travel_minutes=45)
    result = run(url, "match", "--profile", singer, "--at", "2026-03-03T09:00")
    assert "1. Gosforth community choir" in result.output
    assert "bus Q3 from Westgate Road at 9:30, off at Gosforth High Street at 9:50 (Tuesdays)" in result.output
    assert "estimate" not in result.output.split("2.")[0]


def test_import_gtfs_reports_a_broken_feed(tmp_path):
    url = make_world(tmp_path / "w.sqlite")
    result = CliRunner().invoke(main, ["import", "gtfs", str(make_feed(tmp_path / "f.zip", leave_out="trips.txt"))],
                                env={"DATABASE_URL": url})
    assert result.exit_code == 1 and "no trips.txt" in result.output


def outcomes_csv(tmp_path, url: str, pattern: bool, seed: int = 1) -> str:
    """Referrals to the walking groups; with `pattern`, people went when the group had been
    checked recently (stale listings are often groups that have stopped), whatever the distance.
    The configured weights give freshness little say, so learning has something to find."""
    engine = make_engine(url)
    session = make_session_factory(engine)()
    groups = [(s.id, s.assured_date.year >= 2026)
              for s in session.query(Service).filter(Service.name.like("Walking group%"))]
    session.close()
    engine.dispose()
    rng = random.Random(seed)
    path = tmp_path / "outcomes.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["person", "profile", "listing_id", "attended"])
        for person in range(70):
            lat = HOME_POSTCODE[1] + rng.uniform(-0.03, 0.03)
            lon = HOME_POSTCODE[2] + rng.uniform(-0.05, 0.05)
            profile = {"what_matters": ["I want to get out of the house"], "latitude": lat, "longitude": lon,
                       "travel_modes": ["walk", "bus"], "max_travel_minutes": 60}
            for group_id, fresh in rng.sample(groups, 4):
                chance = (0.8 if fresh else 0.15) if pattern else 0.5
                writer.writerow([f"p{person}", json.dumps(profile), group_id, int(rng.random() < chance)])
    return str(path)


@pytest.mark.slow
def test_train_ranker_learns_a_known_pattern_and_writes_weights_only_when_asked(tmp_path):
    url = make_world(tmp_path / "w.sqlite", walking_groups=60)
    weights = tmp_path / "weights.toml"
    outcomes = outcomes_csv(tmp_path, url, pattern=True)
    dry = run(url, "train-ranker", outcomes, "--weights-file", str(weights))
    assert "Held-out ROC AUC" in dry.output and "Run again with --write" in dry.output
    assert not weights.exists()
    written = run(url, "train-ranker", outcomes, "--write", "--weights-file", str(weights))
    assert f"Wrote the learned weights to {weights}" in written.output
    import tomllib

    learned = tomllib.loads(weights.read_text())["weights"]
    assert learned["freshness"] > 0.05  # configured 0.05: the learner found what mattered
    # The next ranking uses them.
    again = run(url, "match", "--json", "--weights-file", str(weights), "--profile",
                profile_file(tmp_path, what_matters=["I want to get out of the house"], postcode="NE1 4AA"))
    assert json.loads(again.output)["matches"]


@pytest.mark.slow
def test_train_ranker_keeps_the_configured_weights_when_outcomes_show_nothing(tmp_path):
    url = make_world(tmp_path / "w.sqlite", walking_groups=60)
    weights = tmp_path / "weights.toml"
    result = run(url, "train-ranker", outcomes_csv(tmp_path, url, pattern=False), "--write", "--min-improvement",
                 "0.05", "--weights-file", str(weights))
    assert "keeping the configured weights" in result.output
    assert not weights.exists()
