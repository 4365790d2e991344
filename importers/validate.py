"""Validation of a normalised record before anything touches the database.

The directory's models already refuse impossible values (latitude 100, an end time before the
start, an age range upside down, an unknown accessibility code); building throw-away model
objects from the record runs exactly those checks, so importers and the group portal can never
disagree about what is valid. On top come the checks only an import needs: text that would not
fit its column (PostgreSQL refuses it; SQLite would silently keep it), and postcodes repaired
to their standard form.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import inspect as sa_inspect

from directory.errors import ValidationError
from directory.models import CostOption, Location, Schedule, Service, ServiceArea
from directory.postcodes import normalise_postcode

from importers.records import ServiceRecord

_SERVICE_COLUMNS = ("name", "alternate_name", "url", "email", "phone", "assurer_email")
_LOCATION_COLUMNS = ("name", "url", "address_1", "address_2", "city", "region")


def _fits(table, obj, fields, prefix) -> None:
    for field in fields:
        value = getattr(obj, field)
        length = getattr(table.columns[field].type, "length", None)
        if value is not None and length and len(str(value)) > length:
            raise ValidationError(
                f"{prefix}.{field}", f"is {len(str(value))} characters long; at most {length} fit."
            )


def _validate(model, values: dict) -> dict:
    """Run `model`'s own `@validates` checks on `values`, in order, without building an instance.

    The same functions the ORM calls on assignment, given a plain namespace as `self`, so a
    check that compares two fields (an age range, opening times) sees the earlier ones.
    """
    validators = sa_inspect(model).validators
    state = SimpleNamespace(**{c.key: None for c in model.__table__.columns})
    for key, value in values.items():
        if key in validators:
            value = validators[key][0](state, key, value)
        setattr(state, key, value)
    return vars(state)


def check_record(rec: ServiceRecord) -> None:
    """Raise `ValidationError` (naming the field) if the record cannot be stored as it is."""
    if not (rec.name or "").strip():
        raise ValidationError("service.name", "The record has no name, so it cannot be listed.")
    _fits(Service.__table__, rec, _SERVICE_COLUMNS, "service")
    _validate(Service, dict(
        name=rec.name, status=rec.status, gender=rec.gender, minimum_age=rec.minimum_age,
        maximum_age=rec.maximum_age, accessibility=rec.accessibility,
        delivery_modes=rec.delivery_modes, referral_routes=rec.referral_routes,
    ))
    for loc in rec.locations:
        if loc.postal_code:
            try:
                loc.postal_code = normalise_postcode(loc.postal_code)
            except ValidationError:
                rec.warnings.append(f"{loc.postal_code!r} is not a UK postcode; it was left out.")
                loc.postal_code = None
        _fits(Location.__table__, loc, _LOCATION_COLUMNS, "location")
        _validate(Location, dict(
            latitude=loc.latitude, longitude=loc.longitude, location_type=loc.location_type,
            accessibility=loc.accessibility,
        ))
        if (loc.latitude is None) != (loc.longitude is None):
            raise ValidationError("location.latitude", "Only one of latitude and longitude was given.")
    for sched in rec.schedules:
        _validate(Schedule, dict(
            freq=sched.freq, interval=sched.interval, byday=sched.byday, opens_at=sched.opens_at,
            closes_at=sched.closes_at, valid_from=sched.valid_from, valid_to=sched.valid_to,
        ))
    for name, _description, extent in rec.service_areas:
        _validate(ServiceArea, {"name": name, "extent": extent})
        if not name:
            raise ValidationError("service_area.name", "A service area needs a name.")
    for cost in rec.costs:
        _validate(CostOption, {"amount": cost.amount})
        if cost.currency and len(cost.currency) != 3:
            raise ValidationError("cost_option.currency", f"{cost.currency!r} is not a currency code.")
