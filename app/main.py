"""The application factory: settings in, a ready FastAPI app out."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from app import admin
from app.accounts import pages as account_pages
from app.accounts import sso_pages
from app.accounts.deps import BEARER_SCHEME, LoginRequired, NotAllowed, optional_viewer
from app.catalog import api as catalog_api
from app.catalog import pages as catalog_pages
from app.catalog.media import MEDIA_PATH
from app.catalog.service import Versions
from app.config import Settings, get_settings
from app.consumers import housekeeping_chores, outbox_consumers
from app.db import Database
from app.events.worker import OutboxWorker, WorkerPolicy
from app.i18n import N_
from app.progress import pages as progress_pages
from app.progress import service as progress_service
from app.progress.self_assessment import SELF_ASSESSMENT_FILE, load_self_assessment
from app.publishing import api as publishing_api
from app.reporting import api as reporting_api
from app.security import SESSION_COOKIE, HashingBusy
from app.site import pages as site_pages
from app.site.service import load_site_pages
from app.web import FORM_MAX_BYTES, redirect, render

error_log = logging.getLogger("cooc.errors")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
}
API_DOCS_PATH = "/api/docs"
# Swagger UI sets inline styles on its elements; its page shows no user content, so only it
# allows them. Its scripts, like every other page's, come from cooc itself.
API_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'"
)


HSTS = "max-age=31536000; includeSubDomains"
# The same bytes for everyone, cached by browsers and proxies even for signed-in people.
PUBLIC_ASSET_PATHS = ("/static/", MEDIA_PATH)
RETRY_AFTER_SECONDS = 2


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers every response carries; HSTS only where cooc is served over HTTPS (production)."""
    return {**SECURITY_HEADERS, "strict-transport-security": HSTS} if settings.environment == "production" else SECURITY_HEADERS


def _is_authenticated(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE.encode() in value):
            return True
    return False


class SecurityHeadersMiddleware:
    """Pure ASGI, so the headers cost nothing measurable on the hot path.

    A response to a signed-in person or a token is never stored by a browser or a proxy
    (`no-store`): it may show a new API token, a report or someone's progress.
    """

    def __init__(self, app: ASGIApp, headers: dict[str, str]):
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = _is_authenticated(scope) and not scope["path"].startswith(PUBLIC_ASSET_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if scope["path"] == API_DOCS_PATH:
                    headers["content-security-policy"] = API_DOCS_CSP
                if private:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RefuseNulBytes:
    """A NUL byte in the path or the query string is refused at the edge (400).

    PostgreSQL cannot store or even compare text holding one, so it would otherwise surface as a
    500 from whichever query first met it; no valid cooc URL contains one. (Form fields are
    checked with the CSRF token, before a route sees them.)
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"%00" in scope["query_string"] or b"\x00" in scope["query_string"]
        ):
            response = PlainTextResponse("A NUL character is not allowed in a URL.", status_code=400)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RedactSecretPaths(logging.Filter):
    """Invitation and reset links carry a secret in their path: the access log shows it as "…"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            record.args = (*record.args[:2], SECRET_PATH.sub(r"\1…", record.args[2]), *record.args[3:])
        return True


SECRET_PATH = re.compile(r"^(/invitations/|/password-reset/)[^/?#]+")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = Database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # On the zero-configuration SQLite set-up the server drains the outbox itself, so the
        # two README commands stay the whole installation; on PostgreSQL run `cooc worker`.
        worker = (
            OutboxWorker(
                db, outbox_consumers(settings, db), WorkerPolicy.from_settings(settings), housekeeping_chores(settings, db)
            )
            if settings.runs_embedded_worker
            else None
        )
        thread = worker.start_in_thread() if worker else None
        # Objects built at start-up live as long as the process: keep the collector off them,
        # so full collections stay short under load.
        gc.collect()
        gc.freeze()
        yield
        if worker and thread:
            worker.stop()
            thread.join(timeout=30)
        db.dispose()

    app = FastAPI(
        title="cooc",
        summary="Corporate online open course and reverse-mentoring platform",
        version="1.0",
        lifespan=lifespan,
        docs_url=None,
        max_body_size=FORM_MAX_BYTES,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )

    def openapi_with_token_scheme() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = {
                BEARER_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token from /admin/tokens or cooc create-token; each endpoint names its scope.",
                }
            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi_with_token_scheme  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.db = db
    app.state.versions = Versions()
    app.state.learning_summary = partial(progress_service.learning_lines, app.state.versions)
    app.state.site_pages = load_site_pages(settings.content_dir)
    app.state.self_assessment = load_self_assessment(settings.content_dir / SELF_ASSESSMENT_FILE)

    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactSecretPaths) for existing in access_log.filters):
        access_log.addFilter(RedactSecretPaths())
    if settings.sso_enabled:
        # Authlib keeps the state, nonce and PKCE verifier of a sign-in in progress in this signed
        # cookie, which only the two single sign-on paths ever receive.
        app.state.identity_provider = sso_pages.identity_provider_client(settings)
        app.add_middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie=sso_pages.STATE_COOKIE,
            max_age=sso_pages.STATE_MAX_AGE_SECONDS,
            path=sso_pages.START_PATH,
            same_site="lax",
            https_only=settings.secure_cookies,
        )
    app.add_middleware(RefuseNulBytes)
    app.add_middleware(SecurityHeadersMiddleware, headers=security_headers(settings))
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.mount(f"{API_DOCS_PATH}/assets", StaticFiles(directory=str(swagger_ui_path)), name="api-docs-assets")
    # The OpenAPI schema documents the JSON API only; HTML pages and forms are not an API.
    for page_router in (
        site_pages.router,
        account_pages.router,
        sso_pages.router,
        catalog_pages.router,
        progress_pages.router,
        admin.router,
    ):
        app.include_router(page_router, include_in_schema=False)
    for api_router in (catalog_api.router, publishing_api.router, reporting_api.router):
        app.include_router(api_router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "sign in or send a bearer token"}, status_code=401)
        return redirect(f"/login?next={request.url.path}")

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, _exc: NotAllowed) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "not allowed"}, status_code=403)
        return render(request, "error.html", {"status": 403}, status_code=403)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if not hasattr(request.state, "viewer"):
            await optional_viewer(request)  # the error page speaks the viewer's language too
        # Starlette's own details ("Method Not Allowed") are English reason phrases: the page's
        # heading says the same in the viewer's language instead.
        message = None if exc.detail == HTTPStatus(exc.status_code).phrase else exc.detail
        return render(request, "error.html", {"status": exc.status_code, "message": message}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return render(
            request, "error.html", {"status": 400, "message": N_("The form was incomplete or invalid.")}, status_code=400
        )

    @app.exception_handler(HashingBusy)
    async def hashing_busy(request: Request, _exc: HashingBusy) -> Response:
        return _busy(request, N_("Too many people are signing in at this moment. Try again in a few seconds."))

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> Response:
        """SQLite allows one writer: one that waited its whole busy timeout is told to retry, not shown a 500."""
        if "database is locked" not in str(exc.orig):
            return await unexpected_error(request, exc)
        return _busy(request, N_("cooc is busy saving other changes. Try again in a few seconds."))

    def _busy(request: Request, message: str) -> Response:
        headers = {"retry-after": str(RETRY_AFTER_SECONDS)}
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=503, headers=headers)
        response = render(request, "error.html", {"status": 503, "message": message}, status_code=503)
        response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        """Log the failure with its traceback; show the person a plain page, never the traceback."""
        error_log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if _is_api(request):
            response: Response = JSONResponse({"detail": "internal error"}, status_code=500)
        else:
            response = render(request, "error.html", {"status": 500}, status_code=500)
        # This handler runs outside the middleware stack: give the page the headers every page has.
        response.headers.update(security_headers(settings))
        if _is_authenticated(request.scope):
            response.headers["cache-control"] = "no-store"
        return response

    return app
