"""Recording what happened: typed domain events become audit rows and outbox messages.

Nothing here commits. A use case records its events on its own session and commits once, so the
change, its audit row and its outbox messages land together or not at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.actor import Actor, ActorKind
from app.db import insert_ignoring_conflicts, rows_as_records, table_of
from app.events.models import AuditEvent, OutboxMessage, OutboxState
from app.timeutil import utc_now

JsonValue = str | int | float | bool | None | tuple[str, ...] | tuple[int, ...]
# Field names that must never reach the audit log: its rows are read by every admin.
FORBIDDEN_PAYLOAD_WORDS = ("password", "secret", "token_hash", "raw_token", "note")


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened, named by `action`, about `subject`; its fields are the payload.

    Subclasses are frozen dataclasses whose fields are plain values (text, numbers, flags, tuples
    of text), so a payload is typed where it is made and small where it is stored.
    """

    action: ClassVar[str]

    @property
    def subject(self) -> str:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        return {name: list(value) if isinstance(value, tuple) else value for name, value in values.items()}


def record_event(session: Session, actor: Actor, event: DomainEvent) -> None:
    """Add the audit row for an event to the use case's transaction."""
    session.add(
        AuditEvent(**AuditEvent.columns_for(actor), action=event.action, subject=event.subject[:200], payload=event.payload())
    )


def record_events(session: Session, actor: Actor, events: Sequence[DomainEvent]) -> None:
    """Many audit rows in one statement (an HR import may change thousands of roles)."""
    if not events:
        return
    now = utc_now()
    session.connection().execute(
        table_of(AuditEvent).insert(),
        [
            {**AuditEvent.columns_for(actor), "at": now, "action": e.action, "subject": e.subject[:200], "payload": e.payload()}
            for e in events
        ],
    )


def enqueue_message(session: Session, *, topic: str, idempotency_key: str, payload: dict[str, Any]) -> bool:
    """Add a side effect to the transaction; the same key twice is one message. Returns whether it is new."""
    now = utc_now()
    return insert_ignoring_conflicts(
        session,
        table_of(OutboxMessage),
        {
            "topic": topic,
            "idempotency_key": idempotency_key,
            "payload": payload,
            "state": OutboxState.pending,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        },
    )


@dataclass(frozen=True)
class OutboxMessageRetried(DomainEvent):
    action: ClassVar[str] = "outbox.retried"
    message_id: int
    topic: str

    @property
    def subject(self) -> str:
        return f"outbox:{self.message_id}"


class OutboxError(ValueError):
    """An outbox action that cannot be carried out; the message is safe to show."""


def retry_dead_message(session: Session, actor: Actor, message_id: int) -> None:
    """Put a dead message back in the queue with a fresh count of attempts."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.state != OutboxState.dead:
        raise OutboxError("no such dead message")
    message.state, message.attempts, message.next_attempt_at, message.last_error = OutboxState.pending, 0, utc_now(), None
    session.add(message)
    record_event(session, actor, OutboxMessageRetried(message_id, message.topic))
    session.commit()


@dataclass(frozen=True)
class OutboxOverview:
    counts: dict[OutboxState, int]
    messages: list[OutboxMessage]
    state: OutboxState


def outbox_overview(connection: Connection, state: OutboxState, *, limit: int = 100) -> OutboxOverview:
    """How many messages wait, were delivered or died, and the latest ones in one state."""
    outbox = table_of(OutboxMessage)
    counts = {
        OutboxState(row[0]): row[1] for row in connection.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state))
    }
    rows = connection.execute(select(outbox).where(outbox.c.state == state).order_by(outbox.c.id.desc()).limit(limit)).all()
    return OutboxOverview(
        counts={s: counts.get(s, 0) for s in OutboxState},
        messages=[OutboxMessage.model_validate(dict(row._mapping)) for row in rows],
        state=state,
    )


# --- Reading the audit log -------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        audit = table_of(AuditEvent)
        if self.actor:
            kind, _, label = self.actor.partition(":")
            if label and kind in set(ActorKind):
                query = query.where(audit.c.actor_kind == kind, audit.c.actor_label == label)
            else:
                query = query.where(audit.c.actor_label == self.actor)
        if self.action:
            query = query.where(audit.c.action == self.action)
        if self.since:
            query = query.where(audit.c.at >= self.since)
        if self.until:
            query = query.where(audit.c.at < self.until)
        return query


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def audit_page(connection: Connection, where: AuditFilter, *, page: int = 1, page_size: int = 50) -> AuditPage:
    """One page of the audit log, newest first."""
    audit = table_of(AuditEvent)
    total = connection.execute(where.apply(select(func.count()).select_from(audit))).scalar_one()
    rows = connection.execute(
        where.apply(select(audit)).order_by(audit.c.at.desc(), audit.c.id.desc()).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return AuditPage([AuditEvent.model_validate(dict(row._mapping)) for row in rows], total, page, page_size)


def audit_events_since(connection: Connection, since: datetime | None) -> list[AuditEvent]:
    """The whole log from a moment on, oldest first, for `cooc audit`."""
    audit = table_of(AuditEvent)
    query = select(audit).order_by(audit.c.at, audit.c.id)
    if since is not None:
        query = query.where(audit.c.at >= since)
    return [AuditEvent.model_validate(dict(row._mapping)) for row in connection.execute(query)]


def audit_actions(connection: Connection) -> list[str]:
    action = table_of(AuditEvent).c.action
    return list(connection.execute(select(action).distinct().order_by(action)).scalars())


def audit_records_about(connection: Connection, user_id: int, subject: str) -> list[dict[str, Any]]:
    """Audit entries made by a person or about them, for a GDPR export."""
    audit = table_of(AuditEvent)
    return rows_as_records(connection, audit, (audit.c.actor_user_id == user_id) | (audit.c.subject == subject))


def pseudonymise_audit_entries(connection: Connection, user_id: int, alias: str, subjects: Mapping[str, str]) -> int:
    """Put a person's alias in place of their identifiers in the audit log; the entries themselves stay.

    `subjects` maps each former subject (e.g. `employee:E123`) to its replacement; the entries the
    person made as an actor are relabelled with the alias. Returns how many entries changed.
    """
    audit = table_of(AuditEvent)
    changed = connection.execute(update(audit).where(audit.c.actor_user_id == user_id).values(actor_label=alias)).rowcount
    for former, replacement in subjects.items():
        changed += connection.execute(update(audit).where(audit.c.subject == former).values(subject=replacement)).rowcount
    return int(changed)
