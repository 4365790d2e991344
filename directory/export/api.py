"""The read operations behind the open data API; the web views parse a request and call these.

Each returns a `Result`: the JSON-ready body and the moment it last changed (for the
Last-Modified header). Lookups of an unknown id raise `NotFound`; a bad parameter raises
`ValidationError` naming it. Only published listings are ever shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from directory.errors import NotFound, ValidationError
from directory.export import oruk, rpde
from directory.export.extensions import vocabulary_taxonomies
from directory.export.loading import as_utc, last_changed, load_services, service_rows
from directory.export.paging import DEFAULT_PER_PAGE, MAX_PER_PAGE, MINIMAL_PER_PAGE, envelope, parse_page
from directory.export.queries import filters_from_params, find_services
from directory.gazetteer import Gazetteer
from directory.models import ChangeLog, Organization, Service, Taxonomy, TaxonomyTerm
from directory.vocab import Moderation

PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"


@dataclass(frozen=True)
class Result:
    body: dict
    last_modified: datetime | None = None


def _true(value: str | None) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes")


def directory_changed_at(session: Session) -> datetime | None:
    """When anything in the directory last changed (a deletion moves no service's timestamp)."""
    # The newest entry by id (the primary key) rather than max(changed_at), which has no index.
    return as_utc(session.scalar(select(ChangeLog.changed_at).order_by(ChangeLog.id.desc()).limit(1)))


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def locate_postcode(session: Session):
    """A function turning a postcode (or place) into (lat, lon) with the gazetteer."""
    gazetteer = Gazetteer(session)

    def locate(text: str) -> tuple[float, float]:
        try:
            point = gazetteer.lookup(text)
        except NotFound as exc:  # an unknown postcode is a bad parameter, not a missing page
            raise ValidationError("postcode", str(exc)) from None
        return point.latitude, point.longitude

    return locate


def api_details(openapi_url: str) -> dict:
    """The `/` document the ORUK validator reads first."""
    return {"version": oruk.HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url}


# ---------------------------------------------------------------------------------------------
# Services


def list_services(session: Session, params: Mapping[str, str]) -> Result:
    """A page of published services, filtered as `directory.export.queries` describes."""
    minimal, full = _true(params.get("minimal")), _true(params.get("full"))
    page = parse_page(params.get("page"), params.get("per_page"),
                      default=MINIMAL_PER_PAGE if minimal else DEFAULT_PER_PAGE,
                      maximum=MINIMAL_PER_PAGE if minimal else MAX_PER_PAGE)
    filters = filters_from_params(params, locate_postcode(session))
    ids, total = find_services(session, filters, page)
    if minimal:  # plain columns: ten thousand ORM objects would be the slow part
        services = service_rows(session, ids)
    else:
        services = load_services(session, ids, tree=full)
    changed = last_changed(session, services)
    render = oruk.service_minimal if minimal else oruk.service_full if full else oruk.service_summary
    contents = [render(services[sid], changed[sid]) for sid in ids if sid in services]
    return Result(envelope(contents, total, page), _latest(directory_changed_at(session), *changed.values()))


def get_service(session: Session, service_id: str) -> Result:
    """The full tree of one published service."""
    service = load_services(session, [service_id]).get(service_id)
    if service is None or service.moderation_status != Moderation.PUBLISHED.value:
        raise NotFound(f"There is no published service with id {service_id}.")
    changed = last_changed(session, {service.id: service})[service.id]
    return Result(oruk.service_full(service, changed), changed)


# ---------------------------------------------------------------------------------------------
# Taxonomies and terms


def list_taxonomies(session: Session, params: Mapping[str, str]) -> Result:
    """Wayfinder's taxonomies, then the vocabularies published as attribute taxonomies."""
    page = parse_page(params.get("page"), params.get("per_page"))
    stored = [oruk.taxonomy(t) for t in session.scalars(select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id))]
    vocabularies = [{k: v for k, v in t.items() if k != "taxonomy_terms"} for t in vocabulary_taxonomies()]
    everything = stored + vocabularies
    contents = everything[page.offset : page.offset + page.per_page]
    return Result(envelope(contents, len(everything), page), directory_changed_at(session))


def get_taxonomy(session: Session, taxonomy_id: str) -> Result:
    tax = session.get(Taxonomy, taxonomy_id)
    if tax is not None:
        terms = session.scalars(
            select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == tax.id)
            .options(selectinload(TaxonomyTerm.taxonomy)).order_by(TaxonomyTerm.code, TaxonomyTerm.id)
        ).all()
        return Result(oruk.taxonomy(tax, terms), directory_changed_at(session))
    for vocabulary in vocabulary_taxonomies():
        if vocabulary["id"] == taxonomy_id:
            return Result(vocabulary)
    raise NotFound(f"There is no taxonomy with id {taxonomy_id}.")


def list_taxonomy_terms(session: Session, params: Mapping[str, str]) -> Result:
    """Terms of Wayfinder's taxonomies, optionally of one (`taxonomy_id`) or under one parent."""
    page = parse_page(params.get("page"), params.get("per_page"))
    query = select(TaxonomyTerm)
    if params.get("taxonomy_id"):
        query = query.where(TaxonomyTerm.taxonomy_id == params["taxonomy_id"])
    if params.get("parent_id"):
        query = query.where(TaxonomyTerm.parent_id == params["parent_id"])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    terms = session.scalars(
        query.options(selectinload(TaxonomyTerm.taxonomy))
        .order_by(TaxonomyTerm.taxonomy_id, TaxonomyTerm.code, TaxonomyTerm.id)
        .limit(page.per_page).offset(page.offset)
    ).all()
    return Result(envelope([oruk.taxonomy_term(t) for t in terms], total, page), directory_changed_at(session))


def get_taxonomy_term(session: Session, term_id: str) -> Result:
    term = session.get(TaxonomyTerm, term_id)
    if term is None:
        raise NotFound(f"There is no taxonomy term with id {term_id}.")
    return Result(oruk.taxonomy_term(term), directory_changed_at(session))


# ---------------------------------------------------------------------------------------------
# Organisations


def _has_published_service():
    return exists().where(Service.organization_id == Organization.id,
                          Service.moderation_status == Moderation.PUBLISHED.value)


def list_organizations(session: Session, params: Mapping[str, str]) -> Result:
    """Organisations with at least one published service, by name."""
    page = parse_page(params.get("page"), params.get("per_page"))
    query = select(Organization).where(_has_published_service())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    orgs = session.scalars(query.order_by(Organization.name, Organization.id).limit(page.per_page).offset(page.offset))
    contents = [oruk.organization_summary(o) for o in orgs]
    return Result(envelope(contents, total, page), directory_changed_at(session))


def get_organization(session: Session, organization_id: str) -> Result:
    """An organisation with its identifiers and its published services (as list items)."""
    org = session.scalar(
        select(Organization).where(Organization.id == organization_id, _has_published_service())
        .options(selectinload(Organization.identifiers))
    )
    if org is None:
        raise NotFound(f"There is no organisation with id {organization_id}.")
    ids = session.scalars(
        select(Service.id).where(Service.organization_id == org.id,
                                 Service.moderation_status == Moderation.PUBLISHED.value)
        .order_by(Service.name, Service.id)
    ).all()
    services = load_services(session, list(ids), tree=False)
    changed = last_changed(session, services)
    body = oruk.organization_full(org, [oruk.service_summary(services[i], changed[i]) for i in ids])
    return Result(body, _latest(as_utc(org.updated_at), *changed.values()))


# ---------------------------------------------------------------------------------------------
# The RPDE feed


def feed_page(session: Session, params: Mapping[str, str], *, settle: timedelta = timedelta(0),
              default_limit: int = rpde.DEFAULT_LIMIT) -> rpde.FeedPage:
    """The RPDE page after the request's cursor (see `directory.export.rpde`)."""
    cursor = rpde.Cursor.parse(params.get("afterTimestamp"), params.get("afterId"))
    limit = rpde.parse_limit(params.get("limit"), default_limit)
    return rpde.build_page(session, cursor, limit=limit, settle=settle)
