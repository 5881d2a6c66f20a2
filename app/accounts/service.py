"""Account use cases: people, logins, sessions, throttles and API tokens. No HTTP here."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, func, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.accounts.models import ApiToken, AuthSession, LoginThrottle, Role, Scope, User, UserRole
from app.config import UI_LANGUAGES, Settings
from app.db import insert_ignoring_conflicts, table_of
from app.security import API_TOKEN_PREFIX, hash_password, new_token, token_digest, verify_password
from app.timeutil import utc_now

security_log = logging.getLogger("cooc.security")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMPLOYEE_CSV_COLUMNS = ("employee_id", "name", "email", "department", "language", "role")
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is safe to show."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as every page needs them, loaded in one query per request."""

    id: int
    name: str
    email: str
    department: str
    language: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return Role.admin in self.roles


@dataclass(frozen=True)
class EmployeeRecord:
    employee_id: str
    name: str
    email: str
    department: str
    language: str
    roles: frozenset[str]


def normalise_email(email: str) -> str:
    return email.strip().lower()


ROLE_NAMES = frozenset(role.value for role in Role)
ROLE_SEPARATOR = re.compile(r"[;|]")


def parse_roles(text: str) -> frozenset[str]:
    """Roles are separated by ';' or '|' in CSV cells; every employee is at least a learner."""
    names = {part.strip().lower() for part in ROLE_SEPARATOR.split(text) if part.strip()}
    unknown = names - ROLE_NAMES
    if unknown:
        raise AccountError(f"unknown role {', '.join(sorted(unknown))} (use learner, mentor or admin)")
    return frozenset(names | {"learner"})


def check_employee(record: EmployeeRecord) -> list[str]:
    reasons = []
    if not record.employee_id or len(record.employee_id) > 64:
        reasons.append("employee_id is required (64 characters at most)")
    if not record.name:
        reasons.append("name is required")
    if not EMAIL_PATTERN.match(record.email):
        reasons.append(f"email {record.email!r} is not a valid address")
    if not record.department:
        reasons.append("department is required")
    if record.language not in UI_LANGUAGES:
        reasons.append(f"language {record.language!r} is not one of {', '.join(UI_LANGUAGES)}")
    return reasons


def get_user_by_employee_id(session: Session, employee_id: str) -> User | None:
    return session.exec(select(User).where(col(User.employee_id) == employee_id)).first()


def roles_of(session: Session, user_id: int) -> frozenset[str]:
    rows = session.connection().execute(core_select(col(UserRole.role)).where(col(UserRole.user_id) == user_id))
    return frozenset(row[0] for row in rows)


def create_user(session: Session, settings: Settings, record: EmployeeRecord, password: str | None) -> User:
    reasons = check_employee(record)
    if password is not None and len(password) < 12:
        reasons.append("the password must have at least 12 characters")
    if session.exec(select(User).where(col(User.email) == record.email)).first():
        reasons.append(f"email {record.email} belongs to another employee")
    if get_user_by_employee_id(session, record.employee_id):
        reasons.append(f"employee id {record.employee_id} exists already")
    if reasons:
        raise AccountError("; ".join(reasons))
    user = _new_user(session, record, hash_password(settings, password) if password else None)
    session.commit()
    return user


def set_password(session: Session, settings: Settings, employee_id: str, password: str) -> User:
    if len(password) < 12:
        raise AccountError("the password must have at least 12 characters")
    user = get_user_by_employee_id(session, employee_id)
    if user is None:
        raise AccountError(f"no employee with id {employee_id}")
    user.password_hash = hash_password(settings, password)
    user.updated_at = utc_now()
    session.add(user)
    session.connection().execute(delete(AuthSession).where(col(AuthSession.user_id) == user.id))
    session.commit()
    return user


def set_language(session: Session, user_id: int, language: str) -> None:
    if language not in UI_LANGUAGES:
        raise AccountError(f"language {language!r} is not available")
    session.connection().execute(update(User).where(col(User.id) == user_id).values(language=language, updated_at=utc_now()))
    session.commit()


def _new_user(session: Session, record: EmployeeRecord, password_hash: str | None) -> User:
    user = User(
        employee_id=record.employee_id,
        name=record.name,
        email=record.email,
        department=record.department,
        language=record.language,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    _replace_roles(session, user.id, record.roles)
    return user


def _replace_roles(session: Session, user_id: int, roles: Iterable[str]) -> None:
    connection = session.connection()
    connection.execute(delete(UserRole).where(col(UserRole.user_id) == user_id))
    for role in sorted(set(roles)):
        connection.execute(table_of(UserRole).insert().values(user_id=user_id, role=role))


# --- HR directory import -------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeRow:
    """An employee as the directory import compares it: plain values, no ORM object per person."""

    id: int
    employee_id: str
    name: str
    email: str
    department: str
    language: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


class EmployeeImportError(AccountError):
    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} bad row(s); nothing was imported")


def read_employee_csv(text: str) -> tuple[list[tuple[int, EmployeeRecord]], list[RowProblem]]:
    """Parse and check every row before anything is written: one bad row stops the whole import."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in EMPLOYEE_CSV_COLUMNS if column not in header]
    if missing:
        return [], [RowProblem(1, f"missing column(s): {', '.join(missing)}")]
    reader.fieldnames = header
    records: list[tuple[int, EmployeeRecord]] = []
    problems: list[RowProblem] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(RowProblem(line, "too many fields"))
            continue
        values = {key: (value or "").strip() for key, value in row.items()}
        try:
            roles = parse_roles(values["role"])
        except AccountError as error:
            problems.append(RowProblem(line, str(error)))
            continue
        record = EmployeeRecord(
            employee_id=values["employee_id"],
            name=values["name"],
            email=normalise_email(values["email"]),
            department=values["department"],
            language=values["language"].lower(),
            roles=roles,
        )
        reasons = check_employee(record)
        if record.employee_id in seen_ids:
            reasons.append(f"employee_id {record.employee_id} already on line {seen_ids[record.employee_id]}")
        if record.email in seen_emails:
            reasons.append(f"email {record.email} already on line {seen_emails[record.email]}")
        seen_ids.setdefault(record.employee_id, line)
        seen_emails.setdefault(record.email, line)
        if reasons:
            problems.extend(RowProblem(line, reason) for reason in reasons)
        else:
            records.append((line, record))
    return records, problems


def import_employees(
    session: Session,
    text: str,
    on_progress: Callable[[int, int], None] | None = None,
    chunk_size: int = 1000,
) -> ImportSummary:
    """Create or update employees from an HR directory CSV, all rows or none."""
    records, problems = read_employee_csv(text)
    existing_by_id: dict[str, EmployeeRow] = {}
    owner_of_email: dict[str, str] = {}
    users = table_of(User)
    columns = (users.c.id, users.c.employee_id, users.c.name, users.c.email, users.c.department, users.c.language)
    for start in range(0, len(records), chunk_size):
        chunk = [record for _, record in records[start : start + chunk_size]]
        ids = [record.employee_id for record in chunk]
        emails = [record.email for record in chunk]
        for row in session.connection().execute(core_select(*columns).where(users.c.employee_id.in_(ids))):
            existing_by_id[row.employee_id] = EmployeeRow(*row)
        for employee_id, email in session.connection().execute(
            core_select(users.c.employee_id, users.c.email).where(users.c.email.in_(emails))
        ):
            owner_of_email[email] = employee_id
    for line, record in records:
        owner = owner_of_email.get(record.email)
        if owner is not None and owner != record.employee_id:
            problems.append(RowProblem(line, f"email {record.email} belongs to employee {owner}"))
    if problems:
        raise EmployeeImportError(sorted(problems, key=lambda problem: problem.line))

    created = updated = unchanged = 0
    now = utc_now()
    roles_by_user = _roles_for(session, [row.id for row in existing_by_id.values()])
    for start in range(0, len(records), chunk_size):
        chunk = [record for _, record in records[start : start + chunk_size]]
        new = [record for record in chunk if record.employee_id not in existing_by_id]
        _insert_users(session, new, now)
        created += len(new)
        for record in chunk:
            existing = existing_by_id.get(record.employee_id)
            if existing is None:
                continue
            changed = _update_user(session, existing, record, roles_by_user, now)
            updated += changed
            unchanged += not changed
        if on_progress:
            on_progress(start + len(chunk), len(records))
    session.commit()
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def _insert_users(session: Session, records: list[EmployeeRecord], now: datetime) -> None:
    """Bulk-insert new employees and their roles: two statements per chunk, not two per person."""
    if not records:
        return
    connection = session.connection()
    users = table_of(User)
    connection.execute(
        users.insert(),
        [
            {
                "employee_id": record.employee_id,
                "name": record.name,
                "email": record.email,
                "department": record.department,
                "language": record.language,
                "password_hash": None,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
            for record in records
        ],
    )
    new_ids = core_select(users.c.employee_id, users.c.id).where(users.c.employee_id.in_([r.employee_id for r in records]))
    ids = {employee_id: user_id for employee_id, user_id in connection.execute(new_ids)}
    connection.execute(
        table_of(UserRole).insert(),
        [{"user_id": ids[record.employee_id], "role": role} for record in records for role in sorted(record.roles)],
    )


def _update_user(
    session: Session, row: EmployeeRow, record: EmployeeRecord, roles_by_user: dict[int, frozenset[str]], now: datetime
) -> bool:
    """Bring one existing employee in line with the directory; say whether anything changed."""
    fields = {"name": record.name, "email": record.email, "department": record.department, "language": record.language}
    changed = any(getattr(row, key) != value for key, value in fields.items())
    if changed:
        session.connection().execute(update(table_of(User)).where(table_of(User).c.id == row.id).values(**fields, updated_at=now))
    if roles_by_user.get(row.id, frozenset()) != record.roles:
        _replace_roles(session, row.id, record.roles)
        changed = True
    return changed


def _roles_for(session: Session, user_ids: list[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    for start in range(0, len(user_ids), 1000):
        rows = session.connection().execute(
            core_select(col(UserRole.user_id), col(UserRole.role)).where(
                col(UserRole.user_id).in_(user_ids[start : start + 1000])
            )
        )
        for user_id, role in rows:
            found.setdefault(user_id, set()).add(role)
    return {user_id: frozenset(roles) for user_id, roles in found.items()}


# --- Logins, sessions and throttling ----------------------------------------------------


class LoginRefused(AccountError):
    pass


class LoginThrottled(LoginRefused):
    pass


def _throttle_limits(settings: Settings, login: str, client_address: str) -> list[tuple[str, int]]:
    """Throttle keys with their failure limits: a tight one per account, a loose one per address.

    The address limit is much higher because thousands of employees may share an office NAT
    or proxy address; set COOC_FORWARDED_ALLOW_IPS so that the real client address is seen.
    """
    return [
        (f"account:{normalise_email(login)}", settings.login_max_failures),
        (f"address:{client_address}", settings.login_max_failures_per_address),
    ]


def log_in(session: Session, settings: Settings, login: str, password: str, client_address: str) -> str:
    """Check the password and open a session; return the raw session token for the cookie.

    Failures are counted per account and per address in the database, so every server process
    shares the same throttle.
    """
    now = utc_now()
    keys = _throttle_limits(settings, login, client_address)
    locked = (
        session.connection()
        .execute(
            core_select(col(LoginThrottle.key)).where(
                col(LoginThrottle.key).in_([key for key, _ in keys]), col(LoginThrottle.locked_until) > now
            )
        )
        .first()
    )
    if locked:
        security_log.warning("sign-in refused while throttled: %s", locked[0])
        raise LoginThrottled("too many failed attempts")
    login_value = login.strip()
    user = session.exec(
        select(User).where((col(User.email) == normalise_email(login_value)) | (col(User.employee_id) == login_value))
    ).first()
    valid = verify_password(settings, user.password_hash if user else None, password)
    if not valid or user is None or not user.is_active:
        _record_failure(session, settings, keys, now)
        raise LoginRefused("wrong login or password")
    session.connection().execute(delete(LoginThrottle).where(col(LoginThrottle.key) == keys[0][0]))
    token = new_token()
    assert user.id is not None
    session.add(
        AuthSession(
            token_hash=token_digest(token), user_id=user.id, expires_at=now + timedelta(seconds=settings.session_max_age_seconds)
        )
    )
    session.connection().execute(
        delete(AuthSession).where(col(AuthSession.user_id) == user.id, col(AuthSession.expires_at) < now)
    )
    session.commit()
    return token


def _record_failure(session: Session, settings: Settings, keys: list[tuple[str, int]], now: datetime) -> None:
    window_start = now - timedelta(seconds=settings.login_lockout_seconds)
    for key, limit in keys:
        insert_ignoring_conflicts(session, table_of(LoginThrottle), {"key": key, "failures": 0, "window_started_at": now})
        throttle = session.get(LoginThrottle, key, with_for_update=True)
        assert throttle is not None
        if throttle.window_started_at < window_start:
            throttle.failures, throttle.window_started_at = 0, now
        throttle.failures += 1
        if throttle.failures >= limit:
            security_log.warning("sign-in locked for %s seconds: %s", settings.login_lockout_seconds, key)
            throttle.locked_until = now + timedelta(seconds=settings.login_lockout_seconds)
            throttle.failures, throttle.window_started_at = 0, now
        session.add(throttle)
    session.commit()


def log_out(session: Session, token: str) -> None:
    session.connection().execute(delete(AuthSession).where(col(AuthSession.token_hash) == token_digest(token)))
    session.commit()


_user = table_of(User)
_session = table_of(AuthSession)
_role = table_of(UserRole)
_ROLES = (
    core_select(func.aggregate_strings(_role.c.role, ",")).where(_role.c.user_id == _user.c.id).scalar_subquery().label("roles")
)


def viewer_select(*extra_columns: Any) -> Select[Any]:
    """The one-row query behind every signed-in request.

    Pages that need more per-request data (a module, the learner's trail) add their columns to
    this same row instead of paying for another round trip.
    """
    return (
        core_select(_user.c.id, _user.c.name, _user.c.email, _user.c.department, _user.c.language, _ROLES, *extra_columns)
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


def viewer_from_row(row: Row[Any]) -> Viewer:
    return Viewer(
        id=row.id,
        name=row.name,
        email=row.email,
        department=row.department,
        language=row.language,
        roles=frozenset(row.roles.split(",")) if row.roles else frozenset(),
    )


def viewer_for_session_token(connection: Connection, token: str) -> Viewer | None:
    """Resolve a session cookie to its person in one indexed query."""
    row = connection.execute(_VIEWER_QUERY, viewer_params(token)).first()
    return None if row is None else viewer_from_row(row)


# --- API tokens ----------------------------------------------------------------------------


def create_api_token(
    session: Session, name: str, scopes: Iterable[str], created_by_id: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its only plain-text copy, to be shown once."""
    name = name.strip()
    if not name:
        raise AccountError("a token needs a name")
    wanted = sorted(set(scopes))
    known = {scope.value for scope in Scope}
    unknown = [scope for scope in wanted if scope not in known]
    if unknown or not wanted:
        raise AccountError(f"unknown or missing scope {', '.join(unknown)} (use {', '.join(sorted(known))})")
    raw = new_token(API_TOKEN_PREFIX)
    token = ApiToken(
        name=name,
        token_hash=token_digest(raw),
        token_prefix=raw[:12],
        scopes=" ".join(wanted),
        created_by_id=created_by_id,
    )
    session.add(token)
    session.commit()
    return token, raw


def list_api_tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.created_at).desc())).all())


def revoke_api_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError("no such token")
    if token.revoked_at is None:
        security_log.info("API token %s (%s) revoked", token.id, token.name)
        token.revoked_at = utc_now()
        session.add(token)
        session.commit()
    return token


def api_token_for(session: Session, raw: str) -> ApiToken | None:
    """Find a live token by its hash and note its use (at most once a minute, to spare writes)."""
    token = session.exec(select(ApiToken).where(col(ApiToken.token_hash) == token_digest(raw))).first()
    if token is None or token.revoked_at is not None:
        return None
    now = utc_now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return token


def count_users(session: Session) -> int:
    return len(session.connection().execute(core_select(_user.c.id).limit(1)).all())
