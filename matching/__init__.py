"""Pure ranking: a person's profile and candidate listings in, ranked matches with reasons out.

Imports neither Flask nor SQLAlchemy (the test suite enforces it).
"""
