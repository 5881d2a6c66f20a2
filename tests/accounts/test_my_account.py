"""My account: change the password (current one required), see where I am signed in, end the other sessions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import AuthSession
from app.events.models import AuditEvent
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_PASSWORD


def _second_device(app, email: str) -> TestClient:  # type: ignore[no-untyped-def]
    device = TestClient(app, headers={"user-agent": "Mozilla/5.0 (iPhone) Safari"})
    sign_in(device, email)
    return device


def test_i_see_my_sessions_and_can_end_the_others(app, learner_client, learner, session) -> None:  # type: ignore[no-untyped-def]
    phone = _second_device(app, learner.email)
    page = learner_client.get("/account")
    assert "Mozilla/5.0 (iPhone) Safari" in page.text and "(this session)" in page.text
    learner_client.post("/account/sessions/end-others", data={"csrf_token": csrf_from(page.text)})
    assert phone.get("/catalog", follow_redirects=False).status_code == 303, "the phone is signed out"
    assert learner_client.get("/catalog").status_code == 200, "this browser stays signed in"
    session.expire_all()
    assert len(session.exec(select(AuthSession)).all()) == 1


def test_changing_my_password_needs_the_current_one_and_ends_my_other_sessions(app, learner_client, learner, session) -> None:  # type: ignore[no-untyped-def]
    phone = _second_device(app, learner.email)
    token = csrf_from(learner_client.get("/account").text)
    form = {
        "csrf_token": token,
        "current_password": "not-my-password",
        "password": "river-stone-lantern",
        "password_again": "river-stone-lantern",
    }
    wrong = learner_client.post("/account/password", data=form)
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    weak = learner_client.post(
        "/account/password",
        data={**form, "current_password": TEST_PASSWORD, "password": "password1234", "password_again": "password1234"},
    )
    assert weak.status_code == 400 and "among the most common" in weak.text
    changed = learner_client.post("/account/password", data={**form, "current_password": TEST_PASSWORD})
    assert changed.status_code == 200 and "Your password is changed." in changed.text
    assert phone.get("/catalog", follow_redirects=False).status_code == 303
    assert learner_client.get("/catalog").status_code == 200
    fresh = TestClient(app)
    sign_in(fresh, learner.email, "river-stone-lantern")
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "employee.password_changed")).one()
    assert audit.actor_label == learner.employee_id and audit.payload["sessions_ended"] == 1
