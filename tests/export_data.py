"""A small directory with one of everything the open data export has to get right.

Built with `tests.factories` so the tests know exactly what is there: each kind of schedule
rule, a phone-only service with a residency area, a women-only session, free and paid
sessions, categories two levels deep, drafts that must stay hidden, and postcodes for the
proximity filter. `add_fillers` adds plain listings for paging.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from directory.models import (
    Contact,
    Language,
    Location,
    OrganizationIdentifier,
    Postcode,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from tests.factories import add_cost, make_location, make_organization, make_service

# Real-looking centroids: Elswick (NE4 5PL), Heaton (NE6 5AA), Gateshead (NE8 1AA).
POSTCODES = {
    "NE4 5PL": (54.9707, -1.6369),
    "NE6 5AA": (54.9790, -1.5870),
    "NE8 1AA": (54.9590, -1.6030),
    "SR1 1AA": (54.9060, -1.3830),  # Sunderland, outside Newcastle
}

# Newcastle upon Tyne, roughly: a residency area that contains NE4 and NE6 but not Sunderland.
NEWCASTLE = {"type": "Polygon", "coordinates": [[[-1.78, 54.94], [-1.53, 54.94], [-1.53, 55.05],
                                                 [-1.78, 55.05], [-1.78, 54.94]]]}
SUNDERLAND = {"type": "Polygon", "coordinates": [[[-1.45, 54.86], [-1.33, 54.86], [-1.33, 54.94],
                                                  [-1.45, 54.94], [-1.45, 54.86]]]}


@dataclass
class Directory:
    """What `build_directory` made, by short name."""

    services: dict[str, Service] = field(default_factory=dict)
    terms: dict[str, TaxonomyTerm] = field(default_factory=dict)
    taxonomy: Taxonomy | None = None

    @property
    def published(self) -> list[Service]:
        return [s for s in self.services.values() if s.moderation_status == "published"]


def _postcodes(session) -> None:
    for code, (lat, lon) in POSTCODES.items():
        if session.get(Postcode, code) is None:
            session.add(Postcode(postcode=code, latitude=lat, longitude=lon,
                                 sector=code[:-2], district=code.split()[0]))


def _taxonomy(session, d: Directory) -> None:
    tax = Taxonomy(name="wayfinder-test", description="Test categories", uri="https://example.org/tax")
    session.add(tax)
    session.flush()
    d.taxonomy = tax
    tree = {"physical-activity": None, "health-walks": "physical-activity", "swimming": "physical-activity",
            "social": None, "lunch-clubs": "social", "advice": None, "debt-advice": "advice"}
    for code, parent in tree.items():
        term = TaxonomyTerm(taxonomy=tax, code=code, name=code.replace("-", " ").capitalize(),
                            parent_id=d.terms[parent].id if parent else None, synonyms=[])
        session.add(term)
        session.flush()
        d.terms[code] = term


def build_directory(session) -> Directory:
    """The directory; flushed, not committed (the caller decides)."""
    d = Directory()
    _postcodes(session)
    _taxonomy(session, d)
    heaton = make_location(session, name="Heaton Park Pavilion", latitude=54.9785, longitude=-1.5880,
                           postal_code="NE6 5AA", address_1="Heaton Park Road", city="Newcastle upon Tyne",
                           region="Tyne and Wear", accessibility=["step-free", "accessible-toilet"],
                           accessibility_details="Ramp at the side door.")
    elswick = make_location(session, name="Elswick Pool", latitude=54.9700, longitude=-1.6380,
                            postal_code="NE4 5PL", address_1="Beech Grove Road", city="Newcastle upon Tyne")
    gateshead = make_location(session, name="Gateshead Civic Centre", latitude=54.9595, longitude=-1.6020,
                              postal_code="NE8 1AA", address_1="Regent Street", city="Gateshead")
    session.flush()  # the venues need their ids before schedules can point at them
    walkers = make_organization(session, name="Heaton Walkers", description="Volunteer walk leaders.",
                                email="hello@heatonwalkers.example", website="www.heatonwalkers.example",
                                phone="0191 000 0001")
    walkers.identifiers.append(OrganizationIdentifier(identifier_scheme="GB-CHC", identifier_type="Charity number",
                                                      identifier="1234567"))

    walk = make_service(session, organization=walkers, location=heaton, name="Heaton Park Health Walk",
                        description="A gentle guided walk round the park.", url="https://heatonwalkers.example/walk",
                        email="walks@heatonwalkers.example", phone="0191 000 0002", minimum_age=18, maximum_age=99,
                        referral_routes=["self", "link_worker"], delivery_modes=["in_person"],
                        accessibility=["dementia-friendly"], capacity_status="open",
                        assured_date=date(2026, 1, 5), assurer_email="checker@example.org",
                        fees_description="Free")
    walk.taxonomy_terms = [d.terms["health-walks"]]
    add_cost(walk, "0", "per walk")
    walk.languages.append(Language(name="English", code="en"))
    walk.contacts.append(Contact(name="Ann Walker", title="Walk leader", email="ann@heatonwalkers.example",
                                 phone="07700 900001"))
    d.services["walk"] = walk

    chair = make_service(session, location=gateshead, schedule=False, name="Chair-Based Exercise",
                         minimum_age=50, delivery_modes=["in_person"])
    chair.schedules.append(Schedule(freq="MONTHLY", byday="2MO", opens_at=time(14), closes_at=time(15),
                                    location_id=gateshead.id, valid_from=date(2026, 1, 1)))
    chair.taxonomy_terms = [d.terms["physical-activity"]]
    add_cost(chair, "2.50", "per session")
    d.services["chair"] = chair

    debt = make_service(session, location=False, schedule=False, name="Debt Advice Line",
                        description="Free, confidential debt advice by phone.", phone="0800 000 0003",
                        delivery_modes=["phone"], referral_routes=["self", "clinician"], maximum_age=120,
                        minimum_age=18)
    debt.schedules.append(Schedule(by_appointment=True, notes="Call to book a time."))
    debt.service_areas.append(ServiceArea(name="Newcastle residents", extent=NEWCASTLE,
                                          description="For people living in Newcastle."))
    debt.taxonomy_terms = [d.terms["debt-advice"]]
    d.services["debt"] = debt

    swim = make_service(session, location=elswick, schedule=False, name="Women's Early Swim",
                        gender="female", minimum_age=16)
    swim.schedules.append(Schedule(freq="DAILY", opens_at=time(7), closes_at=time(8)))
    swim.taxonomy_terms = [d.terms["swimming"]]
    add_cost(swim, "3.20", "adult")
    d.services["swim"] = swim

    lunch = make_service(session, location=heaton, schedule=False, name="Friendship Lunch Club",
                         capacity_status="waiting_list")
    lunch.schedules.append(Schedule(freq="WEEKLY", interval=2, byday="WE,FR", opens_at=time(12),
                                    closes_at=time(14), dtstart=date(2026, 1, 7)))
    lunch.taxonomy_terms = [d.terms["lunch-clubs"], d.terms["social"]]
    add_cost(lunch, "3.00", "lunch")
    add_cost(lunch, "1.50", "concessions")
    d.services["lunch"] = lunch

    fair = make_service(session, location=False, schedule=False, name="Annual Wellbeing Fair",
                        delivery_modes=["online"])
    fair.schedules.append(Schedule(freq="YEARLY", dtstart=date(2026, 6, 1), opens_at=time(10), closes_at=time(16)))
    fair.locations.append(ServiceAtLocation(
        location=Location(location_type="virtual", name="Zoom", url="https://zoom.example/j/1")))
    d.services["fair"] = fair

    sunderland = make_service(session, location=elswick, name="Sunderland Residents' Swim")
    sunderland.service_areas.append(ServiceArea(name="Sunderland", extent=SUNDERLAND))
    d.services["sunderland"] = sunderland

    d.services["defunct"] = make_service(session, location=heaton, name="Old Thursday Walk", status="defunct")
    d.services["draft"] = make_service(session, location=heaton, name="Draft Walk", moderation_status="draft")
    d.services["pending"] = make_service(session, location=heaton, name="Pending Walk", moderation_status="pending")
    session.flush()
    return d


def add_fillers(session, count: int, prefix: str = "Filler Group") -> list[Service]:
    """`count` plain published listings named so they sort after the interesting ones."""
    made = [make_service(session, name=f"{prefix} {n:04d}") for n in range(count)]
    session.flush()
    return made
