"""API tokens for machines: created and revoked by admins, shown once, stored as hashes."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.accounts.events import TokenCreated, TokenRevoked
from app.accounts.models import ApiToken, ApiTokenScope, Scope
from app.accounts.people import AccountError
from app.actor import Actor
from app.db import table_of
from app.events.service import record_event
from app.security import API_TOKEN_PREFIX, new_token, token_digest
from app.timeutil import utc_now

security_log = logging.getLogger("cooc.security")
# A token's last use is written at most this often: a report poller must not turn reads into writes.
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)

# The scopes a token can be given today. content:write exists in the schema for the publishing
# API; it is offered once an endpoint honours it, so no token promises a power that does nothing.
OFFERED_SCOPES = (Scope.catalog_read, Scope.content_write, Scope.reports_read)

_token = table_of(ApiToken)
_scope = table_of(ApiTokenScope)


@dataclass(frozen=True)
class TokenInfo:
    """A token as the admin page and the authentication check see it; never its secret."""

    id: int
    name: str
    prefix: str
    scopes: frozenset[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def actor(self) -> Actor:
        return Actor.token(self.id, self.name)

    @property
    def needs_use_recorded(self) -> bool:
        return self.last_used_at is None or utc_now() - self.last_used_at > TOKEN_LAST_USED_RESOLUTION


def _scopes_by_token(connection: Connection, token_ids: list[int]) -> dict[int, frozenset[Scope]]:
    found: dict[int, set[Scope]] = {token_id: set() for token_id in token_ids}
    for token_id, scope in connection.execute(select(_scope.c.token_id, _scope.c.scope).where(_scope.c.token_id.in_(token_ids))):
        found[token_id].add(Scope(scope))
    return {token_id: frozenset(scopes) for token_id, scopes in found.items()}


def _infos(connection: Connection, rows: Sequence[Row[Any]]) -> list[TokenInfo]:
    scopes = _scopes_by_token(connection, [row.id for row in rows])
    return [
        TokenInfo(row.id, row.name, row.token_prefix, scopes[row.id], row.created_at, row.last_used_at, row.revoked_at)
        for row in rows
    ]


def create_api_token(session: Session, actor: Actor, name: str, scopes: Iterable[str]) -> tuple[TokenInfo, str]:
    """Create a token and return it with its only plain-text copy, to be shown once."""
    name = name.strip()
    if not name:
        raise AccountError("a token needs a name")
    wanted = sorted(set(scopes))
    offered = {scope.value for scope in OFFERED_SCOPES}
    unknown = [scope for scope in wanted if scope not in offered]
    if unknown or not wanted:
        raise AccountError(f"unknown or missing scope {', '.join(unknown)} (use {' or '.join(sorted(offered))})")
    raw = new_token(API_TOKEN_PREFIX)
    token = ApiToken(name=name, token_hash=token_digest(raw), token_prefix=raw[:12], created_by_id=actor.user_id)
    session.add(token)
    session.flush()
    assert token.id is not None
    session.connection().execute(_scope.insert(), [{"token_id": token.id, "scope": Scope(scope)} for scope in wanted])
    record_event(session, actor, TokenCreated(token.id, name, tuple(wanted)))
    info = _infos(session.connection(), session.connection().execute(select(_token).where(_token.c.id == token.id)).all())[0]
    session.commit()
    return info, raw


def list_api_tokens(connection: Connection) -> list[TokenInfo]:
    return _infos(connection, connection.execute(select(_token).order_by(_token.c.created_at.desc(), _token.c.id.desc())).all())


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError("no such token")
    if token.revoked_at is None:
        security_log.info("API token %s (%s) revoked", token.id, token.name)
        token.revoked_at = utc_now()
        session.add(token)
        record_event(session, actor, TokenRevoked(token_id, token.name))
        session.commit()


def live_token(connection: Connection, raw: str) -> TokenInfo | None:
    """The live token behind a bearer value, read only: authentication never writes."""
    row = connection.execute(select(_token).where(_token.c.token_hash == token_digest(raw))).first()
    if row is None or row.revoked_at is not None:
        return None
    return _infos(connection, [row])[0]


def record_token_use(session: Session, token_id: int, at: datetime) -> None:
    """Note that a token was used, unless that was noted less than a minute ago (after the response)."""
    session.connection().execute(
        update(_token)
        .where(
            _token.c.id == token_id,
            or_(_token.c.last_used_at.is_(None), _token.c.last_used_at < at - TOKEN_LAST_USED_RESOLUTION),
        )
        .values(last_used_at=at)
    )
    session.commit()
