"""Who is asking: the signed-in employee (cookie) or a machine (bearer token), checked once here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from app.accounts.models import ApiToken, Scope
from app.accounts.service import Viewer, api_token_for, viewer_for_session_token
from app.deps import SessionDep, database
from app.security import SESSION_COOKIE


class LoginRequired(Exception):
    """Raised for anonymous visitors; pages redirect to the login form, the API answers 401."""


class NotAllowed(Exception):
    """Raised when a signed-in person lacks the role a page needs."""


def remember_viewer(request: Request, viewer: Viewer | None) -> None:
    """Make the viewer and their language available to templates."""
    request.state.viewer = viewer
    if viewer is not None:
        request.state.language = viewer.language


async def optional_viewer(request: Request) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    viewer = await database(request).read(viewer_for_session_token, token) if token else None
    remember_viewer(request, viewer)
    return viewer


async def current_viewer(viewer: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    if viewer is None:
        raise LoginRequired()
    return viewer


async def admin_viewer(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise NotAllowed()
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
AdminViewer = Annotated[Viewer, Depends(admin_viewer)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


class RequireScope:
    """A machine endpoint: a live bearer token with this scope, never a browser cookie."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def __call__(self, request: Request, session: SessionDep) -> ApiToken:
        raw = bearer_token(request)
        if raw is None:
            raise _unauthorized("a bearer token is required")
        token = api_token_for(session, raw)
        if token is None:
            raise _unauthorized("the token is wrong or revoked")
        if self.scope not in token.scope_set:
            raise HTTPException(status_code=403, detail=f"the token lacks the {self.scope} scope")
        return token


class ViewerOrScope:
    """Open to a signed-in employee or to a token with this scope (a wrong token is still 401)."""

    def __init__(self, scope: Scope):
        self.require_scope = RequireScope(scope)

    async def __call__(self, request: Request, viewer: OptionalViewer) -> Viewer | ApiToken:
        if bearer_token(request) is not None:
            return await run_in_threadpool(self._token_for, request)
        if viewer is None:
            raise _unauthorized("sign in or send a bearer token")
        return viewer

    def _token_for(self, request: Request) -> ApiToken:
        with database(request).session() as session:
            return self.require_scope(request, session)
