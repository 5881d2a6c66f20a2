"""Single sign-on: who the company's identity provider says someone is, and whether cooc lets them in.

The OpenID Connect exchange itself (redirect, code, ID token checks) happens in `sso_pages` with
Authlib; this module holds the rules once the claims are known: the person must be in the HR
directory (unless the deployment creates people from claims) and active. Every refusal is in the
audit log, so that security teams can see failed or forged sign-ins.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.events import SingleSignOnRefused
from app.accounts.models import Role, User
from app.accounts.people import AccountError, EmployeeRecord, create_user, normalise_email
from app.accounts.sign_in import open_session
from app.actor import Actor
from app.config import UI_LANGUAGES, Settings
from app.events.service import record_event

UNASSIGNED_DEPARTMENT = "unassigned"


class Refusal(StrEnum):
    """Why a company sign-in was refused; each has its own explanation on the refusal page."""

    provider_error = "provider_error"
    provider_unreachable = "provider_unreachable"
    state = "state"
    other_issuer = "other_issuer"
    code_rejected = "code_rejected"
    token_invalid = "token_invalid"  # noqa: S105 - a reason, not a secret
    no_identity = "no_identity"
    unverified_email = "unverified_email"
    unknown = "unknown"
    inactive = "inactive"


class SignOnRefused(AccountError):
    def __init__(self, reason: Refusal, detail: str = "", claimed: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason, self.detail, self.claimed = reason, detail, claimed


def record_refusal(session: Session, client_address: str, refusal: SignOnRefused) -> None:
    record_event(
        session,
        Actor.anonymous(client_address),
        SingleSignOnRefused(reason=refusal.reason, claimed=refusal.claimed[:200], detail=refusal.detail[:500]),
    )
    session.commit()


def claimed_identity(settings: Settings, claims: Mapping[str, Any]) -> str:
    """The value of the claim that names the employee, or a refusal when the provider sent none."""
    value = claims.get(settings.oidc_employee_claim)
    if not isinstance(value, str) or not value.strip():
        raise SignOnRefused(Refusal.no_identity, f"no {settings.oidc_employee_claim!r} claim", str(claims.get("sub", "")))
    return value.strip()


def sign_in_with_claims(
    session: Session, settings: Settings, claims: Mapping[str, Any], client_address: str, user_agent: str
) -> str:
    """Open a session for the employee the verified claims name; return the raw session token.

    A refusal is recorded in the audit log before it is raised, in its own commit.
    """
    try:
        user = _employee_named_by(session, settings, claims)
    except SignOnRefused as refusal:
        session.rollback()
        record_refusal(session, client_address, refusal)
        raise
    return open_session(session, settings, user, user_agent)


def _employee_named_by(session: Session, settings: Settings, claims: Mapping[str, Any]) -> User:
    claimed = claimed_identity(settings, claims)
    by_email = settings.oidc_employee_claim == "email"
    if by_email and claims.get("email_verified") is False:
        raise SignOnRefused(Refusal.unverified_email, "the provider says the address is not verified", claimed)
    match = col(User.email) == normalise_email(claimed) if by_email else col(User.employee_id) == claimed
    user = session.exec(select(User).where(match)).first()
    if user is None:
        if not settings.oidc_create_unknown:
            raise SignOnRefused(Refusal.unknown, "not in the HR directory", claimed)
        user = _create_from_claims(session, settings, claimed, claims)
    if not user.is_active:
        raise SignOnRefused(Refusal.inactive, "the employee is deactivated", claimed)
    return user


def _create_from_claims(session: Session, settings: Settings, claimed: str, claims: Mapping[str, Any]) -> User:
    """A learner made from what the provider knows, for deployments that do not import the directory first."""
    email = claims.get("email")
    name = claims.get("name") or " ".join(str(claims[part]) for part in ("given_name", "family_name") if claims.get(part))
    locale = str(claims.get("locale") or "")[:2].lower()
    record = EmployeeRecord(
        employee_id=claimed,
        name=str(name or email or claimed),
        email=normalise_email(str(email or "")),
        department=str(claims.get(settings.oidc_department_claim) or UNASSIGNED_DEPARTMENT),
        language=locale if locale in UI_LANGUAGES else settings.default_language,
        roles=frozenset({Role.learner}),
    )
    try:
        return create_user(session, settings, Actor.system("single sign-on"), record, password=None)
    except AccountError as error:
        raise SignOnRefused(Refusal.no_identity, f"cannot create the employee: {error}", claimed) from error
