"""Importers: one module per source format, all through the shared pipeline."""
