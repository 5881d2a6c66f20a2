"""The admin's view of the people: search and filters over the whole directory, one page at a time.

Built for 150,000 employees: an employee id or e-mail address is found through its unique index,
a department through its index; only a search by part of a name scans, and it scans one column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection

from app.accounts.models import Role, User, UserRole
from app.accounts.viewer import ROLES_COLUMN, roles_from_column
from app.db import table_of

PAGE_SIZE = 50
_users = table_of(User)
_roles = table_of(UserRole)


@dataclass(frozen=True)
class PeopleQuery:
    text: str = ""
    role: Role | None = None
    active: bool | None = None
    signed_in: bool | None = None
    by_name: bool = False

    def apply(self, query: Select[Any]) -> Select[Any]:
        text = self.text.strip()
        if text and self.by_name:
            query = query.where(func.lower(_users.c.name).contains(text.lower(), autoescape=True))
        elif text:
            query = query.where(or_(_users.c.employee_id == text, _users.c.email == text.lower(), _users.c.department == text))
        if self.role is not None:
            query = query.where(exists().where(_roles.c.user_id == _users.c.id, _roles.c.role == self.role))
        if self.active is not None:
            query = query.where(_users.c.is_active.is_(self.active))
        if self.signed_in is not None:
            signed = _users.c.last_signed_in_at.is_not(None)
            query = query.where(signed if self.signed_in else ~signed)
        return query


@dataclass(frozen=True)
class PersonRow:
    id: int
    employee_id: str
    name: str
    email: str
    department: str
    language: str
    is_active: bool
    has_password: bool
    last_signed_in_at: datetime | None
    roles: frozenset[Role]


@dataclass(frozen=True)
class PeoplePage:
    people: list[PersonRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


_COLUMNS = (
    _users.c.id,
    _users.c.employee_id,
    _users.c.name,
    _users.c.email,
    _users.c.department,
    _users.c.language,
    _users.c.is_active,
    _users.c.password_hash.is_not(None).label("has_password"),
    _users.c.last_signed_in_at,
    ROLES_COLUMN,
)


def _person(row: Any) -> PersonRow:
    return PersonRow(
        id=row.id,
        employee_id=row.employee_id,
        name=row.name,
        email=row.email,
        department=row.department,
        language=row.language,
        is_active=row.is_active,
        has_password=row.has_password,
        last_signed_in_at=row.last_signed_in_at,
        roles=roles_from_column(row.roles),
    )


def search_people(connection: Connection, query: PeopleQuery, page: int = 1) -> PeoplePage:
    """An employee id, an address or a department first (indexed); failing that, part of a name."""
    total = connection.execute(query.apply(core_select(func.count()).select_from(_users))).scalar_one()
    if total == 0 and query.text.strip() and not query.by_name:
        return search_people(connection, replace(query, by_name=True), page)
    rows = connection.execute(
        query.apply(core_select(*_COLUMNS)).order_by(_users.c.name, _users.c.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    return PeoplePage([_person(row) for row in rows], total, page)


@dataclass(frozen=True)
class LearningLine:
    """One module on a person's page, so that an admin helping them sees where they stand."""

    title: str
    percent: int
    attempts: int
    best_score: int | None
    completed_at: datetime | None


LearningSummary = Callable[[Connection, int, frozenset[Role], str], list[LearningLine]]
"""(connection, user id, their roles, the reader's language) -> their modules; the progress domain
provides it and `create_app` hands it in, since accounts cannot depend on progress."""


def person(connection: Connection, employee_id: str) -> PersonRow | None:
    row = connection.execute(core_select(*_COLUMNS).where(_users.c.employee_id == employee_id)).first()
    return None if row is None else _person(row)
