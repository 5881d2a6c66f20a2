"""Sign-in, sign-out, language choice, and the admin's API token page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.accounts import service
from app.accounts.deps import AdminViewer, CurrentViewer, OptionalViewer
from app.accounts.models import Scope
from app.config import UI_LANGUAGES
from app.deps import SessionDep, SettingsDep, database, settings_of
from app.security import ANONYMOUS_COOKIE, SESSION_COOKIE, new_token
from app.web import LANGUAGE_COOKIE, redirect, render, safe_next_url, verify_csrf

router = APIRouter()
CSRFChecked = [Depends(verify_csrf)]


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, viewer: OptionalViewer, next: str | None = None) -> Response:
    """The sign-in form; it gives anonymous browsers a cookie so the form can carry a CSRF token."""
    if viewer is not None:
        return redirect(safe_next_url(next))
    anchor = request.cookies.get(ANONYMOUS_COOKIE)
    if anchor is None:
        anchor = new_token()
        request.state.new_anonymous_anchor = anchor
    response = render(request, "accounts/login.html", {"next": safe_next_url(next), "error": None})
    _set_cookie(response, request, ANONYMOUS_COOKIE, anchor, max_age=86400)
    return response


@router.post("/login", dependencies=CSRFChecked)
def log_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    login: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/catalog",
) -> Response:
    try:
        token = service.log_in(session, settings, login, password, _client_address(request))
    except service.LoginThrottled:
        return render(
            request, "accounts/login.html", {"next": safe_next_url(next), "error": "throttled", "login": login}, status_code=429
        )
    except service.LoginRefused:
        return render(
            request, "accounts/login.html", {"next": safe_next_url(next), "error": "refused", "login": login}, status_code=401
        )
    response = redirect(safe_next_url(next))
    _set_cookie(response, request, SESSION_COOKIE, token, max_age=settings.session_max_age_seconds)
    response.delete_cookie(ANONYMOUS_COOKIE)
    return response


@router.post("/logout", dependencies=CSRFChecked)
def log_out(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.log_out(session, token)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/language", dependencies=CSRFChecked)
async def choose_language(
    request: Request, viewer: OptionalViewer, language: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    """Save the interface language on the employee's profile (or in a cookie before sign-in)."""
    if language not in UI_LANGUAGES:
        return render(request, "error.html", {"message": "unknown language"}, status_code=400)
    if viewer is not None:
        db = database(request)

        def save() -> None:
            with db.session() as session:
                service.set_language(session, viewer.id, language)

        await run_in_threadpool(save)
    response = redirect(safe_next_url(next, fallback="/"))
    _set_cookie(response, request, LANGUAGE_COOKIE, language, max_age=365 * 86400, http_only=False)
    return response


@router.get("/language/{language}")
def choose_language_anonymously(language: str, request: Request, next: str = "/") -> Response:
    """Before sign-in the choice only lives in a cookie, so a plain link is enough."""
    if language not in UI_LANGUAGES:
        raise HTTPException(status_code=404, detail="unknown language")
    response = redirect(safe_next_url(next, fallback="/"))
    _set_cookie(response, request, LANGUAGE_COOKIE, language, max_age=365 * 86400, http_only=False)
    return response


def _set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int, http_only: bool = True) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=http_only,
        samesite="lax",
        secure=settings_of(request).secure_cookies,
        path="/",
    )


@router.get("/admin")
def admin_home(request: Request, viewer: AdminViewer) -> Response:
    return render(request, "accounts/admin_home.html")


EMPLOYEE_FILE_LIMIT = 50 * 1024 * 1024


@router.get("/admin/employees")
def employee_import_page(request: Request, viewer: AdminViewer) -> Response:
    return render(request, "accounts/employees.html", {"columns": service.EMPLOYEE_CSV_COLUMNS})


@router.post("/admin/employees", dependencies=CSRFChecked)
def employee_import(request: Request, viewer: AdminViewer, session: SessionDep, directory: UploadFile) -> Response:
    """Import an HR directory CSV from the browser: the same all-or-nothing import as the CLI."""
    context: dict[str, object] = {"columns": service.EMPLOYEE_CSV_COLUMNS, "file_name": directory.filename}
    data = directory.file.read(EMPLOYEE_FILE_LIMIT + 1)
    try:
        if len(data) > EMPLOYEE_FILE_LIMIT:
            raise service.AccountError(
                f"the file is larger than {EMPLOYEE_FILE_LIMIT // (1024 * 1024)} MB; use cooc import-employees"
            )
        text = data.decode("utf-8-sig")
        context["summary"] = service.import_employees(session, text)
    except UnicodeDecodeError:
        context["error"] = "the file is not UTF-8 text"
    except service.EmployeeImportError as error:
        context["error"], context["problems"] = str(error), error.problems
    except service.AccountError as error:
        context["error"] = str(error)
    return render(request, "accounts/employees.html", context, status_code=400 if "error" in context else 200)


def _tokens_page(request: Request, session: Session, *, new_token: str | None = None, error: str | None = None) -> Response:
    context = {"tokens": service.list_api_tokens(session), "scopes": list(Scope), "new_token": new_token, "error": error}
    return render(request, "accounts/tokens.html", context, status_code=400 if error else 200)


@router.get("/admin/tokens")
def token_list(request: Request, viewer: AdminViewer, session: SessionDep) -> Response:
    return _tokens_page(request, session)


@router.post("/admin/tokens", dependencies=CSRFChecked)
def token_create(
    request: Request,
    viewer: AdminViewer,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)],
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies Form defaults
) -> Response:
    """Create a token and show it once; only its hash is kept."""
    try:
        _, raw = service.create_api_token(session, name, scopes, created_by_id=viewer.id)
    except service.AccountError as error:
        return _tokens_page(request, session, error=str(error))
    return _tokens_page(request, session, new_token=raw)


@router.post("/admin/tokens/{token_id}/revoke", dependencies=CSRFChecked)
def token_revoke(token_id: int, viewer: AdminViewer, session: SessionDep) -> Response:
    try:
        service.revoke_api_token(session, token_id)
    except service.AccountError as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    return redirect("/admin/tokens")


@router.get("/account")
def account_page(request: Request, viewer: CurrentViewer) -> Response:
    return render(request, "accounts/account.html")
