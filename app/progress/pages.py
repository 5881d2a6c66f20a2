"""The learner's pages: the catalog with progress, a module, a lesson, the quiz, and "My progress"."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import ActingPerson, CurrentViewer
from app.accounts.viewer import Viewer
from app.catalog.deps import VersionsDep, VisibleModule
from app.catalog.digcomp import load_framework
from app.catalog.job_aid_pdf import job_aid_pdf
from app.catalog.service import PublishedLesson, PublishedModule
from app.deps import RowId, SessionDep, database
from app.i18n import N_, translator
from app.progress import service
from app.progress.competences import CompetenceLevel, competence_profile
from app.progress.deps import ReadLesson, SelfAssessmentDep
from app.progress.models import SelfAssessmentResult
from app.progress.self_assessment import latest_self_assessment, placement, record_self_assessment
from app.security import new_token
from app.web import redirect, render, verify_csrf

router = APIRouter()
pdf_log = logging.getLogger("cooc.pdf")
CSRFChecked = [Depends(verify_csrf)]


@router.get("/catalog")
async def catalog_page(request: Request, viewer: CurrentViewer, versions: VersionsDep) -> Response:
    def load(connection: Connection) -> tuple[list[service.ModuleProgress], bool]:
        progress = service.visible_progress(connection, viewer.id, viewer.roles, versions.all_current(connection))
        return progress, latest_self_assessment(connection, viewer.id) is not None

    progress, assessed = await database(request).read(load)
    context = {"progress": progress, "framework": load_framework(), "assessed": assessed}
    return render(request, "progress/catalog.html", context)


@router.get("/self-assessment")
def self_assessment_form(request: Request, viewer: CurrentViewer, assessment: SelfAssessmentDep) -> Response:
    """Fifteen statements, one per competence the course covers; about five minutes."""
    return render(request, "progress/self_assessment.html", {"assessment": assessment, "answers": {}, "missing": []})


@router.post("/self-assessment", dependencies=CSRFChecked)
async def take_self_assessment(
    request: Request, viewer: CurrentViewer, actor: ActingPerson, assessment: SelfAssessmentDep
) -> Response:
    form = await request.form()
    answers = {
        statement.id: int(str(form[f"s-{statement.id}"]))
        for statement in assessment.statements
        if str(form.get(f"s-{statement.id}", "")).isdigit()
    }
    missing = [statement.id for statement in assessment.statements if answers.get(statement.id) not in assessment.levels]
    if missing:
        context = {"assessment": assessment, "answers": answers, "missing": missing}
        return render(request, "progress/self_assessment.html", context, status_code=422)

    def save() -> None:
        with database(request).session() as session:
            record_self_assessment(session, actor, assessment, answers, viewer.language)

    await run_in_threadpool(save)
    return redirect("/self-assessment/result")


@router.get("/self-assessment/result")
async def self_assessment_result(request: Request, viewer: CurrentViewer, versions: VersionsDep) -> Response:
    """Where the learner stands per area, and the modules to start with."""

    def load(connection: Connection) -> tuple[SelfAssessmentResult | None, list[service.ModuleProgress]]:
        progress = service.visible_progress(connection, viewer.id, viewer.roles, versions.all_current(connection))
        return latest_self_assessment(connection, viewer.id), progress

    result, progress = await database(request).read(load)
    if result is None:
        return redirect("/self-assessment")
    completed = [item.module.module_id for item in progress if item.completed_at is not None]
    found = placement(result.levels, [item.module for item in progress], completed)
    context = {"result": result, "placement": found, "framework": load_framework()}
    return render(request, "progress/self_assessment_result.html", context)


@router.get("/modules/{slug}")
async def module_page(request: Request, viewer: CurrentViewer, module: VisibleModule) -> Response:
    progress = await database(request).read(service.module_progress, viewer.id, module)
    content_language = module.language_for(viewer.language)
    return render(
        request,
        "progress/module.html",
        {"module": module, "progress": progress, "content_language": content_language, "framework": load_framework()},
    )


@router.get("/modules/{slug}/job-aid")
def job_aid_page(request: Request, viewer: CurrentViewer, module: VisibleModule) -> Response:
    """The module's one-page checklist, laid out for printing or saving as PDF from the browser."""
    job_aid = module.job_aid(viewer.language)
    if job_aid is None:
        raise HTTPException(status_code=404, detail="This module has no job aid")
    return render(request, "progress/job_aid.html", {"module": module, "job_aid": job_aid, "content_language": job_aid.language})


@router.get("/modules/{slug}/job-aid.pdf")
def job_aid_download(viewer: CurrentViewer, module: VisibleModule) -> Response:
    """The job aid as a PDF file to keep, in the learner's language when the module has it."""
    job_aid = module.job_aid(viewer.language)
    if job_aid is None:
        raise HTTPException(status_code=404, detail="This module has no job aid")
    checked_on = module.manifest.checked_on
    checked = "" if checked_on is None else format_date(checked_on, format="long", locale=viewer.language)
    try:
        document = job_aid_pdf(
            module_title=module.title(job_aid.language),
            title=job_aid.title,
            body_html=job_aid.html,
            checked_on=checked_on,
            checked_label=translator(viewer.language)(N_("Content checked on %(date)s"), date=checked),
        )
    except Exception as error:
        pdf_log.warning("job aid of %s could not be laid out as a PDF: %s", module.slug, error)
        raise HTTPException(status_code=501, detail=N_("This job aid has no PDF yet: print it from its page.")) from error
    name = f"{module.slug}-job-aid-{job_aid.language}.pdf"
    return Response(document, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/modules/{slug}/lessons/{lesson_slug}")
async def lesson_page(request: Request, reading: ReadLesson) -> Response:
    """The hot path: a cached, pre-rendered page plus the learner's trail through the module."""
    module, lesson, trail = reading.module, reading.lesson, reading.trail
    if not trail.lesson_unlocked(lesson.slug):
        return render(request, "progress/locked.html", {"module": module, "progress": trail}, status_code=403)
    return render(request, "progress/lesson.html", lesson_page_context(module, lesson, trail, reading.viewer.language))


def lesson_page_context(
    module: PublishedModule, lesson: PublishedLesson, trail: service.LessonTrail, language: str
) -> dict[str, Any]:
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


@router.post("/modules/{slug}/lessons/{lesson_slug}/done", dependencies=CSRFChecked)
def mark_lesson_done(actor: ActingPerson, module: VisibleModule, lesson_slug: str, session: SessionDep) -> Response:
    """Mark the lesson done and go on to the next step; posting twice changes nothing."""
    try:
        progress = service.mark_lesson_done(session, actor, module, lesson_slug)
    except service.ProgressError as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    index = module.lesson_slugs.index(lesson_slug)
    if index + 1 < len(module.lessons):
        return redirect(f"/modules/{module.slug}/lessons/{module.lesson_slugs[index + 1]}")
    if not progress.quiz_passed:
        return redirect(f"/modules/{module.slug}/quiz")
    return redirect(f"/modules/{module.slug}")


def _quiz_form(
    request: Request,
    viewer: Viewer,
    module: PublishedModule,
    *,
    submission_id: str,
    answers: dict[str, list[str]] | None = None,
    unanswered: frozenset[str] = frozenset(),
) -> Response:
    context = {
        "module": module,
        "content_language": module.language_for(viewer.language),
        "questions": service.attempt_questions(viewer.id, module, submission_id),
        "submission_id": submission_id,
        "answers": answers or {},
        "unanswered": unanswered,
    }
    return render(request, "progress/quiz.html", context, status_code=422 if unanswered else 200)


@router.get("/modules/{slug}/quiz")
async def quiz_page(request: Request, viewer: CurrentViewer, module: VisibleModule) -> Response:
    progress = await database(request).read(service.module_progress, viewer.id, module)
    if not progress.quiz_unlocked:
        return render(request, "progress/locked.html", {"module": module, "progress": progress}, status_code=403)
    return _quiz_form(request, viewer, module, submission_id=new_token())


@router.post("/modules/{slug}/quiz", dependencies=CSRFChecked)
async def submit_quiz(
    request: Request,
    viewer: CurrentViewer,
    actor: ActingPerson,
    module: VisibleModule,
    submission_id: Annotated[str, Form(min_length=16, max_length=64)],
) -> Response:
    """Grade the answers; the form's submission id makes a double submit land on one attempt."""
    form = await request.form()
    answers = {question.id: [str(value) for value in form.getlist(f"q-{question.id}")] for question in module.quiz.questions}
    language = module.language_for(viewer.language)

    def record() -> int:
        with database(request).session() as session:
            attempt = service.submit_quiz(session, actor, module, submission_id=submission_id, answers=answers, language=language)
            assert attempt.id is not None
            return attempt.id

    try:
        attempt_id = await run_in_threadpool(record)
    except service.QuizIncomplete as incomplete:
        return _quiz_form(
            request,
            viewer,
            module,
            submission_id=submission_id,
            answers=answers,
            unanswered=frozenset(incomplete.question_ids),
        )
    except service.ProgressError as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    return redirect(f"/modules/{module.slug}/quiz/attempts/{attempt_id}")


@router.get("/modules/{slug}/quiz/attempts/{attempt_id}")
def quiz_result(
    request: Request, viewer: CurrentViewer, module: VisibleModule, attempt_id: RowId, session: SessionDep
) -> Response:
    attempt = service.attempt_by_id(session, viewer.id, attempt_id)
    if attempt is None or attempt.module_id != module.module_id:
        raise HTTPException(status_code=404, detail="No such attempt")
    progress = service.module_progress(session.connection(), viewer.id, module)
    return render(
        request,
        "progress/result.html",
        {
            "module": module,
            "attempt": attempt,
            "questions": [question for question in module.quiz.questions if question.id in attempt.answers],
            "reveal": service.reveals_answers(session, attempt),
            "progress": progress,
            "content_language": attempt.language,
        },
    )


@router.get("/progress")
async def my_progress(request: Request, viewer: CurrentViewer, versions: VersionsDep) -> Response:
    def load(connection: Connection) -> tuple[list[service.ModuleProgress], list[CompetenceLevel]]:
        progress = service.visible_progress(connection, viewer.id, viewer.roles, versions.all_current(connection))
        return progress, competence_profile(connection, versions, viewer.id, [item.module for item in progress])

    progress, profile = await database(request).read(load)
    resume = service.resume_point(progress)
    return render(
        request,
        "progress/my_progress.html",
        {"progress": progress, "resume": resume, "profile": profile, "framework": load_framework()},
    )
