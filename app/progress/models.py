"""What each learner has done. Every record names the module version it was made on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, UniqueConstraint

from app.db import Model
from app.timeutil import utc_now


class LessonCompletion(Model, table=True):
    __tablename__ = "lesson_completion"
    # One per lesson and version: a lesson read again after a substantive change is a new record.
    __table_args__ = (UniqueConstraint("user_id", "module_id", "lesson_slug", "version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    module_id: int = Field(foreign_key="module.id", ondelete="CASCADE")
    lesson_slug: str = Field(max_length=100)
    version_id: int = Field(foreign_key="module_version.id")
    completed_at: datetime = Field(default_factory=utc_now)


class QuizAttempt(Model, table=True):
    """A submitted quiz. The submission id from the form makes a double submit return the same attempt."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("user_id", "submission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    module_id: int = Field(foreign_key="module.id", ondelete="CASCADE")
    version_id: int = Field(foreign_key="module_version.id")
    submission_id: str = Field(max_length=64)
    language: str = Field(max_length=8)
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    correct_count: int
    question_count: int
    score_percent: int
    passed: bool
    submitted_at: datetime = Field(default_factory=utc_now)


class ModuleCompletion(Model, table=True):
    """The moment a learner completed a module: every lesson done and the quiz passed."""

    __tablename__ = "module_completion"
    # One per version: completing again after a substantive change keeps the earlier completion.
    __table_args__ = (UniqueConstraint("user_id", "module_id", "version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    module_id: int = Field(foreign_key="module.id", ondelete="CASCADE")
    version_id: int = Field(foreign_key="module_version.id")
    completed_at: datetime = Field(default_factory=utc_now)


class SelfAssessmentResult(Model, table=True):
    """One taking of the self-assessment: the answer per statement and the level per competence they give."""

    __tablename__ = "self_assessment_result"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    taken_at: datetime = Field(default_factory=utc_now)
    language: str = Field(max_length=8)
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    levels: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
