"""The Wayfinder web application: `create_app()` and one blueprint per audience."""

from __future__ import annotations

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader

from web.config import load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints and CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    _configure_templates(app)

    from web.extensions import csrf, db, limiter

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from web import errors, security

    security.init_app(app)
    errors.init_app(app)

    from web import embed, public

    app.register_blueprint(public.bp)
    app.register_blueprint(embed.bp)

    from web.api import bp as api_bp, feeds, oruk

    app.register_blueprint(oruk.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api_bp)

    from web.api import match as api_match

    app.register_blueprint(api_match.bp)
    return app


def _configure_templates(app: Flask) -> None:
    # The NHS.UK design system's Jinja macros (nhsuk-frontend-jinja) sit behind our own
    # templates; they rely on ChainableUndefined for their optional nested parameters.
    app.jinja_options = {
        **app.jinja_options,
        "undefined": ChainableUndefined,
        # The macros are written for Nunjucks and leave a lot of blank lines; trimming them
        # roughly halves a page, which matters on a pay-as-you-go phone (150 KB budget).
        "trim_blocks": True,
        "lstrip_blocks": True,
        "loader": ChoiceLoader([app.create_global_jinja_loader(), PackageLoader("nhsuk_frontend_jinja")]),
    }
