"""Double submits that really arrive at the same time, from parallel workers with their own sessions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from app.catalog.service import Versions
from app.progress import service
from app.progress.models import LessonCompletion, ModuleCompletion, QuizAttempt
from tests.factories import as_learner

WORKERS = 8
RIGHT = {"strongest": ["b"], "second-factor": ["a", "c"], "report": ["a"]}


def in_parallel(db, action):  # type: ignore[no-untyped-def]
    def run(_: int):  # type: ignore[no-untyped-def]
        with db.session() as session:
            return action(session)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(run, range(WORKERS)))


def test_simultaneous_lesson_completions_make_one_record(db, session, learner, sample_module) -> None:  # type: ignore[no-untyped-def]
    module = Versions().current(session.connection(), sample_module)
    in_parallel(db, lambda s: service.mark_lesson_done(s, as_learner(learner), module, "passwords"))
    assert len(session.exec(select(LessonCompletion)).all()) == 1


def test_simultaneous_quiz_posts_make_one_attempt_and_one_completion(db, session, learner, sample_module) -> None:  # type: ignore[no-untyped-def]
    module = Versions().current(session.connection(), sample_module)
    for lesson in module.lesson_slugs:
        service.mark_lesson_done(session, as_learner(learner), module, lesson)
    attempts = in_parallel(
        db,
        lambda s: (
            service.submit_quiz(
                s, as_learner(learner), module, submission_id="same-form-" + "x" * 10, answers=RIGHT, language="en"
            ).id
        ),
    )
    assert len(set(attempts)) == 1
    assert len(session.exec(select(QuizAttempt)).all()) == 1
    assert len(session.exec(select(ModuleCompletion)).all()) == 1
