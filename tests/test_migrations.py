"""Schema changes go through Alembic: head matches the models, and upgrades keep the data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.config import PROJECT_ROOT
from app.db import build_engine, metadata
from app.migrations import upgrade_to, upgrade_to_head
from tests.conftest import empty_database, make_settings

FIRST_SCHEMA = "247db66ceb78"


def test_migrations_at_head_match_the_models(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    assert differences == []


def test_every_constraint_in_the_database_has_its_conventional_name(db) -> None:  # type: ignore[no-untyped-def]
    inspector = inspect(db.engine)
    for table in metadata.sorted_tables:
        assert inspector.get_pk_constraint(table.name)["name"] == f"pk_{table.name}"
        expected_unique = sorted(
            f"uq_{table.name}_{'_'.join(c.name for c in uq.columns)}"
            for uq in table.constraints
            if uq.__class__.__name__ == "UniqueConstraint"
        )
        assert sorted(uq["name"] for uq in inspector.get_unique_constraints(table.name)) == expected_unique, table.name
        for foreign_key in inspector.get_foreign_keys(table.name):
            assert foreign_key["name"] == (
                f"fk_{table.name}_{foreign_key['constrained_columns'][0]}_{foreign_key['referred_table']}"
            ), table.name


def test_constraint_names_do_not_depend_on_which_module_is_imported_first() -> None:
    probe = "import app.accounts.models as m; print(sorted(c.name for c in m.User.__table__.constraints))"
    output = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "['pk_user_account', 'uq_user_account_email', 'uq_user_account_employee_id']"


def test_upgrading_a_populated_first_schema_keeps_every_row(backend: str, tmp_path: Path) -> None:
    """Tokens keep their scopes, versions their author, users their roles; nothing cascades away."""
    with empty_database(backend, tmp_path) as url:
        settings = make_settings(url, tmp_path)
        upgrade_to(settings, FIRST_SCHEMA)
        engine = build_engine(settings, pool_size=1, max_overflow=0)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_account"
                    " (id, employee_id, name, email, department, language, is_active, created_at, updated_at)"
                    " VALUES (1, 'E1', 'Eva', 'eva@example.com', 'Finance', 'fr', true, '2026-11-01', '2026-11-01')"
                )
            )
            connection.execute(text("INSERT INTO user_role (user_id, role) VALUES (1, 'learner'), (1, 'mentor')"))
            connection.execute(
                text(
                    "INSERT INTO api_token (id, name, token_hash, token_prefix, scopes, created_at, created_by_id)"
                    " VALUES (1, 'hr', 'h1', 'cooc_x', 'reports:read catalog:read', '2026-11-01', 1)"
                )
            )
            connection.execute(
                text("INSERT INTO module (id, slug, created_at, updated_at) VALUES (1, 'm', '2026-11-01', '2026-11-01')")
            )
            connection.execute(
                text(
                    "INSERT INTO module_version"
                    " (id, module_id, number, content_hash, source, created_by, created_at, manifest, quiz)"
                    " VALUES (1, 1, 1, 'abc', 'import', 'cli', '2026-11-01', '{}', '{}')"
                )
            )
            connection.execute(text("UPDATE module SET current_version_id = 1"))
            connection.execute(
                text(
                    "INSERT INTO lesson_completion (user_id, module_id, lesson_slug, version_id, completed_at)"
                    " VALUES (1, 1, 'intro', 1, '2026-11-02')"
                )
            )
        engine.dispose()

        upgrade_to_head(settings)

        engine = build_engine(settings, pool_size=1, max_overflow=0)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT scope FROM api_token_scope ORDER BY scope")).scalars().all() == [
                "catalog:read",
                "reports:read",
            ]
            assert connection.execute(text("SELECT role FROM user_role ORDER BY role")).scalars().all() == ["learner", "mentor"]
            assert connection.execute(text("SELECT actor_kind, actor_label FROM module_version")).one() == ("cli", "cli")
            assert connection.execute(text("SELECT current_version_id FROM module")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM lesson_completion")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 0
            names = {uq["name"] for uq in inspect(connection).get_unique_constraints("user_account")}
            assert names == {"uq_user_account_email", "uq_user_account_employee_id"}
        engine.dispose()
