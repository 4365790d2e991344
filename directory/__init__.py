"""The Wayfinder directory: the domain model, storage, taxonomy, geography and change log.

Importing this package imports nothing heavy: `directory.models` and `directory.db` pull in
SQLAlchemy, while `directory.geo`, `directory.vocab` and `directory.schedules` stay pure so that
`matching` can use them without a database.
"""
