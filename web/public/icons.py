"""Category icons: the taxonomy gives each category an `icon` slug; this maps a slug to an image.

Only the top-level categories have their own drawing (web/static/icons/SLUG.svg); a category
beneath them shows its parent's, and anything unknown shows the generic compass.
"""

from __future__ import annotations

from pathlib import Path

from directory.models import TaxonomyTerm

ICON_DIR = Path(__file__).resolve().parents[1] / "static" / "icons"
AVAILABLE = frozenset(p.stem for p in ICON_DIR.glob("*.svg"))

# The taxonomy file's slugs for the top-level categories, for when the loaded terms do not
# carry their `icon` (the loader keeps only HSDS fields today).
TOP_LEVEL_ICONS = {
    "physical-activity": "running",
    "nature-gardening": "leaf",
    "arts-creativity": "palette",
    "social-connection": "people",
    "health-conditions": "heart",
    "emotional-support": "speech-bubble",
    "learning-work": "graduation",
    "money-housing": "pound",
}


def icon_for(term: TaxonomyTerm | None) -> str:
    """The icon slug to show for `term`, walking up to its parents until one has a drawing."""
    while term is not None:
        slug = getattr(term, "icon", None) or TOP_LEVEL_ICONS.get(term.code)
        if slug in AVAILABLE:
            return slug
        term = term.parent
    return "generic"
