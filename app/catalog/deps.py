"""Find the published module (and lesson) a URL names, or answer 404 once for every route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.engine import Connection

from app.accounts.deps import CurrentViewer, LoginRequired, remember_viewer
from app.accounts.models import User
from app.accounts.service import Viewer, viewer_from_row, viewer_params, viewer_select
from app.catalog.service import CURRENT_VERSION_FOR_SLUG, PublishedLesson, PublishedModule, load_version, published_module
from app.db import table_of
from app.deps import database
from app.progress.service import LessonTrail, done_lessons_column, trail_from_column
from app.security import SESSION_COOKIE


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"No such {what}")


async def visible_module(slug: str, request: Request, viewer: CurrentViewer) -> PublishedModule:
    """A module for mentors only is as good as missing to other learners."""
    module = await database(request).read(published_module, slug)
    if module is None or not module.visible_to(viewer.roles):
        raise _not_found("module")
    return module


VisibleModule = Annotated[PublishedModule, Depends(visible_module)]


@dataclass(frozen=True)
class LessonReading:
    viewer: Viewer
    module: PublishedModule
    lesson: PublishedLesson
    trail: LessonTrail


_LESSON_READING_QUERY = viewer_select(CURRENT_VERSION_FOR_SLUG, done_lessons_column(table_of(User).c.id))


def _read_lesson(
    connection: Connection, token: str, slug: str
) -> tuple[Viewer | None, PublishedModule | None, LessonTrail | None]:
    row = connection.execute(_LESSON_READING_QUERY, {**viewer_params(token), "slug": slug}).first()
    if row is None:
        return None, None, None
    viewer = viewer_from_row(row)
    if row.current_version_id is None:
        return viewer, None, None
    module = load_version(connection, row.current_version_id)
    if not module.visible_to(viewer.roles):
        return viewer, None, None
    return viewer, module, trail_from_column(module, row.done_lessons)


async def lesson_reading(slug: str, lesson_slug: str, request: Request) -> LessonReading:
    """Everything a lesson page needs in one query: the viewer, the module's version, the trail.

    The lesson page is the most requested page of the platform; the three lookups that the
    general dependencies would make one by one are folded into a single row here.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired()
    viewer, module, trail = await database(request).read(_read_lesson, token, slug)
    if viewer is None:
        raise LoginRequired()
    remember_viewer(request, viewer)
    if module is None or trail is None:
        raise _not_found("module")
    lesson = module.lesson(lesson_slug)
    if lesson is None:
        raise _not_found("lesson")
    return LessonReading(viewer=viewer, module=module, lesson=lesson, trail=trail)


ReadLesson = Annotated[LessonReading, Depends(lesson_reading)]
