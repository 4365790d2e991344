"""The open API for other systems: each module is its own blueprint (see `create_app`)."""
