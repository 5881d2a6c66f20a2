"""The learner's actions: mark a lesson done, take the quiz, see results and "My progress"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import CurrentViewer
from app.catalog.deps import VisibleModule
from app.catalog.digcomp import load_framework
from app.catalog.service import published_modules
from app.deps import SessionDep, database
from app.progress import service
from app.reporting.service import CompetenceLevel, competence_profile
from app.security import new_token
from app.web import redirect, render, verify_csrf

router = APIRouter()
CSRFChecked = [Depends(verify_csrf)]


@router.post("/modules/{slug}/lessons/{lesson_slug}/done", dependencies=CSRFChecked)
def mark_lesson_done(viewer: CurrentViewer, module: VisibleModule, lesson_slug: str, session: SessionDep) -> Response:
    """Mark the lesson done and go on to the next step; posting twice changes nothing."""
    try:
        progress = service.mark_lesson_done(session, viewer.id, module, lesson_slug)
    except service.ProgressError as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    index = module.lesson_slugs.index(lesson_slug)
    if index + 1 < len(module.lessons):
        return redirect(f"/modules/{module.slug}/lessons/{module.lesson_slugs[index + 1]}")
    if not progress.quiz_passed:
        return redirect(f"/modules/{module.slug}/quiz")
    return redirect(f"/modules/{module.slug}")


@router.get("/modules/{slug}/quiz")
async def quiz_page(request: Request, viewer: CurrentViewer, module: VisibleModule) -> Response:
    progress = await database(request).read(service.module_progress, viewer.id, module)
    if not progress.quiz_unlocked:
        return render(request, "catalog/locked.html", {"module": module, "progress": progress}, status_code=403)
    return render(
        request,
        "progress/quiz.html",
        {
            "module": module,
            "progress": progress,
            "content_language": module.language_for(viewer.language),
            "submission_id": new_token(),
        },
    )


@router.post("/modules/{slug}/quiz", dependencies=CSRFChecked)
async def submit_quiz(
    request: Request,
    viewer: CurrentViewer,
    module: VisibleModule,
    submission_id: Annotated[str, Form(min_length=16, max_length=64)],
) -> Response:
    """Grade the answers; the form's submission id makes a double submit land on one attempt."""
    form = await request.form()
    answers = {
        question["id"]: [str(value) for value in form.getlist(f"q-{question['id']}")] for question in module.quiz["questions"]
    }
    language = module.language_for(viewer.language)

    def record() -> int:
        with database(request).session() as session:
            attempt = service.submit_quiz(
                session, viewer.id, module, submission_id=submission_id, answers=answers, language=language
            )
            assert attempt.id is not None
            return attempt.id

    try:
        attempt_id = await run_in_threadpool(record)
    except service.ProgressError as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    return redirect(f"/modules/{module.slug}/quiz/attempts/{attempt_id}")


@router.get("/modules/{slug}/quiz/attempts/{attempt_id}")
def quiz_result(request: Request, viewer: CurrentViewer, module: VisibleModule, attempt_id: int, session: SessionDep) -> Response:
    attempt = service.attempt_by_id(session, viewer.id, attempt_id)
    if attempt is None or attempt.module_id != module.module_id:
        raise HTTPException(status_code=404, detail="No such attempt")
    progress = service.module_progress(session.connection(), viewer.id, module)
    return render(
        request,
        "progress/result.html",
        {"module": module, "attempt": attempt, "progress": progress, "content_language": attempt.language},
    )


@router.get("/progress")
async def my_progress(request: Request, viewer: CurrentViewer) -> Response:
    def load(connection: Connection) -> tuple[list[service.ModuleProgress], list[CompetenceLevel]]:
        modules = published_modules(connection)
        progress = service.visible_progress(connection, viewer.id, viewer.roles, modules)
        return progress, competence_profile(connection, viewer.id, modules)

    progress, profile = await database(request).read(load)
    resume = service.resume_point(progress)
    return render(
        request,
        "progress/my_progress.html",
        {"progress": progress, "resume": resume, "profile": profile, "framework": load_framework()},
    )
