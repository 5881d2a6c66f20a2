"""Password links: a one-use, expiring link by e-mail with which a person chooses a password.

Two purposes share the mechanism: an invitation (an imported employee's first password, valid for
days) and a reset ("forgot password", valid for an hour). Only a link's SHA-256 is stored; a new
link of the same purpose replaces the person's earlier one. E-mails leave through the outbox,
after the link is committed, in the person's own language.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import delete, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col

from app.accounts.events import InvitationAccepted, InvitationSent, PasswordResetDone
from app.accounts.models import AuthSession, LinkPurpose, PasswordLink, User
from app.accounts.people import AccountError, normalise_email, password_problems
from app.accounts.sign_in import may_use_password, throttle_allows
from app.actor import Actor
from app.config import Settings
from app.db import table_of
from app.events.service import enqueue_message, record_event, record_events
from app.events.worker import Delivery
from app.i18n import N_, Message, translator
from app.mail import EMAIL_TOPIC, OutgoingMail
from app.security import hash_password, new_token, token_digest
from app.timeutil import utc_now

RESET_REQUEST_TOPIC = "password_reset.requested"
RESET_VALID_FOR = timedelta(hours=1)
LINK_PATHS = {LinkPurpose.invitation: "/invitations/", LinkPurpose.reset: "/password-reset/"}
_mail_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "accounts" / "mail"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)
_links = table_of(PasswordLink)
_users = table_of(User)


class InvitationTarget(StrEnum):
    employee = "employee"
    department = "department"
    all_without_password = "all-without-password"  # noqa: S105 - a choice, not a secret


@dataclass(frozen=True)
class Recipient:
    user_id: int
    employee_id: str
    name: str
    email: str
    language: str


_RECIPIENT = core_select(_users.c.id, _users.c.employee_id, _users.c.name, _users.c.email, _users.c.language).where(
    _users.c.is_active.is_(True)
)


def _issue_links(
    session: Session, settings: Settings, people: list[Recipient], purpose: LinkPurpose, valid_for: timedelta
) -> None:
    """New links for these people (their earlier ones of this purpose stop working), each with its e-mail."""
    now = utc_now()
    connection = session.connection()
    connection.execute(
        update(_links)
        .where(
            _links.c.user_id.in_([person.user_id for person in people]),
            _links.c.purpose == purpose,
            _links.c.used_at.is_(None),
            _links.c.replaced_at.is_(None),
        )
        .values(replaced_at=now)
    )
    for person in people:
        raw = new_token()
        link_id = connection.execute(
            _links.insert()
            .values(
                user_id=person.user_id, purpose=purpose, token_hash=token_digest(raw), created_at=now, expires_at=now + valid_for
            )
            .returning(_links.c.id)
        ).scalar_one()
        mail = _link_mail(settings, person, raw, purpose, valid_for)
        enqueue_message(session, topic=EMAIL_TOPIC, idempotency_key=f"password-link:{link_id}", payload=mail.as_payload())


def _link_mail(settings: Settings, person: Recipient, raw: str, purpose: LinkPurpose, valid_for: timedelta) -> OutgoingMail:
    translate = translator(person.language)
    context = {
        "_": translate,
        "name": person.name,
        "link": f"{settings.public_url.rstrip('/')}{LINK_PATHS[purpose]}{raw}",
        "days": valid_for.days,
        "minutes": int(valid_for.total_seconds() // 60),
        "language": person.language,
    }
    subjects = {
        LinkPurpose.invitation: N_("Your cooc account: choose a password"),
        LinkPurpose.reset: N_("Reset your cooc password"),
    }
    return OutgoingMail(
        to=person.email,
        subject=translate(subjects[purpose]),
        text=_mail_templates.get_template(f"{purpose}.txt").render(context),
        html=_mail_templates.get_template(f"{purpose}.html").render(context),
    )


def invite(session: Session, settings: Settings, actor: Actor, target: InvitationTarget, value: str = "") -> int:
    """Invite one employee, a department, or everyone without a password; return how many were invited."""
    query = _RECIPIENT
    value = value.strip()
    if target == InvitationTarget.employee:
        query = query.where(_users.c.employee_id == value)
    elif target == InvitationTarget.department:
        query = query.where(_users.c.department == value)
    else:
        query = query.where(_users.c.password_hash.is_(None))
    people = [Recipient(*row) for row in session.connection().execute(query.order_by(_users.c.employee_id))]
    if not people:
        raise AccountError(Message(N_("nobody to invite: no active employee matches")))
    people = [person for person in people if may_use_password(session, settings, person.user_id, person.employee_id)]
    if not people:
        raise AccountError(
            Message(N_("password sign-in is switched off: employees sign in through single sign-on, no invitation needed"))
        )
    _issue_links(session, settings, people, LinkPurpose.invitation, timedelta(days=settings.invitation_valid_days))
    record_events(session, actor, [InvitationSent(person.employee_id) for person in people])
    session.commit()
    return len(people)


def request_password_reset(session: Session, settings: Settings, email: str, client_address: str) -> None:
    """Note a "forgot password" request; the worker looks the address up and sends the link.

    The request itself does the same work whether the address exists or not, so neither its
    answer nor its timing says which addresses have accounts. Throttled per address and per
    client; a throttled request is answered the same and sends nothing.
    """
    address = normalise_email(email)
    limits = [(f"reset-email:{address}", settings.password_reset_max_per_address), (f"reset-client:{client_address}", 50)]
    if throttle_allows(session, settings, limits):
        enqueue_message(
            session, topic=RESET_REQUEST_TOPIC, idempotency_key=f"reset-request:{uuid.uuid4()}", payload={"email": address}
        )
    session.commit()


def send_reset_link(session: Session, settings: Settings, delivery: Delivery) -> None:
    """The worker's half of a reset request: a link for an active account that may use a password,
    nothing for an unknown address (or, where SSO is the only way in, for anyone but a break-glass admin)."""
    row = session.connection().execute(_RECIPIENT.where(_users.c.email == delivery.payload["email"])).first()
    person = Recipient(*row) if row is not None else None
    if person is not None and may_use_password(session, settings, person.user_id, person.employee_id):
        _issue_links(session, settings, [person], LinkPurpose.reset, RESET_VALID_FOR)
    session.commit()


class LinkState(StrEnum):
    valid = "valid"
    unknown = "unknown"
    expired = "expired"
    used = "used"
    replaced = "replaced"
    inactive = "inactive"


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    link_id: int | None = None
    user_id: int | None = None
    employee_id: str = ""
    email: str = ""
    name: str = ""
    language: str | None = None


def _state(used_at: datetime | None, replaced_at: datetime | None, is_active: bool, expires_at: datetime) -> LinkState:
    if used_at is not None:
        return LinkState.used
    if replaced_at is not None:
        return LinkState.replaced
    if not is_active:
        return LinkState.inactive
    return LinkState.expired if expires_at <= utc_now() else LinkState.valid


def check_link(session: Session, raw: str, purpose: LinkPurpose) -> LinkCheck:
    """What a link is worth now; an unknown or tampered link looks like any other unknown one."""
    row = (
        session.connection()
        .execute(
            core_select(_links, _users.c.employee_id, _users.c.email, _users.c.name, _users.c.language, _users.c.is_active)
            .join(_users, _users.c.id == _links.c.user_id)
            .where(_links.c.token_hash == token_digest(raw), _links.c.purpose == purpose)
        )
        .first()
    )
    if row is None:
        return LinkCheck(LinkState.unknown)
    state = _state(row.used_at, row.replaced_at, row.is_active, row.expires_at)
    return LinkCheck(state, row.id, row.user_id, row.employee_id, row.email, row.name, row.language)


def use_link(session: Session, settings: Settings, raw: str, purpose: LinkPurpose, password: str) -> LinkCheck:
    """Set the password chosen through a valid link, once; every session of the person ends."""
    check = check_link(session, raw, purpose)
    if check.state != LinkState.valid:
        return check
    problems = password_problems(password, employee_id=check.employee_id, email=check.email)
    if problems:
        raise AccountError(problems[0])
    now = utc_now()
    claimed = session.connection().execute(
        update(_links).where(_links.c.id == check.link_id, _links.c.used_at.is_(None)).values(used_at=now)
    )
    if not claimed.rowcount:  # the same link, submitted twice at once
        session.rollback()
        return LinkCheck(LinkState.used)
    assert check.user_id is not None
    session.connection().execute(
        update(_users).where(_users.c.id == check.user_id).values(password_hash=hash_password(settings, password), updated_at=now)
    )
    session.connection().execute(delete(AuthSession).where(col(AuthSession.user_id) == check.user_id))
    event = InvitationAccepted(check.employee_id) if purpose == LinkPurpose.invitation else PasswordResetDone(check.employee_id)
    record_event(session, Actor.person(check.user_id, check.employee_id), event)
    session.commit()
    return check
