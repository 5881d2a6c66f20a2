"""The two legs of an OpenID Connect sign-in: off to the company's identity provider, and back.

Authlib does the protocol: the authorization code flow with PKCE (S256), `state` bound to this
browser in a short-lived signed cookie, the `nonce`, the ID token's signature against the
provider's published keys (fetched again when an unknown key id appears, so key rotation needs no
restart) and its claims (issuer, audience, expiry). cooc adds the mix-up defence of RFC 9207 (an
answer naming another issuer is refused before any code is exchanged) and its own rules about who
may come in (`sso.sign_in_with_claims`).
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx2
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from joserfc.errors import InvalidClaimError, JoseError

from app.accounts import sso
from app.accounts.deps import Public
from app.accounts.sso import Refusal, SignOnRefused
from app.config import Settings
from app.deps import SettingsDep, database
from app.security import ANONYMOUS_COOKIE, SESSION_COOKIE
from app.web import client_address, redirect, render, safe_next_url, set_cookie

router = APIRouter()
START_PATH = "/login/sso"
CALLBACK_PATH = "/login/sso/callback"
STATE_COOKIE = "cooc_sso"
STATE_MAX_AGE_SECONDS = 600
PROVIDER_TIMEOUT_SECONDS = 10
REFUSAL_STATUS = {Refusal.state: 400, Refusal.provider_unreachable: 503}


def identity_provider_client(settings: Settings) -> StarletteOAuth2App:
    """The Authlib client for the configured provider; one per app, so its discovery document and keys are cached."""
    assert settings.oidc_issuer is not None
    oauth = OAuth()
    client = oauth.register(
        "company",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": PROVIDER_TIMEOUT_SECONDS},
    )
    assert isinstance(client, StarletteOAuth2App)
    return client


def _identity_provider(request: Request) -> StarletteOAuth2App:
    client: StarletteOAuth2App | None = getattr(request.app.state, "identity_provider", None)
    if client is None:
        raise HTTPException(status_code=404, detail="single sign-on is not configured")
    return client


IdentityProvider = Annotated[StarletteOAuth2App, Depends(_identity_provider)]


def callback_url(settings: Settings) -> str:
    """The redirect URI to register at the provider: it must match to the character."""
    return f"{settings.public_url.rstrip('/')}{CALLBACK_PATH}"


async def _checked_metadata(provider: StarletteOAuth2App, settings: Settings) -> dict[str, Any]:
    """The discovery document, refused if it speaks for another issuer than the configured one (OIDC Discovery 4.3)."""
    try:
        metadata: dict[str, Any] = await provider.load_server_metadata()
    except httpx2.HTTPError as error:
        raise SignOnRefused(Refusal.provider_unreachable, f"discovery: {error}") from error
    if metadata.get("issuer") != settings.oidc_issuer:
        provider.server_metadata.clear()
        raise SignOnRefused(Refusal.other_issuer, f"the discovery document names issuer {metadata.get('issuer')!r}")
    return metadata


@router.get(START_PATH, dependencies=Public)
async def start_single_sign_on(
    request: Request, provider: IdentityProvider, settings: SettingsDep, next: str | None = None
) -> Response:
    """Send the browser to the identity provider; where to go afterwards waits in the state cookie."""
    try:
        await _checked_metadata(provider, settings)
        request.session["next"] = safe_next_url(next)
        response: Response = await provider.authorize_redirect(request, callback_url(settings))
    except SignOnRefused as refusal:
        return await _refusal_page(request, refusal)
    except httpx2.HTTPError as error:
        return await _refusal_page(request, SignOnRefused(Refusal.provider_unreachable, str(error)))
    return response


@router.get(CALLBACK_PATH, dependencies=Public)
async def finish_single_sign_on(request: Request, provider: IdentityProvider, settings: SettingsDep) -> Response:
    """The provider sends the browser back here with a code; every way this can fail is a refusal page."""
    try:
        claims = await _verified_claims(request, provider, settings)
        token = await database(request).write(
            sso.sign_in_with_claims, settings, claims, client_address(request), request.headers.get("user-agent", "")
        )
    except SignOnRefused as refusal:
        return await _refusal_page(request, refusal, recorded=refusal.reason in _RECORDED_BY_SERVICE)
    response = redirect(safe_next_url(request.session.pop("next", None)))
    set_cookie(response, request, SESSION_COOKIE, token, max_age=settings.session_max_age_seconds)
    response.delete_cookie(ANONYMOUS_COOKIE)
    return response


_RECORDED_BY_SERVICE = {Refusal.unknown, Refusal.inactive, Refusal.unverified_email, Refusal.no_identity}


async def _verified_claims(request: Request, provider: StarletteOAuth2App, settings: Settings) -> dict[str, Any]:
    """The claims of an ID token that passed every check, completed from the UserInfo endpoint when
    the employee claim is not in the token (providers may keep e-mail and profile claims there)."""
    query = request.query_params
    if "error" in query:
        raise SignOnRefused(Refusal.provider_error, f"{query['error']}: {query.get('error_description', '')}")
    metadata = await _checked_metadata(provider, settings)
    if "iss" in query and query["iss"] != metadata["issuer"]:
        raise SignOnRefused(Refusal.other_issuer, f"the answer names issuer {query['iss']!r}")
    claims_options = {"iss": {"essential": True, "value": settings.oidc_issuer}}
    try:
        token = await provider.authorize_access_token(request, claims_options=claims_options)
    except MismatchingStateError as error:
        raise SignOnRefused(Refusal.state, "the answer does not belong to a sign-in this browser started") from error
    except OAuthError as error:
        raise SignOnRefused(Refusal.code_rejected, f"{error.error}: {error.description or ''}") from error
    except InvalidClaimError as error:
        reason = Refusal.other_issuer if error.claim == "iss" else Refusal.token_invalid
        raise SignOnRefused(reason, f"ID token: {error}") from error
    except JoseError as error:
        raise SignOnRefused(Refusal.token_invalid, f"ID token: {error}") from error
    except httpx2.HTTPError as error:
        raise SignOnRefused(Refusal.provider_unreachable, f"token endpoint: {error}") from error
    if "userinfo" not in token:
        raise SignOnRefused(Refusal.token_invalid, "the provider returned no ID token")
    claims = dict(token["userinfo"])
    if settings.oidc_employee_claim not in claims:
        claims = await _with_userinfo(provider, token, claims)
    return claims


async def _with_userinfo(provider: StarletteOAuth2App, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    try:
        userinfo = await provider.userinfo(token=token)
    except (httpx2.HTTPError, OAuthError) as error:
        raise SignOnRefused(Refusal.provider_unreachable, f"userinfo endpoint: {error}") from error
    if userinfo.get("sub") != claims.get("sub"):
        raise SignOnRefused(Refusal.token_invalid, "the UserInfo answer is about another subject")
    return {**userinfo, **claims}


async def _refusal_page(request: Request, refusal: SignOnRefused, *, recorded: bool = False) -> Response:
    if not recorded:
        await database(request).write(sso.record_refusal, client_address(request), refusal)
    status = REFUSAL_STATUS.get(refusal.reason, 403)
    return render(request, "accounts/sso_refused.html", {"reason": refusal.reason.value}, status_code=status)
