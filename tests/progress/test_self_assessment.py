"""The self-assessment: fifteen statements, a placement per DigComp area, where to start, and competence 5.4."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from app.catalog.files import discover_module_folders
from app.config import PROJECT_ROOT
from app.progress.models import SelfAssessmentResult
from app.progress.self_assessment import SelfAssessmentError, load_self_assessment
from tests.conftest import csrf_from
from tests.factories import load_folder

SHIPPED = load_self_assessment(PROJECT_ROOT / "content" / "self-assessment.yaml")


def answers_all(level: int) -> dict[str, str]:
    return {f"s-{statement.id}": str(level) for statement in SHIPPED.statements}


def take(client, answers: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/self-assessment").text)
    return client.post("/self-assessment", data={"csrf_token": token, **answers}, follow_redirects=False)


def test_the_shipped_statements_cover_every_competence_the_course_builds_once() -> None:
    covered = {
        competence
        for folder in discover_module_folders(PROJECT_ROOT / "modules")
        for competence in load_folder(folder).manifest.digcomp
    }
    competences = [statement.competence for statement in SHIPPED.statements]
    assert len(competences) == 15 and len(set(competences)) == 15
    assert set(competences) <= covered and "5.4" not in competences, "5.4 is what taking it shows"
    assert [level for level, _ in SHIPPED.scale] == [0, 1, 2, 3, 4]
    for statement in SHIPPED.statements:
        assert 12 <= len(statement.texts["en"].split()) <= 28, statement.id
        assert all(statement.texts[language].strip() for language in ("en", "fr", "nl")), statement.id
        assert not re.search(r"[^\u202f][:;?!]", statement.texts["fr"]), f"French punctuation in {statement.id}"


def test_a_learner_is_placed_per_area_and_told_where_to_start(learner_client, session, learner, sample_module) -> None:  # type: ignore[no-untyped-def]
    assert "five-minute self-assessment" in learner_client.get("/catalog").text
    form = learner_client.get("/self-assessment").text
    assert form.count("<fieldset") == 15 and form.count('type="radio"') == 75
    response = take(learner_client, answers_all(0))
    assert response.status_code == 303 and response.headers["location"] == "/self-assessment/result"
    result = learner_client.get("/self-assessment/result").text
    assert "Safety" in result and "Information and data literacy" in result
    assert 'href="/modules/sample-module"' in result, "the module whose targets lie furthest above the answers"
    assert "five-minute self-assessment" not in learner_client.get("/catalog").text
    stored = session.exec(select(SelfAssessmentResult)).one()
    assert stored.user_id == learner.id and set(stored.levels.values()) == {0}


def test_taking_it_counts_as_identifying_ones_own_gaps(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    def level_of_gaps(page: str) -> str:
        row = page[page.index("5.4 ") :]
        return row[: row.index("</tr>")]

    assert "—" in level_of_gaps(learner_client.get("/progress").text)
    take(learner_client, answers_all(3))
    assert "level 2" in level_of_gaps(learner_client.get("/progress").text)


def test_a_missing_answer_is_shown_and_nothing_is_stored(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    answers = answers_all(2)
    first = SHIPPED.statements[0].id
    del answers[f"s-{first}"]
    answers[f"s-{SHIPPED.statements[1].id}"] = "9"
    response = take(learner_client, answers)
    assert response.status_code == 422 and "2 statements have no answer yet." in response.text
    assert f'id="missing-{first}"' in response.text and 'value="2" checked' in response.text, "the other answers stay"
    assert session.exec(select(SelfAssessmentResult)).first() is None


def test_high_answers_suggest_nothing_and_a_completed_module_is_never_suggested(sample_module) -> None:  # type: ignore[no-untyped-def]
    from app.progress.self_assessment import placement
    from tests.conftest import FIXTURE_MODULES

    module = load_folder(FIXTURE_MODULES / "sample-module")
    from app.catalog.service import PublishedModule

    published = PublishedModule(
        module_id=1, version_id=1, version_number=1, manifest=module.manifest, lessons=(), quiz=module.quiz, job_aids={}
    )
    low = {"4.1": 0, "2.6": 1, "1.1": 4}
    assert [s.gap for s in placement(low, [published], []).suggestions] == [2 + 2]
    assert placement(low, [published], [1]).suggestions == []
    assert placement({"4.1": 4, "2.6": 4}, [published], []).suggestions == []
    assert placement({"4.1": 3, "4.2": 0, "1.1": 4}, [], []).by_area == {"1": 4, "4": 1}


def test_a_statement_about_an_unknown_competence_stops_the_start(tmp_path: Path) -> None:
    broken = tmp_path / "self-assessment.yaml"
    broken.write_text(
        "scale:\n  - {level: 0, en: a, fr: a, nl: a}\nitems:\n  - {id: x, competence: '9.9', en: a, fr: a, nl: a}\n",
        encoding="utf-8",
    )
    with pytest.raises(SelfAssessmentError, match="unknown competences"):
        load_self_assessment(broken)
