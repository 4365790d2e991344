"""The embed widget: a compact search a GP practice puts on its own website with one snippet."""

from web.embed.views import bp

__all__ = ["bp"]
