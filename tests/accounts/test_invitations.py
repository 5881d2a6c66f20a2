"""Invitations by e-mail, through a real SMTP server (aiosmtpd), to choosing a password and signing in."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app.accounts.models import PasswordLink as Invitation
from app.accounts.password_links import InvitationTarget, invite
from app.consumers import outbox_consumers
from app.events.models import OutboxMessage, OutboxState
from app.events.worker import OutboxWorker, WorkerPolicy
from app.mail import EMAIL_TOPIC
from app.main import RedactSecretPaths
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_ACTOR, make_user
from tests.smtp import SmtpInbox, running_smtp_server, text_of

LINK = re.compile(r"http://cooc\.example/invitations/([A-Za-z0-9_-]+)")


@pytest.fixture
def inbox() -> Iterator[tuple[SmtpInbox, int]]:
    with running_smtp_server(refuse_first=1) as server:
        yield server


@pytest.fixture
def mail_settings(settings, inbox):  # type: ignore[no-untyped-def]
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_security": "none", "public_url": "http://cooc.example"}
    )


def _deliver(db, settings) -> int:  # type: ignore[no-untyped-def]
    worker = OutboxWorker(db, outbox_consumers(settings, db), WorkerPolicy(backoff_base=timedelta(0)))
    return worker.run_once()


def _invite(client, **form) -> str:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/admin/invitations").text)
    return client.post("/admin/invitations", data={"csrf_token": token, **form}).text


def test_an_invited_employee_gets_one_email_in_their_language_and_signs_in_with_the_password_they_chose(
    app, client, admin_user, session, db, mail_settings, inbox
) -> None:  # type: ignore[no-untyped-def]
    server, _ = inbox
    app.state.settings = mail_settings
    make_user(session, mail_settings, employee_id="E7", email="eva@example.com", name="Eva", language="fr", password=None)
    sign_in(client, admin_user.email)
    assert "1 invitation is on its way." in _invite(client, target="employee", value="E7")

    assert _deliver(db, mail_settings) == 1  # the server refuses the first try
    assert server.messages == []
    assert _deliver(db, mail_settings) == 1
    assert _deliver(db, mail_settings) == 0
    (message,) = server.messages
    assert message["To"] == "eva@example.com" and message["Subject"] == "Votre compte cooc\u202f: choisissez un mot de passe"
    text = text_of(message)
    assert "Bonjour Eva," in text
    link = LINK.search(text)
    assert link, text
    raw = link.group(1)
    assert session.exec(select(OutboxMessage)).one().state == OutboxState.delivered
    assert raw not in str(session.exec(select(Invitation)).one().model_dump())

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/catalog").text)})
    page = client.get(f"/invitations/{raw}")
    assert page.status_code == 200 and "eva@example.com" in page.text
    form = {"csrf_token": csrf_from(page.text), "password": "quiet-harbour-lantern", "password_again": "quiet-harbour-lantern"}
    saved = client.post(f"/invitations/{raw}", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/login?welcome=1"
    sign_in(client, "eva@example.com", "quiet-harbour-lantern")
    assert client.get("/catalog").status_code == 200

    again = client.get(f"/invitations/{raw}")
    assert again.status_code == 410 and "Ce lien a déjà servi" in again.text, "in Eva’s language"


def _invitation_link(session) -> str:  # type: ignore[no-untyped-def]
    """The newest invitation's link, as the e-mail waiting in the outbox carries it."""
    messages = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
    found = LINK_PATH.search(messages[-1].payload["text"])
    assert found
    return found.group(1)


LINK_PATH = re.compile(r"/invitations/([A-Za-z0-9_-]+)")


def test_weak_or_mismatched_passwords_are_refused_and_the_link_stays_usable(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="E8", email="bart.peeters@example.com", password=None)
    invite(session, settings, TEST_ACTOR, InvitationTarget.employee, "E8")
    raw = _invitation_link(session)
    token = csrf_from(client.get(f"/invitations/{raw}").text)
    for password, again, expected in [
        ("short-one", "short-one", "at least 12 characters"),
        ("password1234", "password1234", "among the most common"),
        ("bart.peeters-2026!", "bart.peeters-2026!", "must not contain your e-mail name"),
        ("quiet-harbour-lantern", "quiet-harbour-lanterns", "The two passwords differ."),
    ]:
        refused = client.post(f"/invitations/{raw}", data={"csrf_token": token, "password": password, "password_again": again})
        assert refused.status_code == 400 and expected in refused.text, password
    session.expire_all()
    assert session.exec(select(Invitation)).one().used_at is None


def test_expired_replaced_tampered_and_deactivated_links_say_so_and_change_nothing(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    user = make_user(session, settings, employee_id="E9", email="e9@example.com", password=None)
    invite(session, settings, TEST_ACTOR, InvitationTarget.employee, "E9")
    first = _invitation_link(session)
    invite(session, settings, TEST_ACTOR, InvitationTarget.employee, "E9")
    second = _invitation_link(session)
    assert first != second
    replaced = client.get(f"/invitations/{first}")
    assert replaced.status_code == 410 and "A newer link was sent" in replaced.text
    tampered = client.get(f"/invitations/{second[:-2]}xx")
    assert tampered.status_code == 404 and "not valid" in tampered.text

    newest = session.exec(select(Invitation).where(Invitation.replaced_at.is_(None))).one()  # type: ignore[union-attr]
    newest.expires_at = newest.created_at - timedelta(seconds=1)
    session.add(newest)
    session.commit()
    expired = client.get(f"/invitations/{second}")
    assert expired.status_code == 410 and "has expired" in expired.text
    token = csrf_from(client.get("/login").text)
    posted = client.post(
        f"/invitations/{second}",
        data={"csrf_token": token, "password": "quiet-harbour-lantern", "password_again": "quiet-harbour-lantern"},
    )
    assert posted.status_code == 410

    newest.expires_at = newest.created_at + timedelta(days=7)
    user.is_active = False
    session.add_all([newest, user])
    session.commit()
    inactive = client.get(f"/invitations/{second}")
    assert inactive.status_code == 410 and "not active" in inactive.text
    session.expire_all()
    assert session.get(type(user), user.id).password_hash is None


def test_invite_a_department_or_everyone_without_a_password_from_the_command_line(settings, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    make_user(session, settings, employee_id="F1", email="f1@example.com", department="Finance", password=None)
    make_user(session, settings, employee_id="F2", email="f2@example.com", department="Finance", password=None)
    make_user(session, settings, employee_id="I1", email="i1@example.com", department="IT", password=None)
    make_user(session, settings, employee_id="I2", email="i2@example.com", department="IT")
    result = CliRunner().invoke(cli_module.cli, ["invite", "--department", "Finance"])
    assert result.exit_code == 0 and "2 invitation(s) queued" in result.output
    result = CliRunner().invoke(cli_module.cli, ["invite", "--all-without-password"])
    assert result.exit_code == 0 and "3 invitation(s) queued" in result.output
    assert len(session.exec(select(OutboxMessage)).all()) == 5
    nobody = CliRunner().invoke(cli_module.cli, ["invite", "--department", "Nowhere"])
    assert nobody.exit_code == 1 and "nobody to invite" in nobody.output
    both = CliRunner().invoke(cli_module.cli, ["invite", "--department", "IT", "--all-without-password"])
    assert both.exit_code == 1


def test_without_smtp_the_email_waits_in_the_outbox_where_admins_can_read_it(admin_client, session, settings, db) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="N1", email="n1@example.com", name="Noor", language="nl", password=None)
    _invite(admin_client, target="employee", value="N1")
    assert EMAIL_TOPIC not in outbox_consumers(settings, db)
    page = admin_client.get("/admin/outbox?state=pending")
    assert "n1@example.com: Uw cooc-account: kies een wachtwoord" in page.text and "Beste Noor," in page.text


def test_invitation_links_never_reach_the_access_log() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", "/invitations/s3cr3t-token?x=1", "1.1", 200),
        None,
    )
    RedactSecretPaths().filter(record)
    assert "s3cr3t" not in record.getMessage() and "/invitations/…?x=1" in record.getMessage()
