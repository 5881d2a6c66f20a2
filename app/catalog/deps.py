"""Find the published module a URL names, or answer 404 once for every route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.accounts.deps import CurrentViewer
from app.catalog.service import PublishedModule, published_module
from app.deps import database


async def visible_module(slug: str, request: Request, viewer: CurrentViewer) -> PublishedModule:
    """A module for mentors only is as good as missing to other learners."""
    module = await database(request).read(published_module, slug)
    if module is None or not module.visible_to(viewer.roles):
        raise HTTPException(status_code=404, detail="No such module")
    return module


VisibleModule = Annotated[PublishedModule, Depends(visible_module)]
