"""Public pages: home, programme guide, mentor handbook, privacy notice; and the health check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.accounts.deps import OptionalViewer, Public
from app.accounts.viewer import Viewer
from app.deps import database
from app.site.service import site_page
from app.web import render, request_language, templates

router = APIRouter()


def _show(request: Request, slug: str) -> Response:
    page = site_page(request.app.state.site_pages, slug, request_language(request))
    if page is None:
        raise HTTPException(status_code=404, detail="No such page")
    return render(request, "site/page.html", {"page": page})


SITE_ROUTES = {"/": "home", "/guide": "guide", "/mentor-handbook": "mentor-handbook", "/privacy": "privacy"}


def _site_page_route(slug: str) -> Callable[[Request, Viewer | None], Awaitable[Response]]:
    async def show_site_page(request: Request, viewer: OptionalViewer) -> Response:
        return _show(request, slug)

    show_site_page.__doc__ = f"The site's {slug.replace('-', ' ')} page."
    return show_site_page


for _path, _slug in SITE_ROUTES.items():
    router.add_api_route(_path, _site_page_route(_slug), methods=["GET"], name=_slug, dependencies=Public)


@router.get("/api/docs", include_in_schema=False, dependencies=Public)
def api_documentation(request: Request) -> Response:
    """Swagger UI served from cooc itself (an intranet often reaches no CDN)."""
    return templates.TemplateResponse(request, "site/api_docs.html")


@router.get("/healthz", include_in_schema=False, dependencies=Public)
async def health(request: Request) -> Response:
    """200 when the database answers, 503 otherwise, for load balancers."""

    def ping(connection: Connection) -> None:
        connection.execute(text("SELECT 1"))

    try:
        await database(request).read(ping)
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
