"""GDPR export: everything cooc holds about one person, for admins only, audited, without secrets."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import select

from app.events.models import AuditEvent
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_PASSWORD


def test_admin_exports_a_persons_data_as_json_without_any_secret_and_the_export_is_audited(  # type: ignore[no-untyped-def]
    app, admin_client, learner, session, sample_module
) -> None:
    with TestClient(app) as learner_client:
        sign_in(learner_client, learner.email)
        page = learner_client.get("/modules/sample-module/lessons/passwords")
        learner_client.post("/modules/sample-module/lessons/passwords/done", data={"csrf_token": csrf_from(page.text)})

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
