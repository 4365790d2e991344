"""The shape of the search index: its whoosh schema, the analyser and the field weights.

Text fields are analysed with whoosh's `LanguageAnalyzer("en")` (the Snowball English
stemmer: "knitting" and "knit" both become ``knit``; the default `StemmingAnalyzer` makes
"knitt" and misses) followed by accent folding, so "café" and "cafe" meet. Positions are not
stored: ranking is BM25F over term frequencies and phrases are not needed, and leaving them
out makes a 100,000-listing build markedly faster.

Everything a filter, a facet or a result needs travels with the document in one stored field,
`facts` (see `directory.search.documents`); the index is therefore enough to answer a search
without touching the database, and the database is the only source it is rebuilt from.
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import CharsetFilter, LanguageAnalyzer, StandardAnalyzer
from whoosh.support.charset import accent_map

# Bump when the schema, the analyser or the `facts` layout changes: an index built by an
# older version is then detected as stale and rebuilt instead of being served wrong.
SCHEMA_VERSION = 3

# BM25F field weights, applied at query time (so they can be tuned without a rebuild).
# A word in the listing's title says most about it; its categories next; then who runs it;
# the description mentions many things in passing.
FIELD_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "categories": 2.2,
    "organisation": 1.5,
    "description": 1.0,
}
TEXT_FIELDS = tuple(FIELD_BOOSTS)

# The id of the one document that is not a listing: it carries the index's bookkeeping
# (change-log position, schema version, ...) so that it is committed atomically with the data.
META_ID = "__wayfinder_meta__"


def text_analyzer():
    """English stemming with stop words removed, then accents folded."""
    return LanguageAnalyzer("en") | CharsetFilter(accent_map)


def spelling_analyzer():
    """Whole words, lower case, accents folded, no stemming: the vocabulary for "did you mean"."""
    return StandardAnalyzer(minsize=3) | CharsetFilter(accent_map)


def build_schema() -> fields.Schema:
    """A fresh schema object (whoosh schemas hold analyser state, so never share one)."""
    analyzer = text_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer, phrase=False),
        categories=fields.TEXT(analyzer=analyzer, phrase=False),
        organisation=fields.TEXT(analyzer=analyzer, phrase=False),
        description=fields.TEXT(analyzer=analyzer, phrase=False),
        # Unstemmed words of the title, categories and organisation: typo correction suggests
        # real words ("dancing"), never stems ("danc").
        words=fields.TEXT(analyzer=spelling_analyzer(), phrase=False),
        facts=fields.STORED(),
    )
