"""Who is asking, checked once here: the signed-in employee (cookie) or a machine (bearer token).

Every route declares who may call it through one of these dependencies; each carries an
`access_rule` so that a test can walk the route table and find any route that declares none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import BackgroundTasks, Depends, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from app.accounts.models import Scope
from app.accounts.tokens import TokenInfo, live_token, record_token_use
from app.accounts.viewer import Viewer, viewer_for_session_token
from app.actor import Actor
from app.db import Database
from app.deps import database
from app.security import SESSION_COOKIE
from app.timeutil import utc_now

_F = TypeVar("_F", bound=Callable[..., Any])
security_log = logging.getLogger("cooc.security")


class Access(StrEnum):
    anyone = "anyone"
    learner = "learner"
    mentor = "mentor"
    editor = "editor"
    admin = "admin"
    token = "token"  # noqa: S105 - an access rule, not a secret


def declares(rule: str) -> Callable[[_F], _F]:
    def mark(dependency: _F) -> _F:
        dependency.access_rule = rule  # type: ignore[attr-defined]
        return dependency

    return mark


class LoginRequired(Exception):
    """Raised for anonymous visitors; pages redirect to the login form, the API answers 401."""


class NotAllowed(Exception):
    """Raised when a signed-in person lacks the role a page needs."""


@declares(Access.anyone)
def anyone() -> None:
    """The route is open to anonymous visitors (public pages, the sign-in form, the health check)."""


def remember_viewer(request: Request, viewer: Viewer | None) -> None:
    """Make the viewer and their language available to templates."""
    request.state.viewer = viewer
    if viewer is not None:
        request.state.language = viewer.language
        request.state.actor = viewer.actor


async def optional_viewer(request: Request) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    viewer = await database(request).read(viewer_for_session_token, token) if token else None
    remember_viewer(request, viewer)
    return viewer


@declares(Access.learner)
async def current_viewer(viewer: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    if viewer is None:
        raise LoginRequired()
    return viewer


@declares(Access.admin)
async def admin_viewer(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise NotAllowed()
    return viewer


@declares(Access.editor)
async def content_editor(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    """Admins, and editors: people who publish content without access to people, tokens or reports."""
    if not viewer.edits_content:
        raise NotAllowed()
    return viewer


def acting_person(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Actor:
    """The signed-in person as the actor of what the route changes."""
    return viewer.actor


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
AdminViewer = Annotated[Viewer, Depends(admin_viewer)]
ActingPerson = Annotated[Actor, Depends(acting_person)]
Public = [Depends(anyone)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _note_use(db: Database, token_id: int) -> None:
    """Best effort, after the response: a busy database only delays the note to the next use."""
    try:
        with db.session() as session:
            record_token_use(session, token_id, utc_now())
    except OperationalError as error:
        security_log.info("token %s: last use not recorded this time (%s)", token_id, error.orig)


def _token_with_scope(request: Request, background: BackgroundTasks, *scopes: Scope) -> TokenInfo:
    """A live token holding one of these scopes: 401 when it is missing, wrong or revoked, 403 without the scope."""
    raw = bearer_token(request)
    if raw is None:
        raise _unauthorized("a bearer token is required")
    db = database(request)
    with db.engine.connect() as connection:
        token = live_token(connection, raw)
    if token is None:
        raise _unauthorized("the token is wrong or revoked")
    if not token.scopes & set(scopes):
        raise HTTPException(status_code=403, detail=f"the token lacks the {' or '.join(scopes)} scope")
    if token.needs_use_recorded:
        background.add_task(_note_use, db, token.id)
    request.state.actor = token.actor
    return token


class ErrorOut(BaseModel):
    detail: str


BEARER_SCHEME = "bearerToken"


def documented_for_token(*scopes: Scope, also_signed_in: bool = False) -> dict[str, Any]:
    """Route options that tell the OpenAPI schema which scope an endpoint needs (any one of them) and how it refuses."""
    who = "a signed-in employee or a token" if also_signed_in else "a bearer token"
    names = " or ".join(scope.value for scope in scopes)
    return {
        "openapi_extra": {
            "security": [{BEARER_SCHEME: [scope.value]} for scope in scopes],
            "x-cooc-scope": names,
        },
        "responses": {
            401: {"model": ErrorOut, "description": f"needs {who} with the {names} scope: missing, wrong or revoked"},
            403: {"model": ErrorOut, "description": f"the token lacks the {names} scope"},
        },
    }


class RequireScope:
    """A machine endpoint: a live bearer token with one of these scopes, never a browser cookie.

    The check only reads; the token's last use is written after the response, at most once a minute.
    """

    def __init__(self, *scopes: Scope):
        self.scopes = scopes
        self.access_rule = "|".join(f"{Access.token}:{scope}" for scope in scopes)

    def __call__(self, request: Request, background: BackgroundTasks) -> TokenInfo:
        return _token_with_scope(request, background, *self.scopes)


class ViewerOrScope:
    """Open to a signed-in employee or to a token with this scope (a wrong token is still 401)."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.access_rule = f"{Access.learner}|{Access.token}:{scope}"

    def __call__(self, request: Request, background: BackgroundTasks, viewer: OptionalViewer) -> Viewer | TokenInfo:
        if bearer_token(request) is not None:
            return _token_with_scope(request, background, self.scope)
        if viewer is None:
            raise _unauthorized("sign in or send a bearer token")
        return viewer
