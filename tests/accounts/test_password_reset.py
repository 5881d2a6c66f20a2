"""Forgot password: the same answer for every address, a one-hour link by e-mail, everyone signed out."""

from __future__ import annotations

import re

from sqlmodel import select

from app.accounts.models import AuthSession, LinkPurpose, PasswordLink
from app.consumers import outbox_consumers
from app.events.models import OutboxMessage
from app.events.worker import OutboxWorker
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_PASSWORD

RESET_LINK = re.compile(r"/password-reset/([A-Za-z0-9_-]+)")


def _ask(client, email: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/password-reset").text)
    return client.post("/password-reset", data={"csrf_token": token, "email": email})


def _drain(db, settings) -> None:  # type: ignore[no-untyped-def]
    worker = OutboxWorker(db, outbox_consumers(settings, db))
    while worker.run_once():
        pass


def test_an_unknown_and_a_known_address_get_the_same_answer(client, learner, session, settings, db) -> None:  # type: ignore[no-untyped-def]
    known, unknown = _ask(client, learner.email.upper()), _ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    strip = lambda page: re.sub(r'value="[^"]+"', "", page)  # noqa: E731 - the CSRF token differs, nothing else may
    assert strip(known.text) == strip(unknown.text)
    assert "If this address belongs to an account" in known.text
    assert len(session.exec(select(OutboxMessage)).all()) == 2, "both requests are queued alike"
    _drain(db, settings)
    session.expire_all()
    links = session.exec(select(PasswordLink)).all()
    assert [(link.user_id, link.purpose) for link in links] == [(learner.id, LinkPurpose.reset)]


def test_a_reset_link_sets_a_new_password_once_and_signs_out_everywhere(client, learner, session, settings, db) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    other_device = TestClient(client.app)
    sign_in(other_device, learner.email)
    _ask(client, learner.email)
    _drain(db, settings)
    mail = next(m for m in session.exec(select(OutboxMessage)) if m.topic == "email")
    assert mail.payload["to"] == learner.email and mail.payload["subject"] == "Reset your cooc password"
    raw = RESET_LINK.search(mail.payload["text"]).group(1)  # type: ignore[union-attr]
    page = client.get(f"/password-reset/{raw}")
    assert page.status_code == 200 and "choose a new password" in page.text
    form = {"csrf_token": csrf_from(page.text), "password": "new-quiet-harbour", "password_again": "new-quiet-harbour"}
    assert client.post(f"/password-reset/{raw}", data=form, follow_redirects=False).status_code == 303
    session.expire_all()
    assert session.exec(select(AuthSession).where(AuthSession.user_id == learner.id)).all() == []
    assert other_device.get("/catalog", follow_redirects=False).status_code == 303, "the other device is signed out"
    sign_in(client, learner.email, "new-quiet-harbour")
    assert client.get(f"/password-reset/{raw}").status_code == 410
    assert client.get(f"/invitations/{raw}").status_code == 404, "a reset link is no invitation"


def test_reset_requests_are_throttled_per_address_without_saying_so(client, learner, session, settings, db) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.password_reset_max_per_address + 2):
        assert "If this address belongs to an account" in _ask(client, learner.email).text
    _drain(db, settings)
    session.expire_all()
    emails = [m for m in session.exec(select(OutboxMessage)) if m.topic == "email"]
    assert len(emails) == settings.password_reset_max_per_address
    sign_in(client, learner.email, TEST_PASSWORD)  # the password is untouched by requests alone
