"""Dependencies shared by every domain: the database and a session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.actor import Actor
from app.config import Settings
from app.db import Database


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    with database(request).session() as session:
        yield session


def get_connection(request: Request) -> Iterator[Connection]:
    """A read-only connection for a plain `def` route (heavy reads run in the thread pool)."""
    with database(request).engine.connect() as connection:
        yield connection


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def current_actor(request: Request) -> Actor:
    """Who is acting in this request, as the route's authentication dependency found out.

    That dependency (a signed-in person, a token with a scope) runs before this one and leaves the
    actor on the request; a route that changes data without one is a programming error, not a 403.
    """
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is None:
        raise RuntimeError(f"{request.url.path}: no authentication dependency ran before the actor was needed")
    return actor


SessionDep = Annotated[Session, Depends(get_session)]
# A database row id in a URL: bounded so that '99999999999999999999' is a 422, not an integer overflow.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
ActorDep = Annotated[Actor, Depends(current_actor)]
SettingsDep = Annotated[Settings, Depends(settings_of)]
