"""A worker process for the outbox tests: delivers to a file sink, slowly, until killed or stopped."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

from app.db import Database
from app.events.worker import Delivery, OutboxWorker, WorkerPolicy
from tests.conftest import make_settings

TOPIC = "test.sink"


def file_sink(path: Path, delay: float = 0.0):  # type: ignore[no-untyped-def]
    """A consumer that appends each delivery's idempotency key to a file, durably."""

    def deliver(delivery: Delivery) -> None:
        time.sleep(delay)
        with path.open("a") as handle:
            handle.write(delivery.idempotency_key + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    return deliver


def run_worker(database_url: str, data_dir: str, sink: str, delay: float, lease_seconds: float) -> None:
    db = Database(make_settings(database_url, Path(data_dir)))
    policy = WorkerPolicy(batch_size=10, lease=timedelta(seconds=lease_seconds), poll_interval=0.05)
    worker = OutboxWorker(db, {TOPIC: file_sink(Path(sink), delay)}, policy)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: worker.stop())
    worker.run()
    db.dispose()
