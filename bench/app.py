"""The app under benchmark: cooc itself plus two reference routes for the same page.

- /modules/{slug}/lessons/{lesson} is cooc's real lesson page (session, database, progress);
- /bench/render-only renders the same template with fixed data and no database or session work;
- /bench/bare is a bare Starlette route returning the same bytes.
"""

from __future__ import annotations

import os

from fastapi import Request
from fastapi.responses import Response
from starlette.requests import Request as StarletteRequest

from app.accounts.viewer import viewer_for_session_token
from app.main import create_app
from app.progress.pages import lesson_page_context
from app.progress.service import module_progress
from app.web import render

MODULE, LESSON = os.environ["BENCH_MODULE"], os.environ["BENCH_LESSON"]
TOKEN = os.environ["BENCH_SESSION_TOKEN"]

app = create_app()
with app.state.db.engine.connect() as connection:
    VIEWER = viewer_for_session_token(connection, TOKEN)
    FIXED_MODULE = app.state.versions.current(connection, MODULE)
    assert VIEWER is not None and FIXED_MODULE is not None
    FIXED_PROGRESS = module_progress(connection, VIEWER.id, FIXED_MODULE)
_lesson = FIXED_MODULE.lesson(LESSON)
assert _lesson is not None
FIXED_CONTEXT = lesson_page_context(FIXED_MODULE, _lesson, FIXED_PROGRESS, VIEWER.language)


@app.get("/bench/render-only")
async def render_only(request: Request) -> Response:
    request.state.viewer = VIEWER
    request.state.language = VIEWER.language
    return render(request, "progress/lesson.html", dict(FIXED_CONTEXT))


BARE_BYTES = b""


async def bare(_request: StarletteRequest) -> Response:
    return Response(BARE_BYTES, media_type="text/html; charset=utf-8")


app.add_route("/bench/bare", bare)


def _capture_bytes() -> bytes:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        client.cookies.set("cooc_session", TOKEN)
        return client.get("/bench/render-only").content


BARE_BYTES = _capture_bytes()
