"""The `cooc` command as operators' scripts use it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

import app.cli as cli_module
from app.accounts.people import roles_of
from app.config import Settings
from tests.conftest import sign_in

CREATE = ["create-user", "--employee-id", "E7", "--name", "Noor Peeters", "--email", "Noor@Example.com"]
CREATE += ["--department", "Risk", "--language", "nl", "--role", "mentor"]


@pytest.fixture
def cli(settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    return CliRunner()


def test_migrate_creates_the_schema_on_an_empty_database(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}", data_dir=tmp_path, secret_key="k" * 40)
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    result = CliRunner().invoke(cli_module.cli, ["migrate"])
    assert result.exit_code == 0, result.output
    tables = set(inspect(create_engine(settings.database_url)).get_table_names())
    assert {"user_account", "module_version", "lesson_completion", "alembic_version"} <= tables


def test_create_user_with_password_from_environment(cli, client, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COOC_PASSWORD", "a-long-enough-password")
    result = cli.invoke(cli_module.cli, CREATE)
    assert result.exit_code == 0, result.output
    assert "created E7 <noor@example.com> with roles learner, mentor" in result.output
    sign_in(client, "noor@example.com", "a-long-enough-password")
    again = cli.invoke(cli_module.cli, CREATE)
    assert again.exit_code == 1 and "exists already" in again.output


def test_create_user_refuses_bad_input_without_creating_anyone(cli, monkeypatch, session) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COOC_PASSWORD", "short")
    result = cli.invoke(cli_module.cli, [*CREATE[:-4], "--language", "de", "--role", "boss"])
    assert result.exit_code == 1 and "unknown role boss" in result.output
    result = cli.invoke(cli_module.cli, CREATE)
    assert result.exit_code == 1 and "at least 12 characters" in result.output


def test_create_user_without_password_and_terminal_explains_itself(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COOC_PASSWORD", raising=False)
    result = cli.invoke(cli_module.cli, CREATE)
    assert result.exit_code == 1 and "set COOC_PASSWORD" in result.output


def test_set_password_changes_it_and_signs_out_everywhere(cli, client, learner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, learner.email)
    monkeypatch.setenv("COOC_PASSWORD", "brand-new-password-1")
    result = cli.invoke(cli_module.cli, ["set-password", "--employee-id", learner.employee_id])
    assert result.exit_code == 0, result.output
    assert client.get("/catalog", follow_redirects=False).status_code == 303
    sign_in(client, learner.email, "brand-new-password-1")


def test_roles_are_stored_as_given(cli, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COOC_PASSWORD", "a-long-enough-password")
    cli.invoke(cli_module.cli, [*CREATE, "--role", "admin"])
    from app.accounts.people import get_user_by_employee_id

    user = get_user_by_employee_id(session, "E7")
    assert user is not None and roles_of(session, user.id) == {"learner", "mentor", "admin"}


def test_check_modules_reports_problems_without_a_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.conftest import FIXTURE_MODULES

    folder = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", folder)
    good = CliRunner().invoke(cli_module.cli, ["check-modules", str(folder)])
    assert good.exit_code == 0 and "sample-module: ok (3 lessons, 3 questions)" in good.output
    (folder / "fr" / "quiz.yaml").write_text("questions: [oops\n")
    bad = CliRunner().invoke(cli_module.cli, ["check-modules", str(tmp_path)])
    assert bad.exit_code == 1 and "sample-module/fr/quiz.yaml:2: invalid YAML" in bad.output


def test_help_shows_what_each_option_takes_not_raw_type_tags() -> None:
    runner = CliRunner()
    for command in [None, *[command.name for command in cli_module.cli.registered_commands]]:
        output = runner.invoke(cli_module.cli, [command, "--help"] if command else ["--help"]).output
        for tag in ("<bool>", "<str>", "<int>", "<list["):
            assert tag not in output, f"cooc {command or ''} --help shows {tag}"
    assert "--employee-id ID" in runner.invoke(cli_module.cli, ["create-user", "--help"]).output


def test_import_modules_on_a_folder_without_modules_says_so_and_fails(settings, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    (tmp_path / "notes").mkdir()
    result = CliRunner().invoke(cli_module.cli, ["import-modules", str(tmp_path)])
    assert result.exit_code == 1 and "holds no module" in result.output
