"""The HR directory import: a CSV of employees, checked whole, applied all rows or none."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as core_select
from sqlalchemy import update
from sqlmodel import Session, col

from app.accounts.events import DirectoryImported, RolesChanged
from app.accounts.models import Role, User, UserRole
from app.accounts.people import AccountError, EmployeeRecord, check_employee, normalise_email, parse_roles, replace_roles
from app.actor import Actor
from app.db import table_of
from app.events.service import record_event, record_events
from app.timeutil import utc_now

EMPLOYEE_CSV_COLUMNS = ("employee_id", "name", "email", "department", "language", "role")


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
    actor: Actor,
    text: str,
    *,
    source: str,
    on_progress: Callable[[int, int], None] | None = None,
    chunk_size: int = 1000,
) -> ImportSummary:
    """Create or update employees from an HR directory CSV, all rows or none.

    The import and every role it changes are audited; `source` says where the file came from.
    """
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
    role_changes: list[RolesChanged] = []
    for start in range(0, len(records), chunk_size):
        chunk = [record for _, record in records[start : start + chunk_size]]
        new = [record for record in chunk if record.employee_id not in existing_by_id]
        _insert_users(session, new, now)
        created += len(new)
        for record in chunk:
            existing = existing_by_id.get(record.employee_id)
            if existing is None:
                continue
            changed = _update_user(session, existing, record, now)
            before = roles_by_user.get(existing.id, frozenset())
            if before != record.roles:
                replace_roles(session, existing.id, record.roles)
                role_changes.append(RolesChanged(record.employee_id, tuple(sorted(before)), tuple(sorted(record.roles))))
                changed = True
            updated += changed
            unchanged += not changed
        if on_progress:
            on_progress(start + len(chunk), len(records))
    record_events(session, actor, role_changes)
    record_event(session, actor, DirectoryImported(len(records), created, updated, unchanged, source[:200]))
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


def _update_user(session: Session, row: EmployeeRow, record: EmployeeRecord, now: datetime) -> bool:
    """Bring one existing employee's details in line with the directory; say whether anything changed."""
    fields = {"name": record.name, "email": record.email, "department": record.department, "language": record.language}
    changed = any(getattr(row, key) != value for key, value in fields.items())
    if changed:
        users = table_of(User)
        session.connection().execute(update(users).where(users.c.id == row.id).values(**fields, updated_at=now))
    return changed


def _roles_for(session: Session, user_ids: list[int]) -> dict[int, frozenset[Role]]:
    found: dict[int, set[Role]] = {}
    for start in range(0, len(user_ids), 1000):
        rows = session.connection().execute(
            core_select(col(UserRole.user_id), col(UserRole.role)).where(
                col(UserRole.user_id).in_(user_ids[start : start + 1000])
            )
        )
        for user_id, role in rows:
            found.setdefault(user_id, set()).add(Role(role))
    return {user_id: frozenset(roles) for user_id, roles in found.items()}
