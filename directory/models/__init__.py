"""SQLAlchemy models for the directory, aligned with Open Referral HSDS 3.

Import models from here: it also makes sure every table is registered on `Base.metadata`.
"""

from directory.models.gazetteer import Place, Postcode, PostcodeArea
from directory.models.embed import EmbedOrigin
from directory.models.history import ChangeLog, ServiceVersion, Verification
from directory.models.location import Location
from directory.models.organization import Organization, OrganizationIdentifier
from directory.models.provenance import (
    FieldConflict,
    ImportRun,
    QuarantinedRecord,
    Source,
    SourceRecord,
)
from directory.models.report import ProblemReport
from directory.models.schedule import Schedule
from directory.models.search_log import SearchLogEntry
from directory.models.service import (
    Contact,
    CostOption,
    Language,
    Service,
    ServiceArea,
    ServiceAtLocation,
    service_taxonomy,
)
from directory.models.taxonomy import Taxonomy, TaxonomyTerm
from directory.models.transit import (
    TransitCalendar,
    TransitCalendarDate,
    TransitFeed,
    TransitRoute,
    TransitStop,
    TransitStopTime,
    TransitTrip,
)

__all__ = [
    "ChangeLog",
    "Contact",
    "CostOption",
    "EmbedOrigin",
    "FieldConflict",
    "ImportRun",
    "Language",
    "Location",
    "Organization",
    "OrganizationIdentifier",
    "Place",
    "Postcode",
    "PostcodeArea",
    "ProblemReport",
    "QuarantinedRecord",
    "Schedule",
    "SearchLogEntry",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceVersion",
    "Source",
    "SourceRecord",
    "Taxonomy",
    "TaxonomyTerm",
    "TransitCalendar",
    "TransitCalendarDate",
    "TransitFeed",
    "TransitRoute",
    "TransitStop",
    "TransitStopTime",
    "TransitTrip",
    "Verification",
    "service_taxonomy",
]
