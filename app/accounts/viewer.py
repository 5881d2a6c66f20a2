"""The signed-in person as every page needs them, resolved from the session cookie in one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, bindparam, func
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection

from app.accounts.models import AuthSession, Role, User, UserRole
from app.actor import Actor
from app.db import table_of
from app.security import token_digest
from app.timeutil import utc_now


@dataclass(frozen=True)
class Viewer:
    id: int
    employee_id: str
    name: str
    email: str
    department: str
    language: str
    roles: frozenset[Role]

    @property
    def is_admin(self) -> bool:
        return Role.admin in self.roles

    @property
    def edits_content(self) -> bool:
        return bool(self.roles & {Role.admin, Role.editor})

    @property
    def actor(self) -> Actor:
        return Actor.person(self.id, self.employee_id)


_user = table_of(User)
_session = table_of(AuthSession)
_role = table_of(UserRole)
ROLES_COLUMN = (
    core_select(func.aggregate_strings(_role.c.role, ",")).where(_role.c.user_id == _user.c.id).scalar_subquery().label("roles")
)


def viewer_select(*extra_columns: Any) -> Select[Any]:
    """The one-row query behind every signed-in request.

    Pages that need more per-request data (a module, the learner's trail) add their columns to
    this same row instead of paying for another round trip.
    """
    return (
        core_select(
            _user.c.id,
            _user.c.employee_id,
            _user.c.name,
            _user.c.email,
            _user.c.department,
            _user.c.language,
            ROLES_COLUMN,
            *extra_columns,
        )
        .select_from(_session.join(_user, _user.c.id == _session.c.user_id))
        .where(
            _session.c.token_hash == bindparam("token_hash"),
            _session.c.expires_at > bindparam("now"),
            _user.c.is_active.is_(True),
        )
    )


_VIEWER_QUERY = viewer_select()


def viewer_params(token: str) -> dict[str, Any]:
    return {"token_hash": token_digest(token), "now": utc_now()}


def roles_from_column(value: str | None) -> frozenset[Role]:
    """The comma-joined roles of ROLES_COLUMN, as a set."""
    return frozenset(Role(name) for name in value.split(",")) if value else frozenset()


def viewer_from_row(row: Row[Any]) -> Viewer:
    return Viewer(
        id=row.id,
        employee_id=row.employee_id,
        name=row.name,
        email=row.email,
        department=row.department,
        language=row.language,
        roles=roles_from_column(row.roles),
    )


def viewer_for_session_token(connection: Connection, token: str) -> Viewer | None:
    """Resolve a session cookie to its person in one indexed query."""
    row = connection.execute(_VIEWER_QUERY, viewer_params(token)).first()
    return None if row is None else viewer_from_row(row)
