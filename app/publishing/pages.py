"""The admin's content pages: modules and their versions, preview, diff, the lesson editor, publish and roll back.

Mounted in the admin area (`app/admin.py`), which checks the role once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.engine import Connection
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.catalog.deps import VersionsDep, versions_of
from app.catalog.files import ModuleFormatError, ModuleLimits, Problem
from app.config import UI_LANGUAGES
from app.deps import ActorDep, ConnectionDep, SessionDep, SettingsDep, database
from app.markdown import FRONT_MATTER, render_markdown
from app.progress.pages import lesson_page_context
from app.progress.service import LessonTrail
from app.publishing import service
from app.web import redirect, render, request_language, verify_csrf

router = APIRouter()
CSRFChecked = [Depends(verify_csrf)]
Slug = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9-]+$")]
Number = Annotated[int, Path(ge=1, le=1_000_000)]
FilePath = Annotated[str, Query(max_length=300, pattern=r"^[a-z]{2}/[a-z0-9-]+\.(md|yaml)$|^module\.md$")]
EDITOR_MAX_CHARACTERS = 200_000
# Past this an upload is refused before it is read; the file limit of the settings is checked after.
IMAGE_UPLOAD_LIMIT = ModuleLimits().module_max_bytes + 64 * 1024


def _not_found(error: service.VersionNotFound) -> HTTPException:
    return HTTPException(status_code=404, detail=str(error))


@router.get("/modules")
def module_list(request: Request, connection: ConnectionDep) -> Response:
    """Every module: its live version, drafts waiting, and who published it when."""
    modules = service.module_overview(connection, request_language(request))
    return render(request, "publishing/modules.html", {"modules": modules})


def _versions_page(
    request: Request, connection: Connection, slug: str, context: dict[str, object], status_code: int = 200
) -> Response:
    versions = service.list_versions(connection, slug)
    if versions is None:
        raise HTTPException(status_code=404, detail="No such module")
    live = next((version.number for version in versions if version.state == service.VersionState.published), None)
    archived = service.is_archived(connection, slug)
    newest = versions_of(request).get(connection, service.version_id_of(connection, slug, versions[0].number))
    context = {"slug": slug, "versions": versions, "live": live, "archived": archived, "newest": newest, **context}
    return render(request, "publishing/versions.html", context, status_code=status_code)


@router.get("/modules/{slug}")
def module_versions(request: Request, connection: ConnectionDep, slug: Slug) -> Response:
    return _versions_page(request, connection, slug, {})


def _new_draft(request: Request, session: Session, slug: str, make: Callable[[], service.SavedVersion]) -> Response:
    """Run one authoring change; a new draft goes back to the module page, a refusal shows every problem."""
    try:
        saved = make()
    except service.VersionNotFound as error:
        raise _not_found(error) from error
    except ModuleFormatError as error:
        session.rollback()
        return _versions_page(request, session.connection(), slug, {"change_problems": error.problems}, 400)
    return redirect(f"/admin/modules/{saved.slug}?saved={saved.number}")


@router.post("/modules/{slug}/versions/{number}/images", dependencies=CSRFChecked, max_body_size=IMAGE_UPLOAD_LIMIT)
async def upload_image(request: Request, actor: ActorDep, slug: Slug, number: Number, settings: SettingsDep) -> Response:
    """Add an image to a new draft; the file is read after the role and CSRF checks, up to the file size limit."""
    async with request.form(max_part_size=settings.module_file_max_bytes + 1) as form:
        upload, folder = form.get("image"), str(form.get("folder", "images/"))
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise HTTPException(status_code=400, detail="Choose an image file.")
        name, data = upload.filename.lower(), await upload.read(settings.module_file_max_bytes + 1)

    def add() -> Response:
        with database(request).session() as session:
            if len(data) > settings.module_file_max_bytes:
                problem = Problem(name, None, ModuleLimits.from_settings(settings).file_too_big(len(data)))
                return _versions_page(request, session.connection(), slug, {"change_problems": [problem]}, 400)
            return _new_draft(request, session, slug, lambda: service.add_image(session, actor, slug, number, folder, name, data))

    return await run_in_threadpool(add)


@router.post("/modules/{slug}/versions/{number}/lessons", dependencies=CSRFChecked)
def add_lesson(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    slug: Slug,
    number: Number,
    lesson_slug: Annotated[str, Form(max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")],
    title: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    return _new_draft(request, session, slug, lambda: service.add_lesson(session, actor, slug, number, lesson_slug, title))


@router.post("/modules/{slug}/versions/{number}/order", dependencies=CSRFChecked)
async def reorder_lessons(request: Request, actor: ActorDep, slug: Slug, number: Number) -> Response:
    """Each lesson's field `position-<slug>` gives its new place; ties keep the current order."""
    form = await request.form()
    positions = {
        key.removeprefix("position-"): (int(str(value)) if str(value).isdigit() else 999, index)
        for index, (key, value) in enumerate(form.multi_items())
        if key.startswith("position-")
    }
    order = sorted(positions, key=lambda lesson: positions[lesson])

    def save() -> Response:
        with database(request).session() as session:
            return _new_draft(request, session, slug, lambda: service.reorder_lessons(session, actor, slug, number, order))

    return await run_in_threadpool(save)


@router.post("/modules", dependencies=CSRFChecked)
def create_module(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    slug: Annotated[str, Form(max_length=100)],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    languages: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies Form defaults
) -> Response:
    """A new module as a draft from a template that passes the checks, ready to write in the editor."""
    chosen = [language for language in UI_LANGUAGES if language in languages] or ["en"]
    try:
        saved = service.create_module(session, actor, slug, title, chosen)
    except ModuleFormatError as error:
        session.rollback()
        modules = service.module_overview(session.connection(), request_language(request))
        return render(request, "publishing/modules.html", {"modules": modules, "problems": error.problems}, status_code=400)
    return redirect(f"/admin/modules/{saved.slug}?saved={saved.number}")


@router.post("/modules/{slug}/versions/{number}/publish", dependencies=CSRFChecked)
def publish_version(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    slug: Slug,
    number: Number,
    read_again: Annotated[list[str], Form(max_length=200)] = [],  # noqa: B006 - FastAPI copies Form defaults
    quiz_again: Annotated[bool, Form()] = False,
) -> Response:
    """Publishing a draft, or an earlier version (the rollback); learners see the whole change at once.

    Lessons ticked in `read_again` (and `quiz_again`) are substantive changes: learners who had
    finished them are asked to read them again, and their earlier records stay in their history.
    """
    substantive = service.Substantive(lessons=frozenset(read_again), quiz=quiz_again)
    try:
        service.publish_module_version(session, actor, slug, number, substantive)
    except service.VersionNotFound as error:
        raise _not_found(error) from error
    except service.NotPublishable as error:
        session.rollback()
        return _versions_page(request, session.connection(), slug, {"problems": error.problems, "refused": number}, 409)
    return redirect(f"/admin/modules/{slug}")


@router.post("/modules/{slug}/archive", dependencies=CSRFChecked)
def archive_module(actor: ActorDep, session: SessionDep, slug: Slug, archived: Annotated[bool, Form()]) -> Response:
    """Archiving takes the module out of the catalog; learners' completions stay in the reports."""
    try:
        service.set_module_archived(session, actor, slug, archived)
    except service.VersionNotFound as error:
        raise _not_found(error) from error
    return redirect(f"/admin/modules/{slug}")


@router.get("/modules/{slug}/versions/{old}/diff/{new}")
def version_diff(
    request: Request, connection: ConnectionDep, versions: VersionsDep, slug: Slug, old: Number, new: Number
) -> Response:
    """What changed between two versions: the text learners read, lesson by lesson, then the source files line by line."""
    try:
        before = versions.get(connection, service.version_id_of(connection, slug, old))
        after = versions.get(connection, service.version_id_of(connection, slug, new))
        diff = service.diff_versions(connection, slug, old, new)
    except service.VersionNotFound as error:
        raise _not_found(error) from error
    context = {
        "slug": slug,
        "old": old,
        "new": new,
        "lines": diff.splitlines(),
        "rendered": service.rendered_changes(before, after),
    }
    return render(request, "publishing/diff.html", context)


@router.get("/modules/{slug}/versions/{number}/lessons/{lesson_slug}")
def preview_lesson(
    request: Request,
    connection: ConnectionDep,
    versions: VersionsDep,
    slug: Slug,
    number: Number,
    lesson_slug: Annotated[str, Path(max_length=100)],
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """A lesson of any version exactly as learners will see it, with a banner saying it is a preview."""
    try:
        module = versions.get(connection, service.version_id_of(connection, slug, number))
    except service.VersionNotFound as error:
        raise _not_found(error) from error
    lesson = module.lesson(lesson_slug)
    if lesson is None:
        raise HTTPException(status_code=404, detail="No such lesson")
    trail = LessonTrail(module=module, done_lessons=frozenset())
    context = lesson_page_context(module, lesson, trail, language or request_language(request))
    return render(request, "progress/lesson.html", {**context, "preview": number})


def _editor(
    request: Request,
    connection: ConnectionDep,
    slug: str,
    base: int,
    path: str,
    *,
    text: str | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        files = service.editable_files(connection, slug, base)
    except service.VersionNotFound as error:
        raise _not_found(error) from error
    if path not in files:
        raise HTTPException(status_code=404, detail="No such file in this version")
    context = {
        "slug": slug,
        "base": base,
        "path": path,
        "paths": sorted(files),
        "text": files[path] if text is None else text,
        "problems": problems or [],
        "max_characters": EDITOR_MAX_CHARACTERS,
    }
    return render(request, "publishing/editor.html", context, status_code=status_code)


@router.get("/modules/{slug}/versions/{number}/edit")
def edit_file(request: Request, connection: ConnectionDep, slug: Slug, number: Number, path: FilePath) -> Response:
    """Edit one file of a version; saving makes a new draft from that version with the change."""
    return _editor(request, connection, slug, number, path)


@router.post("/modules/{slug}/versions/{number}/edit", dependencies=CSRFChecked, max_body_size=EDITOR_MAX_CHARACTERS * 4 + 4096)
def save_file(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    slug: Slug,
    number: Number,
    path: Annotated[str, Form(max_length=300, pattern=r"^[a-z]{2}/[a-z0-9-]+\.(md|yaml)$|^module\.md$")],
    text: Annotated[str, Form(max_length=EDITOR_MAX_CHARACTERS)],
) -> Response:
    """Save as a draft; a file that breaks the module comes back in the editor with every problem, nothing stored."""
    try:
        saved = service.save_edited_file(session, actor, slug, number, path, text)
    except service.VersionNotFound as error:
        raise _not_found(error) from error
    except ModuleFormatError as error:
        session.rollback()
        return _editor(request, session.connection(), slug, number, path, text=text, problems=error.problems, status_code=400)
    return redirect(f"/admin/modules/{slug}?saved={saved.number}&path={quote(path, safe='')}")


@router.post("/modules/{slug}/preview", dependencies=CSRFChecked, max_body_size=EDITOR_MAX_CHARACTERS * 4 + 4096)
def preview_markdown(
    slug: Slug,
    text: Annotated[str, Form(max_length=EDITOR_MAX_CHARACTERS)],
    language: Annotated[str, Form(max_length=8, pattern=r"^[a-z]{2}$")] = "en",
) -> HTMLResponse:
    """The editor's live preview: the lesson body through the same renderer and sanitizer as publishing."""
    match = FRONT_MATTER.match(text)
    body = text[match.end() :] if match else text
    return HTMLResponse(render_markdown(body, module_slug=slug, language=language).html)
