"""People management for admins: search and filters, add one person, roles, deactivation, invitations."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.directory import import_employees
from app.accounts.models import AuthSession, User
from app.events.models import AuditEvent, OutboxMessage
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_ACTOR

DIRECTORY = "employee_id,name,email,department,language,role\n" + "".join(
    f"P{n:03d},Person {n:03d},p{n}@example.com,{'Finance' if n % 2 else 'IT'},en,{'mentor' if n % 10 == 0 else 'learner'}\n"
    for n in range(120)
)


def test_search_filters_and_pages_over_the_directory(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    import_employees(session, TEST_ACTOR, DIRECTORY, source="test")
    everyone = admin_client.get("/admin/people")
    assert "People found: 121" in everyone.text and "Page 1 of 3" in everyone.text
    assert "People found: 1" in admin_client.get("/admin/people", params={"q": "P007"}).text
    assert "People found: 1" in admin_client.get("/admin/people", params={"q": "P7@EXAMPLE.COM"}).text
    assert "People found: 61" in admin_client.get("/admin/people", params={"q": "Finance"}).text, "with the admin"
    assert "People found: 10" in admin_client.get("/admin/people", params={"q": "person 01"}).text
    assert "People found: 12" in admin_client.get("/admin/people", params={"role": "mentor"}).text
    assert "People found: 1" in admin_client.get("/admin/people", params={"signed_in": "yes"}).text, "only the admin signed in"
    assert "People found: 120" in admin_client.get("/admin/people", params={"signed_in": "no"}).text
    assert "People found: 0" in admin_client.get("/admin/people", params={"q": "%"}).text, "a wildcard is a plain character"


def test_an_admin_adds_one_person_who_is_invited(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/people")
    form = {
        "csrf_token": csrf_from(page.text),
        "employee_id": "X1",
        "name": "Xavier",
        "email": "Xavier@Example.com",
        "department": "Legal",
        "language": "fr",
    }
    added = admin_client.post("/admin/people", data=form, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/admin/people/X1"
    assert "Xavier" in admin_client.get("/admin/people/X1").text
    assert session.exec(select(OutboxMessage)).one().payload["to"] == "xavier@example.com"
    again = admin_client.post("/admin/people", data=form)
    assert again.status_code == 400 and "exists already" in again.text


def test_deactivating_signs_the_person_out_at_once_and_reactivating_lets_them_back(app, admin_client, learner, session) -> None:  # type: ignore[no-untyped-def]
    learner_device = TestClient(app)
    sign_in(learner_device, learner.email)
    token = csrf_from(admin_client.get(f"/admin/people/{learner.employee_id}").text)
    admin_client.post(f"/admin/people/{learner.employee_id}/active", data={"csrf_token": token, "active": "false"})
    assert learner_device.get("/catalog", follow_redirects=False).status_code == 303
    session.expire_all()
    assert session.exec(select(AuthSession).where(AuthSession.user_id == learner.id)).all() == []
    assert session.get(User, learner.id).is_active is False
    assert "deactivated" in admin_client.get(f"/admin/people/{learner.employee_id}").text
    admin_client.post(f"/admin/people/{learner.employee_id}/active", data={"csrf_token": token, "active": "true"})
    sign_in(learner_device, learner.email)
    actions = [
        event.action for event in session.exec(select(AuditEvent).where(AuditEvent.subject == f"employee:{learner.employee_id}"))
    ]
    assert actions[-2:] == ["employee.deactivated", "employee.reactivated"]


def test_roles_are_granted_and_removed_but_an_admin_keeps_their_own(admin_client, admin_user, learner, session) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(admin_client.get(f"/admin/people/{learner.employee_id}").text)
    admin_client.post(f"/admin/people/{learner.employee_id}/roles", data={"csrf_token": token, "roles": ["mentor"]})
    page = admin_client.get(f"/admin/people/{learner.employee_id}").text
    assert 'value="mentor" checked' in page
    change = session.exec(select(AuditEvent).where(AuditEvent.action == "employee.roles_changed")).one()
    assert change.payload["after"] == ["learner", "mentor"] and change.actor_label == admin_user.employee_id
    refused = admin_client.post(f"/admin/people/{admin_user.employee_id}/roles", data={"csrf_token": token, "roles": []})
    assert refused.status_code == 400 and "cannot remove your own admin role" in refused.text
    selfie = admin_client.post(f"/admin/people/{admin_user.employee_id}/active", data={"csrf_token": token, "active": "false"})
    assert selfie.status_code == 400 and "cannot deactivate your own account" in selfie.text


def test_a_new_invitation_replaces_the_earlier_link(admin_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_user

    make_user(session, settings, employee_id="NP1", email="np1@example.com", password=None)
    token = csrf_from(admin_client.get("/admin/people/NP1").text)
    for _ in range(2):
        response = admin_client.post("/admin/people/NP1/invitation", data={"csrf_token": token})
        assert "A new invitation is on its way" in response.text
    assert len(session.exec(select(OutboxMessage)).all()) == 2
    assert admin_client.get("/admin/people/NOBODY").status_code == 404


def test_a_persons_page_shows_their_progress_module_by_module(admin_client, learner, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    from app.catalog.service import Versions
    from app.progress.service import mark_lesson_done
    from tests.factories import as_learner

    module = Versions().current(session.connection(), sample_module)
    assert module is not None
    mark_lesson_done(session, as_learner(learner), module, "passwords")
    page = admin_client.get(f"/admin/people/{learner.employee_id}").text
    row = page[page.index("Sample security module") :]
    assert "25 %" in row[: row.index("</tr>")], "one step of four: three lessons and the quiz"
    untouched = admin_client.get("/admin/people/A1").text
    assert "0 %" in untouched[untouched.index("Sample security module") :]
