"""The app's published versions, and the module a URL names (or a 404, once for every route)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.accounts.deps import CurrentViewer
from app.catalog.service import PublishedModule, Versions
from app.deps import database


def versions_of(request: Request) -> Versions:
    versions: Versions = request.app.state.versions
    return versions


VersionsDep = Annotated[Versions, Depends(versions_of)]


def not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"No such {what}")


async def visible_module(slug: str, request: Request, viewer: CurrentViewer) -> PublishedModule:
    """A module for mentors only is as good as missing to other learners."""
    module = await database(request).read(versions_of(request).current, slug)
    if module is None or not module.visible_to(viewer.roles):
        raise not_found("module")
    return module


VisibleModule = Annotated[PublishedModule, Depends(visible_module)]
