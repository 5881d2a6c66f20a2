"""The admin's account pages: the HR directory import and API tokens.

Mounted inside the admin area (`app/admin.py`), which checks the admin role once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from app.accounts import directory, password_links, people_search, tokens
from app.accounts.deps import ActingPerson
from app.accounts.models import Role
from app.accounts.people import AccountError, EmployeeRecord, change_roles, create_user, normalise_email, set_active
from app.actor import Actor
from app.db import Database
from app.deps import ConnectionDep, RowId, SessionDep, SettingsDep, database
from app.i18n import N_, Message
from app.web import redirect, render, request_language, verify_csrf

router = APIRouter()
CSRFChecked = [Depends(verify_csrf)]
EMPLOYEE_FILE_LIMIT = 50 * 1024 * 1024
# The file, the multipart framing and the CSRF field; FastAPI refuses anything larger with 413.
EMPLOYEE_UPLOAD_LIMIT = EMPLOYEE_FILE_LIMIT + 64 * 1024


@router.get("")
def admin_home(request: Request) -> Response:
    return render(request, "accounts/admin_home.html")


@router.get("/employees")
def employee_import_page(request: Request) -> Response:
    return render(request, "accounts/employees.html", {"columns": directory.EMPLOYEE_CSV_COLUMNS})


@router.post("/employees", dependencies=CSRFChecked, max_body_size=EMPLOYEE_UPLOAD_LIMIT)
async def employee_import(request: Request, actor: ActingPerson) -> Response:
    """Import an HR directory CSV from the browser: the same all-or-nothing import as the CLI.

    The file is not a declared parameter on purpose: FastAPI parses declared form fields before any
    dependency runs, so the upload is read only here, after the admin check and the CSRF token.
    """
    upload = (await request.form()).get("directory")
    if not isinstance(upload, StarletteUploadFile):
        return render(
            request, "accounts/employees.html", {"columns": directory.EMPLOYEE_CSV_COLUMNS, "error": Message(N_("no file"))}, 400
        )
    data = await upload.read(EMPLOYEE_FILE_LIMIT + 1)
    context = await run_in_threadpool(_import_directory, database(request), actor, upload.filename or "", data)
    return render(request, "accounts/employees.html", context, status_code=400 if "error" in context else 200)


def _import_directory(db: Database, actor: Actor, file_name: str, data: bytes) -> dict[str, object]:
    context: dict[str, object] = {"columns": directory.EMPLOYEE_CSV_COLUMNS, "file_name": file_name}
    try:
        if len(data) > EMPLOYEE_FILE_LIMIT:
            raise AccountError(
                Message(
                    N_("the file is larger than %(size)s MB; use cooc import-employees"),
                    {"size": EMPLOYEE_FILE_LIMIT // (1024 * 1024)},
                )
            )
        text = directory.decode_directory(data)
        with db.session() as session:
            context["summary"] = directory.import_employees(session, actor, text, source=f"upload {file_name}".strip())
    except directory.EmployeeImportError as error:
        context["error"], context["problems"] = error.message, error.problems
    except AccountError as error:
        context["error"] = error.message
    return context


@router.get("/invitations")
def invitation_form(request: Request) -> Response:
    return render(request, "accounts/invite.html", {"targets": list(password_links.InvitationTarget)})


@router.post("/invitations", dependencies=CSRFChecked)
def send_invitations(
    request: Request,
    actor: ActingPerson,
    session: SessionDep,
    settings: SettingsDep,
    target: Annotated[password_links.InvitationTarget, Form()],
    value: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Invite one employee, a department, or everyone who has no password yet; the e-mails leave through the outbox."""
    context: dict[str, object] = {"targets": list(password_links.InvitationTarget), "target": target, "value": value}
    try:
        context["invited"] = password_links.invite(session, settings, actor, target, value)
    except AccountError as error:
        context["error"] = error.message
    return render(request, "accounts/invite.html", context, status_code=400 if "error" in context else 200)


def _people_filters(text: str, role: str, active: str, signed_in: str) -> people_search.PeopleQuery:
    choice = {"yes": True, "no": False}
    return people_search.PeopleQuery(
        text=text, role=Role(role) if role in set(Role) else None, active=choice.get(active), signed_in=choice.get(signed_in)
    )


@router.get("/people")
def people_page(
    request: Request,
    connection: ConnectionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    role: Annotated[str, Query(max_length=16)] = "",
    active: Annotated[str, Query(max_length=3)] = "",
    signed_in: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Search the whole directory by name, e-mail, employee id or department, with filters, 50 a page."""
    found = people_search.search_people(connection, _people_filters(q, role, active, signed_in), page)
    filters = {"q": q, "role": role, "active": active, "signed_in": signed_in}
    return render(request, "accounts/people.html", {"found": found, "filters": filters, "roles": list(Role)})


@router.post("/people", dependencies=CSRFChecked)
def add_person(
    request: Request,
    actor: ActingPerson,
    session: SessionDep,
    settings: SettingsDep,
    employee_id: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)],
    department: Annotated[str, Form(max_length=200)],
    language: Annotated[str, Form(max_length=8)],
) -> Response:
    """Add one person outside an HR import, and send them an invitation."""
    record = EmployeeRecord(
        employee_id.strip(), name.strip(), normalise_email(email), department.strip(), language, frozenset({Role.learner})
    )
    try:
        create_user(session, settings, actor, record, None)
        password_links.invite(session, settings, actor, password_links.InvitationTarget.employee, record.employee_id)
    except AccountError as error:
        session.rollback()
        found = people_search.search_people(session.connection(), people_search.PeopleQuery())
        context = {"found": found, "filters": {}, "roles": list(Role), "error": error.message}
        return render(request, "accounts/people.html", context, status_code=400)
    return redirect(f"/admin/people/{quote(record.employee_id, safe='')}")


def _person_page(
    request: Request, session: Session, employee_id: str, context: dict[str, object], status_code: int = 200
) -> Response:
    connection = session.connection()
    found = people_search.person(connection, employee_id)
    if found is None:
        raise HTTPException(status_code=404, detail="No such employee")
    summary: people_search.LearningSummary | None = getattr(request.app.state, "learning_summary", None)
    learning = summary(connection, found.id, found.roles, request_language(request)) if summary else None
    context = {"person": found, "roles": list(Role), "learning": learning, **context}
    return render(request, "accounts/person.html", context, status_code=status_code)


EmployeeId = Annotated[str, Path(max_length=64)]


def _change_person(request: Request, session: Session, employee_id: str, change: Callable[[], object]) -> Response:
    """Run one change to a person; on success back to their page, on refusal the page with the reason."""
    try:
        change()
    except AccountError as error:
        return _person_page(request, session, employee_id, {"error": error.message}, 400)
    return redirect(f"/admin/people/{quote(employee_id, safe='')}")


@router.get("/people/{employee_id}")
def person_page(request: Request, session: SessionDep, employee_id: EmployeeId) -> Response:
    return _person_page(request, session, employee_id, {})


@router.post("/people/{employee_id}/active", dependencies=CSRFChecked)
def set_person_active(
    request: Request, actor: ActingPerson, session: SessionDep, employee_id: EmployeeId, active: Annotated[bool, Form()]
) -> Response:
    """Deactivating signs the person out at once; their records stay, counted as inactive."""
    return _change_person(request, session, employee_id, lambda: set_active(session, actor, employee_id, active))


@router.post("/people/{employee_id}/roles", dependencies=CSRFChecked)
def set_person_roles(
    request: Request,
    actor: ActingPerson,
    session: SessionDep,
    employee_id: EmployeeId,
    roles: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies Form defaults
) -> Response:
    wanted = [Role(role) for role in roles if role in set(Role)]
    return _change_person(request, session, employee_id, lambda: change_roles(session, actor, employee_id, wanted))


@router.post("/people/{employee_id}/invitation", dependencies=CSRFChecked)
def resend_invitation(
    request: Request, actor: ActingPerson, session: SessionDep, settings: SettingsDep, employee_id: EmployeeId
) -> Response:
    """A new link replaces the one sent before."""
    try:
        password_links.invite(session, settings, actor, password_links.InvitationTarget.employee, employee_id)
    except AccountError as error:
        return _person_page(request, session, employee_id, {"error": error.message}, 400)
    return _person_page(request, session, employee_id, {"invited": True})


def _tokens_page(request: Request, connection: Connection, *, new_token: str | None = None, error: str | None = None) -> Response:
    context = {
        "tokens": tokens.list_api_tokens(connection),
        "scopes": tokens.OFFERED_SCOPES,
        "new_token": new_token,
        "error": error,
    }
    return render(request, "accounts/tokens.html", context, status_code=400 if error else 200)


@router.get("/tokens")
def token_list(request: Request, session: SessionDep) -> Response:
    return _tokens_page(request, session.connection())


@router.post("/tokens", dependencies=CSRFChecked)
def token_create(
    request: Request,
    actor: ActingPerson,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)],
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies Form defaults
) -> Response:
    """Create a token and show it once; only its hash is kept."""
    try:
        _, raw = tokens.create_api_token(session, actor, name, scopes)
    except AccountError as error:
        return _tokens_page(request, session.connection(), error=str(error))
    return _tokens_page(request, session.connection(), new_token=raw)


@router.post("/tokens/{token_id}/revoke", dependencies=CSRFChecked)
def token_revoke(token_id: RowId, actor: ActingPerson, session: SessionDep) -> Response:
    try:
        tokens.revoke_api_token(session, actor, token_id)
    except AccountError as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    return redirect("/admin/tokens")
