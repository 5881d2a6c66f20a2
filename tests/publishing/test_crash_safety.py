"""`cooc import-modules` killed with SIGKILL at any point leaves learners on the complete old version.

The import stores every module's new version, its sources and its audit rows, and points the
modules at them, in one transaction. These tests check that promise with a real `kill -9` of the
real command in its own process, at chosen steps of the pipeline (reached deterministically by a
small wrapper that replaces one internal step with a self-kill; no hook in the app), and once at a
random moment. After each kill the database must hold no half-stored version and learners must
read every module's old version in full; a normal re-run must then publish the new one in full.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

import app.cli as cli_module
from app.catalog.files import ModuleFiles
from app.catalog.loader import load_module
from app.catalog.models import LessonPage, Module, ModuleVersion
from app.config import Settings
from app.db import table_of
from app.events.models import AuditEvent
from app.publishing.models import ModuleVersionFile
from app.publishing.service import import_module_folders, version_files
from tests.factories import TEST_ACTOR, sample_module_variant

SLUGS = ("alpha", "beta", "gamma")
LESSONS = ("passwords", "two-factors", "reporting")
FIRST_LESSON_TEXT = "A long passphrase of random words"

# The wrapper the test runs instead of `cooc`: it replaces one step of the import with a wrapper that
# kills the process (SIGKILL, so no handler, no `finally`, no rollback runs) on the n-th call, before
# or after the real step, then hands over to the CLI's own main.
WRAPPER = """
import os, signal, sys

import sqlmodel

import app.cli
import app.publishing.service as publishing

def kill_on_call(owner, name, nth, after):
    real = getattr(owner, name)
    calls = []

    def step(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth and not after:
            die(f"before {name} call {nth}")
        result = real(*args, **kwargs)
        if len(calls) == nth and after:
            die(f"after {name} call {nth}")
        return result

    setattr(owner, name, step)

def die(where):
    print(f"killing myself {where}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

POINTS = {
    "store-version-flushed": (publishing, "_store_version", 2, True),
    "keep-sources": (publishing, "_keep_sources", 2, True),
    "make-live": (publishing, "_make_live", 2, True),
    "record-event": (publishing, "record_event", 5, True),
    "before-commit": (sqlmodel.Session, "commit", 1, False),
    "after-commit": (sqlmodel.Session, "commit", 1, True),
}
point, folder = sys.argv[1], sys.argv[2]
if point in POINTS:
    kill_on_call(*POINTS[point])
print("ready", flush=True)
sys.argv = ["cooc", "import-modules", folder]
app.cli.main()
"""

# Each deterministic point, and what learners must see after the kill there.
KILL_POINTS = {
    "store-version-flushed": "old",  # the 2nd module's version and pages are flushed, not committed
    "keep-sources": "old",  # the 2nd module's source files are written, its pages are not yet flushed
    "make-live": "old",  # the 1st module already points at its new version inside the transaction
    "record-event": "old",  # every version is stored, the last module's events are half recorded
    "before-commit": "old",  # everything is done but the commit
    "after-commit": "new",  # the commit is through; the CLI dies before it says so
}


def marker(slug: str, state: str) -> str:
    return f"{state.upper()}-TEXT-{slug}"


def write_modules(root: Path, state: str) -> Path:
    """Three modules whose first English lesson says which state they are in."""
    for slug in SLUGS:
        sample_module_variant(root, slug, {}, {FIRST_LESSON_TEXT: f"{marker(slug, state)} {FIRST_LESSON_TEXT}"})
    return root


@pytest.fixture
def imported(session, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The old versions live, and a folder holding the new ones, ready to import."""
    old = write_modules(tmp_path / "old", "old")
    report = import_module_folders(session, TEST_ACTOR, sorted(old.iterdir()))
    assert report.ok and [o.version_number for o in report.outcomes] == [1, 1, 1]
    return write_modules(tmp_path / "new", "new")


def cli_environment(settings: Settings, data_dir: Path) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("COOC_")}
    return environment | {
        "COOC_DATABASE_URL": settings.database_url,
        "COOC_ENVIRONMENT": "test",
        "COOC_SECRET_KEY": "crash-test-secret-" + "k" * 40,
        "COOC_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }


def start_import(settings: Settings, tmp_path: Path, folder: Path, point: str) -> subprocess.Popen[str]:
    wrapper = tmp_path / "killing_cooc.py"
    wrapper.write_text(WRAPPER, encoding="utf-8")
    (tmp_path / "cli-data").mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, str(wrapper), point, str(folder)],
        cwd=tmp_path,  # no stray .env is read
        env=cli_environment(settings, tmp_path / "cli-data"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def check_consistent(connection: Connection) -> dict[str, int]:
    """No half-stored version anywhere; returns each module's live version number.

    Every version has all its sources (they hash to its content hash) and exactly the lesson
    pages, in every language, that rendering those sources gives; every module points at one of
    its own versions; every version has the audit row saying it was saved, and no audit row
    speaks of a version that does not exist.
    """
    modules = {row.id: row for row in connection.execute(select(table_of(Module)))}
    versions = {row.id: row for row in connection.execute(select(table_of(ModuleVersion)))}
    live: dict[str, int] = {}
    for module in modules.values():
        current = versions.get(module.current_version_id)
        assert current is not None and current.module_id == module.id, f"{module.slug} points at no version of its own"
        live[module.slug] = current.number
        numbers = sorted(v.number for v in versions.values() if v.module_id == module.id)
        assert numbers == list(range(1, module.last_version_number + 1)), f"{module.slug}: versions {numbers}"
    page_table = table_of(LessonPage)
    for version in versions.values():
        slug = modules[version.module_id].slug
        files = version_files(connection, version.id)
        assert files, f"{slug} v{version.number} has no sources"
        stored = ModuleFiles(name=slug, files=files)
        assert stored.content_hash() == version.content_hash, f"{slug} v{version.number}: partial or foreign sources"
        source = load_module(stored)
        expected = {
            (lesson.slug, language): (page.title, page.rendered.html)
            for lesson in source.lessons
            for language, page in lesson.pages.items()
        }
        pages = {
            (row.lesson_slug, row.language): (row.title, row.html)
            for row in connection.execute(select(page_table).where(page_table.c.version_id == version.id))
        }
        assert pages == expected, f"{slug} v{version.number}: lesson pages do not match its sources"
    orphans = connection.execute(
        select(table_of(ModuleVersionFile).c.version_id).where(table_of(ModuleVersionFile).c.version_id.not_in(list(versions)))
    ).all()
    assert orphans == []
    saved = {
        (row.payload["slug"], row.payload["version"])
        for row in connection.execute(select(table_of(AuditEvent)).where(table_of(AuditEvent).c.action == "module.draft_saved"))
    }
    assert saved == {(modules[v.module_id].slug, v.number) for v in versions.values()}, "audit rows and versions disagree"
    return live


def check_learner_reads(client, state: str) -> None:  # type: ignore[no-untyped-def]
    """Every lesson of every module answers, and the first one is in the expected state's words only."""
    other = "new" if state == "old" else "old"
    for slug in SLUGS:
        for lesson in LESSONS:
            response = client.get(f"/modules/{slug}/lessons/{lesson}")
            assert response.status_code == 200, (slug, lesson, response.status_code)
            if lesson == LESSONS[0]:
                assert marker(slug, state) in response.text and marker(slug, other) not in response.text, (slug, state)
        assert client.get(f"/modules/{slug}").status_code == 200


def rerun_import(settings: Settings, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`cooc import-modules` as an operator runs it again after the crash."""
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    result = CliRunner().invoke(cli_module.cli, ["import-modules", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def check_recovery(db, learner_client, settings, folder, monkeypatch, state: str) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        live = check_consistent(connection)
    assert live == dict.fromkeys(SLUGS, 1 if state == "old" else 2), f"expected the {state} versions live"
    check_learner_reads(learner_client, state)

    output = rerun_import(settings, folder, monkeypatch)
    status = "created" if state == "old" else "unchanged"
    assert output.splitlines() == [f"{slug}: version 2 {status}" for slug in SLUGS]
    with db.engine.connect() as connection:
        assert check_consistent(connection) == dict.fromkeys(SLUGS, 2)
    check_learner_reads(learner_client, "new")


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_an_import_killed_at_a_step_leaves_the_old_version_whole(  # type: ignore[no-untyped-def]
    point, db, settings, learner_client, imported, tmp_path, monkeypatch
) -> None:
    process = start_import(settings, tmp_path, imported, point)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == -9, f"the import was not killed at {point}: rc={process.returncode}\n{stdout}\n{stderr}"
    assert "killing myself" in stdout, stdout
    check_recovery(db, learner_client, settings, imported, monkeypatch, KILL_POINTS[point])


def test_an_import_killed_at_a_random_moment_leaves_one_whole_version(  # type: ignore[no-untyped-def]
    db, settings, learner_client, imported, tmp_path, monkeypatch
) -> None:
    """Whatever the moment, learners see all old or all new, never a mix, and a re-run finishes the job."""
    process = start_import(settings, tmp_path, imported, "random")
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    delay = random.uniform(0.0, 0.4)
    time.sleep(delay)
    process.kill()
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode in (-9, 0), f"delay {delay:.3f}s: rc={process.returncode}\n{stdout}\n{stderr}"
    with db.engine.connect() as connection:
        live = check_consistent(connection)
    assert set(live.values()) in ({1}, {2}), f"killed after {delay:.3f}s, a mix went live: {live}"
    state = "old" if live["alpha"] == 1 else "new"
    check_recovery(db, learner_client, settings, imported, monkeypatch, state)
