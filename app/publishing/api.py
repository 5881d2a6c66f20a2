"""Publishing over HTTP, for content teams' tooling: upload a module as a zip, list, diff, download, publish.

Writes need a token with `content:write`; reads take `catalog:read` or `content:write`. An upload
becomes a draft, which learners never see until it is published; publishing an earlier version
is the rollback.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.accounts.deps import ErrorOut, RequireScope, documented_for_token
from app.accounts.models import Scope
from app.accounts.tokens import TokenInfo
from app.catalog.files import ModuleFormatError, ModuleLimits, Problem, module_zip, read_module_zip
from app.db import Database
from app.deps import ConnectionDep, SessionDep, SettingsDep, database
from app.publishing import service

router = APIRouter(prefix="/api/v1", tags=["publishing"])
ContentWriter = Annotated[TokenInfo, Depends(RequireScope(Scope.content_write))]
ContentReader = Annotated[TokenInfo, Depends(RequireScope(Scope.catalog_read, Scope.content_write))]
Slug = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9-]+$")]
Number = Annotated[int, Path(ge=1, le=1_000_000)]
# The zip, the multipart framing; larger uploads are refused with 413 before they are read.
UPLOAD_FRAMING_BYTES = 64 * 1024


class ProblemOut(BaseModel):
    file: str
    line: int | None
    message: str


class ProblemsOut(BaseModel):
    detail: str
    problems: list[ProblemOut]


class SavedVersionOut(BaseModel):
    slug: str
    version: int
    state: service.VersionState


class SubstantiveIn(BaseModel):
    lessons: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=200)
    quiz: bool = False


class PublishIn(BaseModel):
    substantive: SubstantiveIn = Field(default_factory=SubstantiveIn)


def _problems(status_code: int, detail: str, problems: list[Problem]) -> JSONResponse:
    body = ProblemsOut(detail=detail, problems=[ProblemOut(file=p.file, line=p.line, message=p.message) for p in problems])
    return JSONResponse(body.model_dump(), status_code=status_code)


def _saved(saved: service.SavedVersion, status_code: int) -> JSONResponse:
    body = SavedVersionOut(slug=saved.slug, version=saved.number, state=saved.state)
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code)


_WRITE = documented_for_token(Scope.content_write)
_READ = documented_for_token(Scope.catalog_read, Scope.content_write)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "no such module or version"}}


@router.post(
    "/modules",
    status_code=201,
    max_body_size=ModuleLimits().module_max_bytes + UPLOAD_FRAMING_BYTES,
    openapi_extra={
        **_WRITE["openapi_extra"],
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary", "description": "the module folder, zipped"}
                        },
                    }
                }
            },
        },
    },
    responses={
        **_WRITE["responses"],
        200: {"model": SavedVersionOut, "description": "the same files as an existing version: that version"},
        201: {"model": SavedVersionOut, "description": "stored as a new draft"},
        422: {"model": ProblemsOut, "description": "every problem of the module, with file and line; nothing stored"},
    },
)
async def upload_module(request: Request, token: ContentWriter, settings: SettingsDep) -> Response:
    """Upload a module folder as a zip (multipart field `file`); it is checked in full and kept as a draft.

    The file is read only after the token check, so an anonymous upload costs nothing.
    """
    limits = ModuleLimits.from_settings(settings)
    async with request.form(max_part_size=limits.module_max_bytes + 1) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _problems(422, "send the zipped module in the multipart field 'file'", [])
        data = await upload.read(limits.module_max_bytes + 1)
    if len(data) > limits.module_max_bytes:
        problem = Problem("upload", None, limits.module_too_big(len(data)))
        return _problems(422, "the zip is too large", [problem])
    try:
        saved = await run_in_threadpool(_save_upload, database(request), token, data, limits)
    except ModuleFormatError as error:
        return _problems(422, f"the module has {len(error.problems)} problem(s); nothing was stored", error.problems)
    return _saved(saved, 201 if saved.new else 200)


def _save_upload(db: Database, token: TokenInfo, data: bytes, limits: ModuleLimits) -> service.SavedVersion:
    files = read_module_zip(data, limits)
    with db.session() as session:
        return service.save_draft(session, token.actor, files, source_kind="api")


@router.get("/modules/{slug}/versions", openapi_extra=_READ["openapi_extra"], responses={**_READ["responses"], **_NOT_FOUND})
def list_module_versions(slug: Slug, _reader: ContentReader, connection: ConnectionDep) -> list[service.VersionInfo]:
    """Every version of a module, newest first: its state (draft, published, superseded), who made and published it, when."""
    versions = service.list_versions(connection, slug)
    if versions is None:
        raise HTTPException(status_code=404, detail="No such module")
    return versions


@router.post(
    "/modules/{slug}/versions/{number}/publish",
    openapi_extra=_WRITE["openapi_extra"],
    responses={
        **_WRITE["responses"],
        **_NOT_FOUND,
        409: {"model": ProblemsOut, "description": "the version no longer passes the checks; the live version stays"},
    },
)
def publish_version(
    slug: Slug, number: Number, token: ContentWriter, session: SessionDep, body: PublishIn | None = None
) -> Response:
    """Make this version live in one transaction; publishing an earlier version is the rollback.

    With `substantive`, learners who finished the named lessons (or passed the quiz) on earlier
    versions are asked to read them again (retake it); their earlier records stay in history and reports.
    """
    wanted = body.substantive if body else SubstantiveIn()
    substantive = service.Substantive(lessons=frozenset(wanted.lessons), quiz=wanted.quiz)
    try:
        saved = service.publish_module_version(session, token.actor, slug, number, substantive)
    except service.VersionNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except service.NotPublishable as error:
        return _problems(409, "the version no longer passes the checks; the live version stays", error.problems)
    return _saved(saved, 200)


@router.get(
    "/modules/{slug}/versions/{old}/diff/{new}",
    openapi_extra=_READ["openapi_extra"],
    responses={**_READ["responses"], **_NOT_FOUND, 200: {"content": {"text/x-diff": {}}, "description": "a unified diff"}},
    response_class=Response,
)
def diff_module_versions(slug: Slug, old: Number, new: Number, _reader: ContentReader, connection: ConnectionDep) -> Response:
    """A unified diff of the two versions' sources, file by file (binary files are named, not shown)."""
    try:
        diff = service.diff_versions(connection, slug, old, new)
    except service.VersionNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    return Response(diff, media_type="text/x-diff; charset=utf-8")


@router.get(
    "/modules/{slug}/versions/{number}/source",
    openapi_extra=_READ["openapi_extra"],
    responses={**_READ["responses"], **_NOT_FOUND, 200: {"content": {"application/zip": {}}, "description": "the module folder"}},
    response_class=Response,
)
def download_module_version(slug: Slug, number: Number, _reader: ContentReader, connection: ConnectionDep) -> Response:
    """The version's files as a zip of its module folder, ready to edit and upload again."""
    try:
        files = service.version_sources(connection, slug, number)
    except service.VersionNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    headers: dict[str, Any] = {"content-disposition": f'attachment; filename="{slug}-v{number}.zip"'}
    return Response(module_zip(slug, files), media_type="application/zip", headers=headers)
