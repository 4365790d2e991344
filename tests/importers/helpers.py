"""Small helpers shared by importer tests."""

from __future__ import annotations

import json
from pathlib import Path

from directory.models import Taxonomy
from directory.taxonomy import load_activity_list as _load_activity_list
from directory.taxonomy import load_wayfinder_taxonomy


def load_activity_list(session, standards: Path) -> Taxonomy:
    """The OpenActive Activity List (and Wayfinder's own categories) through the directory's loaders."""
    load_wayfinder_taxonomy(session)
    return _load_activity_list(session, read_json(standards / "openactive" / "activity-list.jsonld"))


def read_json(path: Path):
    return json.loads(Path(path).read_text())
