"""The HR directory import: a CSV of employees, checked whole, applied all rows or none."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from app.accounts.events import DirectoryImported, RolesChanged
from app.accounts.models import Role, User, UserRole
from app.accounts.people import AccountError, EmployeeRecord, check_employee, normalise_email, parse_roles
from app.actor import Actor
from app.db import prepare_insert, run_insert, table_of
from app.events.service import record_event, record_events
from app.i18n import N_, Message
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
    reason: Message

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
        super().__init__(Message(N_("rows with a problem: %(count)s; nothing was imported"), {"count": len(problems)}))


DELIMITERS = (",", ";", "\t")


def decode_directory(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows-1252 (Excel's "CSV" in Belgium and France)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise AccountError(
            f'the file is neither UTF-8 nor Windows-1252 text (byte {error.start}); save it as "CSV UTF-8"'
        ) from error


def _delimiter_of(header_line: str) -> str:
    """The separator that splits the header into the most known columns: Excel uses ';' where ',' is a decimal mark."""
    return max(
        DELIMITERS,
        key=lambda delimiter: len(set(part.strip().lower() for part in header_line.split(delimiter)) & set(EMPLOYEE_CSV_COLUMNS)),
    )


def read_employee_csv(text: str) -> tuple[list[tuple[int, EmployeeRecord]], list[RowProblem]]:
    """Parse and check every row before anything is written: one bad row stops the whole import."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise AccountError(Message(N_("the file is empty")))
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter_of(text.splitlines()[0]))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in EMPLOYEE_CSV_COLUMNS if column not in header]
    if missing:
        return [], [RowProblem(1, Message(N_("missing column(s): %(columns)s"), {"columns": ", ".join(missing)}))]
    reader.fieldnames = header
    records: list[tuple[int, EmployeeRecord]] = []
    problems: list[RowProblem] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(RowProblem(line, Message(N_("too many fields"))))
            continue
        values = {key: (value or "").strip() for key, value in row.items()}
        try:
            roles = parse_roles(values["role"])
        except AccountError as error:
            problems.append(RowProblem(line, error.message))
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
            reasons.append(
                Message(
                    N_("employee_id %(id)s already on line %(line)s"),
                    {"id": record.employee_id, "line": seen_ids[record.employee_id]},
                )
            )
        if record.email in seen_emails:
            reasons.append(
                Message(
                    N_("email %(email)s already on line %(line)s"), {"email": record.email, "line": seen_emails[record.email]}
                )
            )
        seen_ids.setdefault(record.employee_id, line)
        seen_emails.setdefault(record.email, line)
        if reasons:
            problems.extend(RowProblem(line, reason) for reason in reasons)
        else:
            records.append((line, record))
    return records, problems


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import will write, worked out from reads alone, before any write begins."""

    rows: int
    new: list[EmployeeRecord]
    updates: list[dict[str, object]]
    role_changes: list[tuple[int, RolesChanged]]
    unchanged: int

    @property
    def summary(self) -> ImportSummary:
        changed = {user_id for user_id, _ in self.role_changes} | {int(str(update["user_id"])) for update in self.updates}
        return ImportSummary(created=len(self.new), updated=len(changed), unchanged=self.unchanged)


def plan_directory_import(
    connection: Connection, text: str, *, on_progress: Callable[[int, int], None] | None = None, chunk_size: int = 1000
) -> ImportPlan:
    """Check every row and compare it with the directory as stored; raise EmployeeImportError on any bad row.

    Only reads: on SQLite a long write transaction would make every sign-in wait, so all the
    work of an import happens here and the write that follows is a handful of bulk statements.
    """
    records, problems = read_employee_csv(text)
    users = table_of(User)
    columns = (users.c.id, users.c.employee_id, users.c.name, users.c.email, users.c.department, users.c.language)
    existing_by_id: dict[str, EmployeeRow] = {}
    owner_of_email: dict[str, str] = {}
    for start in range(0, len(records), chunk_size):
        chunk = [record for _, record in records[start : start + chunk_size]]
        for row in connection.execute(core_select(*columns).where(users.c.employee_id.in_([r.employee_id for r in chunk]))):
            existing_by_id[row.employee_id] = EmployeeRow(*row)
        for employee_id, email in connection.execute(
            core_select(users.c.employee_id, users.c.email).where(users.c.email.in_([r.email for r in chunk]))
        ):
            owner_of_email[email] = employee_id
        if on_progress:
            on_progress(start + len(chunk), len(records))
    for line, record in records:
        owner = owner_of_email.get(record.email)
        if owner is not None and owner != record.employee_id:
            problems.append(
                RowProblem(
                    line, Message(N_("email %(email)s belongs to employee %(owner)s"), {"email": record.email, "owner": owner})
                )
            )
    if problems:
        raise EmployeeImportError(sorted(problems, key=lambda problem: problem.line))

    roles_by_user = _roles_for(connection, [row.id for row in existing_by_id.values()])
    new: list[EmployeeRecord] = []
    updates: list[dict[str, object]] = []
    role_changes: list[tuple[int, RolesChanged]] = []
    unchanged = 0
    for _, record in records:
        existing = existing_by_id.get(record.employee_id)
        if existing is None:
            new.append(record)
            continue
        fields = {"name": record.name, "email": record.email, "department": record.department, "language": record.language}
        details_changed = any(getattr(existing, key) != value for key, value in fields.items())
        if details_changed:
            updates.append({"user_id": existing.id, **fields})
        before = roles_by_user.get(existing.id, frozenset())
        if before != record.roles:
            role_changes.append(
                (existing.id, RolesChanged(record.employee_id, tuple(sorted(before)), tuple(sorted(record.roles))))
            )
        unchanged += not details_changed and before == record.roles
    return ImportPlan(len(records), new, updates, role_changes, unchanged)


def apply_directory_import(session: Session, actor: Actor, plan: ImportPlan, *, source: str) -> ImportSummary:
    """Write a checked plan in a few bulk statements and one commit, with its audit rows."""
    now = utc_now()
    _insert_users(session, plan.new, now)
    users = table_of(User)
    if plan.updates:
        session.connection().execute(
            update(users)
            .where(users.c.id == bindparam("user_id"))
            .values(
                name=bindparam("name"),
                email=bindparam("email"),
                department=bindparam("department"),
                language=bindparam("language"),
                updated_at=now,
            ),
            plan.updates,
        )
    _replace_roles_of(session, {user_id: frozenset(Role(r) for r in change.after) for user_id, change in plan.role_changes})
    record_events(session, actor, [change for _, change in plan.role_changes])
    summary = plan.summary
    record_event(session, actor, DirectoryImported(plan.rows, summary.created, summary.updated, summary.unchanged, source[:200]))
    session.commit()
    return summary


def import_employees(
    session: Session,
    actor: Actor,
    text: str,
    *,
    source: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Create or update employees from an HR directory CSV, all rows or none.

    The import and every role it changes are audited; `source` says where the file came from.
    """
    plan = plan_directory_import(session.connection(), text, on_progress=on_progress)
    session.rollback()  # end the read transaction before the short write one begins
    return apply_directory_import(session, actor, plan, source=source)


def _insert_users(session: Session, records: list[EmployeeRecord], now: datetime) -> None:
    """Bulk-insert new employees and their roles; the rows are converted before the first write."""
    if not records:
        return
    dialect = session.get_bind().dialect
    users = table_of(User)
    new_users = prepare_insert(
        dialect,
        users,
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
    connection = session.connection()
    run_insert(connection, new_users)
    ids: dict[str, int] = {}
    for start in range(0, len(records), 1000):
        wanted = [record.employee_id for record in records[start : start + 1000]]
        found = connection.execute(core_select(users.c.employee_id, users.c.id).where(users.c.employee_id.in_(wanted)))
        ids.update({employee_id: user_id for employee_id, user_id in found})
    roles = [{"user_id": ids[record.employee_id], "role": role.value} for record in records for role in sorted(record.roles)]
    run_insert(connection, prepare_insert(dialect, table_of(UserRole), roles))


def _replace_roles_of(session: Session, roles_by_user: dict[int, frozenset[Role]]) -> None:
    if not roles_by_user:
        return
    connection = session.connection()
    user_ids = list(roles_by_user)
    for start in range(0, len(user_ids), 1000):
        connection.execute(delete(UserRole).where(col(UserRole.user_id).in_(user_ids[start : start + 1000])))
    roles = [{"user_id": user_id, "role": role.value} for user_id, roles in roles_by_user.items() for role in sorted(roles)]
    run_insert(connection, prepare_insert(connection.dialect, table_of(UserRole), roles))


def _roles_for(connection: Connection, user_ids: list[int]) -> dict[int, frozenset[Role]]:
    found: dict[int, set[Role]] = {}
    for start in range(0, len(user_ids), 1000):
        rows = connection.execute(
            core_select(col(UserRole.user_id), col(UserRole.role)).where(
                col(UserRole.user_id).in_(user_ids[start : start + 1000])
            )
        )
        for user_id, role in rows:
            found.setdefault(user_id, set()).add(Role(role))
    return {user_id: frozenset(roles) for user_id, roles in found.items()}
