"""Imports every area's ORM models so that Alembic and the tests see the whole schema."""
