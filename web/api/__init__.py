"""The open API for other systems.

`/oruk` and `/feeds` are blueprints of their own (see `create_app`). The JSON API under
`/api/v1` is the blueprint `bp` here, shared by its endpoint modules (`search`, ...), each of
which registers its OpenAPI description with `web.api.openapi` (served at
/api/v1/openapi.json). Like the open data blueprints it answers any origin (CORS) and in JSON,
errors included.
"""

from __future__ import annotations

from web.api.opendata_http import make_open_data_blueprint

bp = make_open_data_blueprint("api", "/api/v1")

from web.api import openapi, search  # noqa: E402,F401  (routes register on `bp`)
