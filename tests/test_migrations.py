"""Schema changes go through Alembic: head must match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db import metadata


def test_migrations_at_head_match_the_models(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    assert differences == []
