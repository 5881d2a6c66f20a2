"""Modules that ask for their lessons in order."""

from __future__ import annotations

import shutil

import pytest

from app.publishing.service import import_module_folders
from tests.conftest import FIXTURE_MODULES, csrf_from
from tests.factories import TEST_ACTOR


@pytest.fixture
def sequential_module(session, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", folder)
    manifest = folder / "module.md"
    manifest.write_text(manifest.read_text().replace("sequential: false", "sequential: true"))
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok


def test_later_lesson_and_quiz_are_locked_until_earlier_ones_are_done(learner_client, sequential_module) -> None:  # type: ignore[no-untyped-def]
    assert learner_client.get("/modules/sample-module/lessons/two-factors").status_code == 403
    assert learner_client.get("/modules/sample-module/quiz").status_code == 403
    module_page = learner_client.get("/modules/sample-module").text
    assert "Locked" in module_page


def test_next_lesson_unlocks_when_previous_is_done(learner_client, sequential_module) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/modules/sample-module/lessons/passwords")
    learner_client.post("/modules/sample-module/lessons/passwords/done", data={"csrf_token": csrf_from(page.text)})
    assert learner_client.get("/modules/sample-module/lessons/two-factors").status_code == 200


def test_marking_a_locked_lesson_done_is_refused(learner_client, sequential_module) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/modules/sample-module/lessons/passwords")
    response = learner_client.post("/modules/sample-module/lessons/reporting/done", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 409
