"""Open data out: Open Referral UK (HSDS-UK 3.0) JSON and an RPDE change feed.

Pure-ish building blocks the web layer calls; nothing here knows about Flask:

- `oruk`: serialisers from the ORM to HSDS-UK 3.0 JSON (service tree, list items, taxonomies,
  organisations), with `extensions` adding the Wayfinder-only facts as attributes;
- `queries`: the `/services` filters as SQLAlchemy selects, plus paging (`paging`);
- `loading`: eager loading of whole pages of services in a fixed number of queries;
- `rpde`: the RPDE 1.0 feed of services built from the change log, and its tombstone prune
  (`commands` puts the prune on the command line);
- `api`: the read operations the views call (a page of services, one service, ...);
- `openapi`: the OpenAPI document describing the endpoints.
"""
