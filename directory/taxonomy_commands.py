"""`wayfinder taxonomy ...`: load Wayfinder's categories and the OpenActive Activity List."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import click

from directory import cli_support
from directory.errors import DirectoryError
from directory.taxonomy import (
    DEFAULT_MAX_AGE,
    PUBLISHED_URL,
    fetch_activity_list,
    load_activity_list,
    load_wayfinder_taxonomy,
)


def _summary(label: str, taxonomy, counts: Counter) -> str:
    return (
        f"{label}: {len(taxonomy.terms)} terms "
        f"({counts['created']} new, {counts['updated']} updated)."
    )


@click.group("taxonomy")
def taxonomy_group() -> None:
    """Load and refresh the categories listings are filed under."""


@taxonomy_group.command("load")
@click.option(
    "--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A taxonomy TOML file to use instead of the one that ships with Wayfinder.",
)
def load_command(path: Path | None) -> None:
    """Load Wayfinder's social-prescribing categories (safe to run again: updates in place)."""
    counts: Counter = Counter()
    try:
        with cli_support.open_session() as session:
            taxonomy = load_wayfinder_taxonomy(session, path, on_change=lambda action, _code: counts.update([action]))
            session.commit()
            click.echo(_summary("Wayfinder categories", taxonomy, counts))
    except DirectoryError as exc:
        raise click.ClickException(str(exc)) from exc


@taxonomy_group.command("activity-list")
@click.option(
    "--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Load the list from this JSON-LD file.",
)
@click.option("--url", help="Fetch the list from this address (default: the ACTIVITY_LIST_URL setting).")
@click.option("--refresh", is_flag=True, help="Fetch now even if the cached copy is recent.")
def activity_list_command(path: Path | None, url: str | None, refresh: bool) -> None:
    """Load the OpenActive Activity List from a file, or fetch it (cached in the instance folder)."""
    if path and url:
        raise click.UsageError("Give either --file or --url, not both.")
    try:
        if path:
            try:
                data = json.loads(path.read_bytes())
            except ValueError as exc:
                raise click.ClickException(f"{path} is not JSON: {exc}") from exc
        else:
            settings = cli_support.settings()
            url = url or settings.get("ACTIVITY_LIST_URL")
            if not url:
                raise click.UsageError(
                    "No Activity List address is configured. Set WAYFINDER_ACTIVITY_LIST_URL "
                    f"(usually {PUBLISHED_URL}), or pass --url URL or --file PATH."
                )
            instance = settings.get("INSTANCE_PATH")
            if not instance:
                raise click.UsageError("No instance folder is configured to cache the Activity List in.")
            max_age = timedelta(0) if refresh else DEFAULT_MAX_AGE
            data = fetch_activity_list(url, Path(instance) / "cache", max_age=max_age)
        counts: Counter = Counter()
        with cli_support.open_session() as session:
            taxonomy = load_activity_list(session, data, on_change=lambda action, _code: counts.update([action]))
            session.commit()
            click.echo(_summary("OpenActive Activity List", taxonomy, counts))
    except DirectoryError as exc:
        raise click.ClickException(str(exc)) from exc
