"""Search: full text + geography + filters over the directory, fast at 100,000 listings.

The public API::

    search(session, request, *, index=None, log=True) -> SearchResults
    SearchRequest(...)              what to look for (see directory.search.filters)
    SearchResults / SearchResult    what comes back (directory.search.results)
    configure(index_dir)            the folder search() uses by default
    get_index(index_dir) / SearchIndex
                                    the process-wide index; .snapshot(session), .rebuild(session),
                                    .status(session)
    prune_search_log(session, retention_days) -> int

How it fits together: `documents` reads listings with SQL, `store` keeps the whoosh index on
disk following the change log, `index` gives each process a warm `snapshot` of it,
`geo_index`, `filters` and `facets` work on numpy columns, `query` widens what was typed, and
`scoring` evaluates the whoosh query with vectorised BM25F. `service` puts them in order.
"""

from directory.search.filters import SearchRequest
from directory.search.index import SearchIndex, get_index
from directory.search.log import prune as prune_search_log
from directory.search.results import Facet, FacetValue, SearchResult, SearchResults
from directory.search.service import configure, search

__all__ = [
    "Facet",
    "FacetValue",
    "SearchIndex",
    "SearchRequest",
    "SearchResult",
    "SearchResults",
    "configure",
    "get_index",
    "prune_search_log",
    "search",
]
