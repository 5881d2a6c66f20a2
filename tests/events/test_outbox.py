"""The transactional outbox and its worker: nothing lost, nothing done twice by an idempotent consumer."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app.config import PROJECT_ROOT
from app.events.models import AuditEvent, OutboxMessage, OutboxState
from app.events.service import enqueue_message
from app.events.worker import Delivery, OutboxWorker, WorkerPolicy
from tests.conftest import csrf_from
from tests.events.outbox_child import TOPIC, file_sink, run_worker

FAST = WorkerPolicy(batch_size=10, lease=timedelta(seconds=30), poll_interval=0.01, backoff_base=timedelta(seconds=5))


def enqueue(session, count: int, topic: str = TOPIC) -> list[str]:  # type: ignore[no-untyped-def]
    keys = [f"message-{number:04d}" for number in range(count)]
    for key in keys:
        enqueue_message(session, topic=topic, idempotency_key=key, payload={"key": key})
    session.commit()
    return keys


def states(session) -> Counter[str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return Counter(message.state for message in session.exec(select(OutboxMessage)))


def drain(worker: OutboxWorker) -> None:
    while worker.run_once():
        pass


def test_a_message_enqueued_in_a_rolled_back_transaction_never_leaves(session, db) -> None:  # type: ignore[no-untyped-def]
    enqueue_message(session, topic=TOPIC, idempotency_key="k", payload={})
    session.rollback()
    delivered: list[Delivery] = []
    drain(OutboxWorker(db, {TOPIC: delivered.append}, FAST))
    assert delivered == [] and states(session) == Counter()


def test_the_same_idempotency_key_twice_is_one_message_delivered_once(session, db) -> None:  # type: ignore[no-untyped-def]
    assert enqueue_message(session, topic=TOPIC, idempotency_key="once", payload={"n": 1}) is True
    assert enqueue_message(session, topic=TOPIC, idempotency_key="once", payload={"n": 2}) is False
    session.commit()
    delivered: list[Delivery] = []
    drain(OutboxWorker(db, {TOPIC: delivered.append}, FAST))
    assert [(d.idempotency_key, d.payload, d.attempt) for d in delivered] == [("once", {"n": 1}, 1)]
    assert states(session) == Counter({OutboxState.delivered: 1})


def test_a_topic_without_a_consumer_waits_instead_of_failing(session, db) -> None:  # type: ignore[no-untyped-def]
    enqueue(session, 3, topic="email.invitation")
    drain(OutboxWorker(db, {TOPIC: lambda _d: None}, FAST))
    assert states(session) == Counter({OutboxState.pending: 3})


def test_a_failing_consumer_is_retried_with_growing_delays_then_the_message_is_dead(session, db) -> None:  # type: ignore[no-untyped-def]
    enqueue(session, 1)
    attempts: list[int] = []

    def refuse(delivery: Delivery) -> None:
        attempts.append(delivery.attempt)
        raise ConnectionError("smtp server said 421")

    worker = OutboxWorker(
        db, {TOPIC: refuse}, WorkerPolicy(max_attempts=3, backoff_base=timedelta(seconds=5), poll_interval=0.01)
    )
    delays = []
    for _ in range(3):
        message = session.exec(select(OutboxMessage)).one()
        session.expire_all()
        before = message.next_attempt_at
        assert worker.run_once() == 1
        session.expire_all()
        message = session.exec(select(OutboxMessage)).one()
        delays.append(round((message.next_attempt_at - before).total_seconds()))
        assert worker.run_once() == 0, "a failed message waits for its backoff"
        message.next_attempt_at = before  # let the clock move on
        session.add(message)
        session.commit()
    message = session.exec(select(OutboxMessage)).one()
    assert attempts == [1, 2, 3]
    assert message.state == OutboxState.dead and message.attempts == 3
    assert message.last_error == "ConnectionError: smtp server said 421"
    assert delays[0] >= 5 and delays[1] >= 10  # 5 s then 10 s: exponential


def test_admins_see_dead_messages_and_can_retry_them(admin_client, session, db) -> None:  # type: ignore[no-untyped-def]
    enqueue(session, 1)

    def refuse(_delivery: Delivery) -> None:
        raise TimeoutError("record store did not answer")

    drain(OutboxWorker(db, {TOPIC: refuse}, WorkerPolicy(max_attempts=1)))
    page = admin_client.get("/admin/outbox")
    assert "TimeoutError: record store did not answer" in page.text and "Dead (1)" in page.text
    message = session.exec(select(OutboxMessage)).one()
    response = admin_client.post(f"/admin/outbox/{message.id}/retry", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 200
    assert states(session) == Counter({OutboxState.pending: 1})
    retried = session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).one()
    assert retried.actor_label == "A1" and retried.subject == f"outbox:{message.id}"
    delivered: list[Delivery] = []
    drain(OutboxWorker(db, {TOPIC: delivered.append}, FAST))
    assert [d.attempt for d in delivered] == [1]


def test_two_workers_side_by_side_deliver_each_message_exactly_once(session, db) -> None:  # type: ignore[no-untyped-def]
    keys = enqueue(session, 120)
    delivered: list[str] = []
    lock = threading.Lock()

    def record(delivery: Delivery) -> None:
        time.sleep(0.001)
        with lock:
            delivered.append(delivery.idempotency_key)

    workers = [OutboxWorker(db, {TOPIC: record}, FAST) for _ in range(2)]
    threads = [threading.Thread(target=drain, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(delivered) == keys
    assert states(session) == Counter({OutboxState.delivered: 120})


def _wait_for(condition, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _start_worker_process(settings, tmp_path: Path, sink: Path, *, delay: float, lease: float, first: int):  # type: ignore[no-untyped-def]
    """A real worker in its own process, returned once it has delivered `first` messages."""
    child = multiprocessing.get_context("spawn").Process(
        target=run_worker, args=(settings.database_url, str(tmp_path), str(sink), delay, lease)
    )
    child.start()
    _wait_for(lambda: len(_lines(sink)) >= first, "the first deliveries")
    return child


def test_a_worker_killed_mid_batch_loses_nothing_and_an_idempotent_consumer_applies_each_message_once(
    settings, session, db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    keys = enqueue(session, 60)
    sink = tmp_path / "sink.txt"
    child = _start_worker_process(settings, tmp_path, sink, delay=0.02, lease=1.0, first=15)
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    delivered_before_kill = len(_lines(sink))
    assert delivered_before_kill < len(keys), "the kill came after the whole outbox was delivered"
    claimed = session.exec(select(OutboxMessage).where(OutboxMessage.claimed_by.is_not(None))).all()  # type: ignore[union-attr]
    assert claimed, "the worker was killed holding a claimed batch"

    time.sleep(1.1)  # the dead worker's lease runs out
    drain(OutboxWorker(db, {TOPIC: file_sink(sink)}, FAST))

    deliveries = _lines(sink)
    applied = list(dict.fromkeys(deliveries))  # what an idempotent consumer keeps: each key once
    assert sorted(applied) == keys, "a message was lost"
    assert len(deliveries) - len(applied) <= 1, "only the message in hand at the kill may come twice"
    assert states(session) == Counter({OutboxState.delivered: 60})


def test_a_worker_asked_to_stop_hands_back_its_claims_and_exits(settings, session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    enqueue(session, 30)
    sink = tmp_path / "sink.txt"
    child = _start_worker_process(settings, tmp_path, sink, delay=0.05, lease=60.0, first=3)
    os.kill(child.pid, signal.SIGTERM)  # type: ignore[arg-type]
    child.join(timeout=30)
    assert child.exitcode == 0
    session.expire_all()
    messages = session.exec(select(OutboxMessage)).all()
    assert all(message.claimed_by is None for message in messages), "claims were left behind"
    delivered = {message.idempotency_key for message in messages if message.state == OutboxState.delivered}
    assert delivered == set(_lines(sink)) and len(delivered) < 30


def test_cooc_worker_starts_and_stops_cleanly_on_sigterm(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    environment = {**os.environ, "COOC_DATABASE_URL": settings.database_url, "COOC_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "worker"],
        cwd=PROJECT_ROOT,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    started = process.stderr.readline()
    assert "started" in started, started
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert "stopped" in process.stderr.read()


def test_cooc_serve_on_sqlite_drains_the_outbox_in_process(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The embedded worker: the zero-configuration set-up needs no second process."""
    from fastapi.testclient import TestClient

    import app.main as main_module

    delivered: list[str] = []
    monkeypatch.setattr(main_module, "outbox_consumers", lambda *_args: {TOPIC: lambda d: delivered.append(d.idempotency_key)})
    embedded = settings.model_copy(update={"embedded_worker": True, "outbox_poll_seconds": 0.02})
    application = main_module.create_app(embedded)
    with TestClient(application):
        with application.state.db.session() as session:
            enqueue(session, 3)
        _wait_for(lambda: len(delivered) == 3, "the embedded worker")
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("worker-")]
    application.state.db.dispose()


def test_chores_run_once_per_interval_and_a_failing_chore_does_not_stop_the_others(db) -> None:  # type: ignore[no-untyped-def]
    ran: list[str] = []

    def broken() -> None:
        ran.append("broken")
        raise RuntimeError("database away")

    def purge() -> None:
        ran.append("purge")

    worker = OutboxWorker(db, {}, WorkerPolicy(chore_interval=3600), [broken, purge])
    worker.run_due_chores()
    worker.run_due_chores()
    assert ran == ["broken", "purge"]
