"""The lesson page's one query: the viewer, the module's current version and the learner's trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Connection

from app.accounts.deps import LoginRequired, current_viewer, declares, remember_viewer
from app.accounts.models import User
from app.accounts.viewer import Viewer, viewer_from_row, viewer_params, viewer_select
from app.catalog.deps import not_found, versions_of
from app.catalog.service import CURRENT_VERSION_FOR_SLUG, PublishedLesson, PublishedModule, Versions
from app.db import table_of
from app.deps import database
from app.progress.self_assessment import SelfAssessment
from app.progress.service import LessonTrail, done_lessons_column, trail_from_column
from app.security import SESSION_COOKIE


@dataclass(frozen=True)
class LessonReading:
    viewer: Viewer
    module: PublishedModule
    lesson: PublishedLesson
    trail: LessonTrail


_LESSON_READING_QUERY = viewer_select(CURRENT_VERSION_FOR_SLUG, done_lessons_column(table_of(User).c.id))


def _read_lesson(
    connection: Connection, versions: Versions, token: str, slug: str
) -> tuple[Viewer | None, PublishedModule | None, LessonTrail | None]:
    row = connection.execute(_LESSON_READING_QUERY, {**viewer_params(token), "slug": slug}).first()
    if row is None:
        return None, None, None
    viewer = viewer_from_row(row)
    if row.current_version_id is None:
        return viewer, None, None
    module = versions.get(connection, row.current_version_id)
    if not module.visible_to(viewer.roles):
        return viewer, None, None
    return viewer, module, trail_from_column(module, row.done_lessons)


@declares(current_viewer.access_rule)  # type: ignore[attr-defined]
async def lesson_reading(slug: str, lesson_slug: str, request: Request) -> LessonReading:
    """Everything a lesson page needs in one query: the viewer, the module's version, the trail.

    The lesson page is the most requested page of the platform; the three lookups that the
    general dependencies would make one by one are folded into a single row here.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired()
    viewer, module, trail = await database(request).read(_read_lesson, versions_of(request), token, slug)
    if viewer is None:
        raise LoginRequired()
    remember_viewer(request, viewer)
    if module is None or trail is None:
        raise not_found("module")
    lesson = module.lesson(lesson_slug)
    if lesson is None:
        raise not_found("lesson")
    return LessonReading(viewer=viewer, module=module, lesson=lesson, trail=trail)


ReadLesson = Annotated[LessonReading, Depends(lesson_reading)]


def _self_assessment(request: Request) -> SelfAssessment:
    assessment: SelfAssessment = request.app.state.self_assessment
    return assessment


SelfAssessmentDep = Annotated[SelfAssessment, Depends(_self_assessment)]
