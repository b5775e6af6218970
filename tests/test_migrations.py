"""Alembic: `upgrade head` builds the schema on an empty database, and it matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool
from sqlmodel import SQLModel

import webinar_app.models  # noqa: F401  (registers every table)
from tests.conftest import fresh_database_url
from webinar_app.core.migrations import upgrade_head


def test_upgrade_head_on_empty_database_matches_models(database_url):
    url = fresh_database_url("migrations")
    upgrade_head(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {t.name for t in SQLModel.metadata.sorted_tables} <= tables
            assert "alembic_version" in tables
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, SQLModel.metadata)
        assert diff == []
        # Running it again is a no-op.
        upgrade_head(url)
    finally:
        engine.dispose()
