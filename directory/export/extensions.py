"""Wayfinder-only facts as HSDS attributes: referral routes, delivery modes, access, capacity.

HSDS-UK 3.0 has no fields for these, but it lets any entity carry `attributes`, each linking a
taxonomy term. So each Wayfinder vocabulary is published as a small taxonomy of its own
(``wayfinder:referral-route`` and friends) whose term ids are derived from the code alone: the
same code has the same UUID in every Wayfinder, so one instance can read another's output back
without a lookup table. `read_wayfinder_attributes` is the inverse, for importers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from directory.vocab import (
    ACCESSIBILITY_FEATURES,
    CAPACITY_LABELS,
    REFERRAL_LABELS,
    Capacity,
    DeliveryMode,
    Gender,
)

# Fixed forever: changing it would change every published derived id.
NAMESPACE = uuid.UUID("6f1c2a3e-5b7d-4e0a-9c1f-2d8e7b6a5c40")


def derived_id(*parts: str) -> str:
    """A stable UUID for something that has no row of its own (an address, an attribute)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


@dataclass(frozen=True)
class Vocabulary:
    """One Wayfinder vocabulary published as an HSDS taxonomy."""

    key: str  # the service attribute it describes, e.g. "referral_routes"
    link_type: str  # what the attribute says about the service
    name: str  # the taxonomy's name, e.g. "wayfinder:referral-route"
    description: str
    labels: dict[str, str]

    @property
    def taxonomy_id(self) -> str:
        return derived_id("wayfinder-vocabulary", self.name)

    def term_id(self, code: str) -> str:
        return derived_id("wayfinder-vocabulary", self.name, code)

    def term(self, code: str) -> dict:
        """The HSDS taxonomy_term for `code` (`term` carries the code, `name` the label)."""
        label = self.labels.get(code, code)
        return {
            "id": self.term_id(code),
            "name": label,
            "description": label,
            "taxonomy": self.name,
            "taxonomy_id": self.taxonomy_id,
            "term": code,
            "code": code,
        }


VOCABULARIES: tuple[Vocabulary, ...] = (
    Vocabulary(
        "referral_routes", "referral_route", "wayfinder:referral-route",
        "How a person can be referred to or join the service.",
        {str(k): v for k, v in REFERRAL_LABELS.items()},
    ),
    Vocabulary(
        "delivery_modes", "delivery_mode", "wayfinder:delivery-mode",
        "How the service is delivered.",
        {DeliveryMode.IN_PERSON.value: "In person", DeliveryMode.ONLINE.value: "Online",
         DeliveryMode.PHONE.value: "By phone"},
    ),
    Vocabulary(
        "accessibility", "accessibility", "wayfinder:accessibility",
        "Accessibility features of the activity itself (venue features are on the location).",
        dict(ACCESSIBILITY_FEATURES),
    ),
    Vocabulary(
        "capacity_status", "capacity", "wayfinder:capacity",
        "How much room the group said it has, when it last said so.",
        {str(k): v for k, v in CAPACITY_LABELS.items()},
    ),
    Vocabulary(
        "gender", "eligibility", "wayfinder:gender",
        "Services open to one gender only.",
        {Gender.FEMALE.value: "Women only", Gender.MALE.value: "Men only"},
    ),
)
BY_NAME = {v.name: v for v in VOCABULARIES}


def _codes(service, vocabulary: Vocabulary) -> list[str]:
    value = getattr(service, vocabulary.key)
    if vocabulary.key == "capacity_status":
        # "unknown" says nothing; leaving it out keeps the output honest and small.
        return [] if value in (None, Capacity.UNKNOWN.value) else [value]
    if vocabulary.key == "gender":
        return [] if value in (None, Gender.ANY.value) else [value]
    return list(value or [])


def wayfinder_attributes(service) -> list[dict]:
    """The service's Wayfinder-only facts as HSDS attribute objects, in a stable order."""
    attributes = []
    for vocabulary in VOCABULARIES:
        for code in _codes(service, vocabulary):
            term = vocabulary.term(code)
            attributes.append({
                "id": derived_id("attribute", service.id, term["id"]),
                "link_id": service.id,
                "link_type": vocabulary.link_type,
                "link_entity": "service",
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
            })
    return attributes


def read_wayfinder_attributes(attributes: list[dict]) -> dict:
    """The inverse of `wayfinder_attributes`: ``{"referral_routes": [...], "gender": ...}``.

    Attributes from other taxonomies are ignored; a missing vocabulary is simply absent from
    the result, so an importer can tell "not said" from "said to be empty".
    """
    found: dict[str, list[str]] = {}
    for attribute in attributes or []:
        term = attribute.get("taxonomy_term") or {}
        vocabulary = BY_NAME.get(term.get("taxonomy"))
        code = term.get("term") or term.get("code")
        if vocabulary is None or code not in vocabulary.labels:
            continue
        found.setdefault(vocabulary.key, []).append(code)
    result: dict = {}
    for key, codes in found.items():
        result[key] = codes[0] if key in ("capacity_status", "gender") else codes
    return result


def vocabulary_taxonomies() -> list[dict]:
    """Each vocabulary as an HSDS taxonomy with its terms, for `/taxonomies`."""
    return [
        {
            "id": v.taxonomy_id,
            "name": v.name,
            "description": v.description,
            "taxonomy_terms": [v.term(code) for code in v.labels],
        }
        for v in VOCABULARIES
    ]
