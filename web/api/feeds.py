"""RPDE 1.0 change feeds under `/feeds`. Views parse the cursor and delegate to the builder."""

from __future__ import annotations

import os
from datetime import timedelta

from flask import current_app, request, url_for

from directory.export import api, rpde
from web.api.opendata_http import json_response, make_open_data_blueprint
from web.extensions import csrf, db

bp = make_open_data_blueprint("feeds", "/feeds")
csrf.exempt(bp)  # read-only GETs

# Entries younger than this are held back so concurrent transactions have committed
# (see directory.export.rpde); tests and single-writer SQLite deployments may set 0.
DEFAULT_SETTLE_SECONDS = 2


def _setting(key: str, default):
    """App config first (tests), then the WAYFINDER_* environment variable, then the default."""
    return current_app.config.get(key, os.environ.get(f"WAYFINDER_{key}", default))


@bp.get("/")
def index():
    return json_response({
        "feeds": [{
            "name": "services",
            "kind": rpde.KIND,
            "url": url_for("feeds.services", _external=True),
            "encodingFormat": "application/vnd.openactive.rpde+json; version=1",
            "description": "Every published service as HSDS-UK 3.0 JSON, in change order; deletions as tombstones.",
        }]
    })


@bp.get("/services")
def services():
    settle = timedelta(seconds=float(_setting("FEED_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS)))
    page = api.feed_page(db.session, request.args, settle=settle)
    page.license = _setting("OPEN_DATA_LICENSE", rpde.LICENSE)
    params = page.next_cursor.params()
    if request.args.get("limit"):
        params["limit"] = str(page.limit)  # keep the consumer's page size on every page
    next_url = url_for("feeds.services", _external=True, **params)
    return json_response(page.to_json(next_url), last_modified=page.last_changed_at,
                         cache_control=page.cache_control)
