"""Sign-in, sign-out, language choice and the person's own account page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts import password_links, sign_in
from app.accounts.deps import ActingPerson, CurrentViewer, OptionalViewer, Public
from app.accounts.models import LinkPurpose
from app.accounts.password_links import LinkState
from app.accounts.people import AccountError, set_language
from app.accounts.viewer import Viewer
from app.config import UI_LANGUAGES, Settings
from app.deps import SessionDep, SettingsDep, database, settings_of
from app.i18n import N_, Message
from app.security import ANONYMOUS_COOKIE, SESSION_COOKIE, new_token
from app.web import LANGUAGE_COOKIE, client_address, redirect, render, safe_next_url, set_cookie, verify_csrf

router = APIRouter()
CSRFChecked = [Depends(verify_csrf)]


@router.get("/login", dependencies=Public)
def login_page(request: Request, viewer: OptionalViewer, next: str | None = None, welcome: bool = False) -> Response:
    """The sign-in form; it gives anonymous browsers a cookie so the form can carry a CSRF token."""
    if viewer is not None:
        return redirect(safe_next_url(next))
    return _login_form(request, {"next": safe_next_url(next), "error": None, "welcome": welcome})


def _login_form(request: Request, context: dict[str, object], status_code: int = 200) -> Response:
    """Single sign-on first when the company has it; the password form, or its break-glass corner."""
    settings = settings_of(request)
    sign_on = {"sso_name": settings.oidc_display_name if settings.sso_enabled else None}
    return _anonymous_form(
        request, "accounts/login.html", {**sign_on, "password_sign_in": settings.password_sign_in, **context}, status_code
    )


def _anonymous_form(request: Request, template: str, context: dict[str, object], status_code: int = 200) -> Response:
    """A form for someone not signed in: an anonymous cookie anchors its CSRF token."""
    anchor = request.cookies.get(ANONYMOUS_COOKIE)
    if anchor is None:
        anchor = new_token()
        request.state.new_anonymous_anchor = anchor
    response = render(request, template, context, status_code=status_code)
    set_cookie(response, request, ANONYMOUS_COOKIE, anchor, max_age=86400)
    return response


def _link_page(request: Request, purpose: LinkPurpose, token: str, context: dict[str, object], status_code: int) -> Response:
    action = f"{password_links.LINK_PATHS[purpose]}{token}"
    return _anonymous_form(request, "accounts/password_link.html", {"purpose": purpose, "action": action, **context}, status_code)


def _show_link(request: Request, session: Session, purpose: LinkPurpose, token: str) -> Response:
    """A used, expired or replaced link says so and changes nothing; the page speaks the person's language."""
    check = password_links.check_link(session, token, purpose)
    _speak_the_language_of(request, check)
    status = 200 if check.state == LinkState.valid else 404 if check.state == LinkState.unknown else 410
    return _link_page(request, purpose, token, {"check": check, "error": None}, status)


def _use_link(
    request: Request, session: Session, settings: Settings, purpose: LinkPurpose, token: str, password: str, again: str
) -> Response:
    check = password_links.check_link(session, token, purpose)
    _speak_the_language_of(request, check)
    if check.state == LinkState.valid and password != again:
        return _link_page(request, purpose, token, {"check": check, "error": Message(N_("The two passwords differ."))}, 400)
    try:
        used = password_links.use_link(session, settings, token, purpose, password)
    except AccountError as error:
        return _link_page(request, purpose, token, {"check": check, "error": error.message}, 400)
    if used.state != LinkState.valid:
        return _link_page(request, purpose, token, {"check": used, "error": None}, 410)
    response = redirect("/login?welcome=1")
    if check.language:
        set_cookie(response, request, LANGUAGE_COOKIE, check.language, max_age=365 * 86400, http_only=False)
    return response


LinkToken = Annotated[str, Path(max_length=100)]
NewPassword = Annotated[str, Form(max_length=1024)]


@router.get("/invitations/{token}", dependencies=Public)
def invitation_page(token: LinkToken, request: Request, session: SessionDep) -> Response:
    """Choose a first password with the link of an invitation e-mail."""
    return _show_link(request, session, LinkPurpose.invitation, token)


@router.post("/invitations/{token}", dependencies=[*Public, *CSRFChecked])
def accept_invitation(
    token: LinkToken,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    password: NewPassword,
    password_again: NewPassword,
) -> Response:
    return _use_link(request, session, settings, LinkPurpose.invitation, token, password, password_again)


@router.get("/password-reset", dependencies=Public)
def password_reset_form(request: Request) -> Response:
    """ "Forgot your password?": ask for a reset link by e-mail."""
    return _anonymous_form(request, "accounts/password_reset.html", {"sent": False})


@router.post("/password-reset", dependencies=[*Public, *CSRFChecked])
def request_password_reset(
    request: Request, session: SessionDep, settings: SettingsDep, email: Annotated[str, Form(max_length=320)]
) -> Response:
    """The same answer whether or not the address has an account."""
    password_links.request_password_reset(session, settings, email, client_address(request))
    return _anonymous_form(request, "accounts/password_reset.html", {"sent": True})


@router.get("/password-reset/{token}", dependencies=Public)
def password_reset_page(token: LinkToken, request: Request, session: SessionDep) -> Response:
    return _show_link(request, session, LinkPurpose.reset, token)


@router.post("/password-reset/{token}", dependencies=[*Public, *CSRFChecked])
def reset_password(
    token: LinkToken,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    password: NewPassword,
    password_again: NewPassword,
) -> Response:
    return _use_link(request, session, settings, LinkPurpose.reset, token, password, password_again)


def _speak_the_language_of(request: Request, check: password_links.LinkCheck) -> None:
    """The link's page is in the person's language, whatever the browser asks for."""
    if check.language:
        request.state.language = check.language


@router.post("/login", dependencies=[*Public, *CSRFChecked])
def log_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    login: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/catalog",
) -> Response:
    try:
        token = sign_in.log_in(session, settings, login, password, client_address(request), request.headers.get("user-agent", ""))
    except sign_in.LoginThrottled:
        return _login_form(request, {"next": safe_next_url(next), "error": "throttled", "login": login}, status_code=429)
    except sign_in.LoginRefused:
        return _login_form(request, {"next": safe_next_url(next), "error": "refused", "login": login}, status_code=401)
    response = redirect(safe_next_url(next))
    set_cookie(response, request, SESSION_COOKIE, token, max_age=settings.session_max_age_seconds)
    response.delete_cookie(ANONYMOUS_COOKIE)
    return response


@router.post("/logout", dependencies=[*Public, *CSRFChecked])
def log_out(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sign_in.log_out(session, token)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/language", dependencies=[*Public, *CSRFChecked])
async def choose_language(
    request: Request, viewer: OptionalViewer, language: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    """Save the interface language on the employee's profile (or in a cookie before sign-in)."""
    if language not in UI_LANGUAGES:
        return render(request, "error.html", {"message": "unknown language"}, status_code=400)
    if viewer is not None:
        await database(request).write(set_language, viewer.actor, language)
    response = redirect(safe_next_url(next, fallback="/"))
    set_cookie(response, request, LANGUAGE_COOKIE, language, max_age=365 * 86400, http_only=False)
    return response


@router.get("/language/{language}", dependencies=Public)
def choose_language_anonymously(language: str, request: Request, next: str = "/") -> Response:
    """Before sign-in the choice only lives in a cookie, so a plain link is enough."""
    if language not in UI_LANGUAGES:
        raise HTTPException(status_code=404, detail="unknown language")
    response = redirect(safe_next_url(next, fallback="/"))
    set_cookie(response, request, LANGUAGE_COOKIE, language, max_age=365 * 86400, http_only=False)
    return response


def _account_page(
    request: Request, viewer: Viewer, session: Session, context: dict[str, object], status_code: int = 200
) -> Response:
    sessions = sign_in.sessions_of(session.connection(), viewer.id, request.cookies.get(SESSION_COOKIE, ""))
    return render(request, "accounts/account.html", {"sessions": sessions, **context}, status_code=status_code)


@router.get("/account")
def account_page(request: Request, viewer: CurrentViewer, session: SessionDep) -> Response:
    """The person's details, a password change, and their sessions on other devices."""
    return _account_page(request, viewer, session, {})


@router.post("/account/password", dependencies=CSRFChecked)
def change_password(
    request: Request,
    viewer: CurrentViewer,
    actor: ActingPerson,
    session: SessionDep,
    settings: SettingsDep,
    current_password: Annotated[str, Form(max_length=1024)],
    password: NewPassword,
    password_again: NewPassword,
) -> Response:
    """The current password is required; every other session ends, this one stays."""
    if password != password_again:
        return _account_page(request, viewer, session, {"error": Message(N_("The two passwords differ."))}, 400)
    try:
        sign_in.change_own_password(session, settings, actor, current_password, password, request.cookies.get(SESSION_COOKIE, ""))
    except AccountError as error:
        session.rollback()
        return _account_page(request, viewer, session, {"error": error.message}, 400)
    return _account_page(request, viewer, session, {"changed": True})


@router.post("/account/sessions/end-others", dependencies=CSRFChecked)
def end_other_sessions(request: Request, actor: ActingPerson, session: SessionDep) -> Response:
    sign_in.end_other_sessions(session, actor, request.cookies.get(SESSION_COOKIE, ""))
    return redirect("/account")
