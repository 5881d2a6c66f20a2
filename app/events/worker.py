"""The outbox worker: carries out side effects after their transaction committed, never losing one.

A worker claims a batch of due messages for a lease (`claimed_until`), hands each to the consumer
of its topic, and marks it delivered; a failure is retried with exponential backoff, and after
`max_attempts` the message is dead (visible to admins, who can retry it). A worker killed mid-batch
leaves its claims to expire; another worker takes those messages again. Delivery is therefore at
least once, and each message carries an idempotency key with which a consumer drops duplicates.

Claims are conditional updates tagged with a claim id, so two workers never hold one message, on
SQLite as on PostgreSQL; PostgreSQL also skips rows another worker has locked (SKIP LOCKED), so
several workers drain one outbox side by side without waiting on each other.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update

from app.config import Settings
from app.db import Database, table_of
from app.events.models import OutboxMessage, OutboxState
from app.timeutil import utc_now

worker_log = logging.getLogger("cooc.worker")
_outbox = table_of(OutboxMessage)


@dataclass(frozen=True)
class Delivery:
    """What a consumer receives: the message, its idempotency key, and which attempt this is."""

    id: int
    topic: str
    idempotency_key: str
    payload: dict[str, Any]
    attempt: int


Consumer = Callable[[Delivery], None]
# Housekeeping the worker runs every `chore_interval` seconds, such as deleting records past their retention.
Chore = Callable[[], None]


@dataclass(frozen=True)
class WorkerPolicy:
    batch_size: int = 20
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=5)
    backoff_cap: timedelta = timedelta(hours=1)
    poll_interval: float = 1.0
    chore_interval: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerPolicy:
        return cls(
            batch_size=settings.outbox_batch_size,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            max_attempts=settings.outbox_max_attempts,
            backoff_base=timedelta(seconds=settings.outbox_backoff_seconds),
            poll_interval=settings.outbox_poll_seconds,
            chore_interval=settings.housekeeping_interval_seconds,
        )

    def backoff(self, attempts: int) -> timedelta:
        """5 s, 10 s, 20 s ... doubling after each failure, capped."""
        return min(self.backoff_base * (2 ** (attempts - 1)), self.backoff_cap)


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        consumers: Mapping[str, Consumer],
        policy: WorkerPolicy | None = None,
        chores: Sequence[Chore] = (),
    ):
        self.db = db
        self.consumers = dict(consumers)
        self.policy = policy or WorkerPolicy()
        self.chores = tuple(chores)
        self.chores_due_at = 0.0
        self.name = f"worker-{secrets.token_hex(4)}"
        self.stopping = threading.Event()

    def stop(self) -> None:
        """Ask the worker to finish the message in hand and return (what a SIGTERM does)."""
        self.stopping.set()

    def run(self) -> None:
        worker_log.info("%s started, topics: %s", self.name, ", ".join(sorted(self.consumers)) or "none")
        while not self.stopping.is_set():
            try:
                claimed = self.run_once()
            except Exception:
                worker_log.exception("%s could not work the outbox; trying again", self.name)
                claimed = 0
            self.run_due_chores()
            if claimed == 0:
                self.stopping.wait(self.policy.poll_interval)
        worker_log.info("%s stopped", self.name)

    def run_due_chores(self) -> None:
        """Run the housekeeping chores when their interval has passed; one failing does not stop the others."""
        if time.monotonic() < self.chores_due_at:
            return
        self.chores_due_at = time.monotonic() + self.policy.chore_interval
        for chore in self.chores:
            try:
                chore()
            except Exception:
                worker_log.exception("%s: chore %s failed; it runs again next interval", self.name, chore.__name__)

    def run_once(self) -> int:
        """Claim one batch and deliver it; return how many messages were claimed."""
        claim_id = f"{self.name}:{secrets.token_hex(4)}"
        claimed = self._claim(claim_id)
        for index, delivery in enumerate(claimed):
            if self.stopping.is_set():
                self._release(claim_id, [other.id for other in claimed[index:]])
                break
            self._deliver(claim_id, delivery)
        return len(claimed)

    def _claim(self, claim_id: str) -> list[Delivery]:
        if not self.consumers:
            return []
        now = utc_now()
        due = (
            select(_outbox.c.id)
            .where(
                _outbox.c.state == OutboxState.pending,
                _outbox.c.topic.in_(sorted(self.consumers)),
                _outbox.c.next_attempt_at <= now,
                or_(_outbox.c.claimed_until.is_(None), _outbox.c.claimed_until < now),
            )
            .order_by(_outbox.c.id)
            .limit(self.policy.batch_size)
        )
        with self.db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            # One UPDATE takes SQLite's write lock at once; a SELECT first could not upgrade its snapshot.
            claimed = connection.execute(
                update(_outbox).where(_outbox.c.id.in_(due)).values(claimed_by=claim_id, claimed_until=now + self.policy.lease)
            ).rowcount
            if not claimed:
                return []
            rows = connection.execute(
                select(_outbox.c.id, _outbox.c.topic, _outbox.c.idempotency_key, _outbox.c.payload, _outbox.c.attempts)
                .where(_outbox.c.claimed_by == claim_id)
                .order_by(_outbox.c.id)
            ).all()
        return [Delivery(row.id, row.topic, row.idempotency_key, row.payload, row.attempts + 1) for row in rows]

    def _deliver(self, claim_id: str, delivery: Delivery) -> None:
        try:
            self.consumers[delivery.topic](delivery)
        except Exception as error:
            self._failed(claim_id, delivery, error)
            return
        self._settle(claim_id, delivery.id, state=OutboxState.delivered, attempts=delivery.attempt, delivered_at=utc_now())

    def _failed(self, claim_id: str, delivery: Delivery, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempt >= self.policy.max_attempts:
            worker_log.error(
                "outbox message %s (%s) is dead after %s attempts: %s", delivery.id, delivery.topic, delivery.attempt, message
            )
            self._settle(claim_id, delivery.id, state=OutboxState.dead, attempts=delivery.attempt, last_error=message)
            return
        retry_at = utc_now() + self.policy.backoff(delivery.attempt)
        worker_log.warning("outbox message %s (%s) failed, retry at %s: %s", delivery.id, delivery.topic, retry_at, message)
        self._settle(
            claim_id,
            delivery.id,
            state=OutboxState.pending,
            attempts=delivery.attempt,
            last_error=message,
            next_attempt_at=retry_at,
        )

    def _settle(self, claim_id: str, message_id: int, **values: Any) -> None:
        """Record the outcome, only if this worker still holds the claim (a lease may have expired)."""
        with self.db.engine.begin() as connection:
            connection.execute(
                update(_outbox)
                .where(_outbox.c.id == message_id, _outbox.c.claimed_by == claim_id)
                .values(claimed_by=None, claimed_until=None, **values)
            )

    def _release(self, claim_id: str, message_ids: list[int]) -> None:
        """Hand back messages claimed but not started, so another worker takes them at once."""
        with self.db.engine.begin() as connection:
            connection.execute(
                update(_outbox)
                .where(_outbox.c.id.in_(message_ids), _outbox.c.claimed_by == claim_id)
                .values(claimed_by=None, claimed_until=None)
            )

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        thread.start()
        return thread
