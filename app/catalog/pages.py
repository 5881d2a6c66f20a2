"""Lesson images, served by content hash to anyone who has the URL, cached for a year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection

from app.accounts.deps import Public
from app.catalog.media import IMAGE_TYPES, MEDIA_PATH
from app.catalog.models import ModuleMedia
from app.db import table_of
from app.deps import database

router = APIRouter()
_media = table_of(ModuleMedia)
MEDIA_HEADERS = {
    "cache-control": "public, max-age=31536000, immutable",
    # Opened on its own, an image is still inert: no script, no plug-in, no form, whatever it holds.
    "content-security-policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
}
MediaName = Annotated[str, Path(pattern=r"^[0-9a-f]{64}\.(png|jpg|webp|svg)$")]


def _media_row(connection: Connection, sha256: str) -> tuple[str, bytes] | None:
    row = connection.execute(core_select(_media.c.content_type, _media.c.content).where(_media.c.sha256 == sha256)).first()
    return None if row is None else (row.content_type, bytes(row.content))


@router.get(MEDIA_PATH + "{name}", dependencies=Public)
async def lesson_image(name: MediaName, request: Request) -> Response:
    sha256, extension = name.split(".")
    found = await database(request).read(_media_row, sha256)
    if found is None or IMAGE_TYPES.get(f".{extension}") != found[0]:
        raise HTTPException(status_code=404, detail="No such image")
    content_type, content = found
    return Response(content, media_type=content_type, headers={**MEDIA_HEADERS, "etag": f'"{sha256}"'})
