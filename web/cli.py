"""The `wayfinder` command: Flask's commands (`run`, `shell`, `routes`) plus Wayfinder's own.

Commands live next to what they manage (`directory.commands`, `importers.commands`, ...) and
are gathered here, the one place that knows about all of them.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo

from directory import cli_support
from web import create_app


def _session_factory_loader(info: ScriptInfo):
    def load():
        app = info.load_app()
        return app.extensions["wayfinder_db"].session_factory

    return load


def _settings_loader(info: ScriptInfo):
    def load():
        app = info.load_app()
        return {**app.config, "INSTANCE_PATH": app.instance_path}

    return load


@click.group(cls=FlaskGroup, create_app=create_app)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Wayfinder: a community activity directory and matching service for social prescribing."""
    info = ctx.ensure_object(ScriptInfo)
    cli_support.provide(ctx, _session_factory_loader(info), _settings_loader(info))


def _register() -> None:
    from directory.commands import register as register_directory
    from directory.embed_origins import embed_group
    from directory.export.commands import register as register_export
    from directory.reports import reports_group
    from importers.commands import register as register_importers

    register_directory(main)
    register_export(main)
    register_importers(main)
    main.add_command(embed_group)
    main.add_command(reports_group)

    from directory.commands import import_group
    from directory.transit_commands import gtfs_command
    from web.match_commands import register as register_matching

    import_group.add_command(gtfs_command)
    register_matching(main)


_register()
