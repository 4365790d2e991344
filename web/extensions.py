"""Extensions bound to the app with `init_app`, flaskr style."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from directory.db import make_engine, make_session_factory

csrf = CSRFProtect()


def online_geocoder(app: Flask | None = None):
    """The optional online geocoder (ONLINE_GEOCODER, off by default), made once per app.

    Tests and deployments may put their own geopy-style object in
    ``app.extensions["wayfinder_geocoder"]``.
    """
    from directory.gazetteer import make_online_geocoder

    app = app or current_app
    if "wayfinder_geocoder" not in app.extensions:
        app.extensions["wayfinder_geocoder"] = make_online_geocoder(app.config.get("ONLINE_GEOCODER"))
    return app.extensions["wayfinder_geocoder"]
# Per client address. Behind a reverse proxy, wrap the app in werkzeug's ProxyFix so the
# address is the visitor's, not the proxy's. Storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(get_remote_address, default_limits=[])


@dataclass
class DatabaseState:
    engine: Engine
    session_factory: sessionmaker


class Database:
    """One engine per app (kept in `app.extensions`); one session per request."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["wayfinder_db"] = DatabaseState(engine, make_session_factory(engine))
        app.teardown_appcontext(self._close)

    @staticmethod
    def state(app: Flask | None = None) -> DatabaseState:
        return (app or current_app).extensions["wayfinder_db"]

    @property
    def session(self) -> Session:
        """The current request's session, created on first use and closed at teardown."""
        if "db_session" not in g:
            g.db_session = self.state().session_factory()
        return g.db_session

    @staticmethod
    def _close(_exc) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
