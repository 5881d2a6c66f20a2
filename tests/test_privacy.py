"""GDPR rights of a person: the export of everything held (admins only, audited, no secrets) and erasure."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.events.models import AuditEvent
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_PASSWORD


def learner_does_a_lesson(client: TestClient, email: str) -> None:
    sign_in(client, email)
    page = client.get("/modules/sample-module/lessons/passwords")
    client.post("/modules/sample-module/lessons/passwords/done", data={"csrf_token": csrf_from(page.text)})


def test_admin_exports_a_persons_data_as_json_without_any_secret_and_the_export_is_audited(  # type: ignore[no-untyped-def]
    app, admin_client, learner, session, sample_module
) -> None:
    with TestClient(app) as learner_client:
        learner_does_a_lesson(learner_client, learner.email)

    person = admin_client.get(f"/admin/people/{learner.employee_id}")
    response = admin_client.post(f"/admin/people/{learner.employee_id}/export", data={"csrf_token": csrf_from(person.text)})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    document = json.loads(response.text)
    assert document["accounts"]["employee"][0]["email"] == learner.email
    assert [row["lesson_slug"] for row in document["progress"]["lessons_done"]] == ["passwords"]
    assert len(document["accounts"]["sign_in_sessions"]) == 1
    assert any(row["action"] == "employee.created" for row in document["audit_log"])
    assert "password_hash" not in response.text and "token_hash" not in response.text and TEST_PASSWORD not in response.text
    exported = session.exec(select(AuditEvent).where(AuditEvent.action == "employee.personal_data_exported")).one()
    assert exported.subject == f"employee:{learner.employee_id}" and exported.actor_kind == "person"


def test_a_learner_cannot_export_anyone_not_even_themselves(learner_client, learner) -> None:  # type: ignore[no-untyped-def]
    own = learner_client.get("/account")
    denied = learner_client.post(f"/admin/people/{learner.employee_id}/export", data={"csrf_token": csrf_from(own.text)})
    assert denied.status_code == 403 and learner.email not in denied.text


def test_export_needs_the_csrf_token_and_an_existing_person(admin_client, learner) -> None:  # type: ignore[no-untyped-def]
    assert admin_client.post(f"/admin/people/{learner.employee_id}/export", data={}).status_code == 403
    person = admin_client.get(f"/admin/people/{learner.employee_id}")
    missing = admin_client.post("/admin/people/NOBODY/export", data={"csrf_token": csrf_from(person.text)})
    assert missing.status_code == 404


def test_erasing_a_person_removes_who_they_were_and_keeps_anonymous_completions(  # type: ignore[no-untyped-def]
    app, admin_client, learner, session, settings, sample_module
) -> None:
    from app.accounts.models import AuthSession, User
    from app.accounts.sign_in import LoginRefused, log_in
    from app.progress.models import LessonCompletion

    with TestClient(app) as learner_client:
        learner_does_a_lesson(learner_client, learner.email)

        person = admin_client.get(f"/admin/people/{learner.employee_id}")
        token = csrf_from(person.text)
        wrong = admin_client.post(f"/admin/people/{learner.employee_id}/erase", data={"csrf_token": token, "confirm": "L"})
        assert wrong.status_code == 400 and session.exec(select(User).where(User.email == learner.email)).first() is not None

        erased = admin_client.post(
            f"/admin/people/{learner.employee_id}/erase", data={"csrf_token": token, "confirm": learner.employee_id}
        )
        assert erased.status_code == 200 and "Erased employee" in erased.text
        assert learner_client.get("/catalog", follow_redirects=False).status_code in (302, 303)  # signed out at once

    session.expire_all()
    user = session.get(User, learner.id)
    assert (user.employee_id, user.name, user.is_active, user.password_hash) == (
        f"erased-{learner.id}",
        "Erased employee",
        False,
        None,
    )
    assert user.department == learner.department
    assert session.exec(select(AuthSession).where(AuthSession.user_id == learner.id)).first() is None
    assert len(session.exec(select(LessonCompletion).where(LessonCompletion.user_id == learner.id)).all()) == 1
    audit = session.exec(select(AuditEvent)).all()
    assert all(learner.employee_id not in (entry.subject, entry.actor_label) for entry in audit)
    assert all(learner.email not in json.dumps(entry.payload) + entry.subject for entry in audit)
    assert any(entry.action == "employee.erased" and entry.subject == f"employee:erased-{learner.id}" for entry in audit)
    with pytest.raises(LoginRefused):
        log_in(session, settings, learner.email, TEST_PASSWORD, "127.0.0.1")


def test_an_admin_cannot_erase_themselves_and_learners_cannot_erase_anyone(admin_client, admin_user, session) -> None:  # type: ignore[no-untyped-def]
    from app.accounts.models import User

    person = admin_client.get(f"/admin/people/{admin_user.employee_id}")
    refused = admin_client.post(
        f"/admin/people/{admin_user.employee_id}/erase",
        data={"csrf_token": csrf_from(person.text), "confirm": admin_user.employee_id},
    )
    assert refused.status_code == 400
    session.expire_all()
    assert session.get(User, admin_user.id).name == admin_user.name


def test_a_learner_cannot_erase_anyone(learner_client, learner, session) -> None:  # type: ignore[no-untyped-def]
    from app.accounts.models import User

    own = learner_client.get("/account")
    denied = learner_client.post(
        f"/admin/people/{learner.employee_id}/erase", data={"csrf_token": csrf_from(own.text), "confirm": learner.employee_id}
    )
    assert denied.status_code == 403
    session.expire_all()
    assert session.get(User, learner.id).is_active


def test_the_person_page_offers_export_and_erasure_once_and_keeps_its_title(admin_client, learner) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get(f"/admin/people/{learner.employee_id}").text
    assert f"<title>{learner.name}" in page
    assert page.count(f'action="/admin/people/{learner.employee_id}/export"') == 1
    assert page.count(f'action="/admin/people/{learner.employee_id}/erase"') == 1


def test_wave_answers_are_exported_and_erased_with_the_person(admin_client, learner, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    from app.mentoring.models import WaveParticipant
    from app.mentoring.service import create_wave, import_answers
    from tests.factories import TEST_ACTOR

    wave = create_wave(session, TEST_ACTOR, "Wave 1")
    import_answers(session, TEST_ACTOR, wave, "employee_id,side,languages,capacity,sample-module\nL1,mentee,fr,1,4\n")
    token = csrf_from(admin_client.get(f"/admin/people/{learner.employee_id}").text)
    document = json.loads(admin_client.post(f"/admin/people/{learner.employee_id}/export", data={"csrf_token": token}).text)
    assert document["mentoring"]["waves"][0]["scores"] == {"sample-module": 4}
    token = csrf_from(admin_client.get(f"/admin/people/{learner.employee_id}").text)
    admin_client.post(f"/admin/people/{learner.employee_id}/erase", data={"csrf_token": token, "confirm": learner.employee_id})
    session.expire_all()
    assert session.exec(select(WaveParticipant)).first() is None
