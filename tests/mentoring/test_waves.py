"""Waves from the command line: create one, import a survey's answers, gate on training, and match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

import app.cli as cli_module
from app.events.models import AuditEvent
from app.mentoring.models import WaveParticipant
from tests.factories import make_user

HEADER = "employee_id,side,languages,capacity,sample-module\n"


@pytest.fixture
def run(settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli_module.cli, list(args))

    return invoke


@pytest.fixture
def people(session, settings, sample_module) -> None:  # type: ignore[no-untyped-def]
    for employee_id, department in (("M1", "IT"), ("M2", "Finance"), ("E1", "Finance"), ("E2", "IT"), ("E3", "Finance")):
        make_user(session, settings, employee_id=employee_id, email=f"{employee_id.lower()}@example.com", department=department)


def answers(tmp_path: Path, rows: str) -> str:
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


def test_a_wave_is_matched_from_imported_answers_once_its_mentors_are_trained(run, tmp_path, session, people) -> None:  # type: ignore[no-untyped-def]
    assert run("wave", "create", "--name", "Wave 1").exit_code == 0
    rows = "M1,mentor,fr;en,2,5\nM2,mentor,nl,1,4\nE1,mentee,en,1,5\nE2,mentee,nl;fr,1,3\nE3,mentee,nl,1,2\n"
    imported = run("wave", "import-answers", "Wave 1", answers(tmp_path, rows))
    assert imported.exit_code == 0 and "5 people's answers imported" in imported.output

    untrained = json.loads(run("wave", "match", "Wave 1", "--json").output)
    assert untrained["pairs"] == [] and {person["employee_id"] for person in untrained["unmatched"]} >= {"M1", "M2"}

    assert run("wave", "confirm-training", "Wave 1", "--employee-id", "M1").exit_code == 0
    assert run("wave", "confirm-training", "Wave 1", "--employee-id", "M2").exit_code == 0
    proposal = json.loads(run("wave", "match", "Wave 1", "--json").output)
    pairs = {(pair["mentor"], pair["mentee"]) for pair in proposal["pairs"]}
    assert ("M1", "E1") in pairs, "M1 (IT, speaks English) for E1 (Finance, English)"
    assert all(not (mentor == "M1" and mentee == "E2") for mentor, mentee in pairs), "never within the same department"
    assert pairs == {("M1", "E1"), ("M2", "E2")} and proposal["total"] == pytest.approx(
        sum(p["score"] for p in proposal["pairs"])
    )
    [left_out] = [person for person in proposal["unmatched"] if person["side"] == "mentee"]
    assert left_out["employee_id"] == "E3" and left_out["reason"], (
        "Finance, Dutch only: no trained mentor outside Finance speaks it"
    )
    assert set(proposal["pairs"][0]) == {"mentor", "mentee", "score", "breakdown"}
    actions = [event.action for event in session.exec(select(AuditEvent)).all()]
    assert {"wave.created", "wave.answers_imported", "wave.training_confirmed"} <= set(actions)


def test_one_bad_row_imports_nothing_and_names_every_problem(run, tmp_path, session, people) -> None:  # type: ignore[no-untyped-def]
    run("wave", "create", "--name", "Wave 2")
    rows = "M1,mentor,fr,2,5\nE1,boss,en,1,5\nNOBODY,mentee,en,1,1\nE2,mentee,de,1,9\n"
    result = run("wave", "import-answers", "Wave 2", answers(tmp_path, rows))
    assert result.exit_code == 1 and "nothing was imported" in result.output
    for expected in ("line 3: side must be mentor or mentee", "line 4: no active employee with id 'NOBODY'", "line 5: languages"):
        assert expected in result.output, expected
    assert session.exec(select(WaveParticipant)).first() is None


def test_a_column_that_is_not_a_module_is_refused(run, tmp_path, people) -> None:  # type: ignore[no-untyped-def]
    run("wave", "create", "--name", "Wave 3")
    path = tmp_path / "answers.csv"
    path.write_text("employee_id,side,languages,capacity,knitting\nM1,mentor,fr,1,5\n", encoding="utf-8")
    result = run("wave", "import-answers", "Wave 3", str(path))
    assert result.exit_code == 1 and "'knitting' is not a module of the course" in result.output


def test_a_wave_that_allows_the_same_department_pairs_within_it(run, tmp_path, people) -> None:  # type: ignore[no-untyped-def]
    run("wave", "create", "--name", "Wave 4", "--same-department-allowed")
    run("wave", "import-answers", "Wave 4", answers(tmp_path, "M2,mentor,nl,1,5\nE1,mentee,nl,1,5\n"))
    run("wave", "confirm-training", "Wave 4", "--employee-id", "M2")
    proposal = json.loads(run("wave", "match", "Wave 4", "--json").output)
    assert [(pair["mentor"], pair["mentee"]) for pair in proposal["pairs"]] == [("M2", "E1")]


def test_unknown_waves_and_non_mentors_are_refused_clearly(run, people) -> None:  # type: ignore[no-untyped-def]
    assert "no wave named 'nope'" in run("wave", "match", "nope").output
    run("wave", "create", "--name", "Wave 5")
    assert "a wave named 'Wave 5' exists already" in run("wave", "create", "--name", "Wave 5").output
    assert "is not a mentor of the wave" in run("wave", "confirm-training", "Wave 5", "--employee-id", "E1").output
