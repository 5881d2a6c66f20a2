"""A substantive publish asks learners to read lessons again or retake the quiz; what they did before stays."""

from __future__ import annotations

from sqlmodel import select

from app.catalog.files import ModuleFiles
from app.catalog.service import Versions
from app.progress.models import LessonCompletion, ModuleCompletion
from app.progress.service import module_progress
from app.publishing.service import Substantive, publish_module_version, save_draft
from tests.factories import TEST_ACTOR
from tests.progress.test_completion import LESSONS, RIGHT, mark_done, quiz_form
from tests.publishing.test_api import edited


def complete_the_module(client) -> None:  # type: ignore[no-untyped-def]
    for lesson in LESSONS:
        mark_done(client, lesson)
    assert "Passed!" in client.post("/modules/sample-module/quiz", data={**quiz_form(client), **RIGHT}).text


def publish_edit(session, substantive: Substantive = Substantive()) -> int:  # type: ignore[no-untyped-def]
    draft = save_draft(
        session, TEST_ACTOR, ModuleFiles(name="sample-module", files=edited("password manager", "vault")), source_kind="web"
    )
    publish_module_version(session, TEST_ACTOR, "sample-module", draft.number, substantive)
    return draft.number


def progress_of(session, learner):  # type: ignore[no-untyped-def]
    session.expire_all()
    module = Versions().current(session.connection(), "sample-module")
    assert module is not None
    return module_progress(session.connection(), learner.id, module)


def test_a_substantive_lesson_must_be_read_again_and_the_earlier_records_stay(
    learner_client, learner, session, sample_module
) -> None:  # type: ignore[no-untyped-def]
    complete_the_module(learner_client)
    publish_edit(session, Substantive(lessons=frozenset({"passwords"})))

    progress = progress_of(session, learner)
    assert progress.to_read_again == {"passwords"} and "passwords" not in progress.done_lessons
    assert progress.completed_at is None and progress.percent < 100
    page = learner_client.get("/modules/sample-module").text
    assert "Updated: read it again" in page and "This module was updated since you worked on it" in page
    assert "Mark as done" in learner_client.get("/modules/sample-module/lessons/passwords").text
    assert len(session.exec(select(ModuleCompletion)).all()) == 1, "the earlier completion stays, for history and reports"

    mark_done(learner_client, "passwords")
    progress = progress_of(session, learner)
    assert progress.completed_at is not None and progress.to_read_again == frozenset(), "the quiz was not asked again"
    assert len(session.exec(select(LessonCompletion).where(LessonCompletion.lesson_slug == "passwords")).all()) == 2
    assert len(session.exec(select(ModuleCompletion)).all()) == 2, "a second completion, on the new version"


def test_a_substantive_quiz_must_be_taken_again(learner_client, learner, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    complete_the_module(learner_client)
    publish_edit(session, Substantive(quiz=True))
    progress = progress_of(session, learner)
    assert progress.quiz_to_retake and not progress.quiz_passed and progress.completed_at is None
    assert progress.done_lessons == set(LESSONS), "lessons were not asked again"
    assert "Updated: take it again" in learner_client.get("/modules/sample-module").text
    assert "Passed!" in learner_client.post("/modules/sample-module/quiz", data={**quiz_form(learner_client), **RIGHT}).text
    assert progress_of(session, learner).completed_at is not None


def test_an_ordinary_publish_keeps_everything_done(learner_client, learner, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    complete_the_module(learner_client)
    publish_edit(session)
    progress = progress_of(session, learner)
    assert progress.completed_at is not None and progress.done_lessons == set(LESSONS) and not progress.to_read_again


def test_rolling_back_before_the_change_withdraws_the_request(learner_client, learner, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    complete_the_module(learner_client)
    publish_edit(session, Substantive(lessons=frozenset({"passwords"}), quiz=True))
    assert progress_of(session, learner).completed_at is None
    publish_module_version(session, TEST_ACTOR, "sample-module", 1)
    progress = progress_of(session, learner)
    assert progress.completed_at is not None and progress.quiz_passed and not progress.to_read_again


def test_the_api_and_the_admin_page_publish_substantive_changes(client, admin_client, session, learner, sample_module) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_from
    from tests.publishing.test_api import token_for

    writer = token_for(session, "content:write")
    save_draft(
        session, TEST_ACTOR, ModuleFiles(name="sample-module", files=edited("password manager", "vault")), source_kind="web"
    )
    unknown = client.post(
        "/api/v1/modules/sample-module/versions/2/publish", headers=writer, json={"substantive": {"lessons": ["nope"]}}
    )
    assert unknown.status_code == 409 and "no lesson nope" in unknown.json()["problems"][0]["message"]
    page = admin_client.get("/admin/modules/sample-module")
    assert 'name="read_again" value="passwords"' in page.text
    form = {"csrf_token": csrf_from(page.text), "read_again": ["passwords"], "quiz_again": "true"}
    assert admin_client.post("/admin/modules/sample-module/versions/2/publish", data=form).status_code == 200
    from app.events.models import AuditEvent

    event = session.exec(select(AuditEvent).where(AuditEvent.action == "module.published")).all()[-1]
    assert event.payload["substantive"] == ["passwords"] and event.payload["quiz"] is True
