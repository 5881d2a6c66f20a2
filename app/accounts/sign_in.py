"""Signing in and out: password checks, browser sessions, and the throttle that stops guessing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.accounts.events import PasswordChanged, SignInLocked
from app.accounts.models import AuthSession, LoginThrottle, Role, User
from app.accounts.people import AccountError, normalise_email, password_problems, roles_of
from app.actor import Actor
from app.config import Settings
from app.db import insert_ignoring_conflicts, table_of
from app.events.service import record_event
from app.i18n import N_, Message
from app.security import hash_password, new_token, token_digest, verify_password
from app.timeutil import utc_now

security_log = logging.getLogger("cooc.security")


class LoginRefused(AccountError):
    pass


class LoginThrottled(LoginRefused):
    pass


def _throttle_limits(settings: Settings, user: User | None, login: str, client_address: str) -> list[tuple[str, int]]:
    """Throttle keys with their failure limits: a tight one per account, a loose one per address.

    The account key is the person, not what was typed: guesses through the e-mail address and
    through the employee id count against the same limit. The address limit is much higher because
    thousands of employees may share an office NAT or proxy address; set COOC_FORWARDED_ALLOW_IPS so
    that the real client address is seen.
    """
    account = f"account:{user.id}" if user is not None else f"login:{normalise_email(login)}"
    return [(account, settings.login_max_failures), (f"address:{client_address}", settings.login_max_failures_per_address)]


def log_in(session: Session, settings: Settings, login: str, password: str, client_address: str, user_agent: str = "") -> str:
    """Check the password and open a session; return the raw session token for the cookie.

    Failures are counted per account and per address in the database, so every server process
    shares the same throttle; a throttled attempt is refused before any password is hashed.
    """
    now = utc_now()
    login_value = login.strip()
    user = session.exec(
        select(User).where((col(User.email) == normalise_email(login_value)) | (col(User.employee_id) == login_value))
    ).first()
    keys = _throttle_limits(settings, user, login_value, client_address)
    locked = _locked_key(session, [key for key, _ in keys], now)
    if locked is not None:
        security_log.warning("sign-in refused while throttled: %s", locked)
        raise LoginThrottled("too many failed attempts")
    valid = verify_password(settings, user.password_hash if user else None, password)
    if not valid or user is None or not user.is_active or not may_use_password(session, settings, user.id, user.employee_id):
        visitor = Actor.anonymous(client_address)
        for key in _count_attempts(session, settings, keys, now):
            record_event(session, visitor, SignInLocked(key, settings.login_lockout_seconds))
        session.commit()
        raise LoginRefused("wrong login or password")
    session.connection().execute(delete(LoginThrottle).where(col(LoginThrottle.key) == keys[0][0]))
    return open_session(session, settings, user, user_agent)


def may_use_password(session: Session, settings: Settings, user_id: int | None, employee_id: str) -> bool:
    """Where SSO is the only way in, a password still opens the door for the break-glass admins
    (so that a broken identity provider does not lock the company out of its own platform)."""
    if settings.password_sign_in:
        return True
    assert user_id is not None
    return employee_id in settings.break_glass_admin_ids and Role.admin in roles_of(session, user_id)


def open_session(session: Session, settings: Settings, user: User, user_agent: str) -> str:
    """Open a browser session for someone already proven to be `user`; return the raw cookie token."""
    now = utc_now()
    user.last_signed_in_at = now
    session.add(user)
    token = new_token()
    assert user.id is not None
    session.add(
        AuthSession(
            token_hash=token_digest(token),
            user_id=user.id,
            expires_at=now + timedelta(seconds=settings.session_max_age_seconds),
            user_agent=user_agent[:200],
        )
    )
    session.connection().execute(
        delete(AuthSession).where(col(AuthSession.user_id) == user.id, col(AuthSession.expires_at) < now)
    )
    session.commit()
    return token


def _count_attempts(session: Session, settings: Settings, keys: list[tuple[str, int]], now: datetime) -> list[str]:
    """Count one attempt against each key; lock the keys that reach their limit and return them."""
    window_start = now - timedelta(seconds=settings.login_lockout_seconds)
    locked = []
    for key, limit in keys:
        insert_ignoring_conflicts(session, table_of(LoginThrottle), {"key": key, "failures": 0, "window_started_at": now})
        throttle = session.get(LoginThrottle, key, with_for_update=True)
        assert throttle is not None
        if throttle.window_started_at < window_start:
            throttle.failures, throttle.window_started_at = 0, now
        throttle.failures += 1
        if throttle.failures >= limit:
            security_log.warning("locked for %s seconds: %s", settings.login_lockout_seconds, key)
            throttle.locked_until = now + timedelta(seconds=settings.login_lockout_seconds)
            throttle.failures, throttle.window_started_at = 0, now
            locked.append(key)
        session.add(throttle)
    return locked


def _locked_key(session: Session, keys: list[str], now: datetime) -> str | None:
    return (
        session.connection()
        .execute(
            core_select(col(LoginThrottle.key)).where(col(LoginThrottle.key).in_(keys), col(LoginThrottle.locked_until) > now)
        )
        .scalar()
    )


def throttle_allows(session: Session, settings: Settings, limits: list[tuple[str, int]]) -> bool:
    """Whether an attempt may go ahead under these keys and limits; the attempt is counted. No commit."""
    now = utc_now()
    if _locked_key(session, [key for key, _ in limits], now) is not None:
        return False
    _count_attempts(session, settings, limits, now)
    return True


def purge_expired_sign_in_records(session: Session, settings: Settings) -> tuple[int, int]:
    """Delete ended sessions and throttle records past their window; return how many of each.

    The privacy notice promises that these are kept only for their window (the session's lifetime,
    the lock-out window); the worker calls this regularly so that the promise holds.
    """
    now = utc_now()
    connection = session.connection()
    sessions = connection.execute(delete(AuthSession).where(col(AuthSession.expires_at) < now)).rowcount
    window_start = now - timedelta(seconds=settings.login_lockout_seconds)
    throttles = connection.execute(
        delete(LoginThrottle).where(
            col(LoginThrottle.window_started_at) < window_start,
            col(LoginThrottle.locked_until).is_(None) | (col(LoginThrottle.locked_until) < now),
        )
    ).rowcount
    session.commit()
    return int(sessions), int(throttles)


def log_out(session: Session, token: str) -> None:
    """End the browser session this cookie belongs to (the cookie is the only proof needed)."""
    session.connection().execute(delete(AuthSession).where(col(AuthSession.token_hash) == token_digest(token)))
    session.commit()


@dataclass(frozen=True)
class SessionInfo:
    id: int
    created_at: datetime
    expires_at: datetime
    user_agent: str
    current: bool


def sessions_of(connection: Connection, user_id: int, current_token: str) -> list[SessionInfo]:
    """A person's live browser sessions, newest first, the one they are using marked."""
    sessions = table_of(AuthSession)
    rows = connection.execute(
        core_select(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.expires_at > utc_now())
        .order_by(sessions.c.created_at.desc())
    )
    mine = token_digest(current_token)
    return [SessionInfo(row.id, row.created_at, row.expires_at, row.user_agent, row.token_hash == mine) for row in rows]


def end_other_sessions(session: Session, actor: Actor, current_token: str) -> int:
    """Sign the acting person out everywhere but here; return how many sessions ended."""
    ended = (
        session.connection()
        .execute(
            delete(AuthSession).where(
                col(AuthSession.user_id) == actor.user_id, col(AuthSession.token_hash) != token_digest(current_token)
            )
        )
        .rowcount
    )
    session.commit()
    return int(ended)


def change_own_password(session: Session, settings: Settings, actor: Actor, current: str, new: str, current_token: str) -> None:
    """A person changes their password: the current one is required, and their other sessions end."""
    user = session.get(User, actor.user_id)
    assert user is not None
    if not verify_password(settings, user.password_hash, current):
        raise AccountError(Message(N_("The current password is wrong.")))
    problems = password_problems(new, employee_id=user.employee_id, email=user.email)
    if problems:
        raise AccountError(problems[0])
    user.password_hash = hash_password(settings, new)
    user.updated_at = utc_now()
    session.add(user)
    ended = (
        session.connection()
        .execute(
            delete(AuthSession).where(
                col(AuthSession.user_id) == user.id, col(AuthSession.token_hash) != token_digest(current_token)
            )
        )
        .rowcount
    )
    record_event(session, actor, PasswordChanged(user.employee_id, sessions_ended=int(ended)))
    session.commit()
