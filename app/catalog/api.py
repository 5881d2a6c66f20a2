"""The catalog as JSON, for a signed-in employee or a token with `catalog:read`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from app.accounts.deps import ErrorOut, ViewerOrScope, documented_for_token
from app.accounts.models import Scope
from app.accounts.tokens import TokenInfo
from app.accounts.viewer import Viewer
from app.catalog.deps import VersionsDep
from app.catalog.service import PublishedModule
from app.deps import database

router = APIRouter(prefix="/api/v1", tags=["catalog"])
CatalogReader = Annotated[Viewer | TokenInfo, Depends(ViewerOrScope(Scope.catalog_read))]


class LessonOut(BaseModel):
    slug: str
    position: int
    languages: list[str]
    titles: dict[str, str]
    minutes: dict[str, int]


class ModuleOut(BaseModel):
    slug: str
    version: int
    order: int
    topic: str
    audience: str
    title: dict[str, str]
    summary: dict[str, str]
    languages: list[str]
    default_language: str
    estimated_minutes: int
    sequential: bool
    pass_mark: int
    quiz_questions: int
    digcomp: dict[str, int]
    lessons: list[LessonOut]


def _module_out(module: PublishedModule) -> ModuleOut:
    manifest = module.manifest
    return ModuleOut(
        slug=module.slug,
        version=module.version_number,
        order=manifest.order,
        topic=manifest.topic,
        audience=manifest.audience,
        title=manifest.title,
        summary=manifest.summary,
        languages=manifest.languages,
        default_language=manifest.default_language,
        estimated_minutes=manifest.estimated_minutes,
        sequential=manifest.sequential,
        pass_mark=manifest.pass_mark,
        quiz_questions=module.question_count,
        digcomp=manifest.digcomp,
        lessons=[
            LessonOut(
                slug=lesson.slug,
                position=lesson.position,
                languages=sorted(lesson.pages),
                titles={language: page.title for language, page in lesson.pages.items()},
                minutes={language: page.minutes for language, page in lesson.pages.items()},
            )
            for lesson in module.lessons
        ],
    )


def _visible(module: PublishedModule, reader: Viewer | TokenInfo) -> bool:
    return isinstance(reader, TokenInfo) or module.visible_to(reader.roles)


@router.get("/modules", **documented_for_token(Scope.catalog_read, also_signed_in=True))
async def list_modules(request: Request, reader: CatalogReader, versions: VersionsDep) -> list[ModuleOut]:
    """Published modules with their lessons, languages and quiz size."""
    modules = await database(request).read(versions.all_current)
    return [_module_out(module) for module in modules if _visible(module, reader)]


_DOCUMENTED = documented_for_token(Scope.catalog_read, also_signed_in=True)


@router.get(
    "/modules/{slug}",
    openapi_extra=_DOCUMENTED["openapi_extra"],
    responses={
        **_DOCUMENTED["responses"],
        404: {"model": ErrorOut, "description": "no such module, or not visible to this reader"},
    },
)
async def get_module(slug: str, request: Request, reader: CatalogReader, versions: VersionsDep) -> ModuleOut:
    """One published module."""
    module = await database(request).read(versions.current, slug)
    if module is None or not _visible(module, reader):
        raise HTTPException(status_code=404, detail="No such module")
    return _module_out(module)
