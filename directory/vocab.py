"""Controlled vocabularies shared by the directory, importers, search and matching.

Plain Python (no SQLAlchemy) so `matching` can use it. Codes are stable identifiers stored in
the database; labels are the plain-English words shown to people.
"""

from __future__ import annotations

from enum import StrEnum


class ServiceStatus(StrEnum):
    """HSDS 3 `service.status`."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


class Capacity(StrEnum):
    """How much room a group says it has."""

    OPEN = "open"  # places available
    LIMITED = "limited"  # a few places left
    FULL = "full"  # no places now
    WAITING_LIST = "waiting_list"  # full, but takes names
    UNKNOWN = "unknown"


CAPACITY_LABELS = {
    Capacity.OPEN: "Places available",
    Capacity.LIMITED: "A few places left",
    Capacity.FULL: "Full at the moment",
    Capacity.WAITING_LIST: "Full - waiting list open",
    Capacity.UNKNOWN: "Not known",
}


class Moderation(StrEnum):
    """Where an edit is in the moderation workflow."""

    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Gender(StrEnum):
    """Who a listing is open to by gender."""

    ANY = "any"
    FEMALE = "female"
    MALE = "male"


class DeliveryMode(StrEnum):
    """How a service is delivered."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    PHONE = "phone"


class ReferralRoute(StrEnum):
    """How a person gets in."""

    SELF = "self"  # just turn up or contact the group yourself
    LINK_WORKER = "link_worker"
    CLINICIAN = "clinician"  # GP, nurse or other clinician


REFERRAL_LABELS = {
    ReferralRoute.SELF: "You can contact them yourself",
    ReferralRoute.LINK_WORKER: "A link worker can refer you",
    ReferralRoute.CLINICIAN: "Your GP or nurse can refer you",
}

# Accessibility features of a venue or activity. The codes are Wayfinder's; `openactive` maps
# the OpenActive accessibility-support concepts onto them in the importer.
ACCESSIBILITY_FEATURES: dict[str, str] = {
    "step-free": "Step-free access",
    "wheelchair-accessible": "Wheelchair accessible",
    "accessible-toilet": "Accessible toilet",
    "changing-places": "Changing Places toilet",
    "hearing-loop": "Hearing loop",
    "bsl": "British Sign Language available",
    "large-print": "Large print materials",
    "dementia-friendly": "Dementia friendly",
    "learning-disability-friendly": "Welcomes people with learning disabilities",
    "autism-friendly": "Autism friendly",
    "quiet-space": "Quiet space available",
    "seating": "Seating available",
    "lift": "Lift to all floors",
    "parking": "Parking on site",
    "blue-badge-parking": "Blue Badge parking",
    "near-bus-stop": "Bus stop nearby",
    "guide-dogs-welcome": "Assistance dogs welcome",
    "carer-free": "Carers come free",
    "women-only-sessions": "Women-only sessions",
}

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


class Frequency(StrEnum):
    """RRULE frequencies a schedule may use (HSDS 3 `schedule.freq`)."""

    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"
