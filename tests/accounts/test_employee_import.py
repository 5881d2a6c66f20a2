"""The HR directory import: all rows or none, idempotent, every bad row reported with its line."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.directory import EmployeeImportError, import_employees
from app.accounts.models import User
from app.accounts.people import roles_of
from tests.factories import TEST_ACTOR

HEADER = "employee_id,name,email,department,language,role\n"


def test_import_creates_then_updates_without_duplicates(session) -> None:  # type: ignore[no-untyped-def]
    csv_text = HEADER + "E1,Ann Lee,ann@example.com,Finance,en,learner\nE2,Bo Dupont,bo@example.com,IT,fr,mentor\n"
    first = import_employees(session, TEST_ACTOR, csv_text, source="test")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    changed = csv_text.replace("Finance", "Risk").replace("mentor", "mentor;admin")
    second = import_employees(session, TEST_ACTOR, changed, source="test")
    assert (second.created, second.updated, second.unchanged) == (0, 2, 0)
    third = import_employees(session, TEST_ACTOR, changed, source="test")
    assert (third.created, third.updated, third.unchanged) == (0, 0, 2)
    users = session.exec(select(User).order_by(User.employee_id)).all()
    assert [u.department for u in users] == ["Risk", "IT"]
    assert roles_of(session, users[1].id) == {"learner", "mentor", "admin"}


def test_one_bad_row_stops_the_whole_import_and_every_bad_row_is_reported(session) -> None:  # type: ignore[no-untyped-def]
    csv_text = (
        HEADER
        + "E1,Ann Lee,ann@example.com,Finance,en,learner\n"
        + "E2,Bo,not-an-email,IT,fr,learner\n"
        + "E3,Cy,cy@example.com,IT,de,learner\n"
        + "E4,Di,di@example.com,IT,en,boss\n"
        + "E1,Ann Again,ann2@example.com,Finance,en,learner\n"
    )
    with pytest.raises(EmployeeImportError) as caught:
        import_employees(session, TEST_ACTOR, csv_text, source="test")
    reported = [str(problem) for problem in caught.value.problems]
    assert reported == [
        "line 3: email 'not-an-email' is not a valid address",
        "line 4: language 'de' is not one of en, fr, nl",
        "line 5: unknown role boss (use learner, mentor, editor or admin)",
        "line 6: employee_id E1 already on line 2",
    ]
    assert session.exec(select(User)).first() is None


def test_email_taken_by_another_employee_is_refused(session) -> None:  # type: ignore[no-untyped-def]
    import_employees(session, TEST_ACTOR, HEADER + "E1,Ann,ann@example.com,Finance,en,learner\n", source="test")
    with pytest.raises(EmployeeImportError) as caught:
        import_employees(session, TEST_ACTOR, HEADER + "E9,Imposter,ann@example.com,IT,en,learner\n", source="test")
    assert [str(p) for p in caught.value.problems] == ["line 2: email ann@example.com belongs to employee E1"]


def test_missing_column_is_reported(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmployeeImportError) as caught:
        import_employees(session, TEST_ACTOR, "employee_id,name,email\nE1,Ann,ann@example.com\n", source="test")
    assert "missing column(s): department, language, role" in str(caught.value.problems[0])


def test_cli_import_prints_bad_rows_with_file_and_line(settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    good = tmp_path / "hr.csv"
    good.write_text(HEADER + "".join(f"E{n},Person {n},p{n}@example.com,Dept {n % 7},en,learner\n" for n in range(2500)))
    result = CliRunner().invoke(cli_module.cli, ["import-employees", str(good)])
    assert result.exit_code == 0, result.output
    assert "2500/2500 rows" in result.output and "2500 created, 0 updated, 0 unchanged" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "E1,Ann,ann@example,Finance,en,learner\n")
    result = CliRunner().invoke(cli_module.cli, ["import-employees", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:line 2: email 'ann@example' is not a valid address" in result.output


def test_sign_ins_and_token_calls_all_succeed_during_a_150000_row_import(app, client, db, session, learner) -> None:  # type: ignore[no-untyped-def]
    """The import works out everything from reads first; its write is short, so nobody waits it out."""
    import threading

    from app.accounts.tokens import create_api_token
    from tests.conftest import csrf_from

    _, raw = create_api_token(session, TEST_ACTOR, "bi", ["catalog:read"])
    rows = "".join(f"E{n},Person {n},p{n}@example.com,Dept {n % 50},en,learner\n" for n in range(150_000))
    done = threading.Event()

    def run_import() -> None:
        with db.session() as import_session:
            import_employees(import_session, TEST_ACTOR, HEADER + rows, source="test")
        done.set()

    importer = threading.Thread(target=run_import)
    importer.start()
    statuses: list[int] = []
    while not done.is_set():
        token = csrf_from(client.get("/login").text)
        sign_in = client.post(
            "/login",
            data={"login": learner.email, "password": "correct-horse-battery", "csrf_token": token},
            follow_redirects=False,
        )
        api = client.get("/api/v1/modules", headers={"authorization": f"Bearer {raw}"})
        statuses += [sign_in.status_code, api.status_code]
        client.cookies.clear()
    importer.join(timeout=120)
    assert len(statuses) >= 10, "the import ended before the requests could overlap it"
    assert set(statuses) == {303, 200}, statuses
    assert len(session.exec(select(User)).all()) == 150_001


def test_over_long_or_control_character_values_are_bad_rows_on_every_database(session) -> None:  # type: ignore[no-untyped-def]
    """SQLite would store a 300-character name, PostgreSQL would fail: both must name the row instead."""
    rows = (
        f"E1,{'N' * 201},a@example.com,Finance,en,learner\n"
        f"E2,Bo,b@example.com,{'D' * 201},en,learner\n"
        f"{'E' * 65},Cy,c@example.com,IT,en,learner\n"
        "E4,Dee\x00Null,d@example.com,IT,en,learner\n"
        f"E5,Ed,{'e' * 320}@example.com,IT,en,learner\n"
    )
    with pytest.raises(EmployeeImportError) as refused:
        import_employees(session, TEST_ACTOR, HEADER + rows, source="test")
    assert [str(problem) for problem in refused.value.problems] == [
        "line 2: name is longer than 200 characters",
        "line 3: department is longer than 200 characters",
        "line 4: employee_id is longer than 64 characters",
        "line 5: name contains a control character",
        "line 6: email is longer than 320 characters",
    ]
    session.rollback()
    assert session.exec(select(User)).all() == []
