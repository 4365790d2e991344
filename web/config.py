"""Configuration: defaults for the embedded deployment, overridden by environment variables."""

from __future__ import annotations

import os
from pathlib import Path


def load_config(instance_path: str) -> dict:
    """Settings from the environment, with embedded defaults under the instance folder.

    `DATABASE_URL` picks PostgreSQL; `WAYFINDER_SECRET_KEY` must be set in production (a random
    per-instance key is generated and kept in the instance folder otherwise).
    """
    instance = Path(instance_path)
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'wayfinder.sqlite'}"),
        "SEARCH_INDEX_DIR": os.environ.get("WAYFINDER_INDEX_DIR", str(instance / "index")),
        "SECRET_KEY": os.environ.get("WAYFINDER_SECRET_KEY") or _instance_secret(instance),
        "ACTIVITY_LIST_URL": os.environ.get("WAYFINDER_ACTIVITY_LIST_URL"),
        "ONLINE_GEOCODER": os.environ.get("WAYFINDER_ONLINE_GEOCODER"),  # off unless set
        "MAP_TILE_URL": os.environ.get("WAYFINDER_MAP_TILE_URL"),
        # "Report something wrong" notes are deleted this many days after they were made.
        "REPORT_RETENTION_DAYS": int(os.environ.get("WAYFINDER_REPORT_RETENTION_DAYS", "180")),
        "SEARCH_LOG_RETENTION_DAYS": int(os.environ.get("WAYFINDER_SEARCH_LOG_RETENTION_DAYS", "365")),
        # Rate limits count requests per client address in this store (memory:// is per process;
        # use redis://127.0.0.1:6379 when several workers serve the site). Only counters live
        # there, and only for the length of the window.
        "RATELIMIT_STORAGE_URI": os.environ.get("WAYFINDER_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After tells a client when to come back
        "REPORT_RATE_LIMIT": os.environ.get("WAYFINDER_REPORT_RATE_LIMIT", "5 per 10 minutes;20 per day"),
        "MATCH_RATE_LIMIT": os.environ.get("WAYFINDER_MATCH_RATE_LIMIT", "120 per minute"),
    }


def _instance_secret(instance: Path) -> str:
    # Never a constant in the repo: each instance makes its own key on first start.
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(os.urandom(32).hex())
        key_file.chmod(0o600)
    return key_file.read_text().strip()
