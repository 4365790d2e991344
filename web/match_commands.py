"""``wayfinder match`` and ``wayfinder train-ranker``.

They live in `web` because they join the database (through `directory`) to the pure ranking in
`matching`, and `web.matching_data` is the one bridge between the two.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import click

from directory.cli_support import open_session, settings
from directory.gazetteer import make_online_geocoder
from directory.listing_view import load_terms
from matching.constraints import REASONS
from matching.learn import NotEnoughOutcomes, Outcome, train, weights_toml
from matching.profile import ProfileError
from matching.rank import match
from web.matching_data import build_index, local_now, match_config, parse_profile, timetable_source, weights_file


def _when(text: str | None) -> datetime:
    if not text:
        return local_now()
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date and time like 2026-03-03T09:00.") from None


@click.command("match")
@click.option("--profile", "profile_file", required=True, type=click.File("r"),
              help="The person's profile as JSON (see docs/matching.md); - reads standard input.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50), help="How many matches.")
@click.option("--at", "at", help="Rank as if it were this local time (ISO, e.g. 2026-03-03T09:00).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--weights-file", "weights_file_", type=click.Path(dir_okay=False, path_type=Path),
              help="Trained weights to lay over matching/weights.toml (default: the instance's, if any).")
def match_command(profile_file, limit: int, at: str | None, as_json: bool, weights_file_: Path | None) -> None:
    """Rank activities for one person, with the reasons and warnings for each."""
    try:
        data = json.load(profile_file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"The profile is not valid JSON: {exc}") from None
    with open_session() as session:
        try:
            profile = parse_profile(session, data, geocoder=make_online_geocoder(settings().get("ONLINE_GEOCODER")))
        except ProfileError as exc:
            raise click.ClickException("The profile has problems:\n" + "\n".join(
                f"  {field}: {message}" for field, message in exc.errors.items())) from None
        config = match_config(weights_file_ or weights_file(settings()))
        index = build_index(session, config)
        report = match(profile, index, limit=limit, now=_when(at), timetable=timetable_source(session))
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    if not report.matches:
        click.echo("Nothing in the directory fits this person yet.")
    for n, found in enumerate(report.matches, start=1):
        item = found.listing
        where = f" at {item.venue}" if item.venue else ""
        click.echo(f"{n}. {item.name}{where} ({item.organisation}) — score {found.score:.2f}")
        for line in found.reasons:
            click.echo(f"     + {line}")
        for line in found.warnings:
            click.echo(f"     ! {line}")
    if report.unmet:
        click.echo("Nothing matched: " + "; ".join(f"'{u}'" for u in report.unmet))
    left_out = "; ".join(f"{n} {REASONS[why]}" for why, n in report.excluded.items() if n)
    click.echo(f"Looked at {report.considered} listings" + (f". Left out: {left_out}." if left_out else "."))
    for note in report.notes:
        click.echo(note)


def read_outcomes(path: Path) -> list[dict]:
    """Referral outcomes from CSV (columns person, profile, listing_id, attended[, referred_at],
    with `profile` holding JSON) or JSON (a list of objects with the same keys)."""
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            row["profile"] = json.loads(row["profile"])
        return rows
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise click.ClickException(f"{path} must hold a JSON list of outcomes.")
    return data


def _attended(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "attended")


@click.command("train-ranker")
@click.argument("outcomes", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--test-size", default=0.25, show_default=True, type=click.FloatRange(0.1, 0.5),
              help="Share of people held out to judge the fit.")
@click.option("--min-improvement", default=0.01, show_default=True, type=float,
              help="Held-out ROC AUC gain needed before the learned weights may be used.")
@click.option("--write/--dry-run", default=False, show_default=True,
              help="Write the learned weights to the instance folder when they are better.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--weights-file", "weights_file_", type=click.Path(dir_okay=False, path_type=Path),
              help="Where the learned weights go (default: matching-weights.toml in the instance folder).")
def train_ranker_command(outcomes: Path, test_size: float, min_improvement: float, write: bool, seed: int,
                         weights_file_: Path | None) -> None:
    """Fit ranking weights on referral outcomes (who attended) and compare them on held-out people.

    OUTCOMES is a CSV or JSON file of referrals: person (a pseudonymous id), profile (the
    profile JSON used for the referral), listing_id, attended (1/0) and optionally referred_at.
    The learned weights replace the configured ones only with --write and only when they beat
    them on people the fit never saw.
    """
    rows = read_outcomes(outcomes)
    target = weights_file_ or weights_file(settings())
    config = match_config(target)
    with open_session() as session:
        parsed = []
        known = {t.code for t in load_terms(session)}
        for n, row in enumerate(rows, start=1):
            try:
                profile = parse_profile(session, row["profile"], known)
            except ProfileError as exc:
                raise click.ClickException(f"Outcome {n}: {exc}") from None
            except KeyError as exc:
                raise click.ClickException(f"Outcome {n} has no {exc.args[0]}.") from None
            when = row.get("referred_at")
            parsed.append(Outcome(str(row.get("person") or n), profile, str(row["listing_id"]),
                                  _attended(row.get("attended")),
                                  datetime.fromisoformat(when).replace(tzinfo=None) if when else None))
        index = build_index(session, config)
    try:
        report = train(parsed, index, config, test_size=test_size, seed=seed, now=local_now())
    except NotEnoughOutcomes as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())
    if report.improvement < min_improvement:
        click.echo(f"Not better by at least {min_improvement:.3f} on held-out people: keeping the configured weights.")
        return
    if not write:
        click.echo("Better on held-out people. Run again with --write to use these weights.")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(weights_toml(report.weights, report), encoding="utf-8")
    click.echo(f"Wrote the learned weights to {target}.")


def register(group: click.Group) -> None:
    group.add_command(match_command)
    group.add_command(train_ranker_command)
