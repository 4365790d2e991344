"""Security headers on every response: a strict CSP with a per-request nonce, and friends."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, g, request


def csp_nonce() -> str:
    """The nonce for this request's inline scripts and styles (templates call it)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def tile_source(tile_url: str | None) -> str:
    """The CSP source for a map tile URL template: ``https://{s}.tile.example/{z}/{x}/{y}.png``
    -> ``https://*.tile.example``. Empty when no map is configured."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "tiles-subdomain"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('tiles-subdomain', '*')}"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Map tiles are the one thing a page may load from elsewhere, and only when configured.
    images = " ".join(filter(None, ["'self' data:", tile_source(app.config.get("MAP_TILE_URL"))]))

    @app.after_request
    def _headers(response):
        nonce = csp_nonce()
        # Pages that may be framed (the embed widget) set g.frame_ancestors themselves.
        ancestors = g.get("frame_ancestors", "'none'")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            f"style-src 'self' 'nonce-{nonce}'; "
            f"img-src {images}; "
            "font-src 'self'; "
            "connect-src 'self'; "
            "object-src 'none'; "
            "base-uri 'self'; "
            "form-action 'self'; "
            f"frame-ancestors {ancestors}",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if ancestors == "'none'":
            response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
