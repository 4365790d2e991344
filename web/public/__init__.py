"""Public pages: no login, plain English, work without JavaScript."""

from web.public.views import bp

__all__ = ["bp"]
