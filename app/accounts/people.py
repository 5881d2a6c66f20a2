"""Employees and their roles: who exists, how they are named, how they sign in. No HTTP here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.accounts.events import EmployeeCreated, EmployeeDeactivated, EmployeeReactivated, PasswordChanged, RolesChanged
from app.accounts.models import AuthSession, PasswordLink, Role, User, UserRole
from app.actor import Actor
from app.config import UI_LANGUAGES, Settings
from app.db import rows_as_records, table_of
from app.events.service import record_event
from app.i18n import N_, Message
from app.security import hash_password
from app.timeutil import utc_now

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
ROLE_SEPARATOR = re.compile(r"[;|]")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is safe to show."""

    def __init__(self, message: Message | str):
        self.message = message if isinstance(message, Message) else Message(message)
        super().__init__(str(self.message))


@dataclass(frozen=True)
class EmployeeRecord:
    employee_id: str
    name: str
    email: str
    department: str
    language: str
    roles: frozenset[Role]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_roles(text: str) -> frozenset[Role]:
    """Roles are separated by ';' or '|' in CSV cells; every employee is at least a learner."""
    names = {part.strip().lower() for part in ROLE_SEPARATOR.split(text) if part.strip()}
    unknown = names - {role.value for role in Role}
    if unknown:
        raise AccountError(
            Message(N_("unknown role %(roles)s (use learner, mentor, editor or admin)"), {"roles": ", ".join(sorted(unknown))})
        )
    return frozenset({Role(name) for name in names} | {Role.learner})


# The column sizes of user_account: checked here so that SQLite (which would store a longer value)
# and PostgreSQL (which would refuse it with an error) give the same clear answer.
FIELD_LIMITS = {"employee_id": 64, "name": 200, "email": 320, "department": 200}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def check_employee(record: EmployeeRecord) -> list[Message]:
    reasons = []
    for field, limit in FIELD_LIMITS.items():
        value = getattr(record, field)
        if not value:
            reasons.append(Message(N_("%(field)s is required"), {"field": field}))
        elif len(value) > limit:
            reasons.append(Message(N_("%(field)s is longer than %(limit)s characters"), {"field": field, "limit": limit}))
        elif CONTROL_CHARACTERS.search(value):
            reasons.append(Message(N_("%(field)s contains a control character"), {"field": field}))
    if record.email and not EMAIL_PATTERN.match(record.email):
        reasons.append(Message(N_("email %(email)r is not a valid address"), {"email": record.email}))
    if record.language not in UI_LANGUAGES:
        reasons.append(
            Message(
                N_("language %(language)r is not one of %(languages)s"),
                {"language": record.language, "languages": ", ".join(UI_LANGUAGES)},
            )
        )
    return reasons


def get_user_by_employee_id(session: Session, employee_id: str) -> User | None:
    return session.exec(select(User).where(col(User.employee_id) == employee_id)).first()


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    rows = session.connection().execute(core_select(col(UserRole.role)).where(col(UserRole.user_id) == user_id))
    return frozenset(Role(row[0]) for row in rows)


@lru_cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 passwords seen most often in breaches (zxcvbn's list): NIST SP 800-63B asks to refuse them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, employee_id: str = "", email: str = "") -> list[Message]:
    """NIST SP 800-63B rules: long enough, not a common or breached password, not the person's own
    identifiers; no composition rules (they only make passwords predictable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Message(N_("the password must have at least %(count)s characters"), {"count": MIN_PASSWORD_LENGTH}))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        problems.append(Message(N_("this password is among the most common ones; choose another")))
    identifiers = [value.lower() for value in (employee_id, email.split("@")[0]) if len(value) >= 4]
    if any(identifier in lowered for identifier in identifiers):
        problems.append(Message(N_("the password must not contain your e-mail name or employee id")))
    return problems


def create_user(session: Session, settings: Settings, actor: Actor, record: EmployeeRecord, password: str | None) -> User:
    reasons = [str(reason) for reason in check_employee(record)]
    if password is not None:
        reasons += [str(problem) for problem in password_problems(password, employee_id=record.employee_id, email=record.email)]
    if session.exec(select(User).where(col(User.email) == record.email)).first():
        reasons.append(f"email {record.email} belongs to another employee")
    if get_user_by_employee_id(session, record.employee_id):
        reasons.append(f"employee id {record.employee_id} exists already")
    if reasons:
        raise AccountError("; ".join(reasons))
    user = User(
        employee_id=record.employee_id,
        name=record.name,
        email=record.email,
        department=record.department,
        language=record.language,
        password_hash=hash_password(settings, password) if password else None,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    replace_roles(session, user.id, record.roles)
    record_event(session, actor, EmployeeCreated(record.employee_id, tuple(sorted(record.roles))))
    session.commit()
    return user


def set_password(session: Session, settings: Settings, actor: Actor, employee_id: str, password: str) -> User:
    """Change a password and end every session of that person, wherever they are signed in."""
    user = get_user_by_employee_id(session, employee_id)
    if user is None:
        raise AccountError(f"no employee with id {employee_id}")
    problems = password_problems(password, employee_id=user.employee_id, email=user.email)
    if problems:
        raise AccountError(problems[0])
    user.password_hash = hash_password(settings, password)
    user.updated_at = utc_now()
    session.add(user)
    ended = session.connection().execute(delete(AuthSession).where(col(AuthSession.user_id) == user.id)).rowcount
    record_event(session, actor, PasswordChanged(employee_id, sessions_ended=ended))
    session.commit()
    return user


def set_language(session: Session, actor: Actor, language: str) -> None:
    """The acting person's interface language; a preference, so it is not audited."""
    if language not in UI_LANGUAGES:
        raise AccountError(f"language {language!r} is not available")
    session.connection().execute(
        update(User).where(col(User.id) == actor.user_id).values(language=language, updated_at=utc_now())
    )
    session.commit()


def replace_roles(session: Session, user_id: int, roles: Iterable[Role]) -> None:
    connection = session.connection()
    connection.execute(delete(UserRole).where(col(UserRole.user_id) == user_id))
    connection.execute(table_of(UserRole).insert(), [{"user_id": user_id, "role": role} for role in sorted(set(roles))])


def has_users(session: Session) -> bool:
    return session.connection().execute(core_select(table_of(User).c.id).limit(1)).first() is not None


def require_employee(session: Session, employee_id: str) -> User:
    """The employee with this id, or an AccountError saying there is none."""
    user = get_user_by_employee_id(session, employee_id)
    if user is None or user.id is None:
        raise AccountError(Message(N_("no employee with id %(id)s"), {"id": employee_id}))
    return user


def set_active(session: Session, actor: Actor, employee_id: str, active: bool) -> None:
    """Deactivate (signed out at once, kept in reports as inactive) or reactivate an employee."""
    user = require_employee(session, employee_id)
    if not active and user.id == actor.user_id:
        raise AccountError(Message(N_("you cannot deactivate your own account")))
    if user.is_active == active:
        return
    user.is_active, user.updated_at = active, utc_now()
    session.add(user)
    if active:
        record_event(session, actor, EmployeeReactivated(employee_id))
    else:
        ended = session.connection().execute(delete(AuthSession).where(col(AuthSession.user_id) == user.id)).rowcount
        record_event(session, actor, EmployeeDeactivated(employee_id, sessions_ended=int(ended)))
    session.commit()


def change_roles(session: Session, actor: Actor, employee_id: str, roles: Iterable[Role]) -> None:
    """Grant or remove roles (every employee stays a learner); an admin cannot remove their own admin role."""
    user = require_employee(session, employee_id)
    assert user.id is not None
    wanted = frozenset(roles) | {Role.learner}
    before = roles_of(session, user.id)
    if user.id == actor.user_id and Role.admin in before and Role.admin not in wanted:
        raise AccountError(Message(N_("you cannot remove your own admin role")))
    if wanted == before:
        return
    replace_roles(session, user.id, wanted)
    record_event(session, actor, RolesChanged(employee_id, tuple(sorted(before)), tuple(sorted(wanted))))
    session.commit()


ERASED_NAME = "Erased employee"


def anonymise_employee(session: Session, user_id: int) -> tuple[str, str]:
    """Remove everything that identifies a person and keep the row, so department figures stay true.

    The person becomes `erased-<row id>`: inactive, no name, e-mail, password, sessions, links or
    roles beyond learner; their department and their completions stay as anonymous counts.
    Returns the alias and the former e-mail address (to clean other records). No commit.
    """
    user = session.get(User, user_id)
    assert user is not None
    alias, former_email = f"erased-{user_id}", user.email
    user.employee_id, user.name, user.email = alias, ERASED_NAME, f"{alias}@erased.invalid"
    user.password_hash, user.is_active, user.last_signed_in_at, user.updated_at = None, False, None, utc_now()
    session.add(user)
    connection = session.connection()
    for model in (AuthSession, PasswordLink):
        connection.execute(delete(model).where(col(model.user_id) == user_id))
    replace_roles(session, user_id, {Role.learner})
    return alias, former_email


def personal_records(connection: Connection, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """What the accounts domain holds about one person, for a GDPR export; never a hash of a secret."""
    user, roles, sessions, links = (table_of(model) for model in (User, UserRole, AuthSession, PasswordLink))
    return {
        "employee": rows_as_records(connection, user, user.c.id == user_id, leave_out=("password_hash",)),
        "roles": rows_as_records(connection, roles, roles.c.user_id == user_id),
        "sign_in_sessions": rows_as_records(connection, sessions, sessions.c.user_id == user_id, leave_out=("token_hash",)),
        "password_links": rows_as_records(connection, links, links.c.user_id == user_id, leave_out=("token_hash",)),
    }
