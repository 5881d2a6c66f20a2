"""The audit log and the transactional outbox: rows written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field

from app.actor import Actor, ActorKind
from app.db import Model, enum_type
from app.timeutil import utc_now


class RecordsActor(Model):
    """Columns naming who made a row: the kind of actor, a readable label, and the person or token."""

    actor_kind: ActorKind = Field(sa_type=enum_type(ActorKind), nullable=False)
    actor_label: str = Field(max_length=200)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL", index=True)
    actor_token_id: int | None = Field(default=None, foreign_key="api_token.id", ondelete="SET NULL")

    @staticmethod
    def columns_for(actor: Actor) -> dict[str, Any]:
        return {
            "actor_kind": actor.kind,
            "actor_label": actor.label[:200],
            "actor_user_id": actor.user_id,
            "actor_token_id": actor.token_id,
        }

    @property
    def actor(self) -> Actor:
        return Actor(self.actor_kind, self.actor_label, user_id=self.actor_user_id, token_id=self.actor_token_id)


class AuditEvent(RecordsActor, table=True):
    """Who did what to which subject, and when. Never a password, a token or a mentoring note."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_action_at", "action", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    action: str = Field(max_length=64)
    subject: str = Field(max_length=200)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class OutboxState(StrEnum):
    pending = "pending"
    delivered = "delivered"
    dead = "dead"


class OutboxMessage(Model, table=True):
    """A side effect to carry out after the commit (an e-mail, a statement to a learning record store).

    The worker claims a message for a while (`claimed_until`); a worker that dies leaves the claim to
    expire and another one takes the message again, so delivery is at least once. Consumers drop
    duplicates by `idempotency_key`.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_state_next_attempt_at", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=64)
    idempotency_key: str = Field(max_length=200, unique=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    state: OutboxState = Field(default=OutboxState.pending, sa_type=enum_type(OutboxState), nullable=False)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utc_now)
    next_attempt_at: datetime = Field(default_factory=utc_now)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
