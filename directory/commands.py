"""Command-line commands that manage the directory itself."""

from __future__ import annotations

import click

from directory import cli_support
from directory.db import upgrade_database


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    url = cli_support.settings()["DATABASE_URL"]
    upgrade_database(url)
    click.echo("Database is up to date.")


@click.group("import")
def import_group() -> None:
    """Bring data into Wayfinder (postcodes, feeds, spreadsheets)."""


def register(group: click.Group) -> None:
    """Add the directory's commands to the `wayfinder` group."""
    from directory.demo.commands import demo_command
    from directory.gazetteer_commands import places_command, postcodes_command
    from directory.search.commands import register as register_search
    from directory.taxonomy_commands import taxonomy_group

    import_group.add_command(postcodes_command)
    import_group.add_command(places_command)

    group.add_command(init_db_command)
    group.add_command(import_group)
    group.add_command(taxonomy_group)
    group.add_command(demo_command)
    register_search(group)
