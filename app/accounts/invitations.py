"""Invitations: a one-use, expiring link by e-mail with which an imported employee chooses a password.

Only the link's SHA-256 is stored; inviting someone again replaces their earlier link. The e-mail
leaves through the outbox, after the invitation is committed, in the person's own language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import delete, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col

from app.accounts.events import InvitationAccepted, InvitationSent
from app.accounts.models import AuthSession, Invitation, User
from app.accounts.people import AccountError, password_problems
from app.actor import Actor
from app.config import Settings
from app.db import table_of
from app.events.service import enqueue_message, record_event, record_events
from app.i18n import N_, Message, translator
from app.mail import EMAIL_TOPIC, OutgoingMail
from app.security import hash_password, new_token, token_digest
from app.timeutil import utc_now

_mail_templates = Environment(
    loader=FileSystemLoader(__file__.rsplit("/", 1)[0] + "/templates/accounts/mail"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


class InvitationTarget(StrEnum):
    employee = "employee"
    department = "department"
    all_without_password = "all-without-password"  # noqa: S105 - a choice, not a secret


@dataclass(frozen=True)
class InvitedPerson:
    user_id: int
    employee_id: str
    name: str
    email: str
    language: str


def _people_to_invite(session: Session, target: InvitationTarget, value: str) -> list[InvitedPerson]:
    users = table_of(User)
    query = core_select(users.c.id, users.c.employee_id, users.c.name, users.c.email, users.c.language).where(
        users.c.is_active.is_(True)
    )
    if target == InvitationTarget.employee:
        query = query.where(users.c.employee_id == value)
    elif target == InvitationTarget.department:
        query = query.where(users.c.department == value)
    else:
        query = query.where(users.c.password_hash.is_(None))
    return [InvitedPerson(*row) for row in session.connection().execute(query.order_by(users.c.employee_id))]


def invite(session: Session, settings: Settings, actor: Actor, target: InvitationTarget, value: str = "") -> int:
    """Invite one employee, a department, or everyone without a password; return how many were invited."""
    people = _people_to_invite(session, target, value.strip())
    if not people:
        raise AccountError(Message(N_("nobody to invite: no active employee matches")))
    now = utc_now()
    invitations = table_of(Invitation)
    connection = session.connection()
    connection.execute(
        update(invitations)
        .where(
            invitations.c.user_id.in_([person.user_id for person in people]),
            invitations.c.used_at.is_(None),
            invitations.c.replaced_at.is_(None),
        )
        .values(replaced_at=now)
    )
    expires = now + timedelta(days=settings.invitation_valid_days)
    for person in people:
        raw = new_token()
        invitation_id = connection.execute(
            invitations.insert()
            .values(user_id=person.user_id, token_hash=token_digest(raw), created_at=now, expires_at=expires)
            .returning(invitations.c.id)
        ).scalar_one()
        mail = _invitation_mail(settings, person, raw, settings.invitation_valid_days)
        enqueue_message(session, topic=EMAIL_TOPIC, idempotency_key=f"invitation:{invitation_id}", payload=mail.as_payload())
    record_events(session, actor, [InvitationSent(person.employee_id) for person in people])
    session.commit()
    return len(people)


def _invitation_mail(settings: Settings, person: InvitedPerson, raw: str, days: int) -> OutgoingMail:
    translate = translator(person.language)
    context = {
        "_": translate,
        "name": person.name,
        "link": f"{settings.public_url.rstrip('/')}/invitations/{raw}",
        "days": days,
        "language": person.language,
    }
    return OutgoingMail(
        to=person.email,
        subject=translate(N_("Your cooc account: choose a password")),
        text=_mail_templates.get_template("invitation.txt").render(context),
        html=_mail_templates.get_template("invitation.html").render(context),
    )


class InvitationState(StrEnum):
    valid = "valid"
    unknown = "unknown"
    expired = "expired"
    used = "used"
    replaced = "replaced"
    inactive = "inactive"


@dataclass(frozen=True)
class InvitationCheck:
    state: InvitationState
    invitation_id: int | None = None
    user_id: int | None = None
    employee_id: str = ""
    email: str = ""
    name: str = ""
    language: str | None = None


def check_invitation(session: Session, raw: str) -> InvitationCheck:
    """What a link is worth now; an unknown or tampered link looks like any other unknown one."""
    invitations, users = table_of(Invitation), table_of(User)
    row = (
        session.connection()
        .execute(
            core_select(invitations, users.c.employee_id, users.c.email, users.c.name, users.c.language, users.c.is_active)
            .join(users, users.c.id == invitations.c.user_id)
            .where(invitations.c.token_hash == token_digest(raw))
        )
        .first()
    )
    if row is None:
        return InvitationCheck(InvitationState.unknown)
    state = (
        InvitationState.used
        if row.used_at is not None
        else InvitationState.replaced
        if row.replaced_at is not None
        else InvitationState.inactive
        if not row.is_active
        else InvitationState.expired
        if row.expires_at <= utc_now()
        else InvitationState.valid
    )
    return InvitationCheck(state, row.id, row.user_id, row.employee_id, row.email, row.name, row.language)


def accept_invitation(session: Session, settings: Settings, raw: str, password: str) -> InvitationCheck:
    """Set the password chosen through a valid link, once; every other session of the person ends."""
    check = check_invitation(session, raw)
    if check.state != InvitationState.valid:
        return check
    problems = password_problems(password, employee_id=check.employee_id, email=check.email)
    if problems:
        raise AccountError(problems[0])
    now = utc_now()
    invitations = table_of(Invitation)
    claimed = session.connection().execute(
        update(invitations).where(invitations.c.id == check.invitation_id, invitations.c.used_at.is_(None)).values(used_at=now)
    )
    if not claimed.rowcount:  # the same link, submitted twice at once
        session.rollback()
        return InvitationCheck(InvitationState.used)
    session.connection().execute(
        update(table_of(User))
        .where(table_of(User).c.id == check.user_id)
        .values(password_hash=hash_password(settings, password), updated_at=now)
    )
    session.connection().execute(delete(AuthSession).where(col(AuthSession.user_id) == check.user_id))
    assert check.user_id is not None
    record_event(session, Actor.person(check.user_id, check.employee_id), InvitationAccepted(check.employee_id))
    session.commit()
    return check
