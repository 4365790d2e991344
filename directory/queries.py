"""Read-side queries for browsing the directory (the full search engine is directory.search)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from directory.geo import bounding_box, haversine_km
from directory.models import Location, Service, ServiceAtLocation, TaxonomyTerm, service_taxonomy
from directory.vocab import Moderation, ServiceStatus


@dataclass(frozen=True)
class BrowseItem:
    service: Service
    location: Location | None  # the nearest venue, or the first one
    distance_km: float | None


@dataclass(frozen=True)
class BrowsePage:
    items: list[BrowseItem]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def visible_services() -> Select:
    """Published listings that are running (not defunct or inactive)."""
    return select(Service).where(
        Service.moderation_status == Moderation.PUBLISHED.value,
        Service.status.in_([ServiceStatus.ACTIVE.value, ServiceStatus.TEMPORARILY_CLOSED.value]),
    )


def with_categories(query: Select, term_ids: set[str]) -> Select:
    """Only services filed under any of `term_ids`."""
    sub = select(service_taxonomy.c.service_id).where(service_taxonomy.c.taxonomy_term_id.in_(term_ids))
    return query.where(Service.id.in_(sub))


def within_box(query: Select, lat: float, lon: float, radius_km: float) -> Select:
    """Only services with a venue inside the bounding box of the circle (exact check follows)."""
    min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, radius_km)
    sub = (
        select(ServiceAtLocation.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(Location.latitude.between(min_lat, max_lat), Location.longitude.between(min_lon, max_lon))
    )
    return query.where(Service.id.in_(sub))


def browse_services(
    session: Session,
    *,
    category_term_ids: set[str] | None = None,
    near: tuple[float, float] | None = None,
    radius_km: float | None = None,
    page: int = 1,
    per_page: int = 20,
) -> BrowsePage:
    """A page of listings, nearest first when `near` is given, otherwise by name.

    With a radius, services without a venue (phone and online) are left out; without one they
    are listed after the venues, since distance means nothing for them.
    """
    query = visible_services().options(
        selectinload(Service.locations).selectinload(ServiceAtLocation.location),
        selectinload(Service.organization),
    )
    if category_term_ids:
        query = with_categories(query, category_term_ids)
    if near and radius_km:
        query = within_box(query, near[0], near[1], radius_km)
    services = session.scalars(query.order_by(Service.name, Service.id)).unique().all()

    items = []
    for service in services:
        venues = [sal.location for sal in service.locations if sal.location.has_coordinates]
        if near and venues:
            nearest = min(venues, key=lambda v: haversine_km(near[0], near[1], v.latitude, v.longitude))
            distance = haversine_km(near[0], near[1], nearest.latitude, nearest.longitude)
            if radius_km and distance > radius_km:
                continue
            items.append(BrowseItem(service, nearest, distance))
        elif not (near and radius_km):
            items.append(BrowseItem(service, venues[0] if venues else None, None))
    if near:
        items.sort(key=lambda i: (i.distance_km is None, i.distance_km or 0, i.service.name))
    start = (max(page, 1) - 1) * per_page
    return BrowsePage(items[start : start + per_page], len(items), max(page, 1), per_page)


def top_level_categories(session: Session, taxonomy_name: str = "wayfinder") -> list[TaxonomyTerm]:
    """The root categories of a taxonomy, by name."""
    from directory.models import Taxonomy

    return list(
        session.scalars(
            select(TaxonomyTerm)
            .join(Taxonomy)
            .where(Taxonomy.name == taxonomy_name, TaxonomyTerm.parent_id.is_(None))
            .order_by(TaxonomyTerm.name)
        )
    )


def category_with_children(session: Session, code: str, taxonomy_name: str = "wayfinder") -> list[TaxonomyTerm]:
    """A category and every term beneath it (any depth)."""
    from directory.models import Taxonomy

    terms = session.scalars(select(TaxonomyTerm).join(Taxonomy).where(Taxonomy.name == taxonomy_name)).all()
    by_parent: dict[str | None, list[TaxonomyTerm]] = {}
    for term in terms:
        by_parent.setdefault(term.parent_id, []).append(term)
    roots = [t for t in terms if t.code == code]
    found, stack = [], list(roots)
    while stack:
        term = stack.pop()
        found.append(term)
        stack.extend(by_parent.get(term.id, []))
    return found
