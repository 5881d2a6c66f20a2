"""Importing modules into versions: idempotent, versioned, and never half-published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from app.catalog.models import ModuleVersion
from app.catalog.service import Versions
from app.publishing.service import import_module_folders
from tests.conftest import FIXTURE_MODULES
from tests.factories import TEST_ACTOR


@pytest.fixture
def module_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", target)
    return target


def current(session) -> int:  # type: ignore[no-untyped-def]
    module = Versions().current(session.connection(), "sample-module")
    assert module is not None
    return module.version_number


def test_reimporting_unchanged_content_keeps_the_version(session, module_copy: Path) -> None:
    first = import_module_folders(session, TEST_ACTOR, [module_copy])
    second = import_module_folders(session, TEST_ACTOR, [module_copy])
    assert [o.status for o in first.outcomes] == ["created"]
    assert [o.status for o in second.outcomes] == ["unchanged"]
    assert len(session.exec(select(ModuleVersion)).all()) == 1


def test_changed_content_becomes_a_new_current_version(session, module_copy: Path) -> None:
    import_module_folders(session, TEST_ACTOR, [module_copy])
    lesson = module_copy / "en" / "03-reporting.md"
    lesson.write_text(lesson.read_text().replace("at once", "within minutes"))
    report = import_module_folders(session, TEST_ACTOR, [module_copy])
    assert [(o.version_number, o.status) for o in report.outcomes] == [(2, "created")]
    module = Versions().current(session.connection(), "sample-module")
    assert module is not None and "within minutes" in module.lessons[2].pages["en"].html


def test_broken_update_is_rejected_and_previous_version_stays_live(session, module_copy: Path) -> None:
    import_module_folders(session, TEST_ACTOR, [module_copy])
    quiz = module_copy / "en" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("correct: true", "correct: false"))
    report = import_module_folders(session, TEST_ACTOR, [module_copy])
    assert not report.ok and "sample-module" in report.rejected
    assert current(session) == 1


def test_crash_in_the_middle_of_publishing_leaves_previous_version_live(session, module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import_module_folders(session, TEST_ACTOR, [module_copy])
    lesson = module_copy / "en" / "01-passwords.md"
    lesson.write_text(lesson.read_text() + "\nMore text.\n")

    import app.publishing.service as service

    def explode(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_make_live", explode)
    with pytest.raises(RuntimeError):
        import_module_folders(session, TEST_ACTOR, [module_copy])
    session.rollback()
    monkeypatch.undo()
    assert current(session) == 1
    assert len(session.exec(select(ModuleVersion)).all()) == 1


def test_restoring_older_content_points_back_to_its_version(session, module_copy: Path) -> None:
    import_module_folders(session, TEST_ACTOR, [module_copy])
    lesson = module_copy / "en" / "01-passwords.md"
    original = lesson.read_text()
    lesson.write_text(original + "\nExtra.\n")
    import_module_folders(session, TEST_ACTOR, [module_copy])
    lesson.write_text(original)
    report = import_module_folders(session, TEST_ACTOR, [module_copy])
    assert [(o.version_number, o.status) for o in report.outcomes] == [(1, "restored")]


def test_cli_import_reports_rejection_and_exits_non_zero(settings, module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    (module_copy / "en" / "02-two-factors.md").unlink()
    result = CliRunner().invoke(cli_module.cli, ["import-modules", str(module_copy)])
    assert result.exit_code == 1
    assert "rejected, the published version stays live" in result.output
    assert "lesson 'two-factors' is missing in the default language 'en'" in result.output


def test_a_link_into_a_module_rejected_in_the_same_import_is_refused_too(session, tmp_path: Path) -> None:
    """Module A links to a new lesson of B; B is broken: A must not go live with a dead link."""
    target = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", target)
    (target / "en" / "04-new-lesson.md").write_text("---\ntitle: New\nminutes: 1\n---\n\nNew lesson.\n")
    broken = target / "en" / "02-two-factors.md"  # B loads, but is rejected for a dead link of its own
    broken.write_text(broken.read_text() + "\nSee [nothing](../nowhere/en/01-none.md).\n")
    linking = tmp_path / "linking-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", linking)
    manifest = linking / "module.md"
    manifest.write_text(manifest.read_text().replace("slug: sample-module", "slug: linking-module"))
    first = linking / "en" / "01-passwords.md"
    first.write_text(first.read_text() + "\nSee [the new lesson](../sample-module/en/04-new-lesson.md).\n")

    report = import_module_folders(session, TEST_ACTOR, [target, linking])

    assert set(report.rejected) == {"sample-module", "linking-module"}
    assert "link to a lesson that does not exist: sample-module/new-lesson" in str(report.rejected["linking-module"][0])
    assert report.outcomes == []


def _modules_with_broken_ones(root: Path) -> Path:
    """A modules folder with the good sample module and modules broken in each way the loader must survive."""
    import os

    def replaced(path: Path, make) -> None:  # type: ignore[no-untyped-def]
        path.unlink()
        make(path)

    breakers = {
        "linked-lesson": lambda m: replaced(m / "en" / "01-passwords.md", lambda p: p.symlink_to("/etc/hostname")),
        "fifo-quiz": lambda m: replaced(m / "en" / "quiz.yaml", os.mkfifo),
        "folder-lesson": lambda m: replaced(m / "en" / "01-passwords.md", Path.mkdir),
        "huge-lesson": lambda m: os.truncate(m / "en" / "01-passwords.md", 50 * 1024 * 1024),
        "nul-lesson": lambda m: (m / "en" / "01-passwords.md").write_bytes(b"---\ntitle: x\nminutes: 1\n---\n\0"),
        "alias-bomb": lambda m: (m / "en" / "quiz.yaml").write_text("a: &a [x, x]\nb: [*a, *a]\n"),
        "deep-yaml": lambda m: (m / "en" / "quiz.yaml").write_text("[" * 50_000),
    }
    shutil.copytree(FIXTURE_MODULES / "sample-module", root / "sample-module")
    for slug, breaker in breakers.items():
        folder = root / slug
        shutil.copytree(FIXTURE_MODULES / "sample-module", folder)
        manifest = folder / "module.md"
        manifest.write_text(manifest.read_text().replace("slug: sample-module", f"slug: {slug}"))
        breaker(folder)
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    return root


def test_cli_import_publishes_the_good_module_and_exits_1(settings, session, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    root = tmp_path / "modules"
    shutil.copytree(FIXTURE_MODULES / "sample-module", root / "sample-module")
    broken = root / "broken-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", broken)
    (broken / "en" / "01-passwords.md").unlink()
    (broken / "en" / "01-passwords.md").symlink_to("/etc/hostname")

    result = CliRunner().invoke(cli_module.cli, ["import-modules", str(root)])

    assert result.exit_code == 1, result.output
    assert "sample-module: version 1 created" in result.output
    assert "broken-module: rejected, the published version stays live" in result.output
    assert (
        "broken-module/en/01-passwords.md: is a symbolic link; a module must hold its files, not links to them" in result.output
    )
    assert current(session) == 1


def test_serve_starts_when_modules_are_broken_in_every_way(settings, session, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import uvicorn
    from typer.testing import CliRunner

    import app.cli as cli_module

    root = _modules_with_broken_ones(tmp_path / "modules")
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings.model_copy(update={"modules_dir": root}))
    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_options: served.append(app))

    result = CliRunner().invoke(cli_module.cli, ["serve"])

    assert result.exit_code == 0, result.output
    assert served == ["app.asgi:app"]
    assert "serving the last good version of the rejected module(s)" in result.output
    for slug in ("linked-lesson", "fifo-quiz", "folder-lesson", "huge-lesson", "nul-lesson", "alias-bomb", "deep-yaml"):
        assert f"{slug}: rejected" in result.output
    assert current(session) == 1
