"""Which practice websites may frame the embed widget, and the `wayfinder embed` commands.

An origin is exactly scheme://host[:port] as a browser reports it (`location.origin`), so the
embed page can compare what the widget script says its page is against this list, and the
browser enforces the answer through CSP `frame-ancestors`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import cli_support
from directory.errors import NotFound, ValidationError
from directory.models import EmbedOrigin

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(text: str) -> str:
    """``HTTPS://Practice.example:443/contact`` -> ``https://practice.example``; raises on junk.

    Paths are dropped (an origin has none); default ports are dropped the way browsers drop them.
    """
    raw = (text or "").strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValidationError("origin", f"{raw!r} is not a web address like https://practice.example.")
    if parts.username or parts.password or any(c in parts.hostname for c in "*; '\""):
        raise ValidationError("origin", f"{raw!r} is not a plain web address.")
    try:
        port = parts.port
    except ValueError:
        raise ValidationError("origin", f"{raw!r} has an impossible port.") from None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and port != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def register_origin(session: Session, actor: str, origin: str, label: str | None = None) -> EmbedOrigin:
    """Allow `origin` to frame the widget (idempotent: re-registering updates the label)."""
    value = normalise_origin(origin)
    row = session.scalars(select(EmbedOrigin).where(EmbedOrigin.origin == value)).first()
    if row is None:
        row = EmbedOrigin(origin=value, label=label, created_by=actor)
        session.add(row)
    elif label:
        row.label = label
    return row


def remove_origin(session: Session, actor: str, origin: str) -> None:
    """Stop `origin` framing the widget."""
    value = normalise_origin(origin)
    row = session.scalars(select(EmbedOrigin).where(EmbedOrigin.origin == value)).first()
    if row is None:
        raise NotFound(f"{value} is not registered.")
    session.delete(row)


def list_origins(session: Session) -> list[EmbedOrigin]:
    return list(session.scalars(select(EmbedOrigin).order_by(EmbedOrigin.origin)))


def is_registered(session: Session, origin: str | None) -> bool:
    """True when `origin` (as a browser reports it) has been registered by an admin."""
    if not origin:
        return False
    try:
        value = normalise_origin(origin)
    except ValidationError:
        return False
    return session.scalars(select(EmbedOrigin.id).where(EmbedOrigin.origin == value)).first() is not None


@click.group("embed")
def embed_group() -> None:
    """Practice websites allowed to show the embed widget."""


@embed_group.command("register-origin")
@click.argument("origin")
@click.option("--label", help="The practice's name, for admins.")
@click.option("--by", "actor", default="cli", show_default=True, help="Who is registering it.")
def register_command(origin: str, label: str | None, actor: str) -> None:
    """Allow ORIGIN (e.g. https://www.practice.nhs.uk) to frame the embed widget."""
    try:
        with cli_support.open_session() as session:
            row = register_origin(session, actor, origin, label)
            session.commit()
    except ValidationError as exc:
        raise click.BadParameter(exc.message, param_hint="ORIGIN") from None
    click.echo(f"Registered {row.origin}.")


@embed_group.command("list")
def list_command() -> None:
    """List the registered origins."""
    with cli_support.open_session() as session:
        rows = list_origins(session)
    if not rows:
        click.echo("No origins are registered.")
    for row in rows:
        click.echo(f"{row.origin}\t{row.label or ''}")


@embed_group.command("remove")
@click.argument("origin")
def remove_command(origin: str) -> None:
    """Stop ORIGIN framing the embed widget."""
    try:
        with cli_support.open_session() as session:
            remove_origin(session, "cli", origin)
            session.commit()
    except (ValidationError, NotFound) as exc:
        raise click.ClickException(getattr(exc, "message", None) or str(exc)) from None
    click.echo(f"Removed {normalise_origin(origin)}.")
