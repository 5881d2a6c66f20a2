"""Completion rules: lessons done, quiz passed, completion recorded once with its date."""

from __future__ import annotations

import re

from sqlmodel import select

from app.progress.models import LessonCompletion, ModuleCompletion, QuizAttempt
from tests.conftest import csrf_from

LESSONS = ("passwords", "two-factors", "reporting")
RIGHT = {"q-strongest": "b", "q-second-factor": ["a", "c"], "q-report": "a"}
WRONG = {"q-strongest": "a", "q-second-factor": ["a"], "q-report": "b"}


def mark_done(client, lesson: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/modules/sample-module/lessons/{lesson}")
    return client.post(
        f"/modules/sample-module/lessons/{lesson}/done", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )


def quiz_form(client, module: str = "sample-module") -> dict:  # type: ignore[no-untyped-def, type-arg]
    page = client.get(f"/modules/{module}/quiz")
    submission = re.search(r'name="submission_id" value="([^"]+)"', page.text)
    assert submission
    return {"csrf_token": csrf_from(page.text), "submission_id": submission.group(1)}


def test_marking_a_lesson_done_moves_to_the_next_and_is_idempotent(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    first = mark_done(learner_client, "passwords")
    assert first.headers["location"] == "/modules/sample-module/lessons/two-factors"
    mark_done(learner_client, "passwords")
    assert len(session.exec(select(LessonCompletion)).all()) == 1
    assert "You have done this lesson." in learner_client.get("/modules/sample-module/lessons/passwords").text


def test_failed_then_passed_quiz_completes_the_module_with_a_date(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    for lesson in LESSONS:
        mark_done(learner_client, lesson)
    failed = learner_client.post("/modules/sample-module/quiz", data={**quiz_form(learner_client), **WRONG})
    assert "Your score: 0%" in failed.text and "Not passed yet" in failed.text
    assert "Attackers use the time." in failed.text  # why the chosen answer was wrong
    assert "Minutes matter." not in failed.text and "Correct answer" not in failed.text  # not the right option yet
    assert session.exec(select(ModuleCompletion)).first() is None

    passed = learner_client.post("/modules/sample-module/quiz", data={**quiz_form(learner_client), **RIGHT})
    assert "Your score: 100%" in passed.text and "Passed!" in passed.text
    completion = session.exec(select(ModuleCompletion)).one()
    assert completion.version_id is not None
    progress = learner_client.get("/progress").text
    assert "Completed on" in progress and completion.completed_at.strftime("%Y") in progress


def test_multiple_choice_question_needs_exactly_the_correct_choices(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    answers = {**RIGHT, "q-second-factor": ["a", "b", "c"]}
    learner_client.post("/modules/sample-module/quiz", data={**quiz_form(learner_client), **answers})
    attempt = session.exec(select(QuizAttempt)).one()
    assert attempt.correct_count == 2 and attempt.score_percent == 67 and attempt.passed  # pass mark is 60


def test_passing_the_quiz_alone_does_not_complete_the_module(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    response = learner_client.post("/modules/sample-module/quiz", data={**quiz_form(learner_client), **RIGHT})
    assert "finish its remaining lessons" in response.text
    assert session.exec(select(ModuleCompletion)).first() is None
    for lesson in LESSONS:
        mark_done(learner_client, lesson)
    assert session.exec(select(ModuleCompletion)).one()


def test_double_submitted_quiz_records_one_attempt(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    form = {**quiz_form(learner_client), **RIGHT}
    first = learner_client.post("/modules/sample-module/quiz", data=form, follow_redirects=False)
    second = learner_client.post("/modules/sample-module/quiz", data=form, follow_redirects=False)
    assert first.headers["location"] == second.headers["location"]
    assert len(session.exec(select(QuizAttempt)).all()) == 1


def test_answers_to_unknown_choices_are_ignored_not_trusted(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    learner_client.post("/modules/sample-module/quiz", data={**quiz_form(learner_client), **WRONG, "q-strongest": ["b", "zzz"]})
    attempt = session.exec(select(QuizAttempt)).one()
    assert attempt.answers["strongest"] == ["b"] and attempt.correct_count == 1


def test_an_unanswered_question_is_refused_with_the_other_answers_kept(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    form = quiz_form(learner_client)
    empty = learner_client.post("/modules/sample-module/quiz", data=form)
    assert empty.status_code == 422 and "Some questions have no answer yet" in empty.text
    assert empty.text.count("Answer this question.") == 3
    partial = learner_client.post("/modules/sample-module/quiz", data={**form, "q-strongest": "b", "q-second-factor": ["a", "c"]})
    assert partial.status_code == 422 and partial.text.count("Answer this question.") == 1
    assert 'value="b" checked' in partial.text and 'id="missing-report"' in partial.text
    assert session.exec(select(QuizAttempt)).all() == []
    done = learner_client.post("/modules/sample-module/quiz", data={**form, **RIGHT}, follow_redirects=False)
    assert done.status_code == 303, "the same form, now complete, is accepted"


def test_a_question_with_several_answers_shows_one_hint_with_the_count(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/modules/sample-module/quiz").text
    assert page.count('class="hint"') == 1 and "(choose 2)" in page


def test_another_learners_attempt_is_not_visible(learner_client, client, session, settings, sample_module) -> None:  # type: ignore[no-untyped-def]
    response = learner_client.post(
        "/modules/sample-module/quiz", data={**quiz_form(learner_client), **RIGHT}, follow_redirects=False
    )
    url = response.headers["location"]
    from tests.conftest import sign_in
    from tests.factories import make_user

    make_user(session, settings, employee_id="L2", email="other@example.com")
    learner_client.cookies.clear()
    sign_in(learner_client, "other@example.com")
    assert learner_client.get(url).status_code == 404


def test_my_progress_offers_to_resume_at_the_next_lesson(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    mark_done(learner_client, "passwords")
    page = learner_client.get("/progress").text
    assert 'href="/modules/sample-module/lessons/two-factors">Resume where I left off' in page
    assert "1 / 3" in page


def test_go_on_leads_to_the_module_last_worked_on_and_says_start_for_a_new_one(learner_client, session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.publishing.service import import_module_folders
    from tests.conftest import FIXTURE_MODULES
    from tests.factories import TEST_ACTOR, sample_module_variant

    second = sample_module_variant(tmp_path, "sample-two", {"en: Sample security module": "en: Second module"})
    assert import_module_folders(session, TEST_ACTOR, [FIXTURE_MODULES / "sample-module", second]).ok

    assert "Start the next module: Sample security module" in learner_client.get("/progress").text
    token = csrf_from(learner_client.get("/modules/sample-two/lessons/passwords").text)
    learner_client.post("/modules/sample-two/lessons/passwords/done", data={"csrf_token": token})
    assert "Resume where I left off: Second module" in learner_client.get("/progress").text

    for lesson in ("two-factors", "reporting"):
        learner_client.post(f"/modules/sample-two/lessons/{lesson}/done", data={"csrf_token": token})
    learner_client.post("/modules/sample-two/quiz", data={**quiz_form(learner_client, "sample-two"), **RIGHT})
    page = learner_client.get("/progress").text
    assert "Start the next module: Sample security module" in page and "Resume where I left off" not in page


def test_a_learner_has_no_target_from_a_module_only_mentors_see(learner_client, session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import re

    from app.publishing.service import import_module_folders
    from tests.factories import TEST_ACTOR, sample_module_variant

    mentors = sample_module_variant(
        tmp_path,
        "for-mentors",
        {"audience: everyone": "audience: mentors", '"4.1": 2\n  "2.6": 3': '"5.4": 3'},
        {'digcomp: {"4.1": 2}': ""},
    )
    assert import_module_folders(session, TEST_ACTOR, [mentors]).ok
    page = learner_client.get("/progress").text
    row = re.search(r"<th scope=\"row\">5\.4 .*?</tr>", page, re.DOTALL)
    assert row and "not covered by the course" in row.group(0)


def test_right_options_are_shown_from_the_third_failed_attempt(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    for lesson in LESSONS:
        mark_done(learner_client, lesson)
    results = [learner_client.post("/modules/sample-module/quiz", data={**quiz_form(learner_client), **WRONG}) for _ in range(3)]
    assert ["Minutes matter." in result.text for result in results] == [False, False, True]
    assert "Correct answer" in results[2].text and "shown once you pass" not in results[2].text


def test_a_quiz_draws_its_size_from_the_bank_and_grades_what_it_showed(learner_client, session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.publishing.service import import_module_folders
    from tests.factories import TEST_ACTOR, sample_module_variant

    folder = sample_module_variant(tmp_path, "drawn-module", {"pass_mark: 60": "pass_mark: 50\nquiz_size: 2"})
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok
    for lesson in LESSONS:
        page = learner_client.get(f"/modules/drawn-module/lessons/{lesson}")
        learner_client.post(f"/modules/drawn-module/lessons/{lesson}/done", data={"csrf_token": csrf_from(page.text)})
    shown = set()
    for _ in range(12):
        form = learner_client.get("/modules/drawn-module/quiz").text
        drawn = set(re.findall(r'id="question-([a-z-]+)"', form))
        assert len(drawn) == 2
        shown |= drawn
    assert shown == {"strongest", "second-factor", "report"}  # every question comes up across attempts

    form = quiz_form(learner_client, "drawn-module")
    page = learner_client.get("/modules/drawn-module/quiz")  # another form: another draw, but this one grades its own
    assert page.status_code == 200
    result = learner_client.post("/modules/drawn-module/quiz", data={**form, **RIGHT})
    attempt = session.exec(select(QuizAttempt)).one()
    assert attempt.question_count == 2 and attempt.score_percent == 100
    assert len(attempt.answers) == 2 and "2 of 2 right" in result.text
