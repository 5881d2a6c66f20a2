"""The learner's reading pages: the catalog, a module, a lesson."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from app.accounts.deps import CurrentViewer
from app.catalog.deps import ReadLesson, VisibleModule
from app.catalog.digcomp import load_framework
from app.catalog.service import PublishedLesson, PublishedModule, published_modules
from app.deps import database
from app.progress.service import LessonTrail, ModuleProgress, module_progress, visible_progress
from app.web import render

router = APIRouter()


@router.get("/catalog")
async def catalog_page(request: Request, viewer: CurrentViewer) -> Response:
    def load(connection: Connection) -> list[ModuleProgress]:
        return visible_progress(connection, viewer.id, viewer.roles, published_modules(connection))

    progress = await database(request).read(load)
    return render(request, "catalog/catalog.html", {"progress": progress, "framework": load_framework()})


@router.get("/modules/{slug}")
async def module_page(request: Request, viewer: CurrentViewer, module: VisibleModule) -> Response:
    progress = await database(request).read(module_progress, viewer.id, module)
    content_language = module.language_for(viewer.language)
    return render(
        request,
        "catalog/module.html",
        {"module": module, "progress": progress, "content_language": content_language, "framework": load_framework()},
    )


@router.get("/modules/{slug}/lessons/{lesson_slug}")
async def lesson_page(request: Request, reading: ReadLesson) -> Response:
    """The hot path: a cached, pre-rendered page plus the learner's trail through the module."""
    module, lesson, trail = reading.module, reading.lesson, reading.trail
    if not trail.lesson_unlocked(lesson.slug):
        return render(request, "catalog/locked.html", {"module": module, "progress": trail}, status_code=403)
    return render(request, "catalog/lesson.html", lesson_page_context(module, lesson, trail, reading.viewer.language))


def lesson_page_context(module: PublishedModule, lesson: PublishedLesson, trail: LessonTrail, language: str) -> dict[str, Any]:
    """What the lesson template shows: the page in the learner's language (or the fallback) and its neighbours."""
    page, fell_back = module.page(lesson, language)
    index = module.lessons.index(lesson)
    return {
        "module": module,
        "lesson": lesson,
        "page": page,
        "fell_back": fell_back,
        "progress": trail,
        "previous": module.lessons[index - 1] if index > 0 else None,
        "next": module.lessons[index + 1] if index + 1 < len(module.lessons) else None,
        "content_language": page.language,
    }
