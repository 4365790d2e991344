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
