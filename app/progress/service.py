"""Progress use cases: lessons done, quizzes graded, modules completed. No HTTP here.

Writes are idempotent on purpose: marking a lesson done twice, or posting the same quiz
form twice, finds the first record instead of adding a second one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, exists, func
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.accounts.people_search import LearningLine
from app.actor import Actor
from app.catalog.models import Module, ModuleVersion, SubstantiveChange
from app.catalog.quiz import DrawnQuestion, Question
from app.catalog.service import PublishedModule, Versions
from app.db import insert_ignoring_conflicts, rows_as_records, table_of
from app.i18n import N_
from app.progress.models import LessonCompletion, ModuleCompletion, QuizAttempt, SelfAssessmentResult
from app.timeutil import utc_now

ANSWERS_SHOWN_FROM_ATTEMPT = 3


class ProgressError(ValueError):
    """A progress action that is not allowed now; the message is safe to show."""


class QuizIncomplete(ProgressError):
    """Some questions have no answer: nothing is recorded, and the learner sees which ones."""

    def __init__(self, question_ids: list[str]):
        self.question_ids = question_ids
        super().__init__(N_("Answer every question before checking your answers."))


class ModuleState(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"


@dataclass(frozen=True)
class NextStep:
    """Where a learner goes on in a module: a lesson, or the quiz once every lesson is done."""

    module_slug: str
    lesson_slug: str | None = None

    @property
    def is_quiz(self) -> bool:
        return self.lesson_slug is None

    @property
    def url(self) -> str:
        if self.lesson_slug is None:
            return f"/modules/{self.module_slug}/quiz"
        return f"/modules/{self.module_slug}/lessons/{self.lesson_slug}"


@dataclass(frozen=True)
class LessonTrail:
    """Which lessons of a module a learner has done: all a lesson page needs, in one query."""

    module: PublishedModule
    done_lessons: frozenset[str]

    @property
    def lessons_done(self) -> int:
        return sum(1 for slug in self.module.lesson_slugs if slug in self.done_lessons)

    @property
    def next_lesson(self) -> str | None:
        return next((slug for slug in self.module.lesson_slugs if slug not in self.done_lessons), None)

    @property
    def all_lessons_done(self) -> bool:
        return self.lessons_done == len(self.module.lessons)

    def lesson_unlocked(self, slug: str) -> bool:
        if not self.module.manifest.sequential:
            return True
        for earlier in self.module.lesson_slugs:
            if earlier == slug:
                return True
            if earlier not in self.done_lessons:
                return False
        return False

    @property
    def quiz_unlocked(self) -> bool:
        return not self.module.manifest.sequential or self.all_lessons_done


@dataclass(frozen=True)
class ModuleProgress(LessonTrail):
    """The whole state of a module for a learner: lessons, quiz attempts and completion."""

    quiz_passed: bool
    best_score: int | None
    attempts: int
    completed_at: datetime | None
    last_activity_at: datetime | None = None
    to_read_again: frozenset[str] = frozenset()
    quiz_to_retake: bool = False

    @property
    def percent(self) -> int:
        if self.completed_at is not None:
            return 100
        steps = len(self.module.lessons) + 1
        return round(100 * (self.lessons_done + int(self.quiz_passed)) / steps)

    @property
    def state(self) -> ModuleState:
        if self.completed_at is not None:
            return ModuleState.completed
        if self.lessons_done or self.attempts:
            return ModuleState.in_progress
        return ModuleState.not_started

    @property
    def next_step(self) -> NextStep | None:
        """The next lesson, else the quiz, or None when there is nothing left to do."""
        if self.next_lesson is not None:
            return NextStep(self.module.slug, self.next_lesson)
        return None if self.quiz_passed else NextStep(self.module.slug)


_lesson = table_of(LessonCompletion)
_attempt = table_of(QuizAttempt)
_completion = table_of(ModuleCompletion)
_change = table_of(SubstantiveChange)
_module = table_of(Module)
_version = table_of(ModuleVersion)
QUIZ_CHANGE = ""  # the `lesson_slug` of a substantive change that asks for the quiz again


def outdated(module_id: Any, version_id: Any, lesson_slug: Any | None) -> Any:
    """Whether a record made on `version_id` was overtaken by a substantive change of that lesson
    (`QUIZ_CHANGE` for the quiz; None: of anything in the module) published since, up to the live version.

    Such a record stays in history and reports, but no longer counts for the learner's progress.
    """
    # Correlated by hand: nested two levels down, SQLAlchemy would otherwise join the record's table again.
    made_on = core_select(_version.c.number).where(_version.c.id == version_id).correlate_except(_version).scalar_subquery()
    live = (
        core_select(_version.c.number)
        .select_from(_module.join(_version, _version.c.id == _module.c.current_version_id))
        .where(_module.c.id == module_id)
        .correlate_except(_module, _version)
        .scalar_subquery()
    )
    conditions = [_change.c.module_id == module_id, _change.c.version_number > made_on, _change.c.version_number <= live]
    if lesson_slug is not None:
        conditions.append(_change.c.lesson_slug == lesson_slug)
    return exists().where(*conditions).correlate_except(_change)


_LESSON_COUNTS = ~outdated(_lesson.c.module_id, _lesson.c.version_id, _lesson.c.lesson_slug)
_ATTEMPT_COUNTS = ~outdated(_attempt.c.module_id, _attempt.c.version_id, QUIZ_CHANGE)
_COMPLETION_COUNTS = ~outdated(_completion.c.module_id, _completion.c.version_id, None)
_DONE_IN_MODULE = core_select(_lesson.c.lesson_slug).where(
    _lesson.c.user_id == bindparam("user_id"), _lesson.c.module_id == bindparam("module_id"), _LESSON_COUNTS
)


def done_lessons_column(user_id: Any) -> Any:
    """The learner's done lessons in the module named by the `slug` parameter, comma-joined.

    A column to add to the viewer's one-row query (slugs never contain commas).
    """
    module = table_of(Module).alias("lesson_module")
    return (
        core_select(func.aggregate_strings(_lesson.c.lesson_slug, ","))
        .select_from(_lesson.join(module, module.c.id == _lesson.c.module_id))
        .where(_lesson.c.user_id == user_id, module.c.slug == bindparam("slug"), _LESSON_COUNTS)
        .scalar_subquery()
        .label("done_lessons")
    )


def trail_from_column(module: PublishedModule, value: str | None) -> LessonTrail:
    return LessonTrail(module=module, done_lessons=frozenset(value.split(",")) if value else frozenset())


def lesson_trail(connection: Connection, user_id: int, module: PublishedModule) -> LessonTrail:
    done = connection.execute(_DONE_IN_MODULE, {"user_id": user_id, "module_id": module.module_id}).scalars()
    return LessonTrail(module=module, done_lessons=frozenset(done))


def progress_for(connection: Connection, user_id: int, modules: Iterable[PublishedModule]) -> dict[int, ModuleProgress]:
    """Every module's progress for one learner, in three queries whatever the number of modules."""
    modules = list(modules)
    module_ids = [module.module_id for module in modules]
    done: dict[int, set[str]] = {module_id: set() for module_id in module_ids}
    read_before: dict[int, set[str]] = {module_id: set() for module_id in module_ids}
    latest: dict[int, datetime] = {}
    for module_id, slug, completed_at, counts in connection.execute(
        core_select(_lesson.c.module_id, _lesson.c.lesson_slug, _lesson.c.completed_at, _LESSON_COUNTS).where(
            _lesson.c.user_id == user_id, _lesson.c.module_id.in_(module_ids)
        )
    ):
        (done if counts else read_before)[module_id].add(slug)
        latest[module_id] = max(completed_at, latest.get(module_id, completed_at))
    quiz: dict[int, tuple[int, int, bool, bool]] = {}
    for module_id, attempts, best, passed, passed_before, last_attempt in connection.execute(
        core_select(
            _attempt.c.module_id,
            func.count(),
            func.max(_attempt.c.score_percent),
            func.max(func.cast(_attempt.c.passed & _ATTEMPT_COUNTS, _attempt.c.correct_count.type)),
            func.max(func.cast(_attempt.c.passed, _attempt.c.correct_count.type)),
            func.max(_attempt.c.submitted_at),
        )
        .where(_attempt.c.user_id == user_id, _attempt.c.module_id.in_(module_ids))
        .group_by(_attempt.c.module_id)
    ):
        quiz[module_id] = (attempts, best, bool(passed), bool(passed_before))
        last_attempt = _aware(last_attempt)
        latest[module_id] = max(last_attempt, latest.get(module_id, last_attempt))
    completed = dict(
        connection.execute(
            core_select(_completion.c.module_id, func.max(_completion.c.completed_at))
            .where(_completion.c.user_id == user_id, _completion.c.module_id.in_(module_ids), _COMPLETION_COUNTS)
            .group_by(_completion.c.module_id)
        ).all()
    )
    result = {}
    for module in modules:
        attempts, best, passed, passed_before = quiz.get(module.module_id, (0, None, False, False))
        result[module.module_id] = ModuleProgress(
            module=module,
            done_lessons=frozenset(done[module.module_id]),
            quiz_passed=passed,
            best_score=best,
            attempts=attempts,
            completed_at=_aware(completed[module.module_id]) if module.module_id in completed else None,
            last_activity_at=latest.get(module.module_id),
            to_read_again=frozenset(read_before[module.module_id] - done[module.module_id]),
            quiz_to_retake=passed_before and not passed,
        )
    return result


def _aware(moment: datetime) -> datetime:
    """An aggregate over a date column comes back without its type: SQLite gives text, naive for UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def visible_progress(
    connection: Connection, user_id: int, roles: frozenset[Role], modules: Iterable[PublishedModule]
) -> list[ModuleProgress]:
    """Progress in every module this person may see, in catalog order."""
    visible = [module for module in modules if module.visible_to(roles)]
    return list(progress_for(connection, user_id, visible).values())


@dataclass(frozen=True)
class ResumePoint:
    """Where the "go on" button leads: back into the module last worked on, or to the next one to start."""

    progress: ModuleProgress
    started: bool


def resume_point(progress: Iterable[ModuleProgress]) -> ResumePoint | None:
    """The unfinished module with the most recent activity, else the first one not started, in catalog order."""
    progress = list(progress)
    under_way = [item for item in progress if item.state == ModuleState.in_progress and item.next_step is not None]
    if under_way:
        return ResumePoint(max(under_way, key=lambda item: item.last_activity_at or datetime.min.replace(tzinfo=UTC)), True)
    fresh = next((item for item in progress if item.state == ModuleState.not_started), None)
    return None if fresh is None else ResumePoint(fresh, False)


def module_progress(connection: Connection, user_id: int, module: PublishedModule) -> ModuleProgress:
    return progress_for(connection, user_id, [module])[module.module_id]


def mark_lesson_done(session: Session, learner: Actor, module: PublishedModule, lesson_slug: str) -> ModuleProgress:
    """The acting learner marks a lesson of their own as done; a lesson that already counts as done keeps its one record.

    A new record is made only the first time, or when a substantive change asked for the lesson again.
    """
    user_id = _learner_id(learner)
    if module.lesson(lesson_slug) is None:
        raise ProgressError(N_("No such lesson."))
    trail = lesson_trail(session.connection(), user_id, module)
    if not trail.lesson_unlocked(lesson_slug):
        raise ProgressError(N_("Finish the previous lessons first."))
    if lesson_slug in trail.done_lessons:
        return _complete_if_done(session, user_id, module)
    insert_ignoring_conflicts(
        session,
        _lesson,
        {
            "user_id": user_id,
            "module_id": module.module_id,
            "lesson_slug": lesson_slug,
            "version_id": module.version_id,
            "completed_at": utc_now(),
        },
    )
    return _complete_if_done(session, user_id, module)


def _learner_id(learner: Actor) -> int:
    if learner.user_id is None:
        raise ProgressError(N_("Only a signed-in learner has progress."))
    return learner.user_id


@dataclass(frozen=True)
class GradedQuestion:
    question_id: str
    chosen: tuple[str, ...]
    correct: tuple[str, ...]

    @property
    def is_right(self) -> bool:
        return set(self.chosen) == set(self.correct)


def attempt_questions(user_id: int, module: PublishedModule, submission_id: str) -> list[DrawnQuestion]:
    """The questions one attempt shows, drawn from the bank by the attempt's own form id.

    The form id picks the draw, so the page and the grading see the same questions and a double
    submit is graded the same way, with nothing stored before the answers arrive. Knowing the rule
    gives a learner nothing that reloading the quiz page would not: every form shows its own draw.
    """
    seed = hashlib.sha256(f"{user_id}:{module.version_id}:{submission_id}".encode()).digest()
    return module.quiz.draw(module.manifest.quiz_size, seed)


def grade(questions: Iterable[Question], answers: Mapping[str, Iterable[str]]) -> list[GradedQuestion]:
    graded = []
    for question in questions:
        chosen = tuple(sorted(set(answers.get(question.id, ())) & question.choice_ids))
        graded.append(GradedQuestion(question.id, chosen, tuple(sorted(question.correct))))
    return graded


def submit_quiz(
    session: Session,
    learner: Actor,
    module: PublishedModule,
    *,
    submission_id: str,
    answers: Mapping[str, Iterable[str]],
    language: str,
) -> QuizAttempt:
    """Grade and record the acting learner's quiz; the same submission id twice returns the first attempt."""
    user_id = _learner_id(learner)
    previous = attempt_by_submission(session, user_id, submission_id)
    if previous is not None:
        return previous
    progress = module_progress(session.connection(), user_id, module)
    if not progress.quiz_unlocked:
        raise ProgressError(N_("Finish the lessons first."))
    questions = [drawn.question for drawn in attempt_questions(user_id, module, submission_id)]
    unanswered = [question.id for question in questions if not set(answers.get(question.id, ())) & question.choice_ids]
    if unanswered:
        raise QuizIncomplete(unanswered)
    graded = grade(questions, answers)
    right = sum(question.is_right for question in graded)
    score = round(100 * right / len(graded))
    inserted = insert_ignoring_conflicts(
        session,
        _attempt,
        {
            "user_id": user_id,
            "module_id": module.module_id,
            "version_id": module.version_id,
            "submission_id": submission_id,
            "language": language,
            "answers": {question.question_id: list(question.chosen) for question in graded},
            "correct_count": right,
            "question_count": len(graded),
            "score_percent": score,
            "passed": score >= module.manifest.pass_mark,
            "submitted_at": utc_now(),
        },
    )
    if inserted:
        _complete_if_done(session, user_id, module)
    else:
        session.commit()
    attempt = attempt_by_submission(session, user_id, submission_id)
    assert attempt is not None
    return attempt


def attempt_by_submission(session: Session, user_id: int, submission_id: str) -> QuizAttempt | None:
    return session.exec(
        select(QuizAttempt).where(col(QuizAttempt.user_id) == user_id, col(QuizAttempt.submission_id) == submission_id)
    ).first()


def reveals_answers(session: Session, attempt: QuizAttempt) -> bool:
    """Whether the result may show the right options: once passed, or from the third attempt on.

    Before that, a learner who failed sees which questions were wrong and why their choice was,
    so the next attempt tests understanding rather than memory of the options.
    """
    if attempt.passed:
        return True
    earlier = session.exec(
        select(QuizAttempt.passed).where(
            col(QuizAttempt.user_id) == attempt.user_id,
            col(QuizAttempt.module_id) == attempt.module_id,
            col(QuizAttempt.id) <= attempt.id,
        )
    ).all()
    return any(earlier) or len(earlier) >= ANSWERS_SHOWN_FROM_ATTEMPT


def attempt_by_id(session: Session, user_id: int, attempt_id: int) -> QuizAttempt | None:
    """A learner's own attempt; another learner's attempt is as good as missing."""
    attempt = session.get(QuizAttempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == user_id else None


def _complete_if_done(session: Session, user_id: int, module: PublishedModule) -> ModuleProgress:
    """Record the completion the first time every lesson is done and the quiz is passed."""
    progress = module_progress(session.connection(), user_id, module)
    if progress.completed_at is None and progress.all_lessons_done and progress.quiz_passed:
        insert_ignoring_conflicts(
            session,
            _completion,
            {"user_id": user_id, "module_id": module.module_id, "version_id": module.version_id, "completed_at": utc_now()},
        )
        progress = module_progress(session.connection(), user_id, module)
    session.commit()
    return progress


def progress_records(connection: Connection, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """A learner's lessons done, quiz attempts (with every answer), completions and self-assessments, for a GDPR export."""
    lessons, attempts, completions, assessments = (
        table_of(model) for model in (LessonCompletion, QuizAttempt, ModuleCompletion, SelfAssessmentResult)
    )
    return {
        "lessons_done": rows_as_records(connection, lessons, lessons.c.user_id == user_id),
        "quiz_attempts": rows_as_records(connection, attempts, attempts.c.user_id == user_id),
        "module_completions": rows_as_records(connection, completions, completions.c.user_id == user_id),
        "self_assessments": rows_as_records(connection, assessments, assessments.c.user_id == user_id),
    }


def learning_lines(
    versions: Versions, connection: Connection, user_id: int, roles: frozenset[Role], language: str
) -> list[LearningLine]:
    """The person's modules for their page in the admin area (see `people_search.LearningSummary`)."""
    return [
        LearningLine(
            title=progress.module.title(language),
            percent=progress.percent,
            attempts=progress.attempts,
            best_score=progress.best_score,
            completed_at=progress.completed_at,
        )
        for progress in visible_progress(connection, user_id, roles, versions.all_current(connection))
    ]
