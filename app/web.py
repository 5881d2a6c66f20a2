"""What every HTML page shares: templates with autoescape, translations, CSRF tokens, redirects."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from fastapi import HTTPException, Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from app.config import UI_LANGUAGES
from app.deps import settings_of
from app.i18n import LANGUAGE_NAMES, N_, language_name, negotiate_language, translator
from app.security import ANONYMOUS_COOKIE, SESSION_COOKIE, csrf_token_for, csrf_token_matches

APP_DIR = Path(__file__).parent
LANGUAGE_COOKIE = "cooc_lang"
# Every request body is at most this large (a form post, a quiz of 15 questions: a few KB); only
# upload routes declare a larger limit of their own, and they read the body after the admin check.
FORM_MAX_BYTES = 64 * 1024
CSRF_FIELD = "csrf_token"


def csrf_anchor(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANONYMOUS_COOKIE)


def request_language(request: Request) -> str:
    """The viewer's saved language, else the language cookie, else the browser's preference."""
    language = getattr(request.state, "language", None)
    if language:
        return str(language)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in UI_LANGUAGES:
        return str(cookie)
    return negotiate_language(request.headers.get("accept-language"), settings_of(request).default_language)


def _page_context(request: Request) -> dict[str, Any]:
    language = request_language(request)
    anchor = csrf_anchor(request) or getattr(request.state, "new_anonymous_anchor", None)
    return {
        "_": (translate := translator(language)),
        "_n": translate.plural,
        "language": language,
        "language_names": LANGUAGE_NAMES,
        "ui_languages": UI_LANGUAGES,
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": csrf_token_for(settings_of(request).secret_key, anchor) if anchor else "",
    }


def _format_day(value: date | datetime | None, language: str = "en") -> str:
    return "" if value is None else format_date(value, format="long", locale=language)


templates = Jinja2Templates(
    directory=[APP_DIR / "templates", *sorted(APP_DIR.glob("*/templates"))],
    context_processors=[_page_context],
)
templates.env.filters["day"] = _format_day
templates.env.filters["language_name"] = language_name
# Templates ship with the code: checking their files' modification time on every render costs
# a system call per template and include, so a template change needs a restart, like code.
templates.env.auto_reload = False


def render(request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Any:
    return templates.TemplateResponse(request, template, context or {}, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    """After a form post, always redirect (303) so a page reload never posts twice."""
    return RedirectResponse(url, status_code=303)


def client_address(request: Request) -> str:
    """The client's address as uvicorn saw it (behind trusted proxies, from X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int, http_only: bool = True) -> None:
    """cooc's cookies are SameSite=Lax, site-wide, and Secure wherever the deployment says so."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=http_only,
        samesite="lax",
        secure=settings_of(request).secure_cookies,
        path="/",
    )


def safe_next_url(value: str | None, fallback: str = "/catalog") -> str:
    """Only same-site paths are followed after login, never another host."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return fallback


async def verify_csrf(request: Request) -> None:
    """Refuse any form post from another site, or whose token does not match this browser's cookie.

    The Origin check is a second line behind the token: browsers send Origin on every post, and a
    post that another site's page made carries that site's origin. Checked before the form is read.
    """
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status_code=403, detail=N_("This form did not come from cooc."))
    form = await request.form()
    if any(isinstance(value, str) and "\x00" in value for _, value in form.multi_items()):
        raise HTTPException(status_code=400, detail=N_("The form contains a character cooc does not accept."))
    submitted = form.get(CSRF_FIELD)
    anchor = csrf_anchor(request)
    if not isinstance(submitted, str) or not anchor or not csrf_token_matches(settings_of(request).secret_key, anchor, submitted):
        raise HTTPException(
            status_code=403, detail=N_("This form has expired or did not come from cooc. Reload the page and try again.")
        )
