"""An admin imports the directory and invites a department; a new employee follows the e-mail's link."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from app.consumers import outbox_consumers
from app.events.worker import OutboxWorker
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_learner_journey import sign_in
from tests.smtp import running_smtp_server, text_of


def test_import_invite_read_the_email_choose_a_password_and_sign_in(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    app = live_server.app
    plain_settings = app.state.settings  # type: ignore[attr-defined]
    directory = tmp_path / "hr.csv"
    directory.write_text(
        "employee_id;name;email;department;language;role\n"
        "INV1;Inès Vermeulen;ines.vermeulen@example.com;Claims;nl;learner\n"
        "INV2;Jan Peeters;jan.peeters@example.com;Claims;fr;learner\n",
        encoding="utf-8",
    )
    with running_smtp_server(refuse_first=1) as (inbox, port):
        mail_settings = plain_settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none", "public_url": live_server.url}
        )
        app.state.settings = mail_settings  # type: ignore[attr-defined]
        try:
            sign_in(page, live_server, live_server.add_user("INVADMIN", roles={"admin"}))
            page.goto(f"{live_server.url}/admin/employees")
            page.get_by_label("HR directory file (CSV, UTF-8)").set_input_files(str(directory))
            page.get_by_role("button", name="Import").click()
            expect(page.get_by_role("status")).to_contain_text("2 created")

            page.goto(f"{live_server.url}/admin/invitations")
            page.get_by_label("A department (its name)").check()
            page.get_by_label("Employee id or department").fill("Claims")
            page.get_by_role("button", name="Send the invitations").click()
            expect(page.get_by_role("status")).to_contain_text("2 invitations are on their way.")
            screenshot(page, "admin-invitations")

            worker = OutboxWorker(app.state.db, outbox_consumers(mail_settings, app.state.db))  # type: ignore[attr-defined]
            while worker.run_once() or len(inbox.messages) < 2:
                with app.state.db.engine.begin() as connection:  # type: ignore[attr-defined]
                    connection.exec_driver_sql("UPDATE outbox_message SET next_attempt_at = created_at")  # retry now
            ines = next(message for message in inbox.messages if message["To"] == "ines.vermeulen@example.com")
            assert ines["Subject"] == "Uw cooc-account: kies een wachtwoord"
            link = re.search(rf"{re.escape(live_server.url)}/invitations/\S+", text_of(ines))
            assert link, text_of(ines)
        finally:
            app.state.settings = plain_settings  # type: ignore[attr-defined]

    page.get_by_role("button", name="Sign out").click()
    page.goto(link.group(0))
    expect(page.locator("h1")).to_have_text("Kies uw wachtwoord")
    page.get_by_label("Nieuw wachtwoord").fill("tulpen-in-de-regen-42")
    page.get_by_label("Hetzelfde wachtwoord nog eens").fill("tulpen-in-de-regen-42")
    page.get_by_role("button", name="Mijn wachtwoord opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Uw wachtwoord is opgeslagen")
    screenshot(page, "invitation-accepted")
    page.get_by_label("E-mail of personeelsnummer").fill("ines.vermeulen@example.com")
    page.get_by_label("Wachtwoord").fill("tulpen-in-de-regen-42")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(re.compile(r"/catalog$"))
