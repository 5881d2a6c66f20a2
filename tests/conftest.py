"""Fixtures: a migrated database per backend, emptied after every test; apps, clients, factories.

The suite runs on SQLite always, and on PostgreSQL too when COOC_TEST_DATABASE_URL is set:
every test that uses the database is then run once per backend.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import PROJECT_ROOT, Settings
from app.db import build_engine, metadata
from app.main import create_app
from app.migrations import upgrade_to_head
from app.models import *  # noqa: F403 - registers every table
from tests.databases import fresh_postgres_schema
from tests.factories import TEST_ACTOR, TEST_PASSWORD, make_user

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("COOC_TEST_DATABASE_URL") else [])


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": "test-secret-" + "x" * 40,
        "data_dir": data_dir,
        "argon2_time_cost": 1,
        "argon2_memory_cost_kib": 1024,
        "argon2_parallelism": 1,
        "bootstrap_admin": False,
        "access_log": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'cooc.sqlite3'}"
        return
    with fresh_postgres_schema(os.environ["COOC_TEST_DATABASE_URL"], f"cooc_test_{os.getpid()}") as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once per test run: a SQLite file, or a fresh PostgreSQL schema."""
    with empty_database(backend, tmp_path_factory.mktemp("db")) as url:
        upgrade_to_head(make_settings(url, tmp_path_factory.mktemp("data")))
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings for one test; whatever the test wrote, through any path, is deleted afterwards."""
    test_settings = make_settings(database_url, tmp_path)
    yield test_settings
    engine = build_engine(test_settings, pool_size=1, max_overflow=0)
    _empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def app(settings: Settings) -> Iterator[object]:
    application = create_app(settings)
    yield application
    application.state.db.dispose()


def _empty_all_tables(engine) -> None:  # type: ignore[no-untyped-def]
    """A fresh database for the next test, without paying for migrations again."""
    tables = [table.name for table in metadata.sorted_tables]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("UPDATE module SET current_version_id = NULL"))
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def db(app):  # type: ignore[no-untyped-def]
    return app.state.db


@pytest.fixture
def session(db):  # type: ignore[no-untyped-def]
    with db.session() as session:
        yield session


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, login: str, password: str = TEST_PASSWORD) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


@pytest.fixture
def learner(session, settings):  # type: ignore[no-untyped-def]
    return make_user(session, settings, employee_id="L1", email="learner@example.com", name="Lea Learner")


@pytest.fixture
def learner_client(client, learner):  # type: ignore[no-untyped-def]
    sign_in(client, learner.email)
    return client


@pytest.fixture
def admin_user(session, settings):  # type: ignore[no-untyped-def]
    return make_user(session, settings, employee_id="A1", email="admin@example.com", name="Ada Admin", roles={"admin"})


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    sign_in(client, admin_user.email)
    return client


FIXTURE_MODULES = PROJECT_ROOT / "tests" / "fixtures" / "modules"


@pytest.fixture
def sample_module(session):  # type: ignore[no-untyped-def]
    """The small two-language module in tests/fixtures, imported and published."""
    from app.publishing.service import import_module_folders

    report = import_module_folders(session, TEST_ACTOR, [FIXTURE_MODULES / "sample-module"])
    assert report.ok, report.rejected
    return "sample-module"
