"""The shape of the search index: its whoosh schema, the analyser and the field weights.

Text fields are analysed with whoosh's `LanguageAnalyzer("en")` (the Snowball English
stemmer: "knitting" and "knit" both become ``knit``; the default `StemmingAnalyzer` makes
"knitt" and misses) followed by accent folding, so "café" and "cafe" meet. Positions are not
stored: ranking is BM25F over term frequencies and phrases are not needed, and leaving them
out makes a 100,000-listing build markedly faster.

Typo correction needs real words ("dancing"), not stems ("danc"): the whole words of titles,
categories and organisations are counted as the index is written and kept in its bookkeeping
document (an extra whoosh field for them cost a fifth of the build time).

Everything a filter, a facet or a result needs travels with the document in one stored field,
`facts` (see `directory.search.documents`); the index is therefore enough to answer a search
without touching the database, and the database is the only source it is rebuilt from.
"""

from __future__ import annotations

from whoosh import columns, fields
from whoosh.analysis import CharsetFilter, LanguageAnalyzer
from whoosh.analysis.tokenizers import default_pattern as _TOKEN
from whoosh.system import pack_uint
from whoosh.support.charset import accent_map

# Bump when the schema, the analyser or the `facts` layout changes: an index built by an
# older version is then detected as stale and rebuilt instead of being served wrong.
SCHEMA_VERSION = 6

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
    """English stemming with stop words removed, then accents folded.

    (`CachedText` relies on its tokenizer using whoosh's default pattern and on every later
    filter working token by token; a test checks both.)
    """
    return LanguageAnalyzer("en") | CharsetFilter(accent_map)


_TERM_OF: dict[str, str | None] = {}  # token -> index term (None: a stop word)
_ANALYSED: dict[str, list] = {}  # whole short value -> postings, for values that repeat
_CACHE_LIMIT = 200_000
_WHOLE_VALUE_LIMIT = 20_000
_SHORT = 200  # characters: names repeat, descriptions do not (and would fill memory)


def _term_of(analyzer, token: str) -> str | None:
    term = _TERM_OF.get(token, "")
    if term == "":
        terms = [t.text for t in analyzer(token)]
        if len(_TERM_OF) >= _CACHE_LIMIT:
            _TERM_OF.clear()
        term = _TERM_OF[token] = terms[0] if terms else None
    return term


class CachedText(fields.TEXT):
    """A TEXT field whose indexing skips re-analysing what it has seen before in this process.

    Every filter of `text_analyzer()` after the tokenizer works on one token at a time (lower
    case, stop words, stemming, accent folding), so a token always becomes the same term: the
    text is split with the analyser's own tokenizer pattern and each distinct token is analysed
    once, by the analyser itself. Short values, which repeat (an organisation's name with each
    of its services, category names), are remembered whole. The postings are exactly what
    `fields.TEXT` would produce (a test holds the two side by side); a 100,000-listing build
    spends about a third less time analysing.
    """

    def __init__(self, analyzer):
        super().__init__(analyzer=analyzer, phrase=False)

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        found = _ANALYSED.get(value)
        if found is None:
            freqs: dict[str, int] = {}
            for match in _TOKEN.finditer(value):
                term = _term_of(self.analyzer, match.group(0))
                if term is not None:
                    freqs[term] = freqs.get(term, 0) + 1
            found = [(w.encode("utf-8"), f, float(f), pack_uint(f)) for w, f in freqs.items()]
            if len(value) <= _SHORT:
                if len(_ANALYSED) >= _WHOLE_VALUE_LIMIT:
                    _ANALYSED.clear()
                _ANALYSED[value] = found
        return found


def clear_analysis_cache() -> None:
    """Forget remembered analysis (after a full build, so a web process does not keep it)."""
    _ANALYSED.clear()
    _TERM_OF.clear()


def build_schema() -> fields.Schema:
    """A fresh schema object (whoosh schemas hold analyser state, so never share one)."""
    analyzer = text_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=CachedText(analyzer),
        categories=CachedText(analyzer),
        organisation=CachedText(analyzer),
        description=CachedText(analyzer),
        facts=fields.STORED(),
        # Filter values, coordinates, categories and sessions (`directory.search.segments.encode`).
        packed=fields.COLUMN(columns.VarBytesColumn()),
    )
