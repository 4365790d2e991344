"""The Wayfinder web application: `create_app()` and one blueprint per audience."""

from __future__ import annotations

from flask import Flask

from web.config import load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints and CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from web.extensions import csrf, db

    db.init_app(app)
    csrf.init_app(app)

    from web import security

    security.init_app(app)

    from web import public

    app.register_blueprint(public.bp)

    from web.api import feeds, oruk

    app.register_blueprint(oruk.bp)
    app.register_blueprint(feeds.bp)

    from web.api import match as api_match

    app.register_blueprint(api_match.bp)
    return app
