"""Which consumer carries out each outbox topic, and which chores run, for `cooc worker` and the embedded worker.

A topic without a consumer stays pending: with no SMTP server configured, e-mails wait in the
outbox where admins can read them (development and small pilots), and a worker of an older
release never dead-letters a topic it does not know.
"""

from __future__ import annotations

import logging

from app.accounts.password_links import RESET_REQUEST_TOPIC, send_reset_link
from app.accounts.sign_in import purge_expired_sign_in_records
from app.config import Settings
from app.db import Database
from app.events.worker import Chore, Consumer, Delivery
from app.mail import EMAIL_TOPIC, OutgoingMail, send_mail


def outbox_consumers(settings: Settings, db: Database) -> dict[str, Consumer]:
    def reset_requested(delivery: Delivery) -> None:
        with db.session() as session:
            send_reset_link(session, settings, delivery)

    consumers: dict[str, Consumer] = {RESET_REQUEST_TOPIC: reset_requested}
    if settings.smtp_host:

        def deliver_mail(delivery: Delivery) -> None:
            send_mail(settings, OutgoingMail(**delivery.payload), delivery.idempotency_key)

        consumers[EMAIL_TOPIC] = deliver_mail
    return consumers


def housekeeping_chores(settings: Settings, db: Database) -> list[Chore]:
    """What the worker deletes on schedule, so that the privacy notice's retention periods hold."""

    def purge_sign_in_records() -> None:
        with db.session() as session:
            sessions, throttles = purge_expired_sign_in_records(session, settings)
        if sessions or throttles:
            logging.getLogger("cooc.worker").info("deleted %s ended sessions, %s stale throttle records", sessions, throttles)

    return [purge_sign_in_records]
