"""The open JSON API under /api/v1: one module per resource, each with its own blueprint."""
