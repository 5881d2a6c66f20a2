"""The audit log: who did what, written with the change itself, visible to admins and on the command line."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

import app.accounts.events
import app.catalog.events
import app.events.service
from app.accounts.directory import EmployeeImportError, import_employees
from app.accounts.models import ApiToken
from app.accounts.tokens import create_api_token
from app.actor import Actor
from app.events.models import AuditEvent
from app.events.service import FORBIDDEN_PAYLOAD_WORDS, DomainEvent
from tests.accounts.test_employee_page import HEADER, upload
from tests.conftest import FIXTURE_MODULES, csrf_from
from tests.factories import TEST_ACTOR, TEST_PASSWORD


def audit(session, action: str | None = None) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)  # type: ignore[arg-type]
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query))


def test_creating_and_revoking_a_token_in_the_browser_is_audited_with_the_admin_as_actor(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/tokens")
    created = admin_client.post(
        "/admin/tokens", data={"csrf_token": csrf_from(page.text), "name": "bi", "scopes": ["reports:read"]}
    )
    raw = created.text.split('data-testid="new-token">')[1].split("<")[0]
    token = session.exec(select(ApiToken)).one()
    admin_client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(created.text)})

    events = [event for event in audit(session) if event.action.startswith("token.")]
    assert [(e.action, e.actor_kind, e.actor_label, e.subject) for e in events] == [
        ("token.created", "person", "A1", f"token:{token.id}"),
        ("token.revoked", "person", "A1", f"token:{token.id}"),
    ]
    assert events[0].payload == {"token_id": token.id, "name": "bi", "scopes": ["reports:read"]}
    assert raw not in json.dumps([e.payload for e in events]) and token.token_hash not in json.dumps([e.payload for e in events])


def test_an_employee_import_and_every_role_it_changes_are_audited(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    upload(
        admin_client, HEADER + "E1,Ann,ann@example.com,Finance,en,learner\nE2,Bo,bo@example.com,IT,fr,learner\n", name="hr.csv"
    )
    upload(admin_client, HEADER + "E1,Ann,ann@example.com,Finance,en,learner;mentor\nE2,Bo,bo@example.com,IT,fr,learner\n")
    imports = audit(session, "directory.imported")
    assert [e.payload for e in imports] == [
        {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "source": "upload hr.csv"},
        {"rows": 2, "created": 0, "updated": 1, "unchanged": 1, "source": "upload hr.csv"},
    ]
    (change,) = audit(session, "employee.roles_changed")
    assert change.subject == "employee:E1" and change.actor_label == "A1"
    assert change.payload == {"employee_id": "E1", "before": ["learner"], "after": ["learner", "mentor"]}


def test_a_module_import_from_the_command_line_is_audited_with_the_os_user(settings, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    monkeypatch.setattr("getpass.getuser", lambda: "deploy")
    result = CliRunner().invoke(cli_module.cli, ["import-modules", str(FIXTURE_MODULES / "sample-module")])
    assert result.exit_code == 0, result.output
    (published,) = audit(session, "module.published")
    assert (published.actor_kind, published.actor_label, published.subject) == ("cli", "deploy", "module:sample-module")
    assert published.payload == {"slug": "sample-module", "version": 1, "status": "created", "substantive": [], "quiz": False}


def test_a_sign_in_lock_out_is_audited_with_the_visitors_address(client, learner, session, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.login_max_failures):
        token = csrf_from(client.get("/login").text)
        client.post("/login", data={"login": learner.employee_id, "password": "wrong-password-1", "csrf_token": token})
    (locked,) = audit(session, "sign_in.locked")
    assert locked.actor_kind == "anonymous" and locked.actor_label == "testclient"
    assert locked.subject == f"account:{learner.id}" and locked.payload["seconds"] == settings.login_lockout_seconds
    assert TEST_PASSWORD not in json.dumps(locked.payload) and "wrong-password-1" not in json.dumps(locked.payload)


def test_a_failed_use_case_leaves_no_audit_row(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmployeeImportError):
        import_employees(session, TEST_ACTOR, HEADER + "E1,Ann,not-an-address,Finance,en,learner\n", source="test")
    session.rollback()
    assert audit(session) == []


def test_the_audit_row_is_in_the_same_transaction_as_the_change(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def crash() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(session, "commit", crash)
    with pytest.raises(OSError):
        create_api_token(session, TEST_ACTOR, "bi", ["catalog:read"])
    session.rollback()
    monkeypatch.undo()
    assert session.exec(select(ApiToken)).all() == [] and audit(session) == []


def test_no_event_type_can_carry_a_password_a_token_or_a_note() -> None:
    event_types = [
        value
        for module in (app.accounts.events, app.catalog.events, app.events.service)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, DomainEvent) and value is not DomainEvent
    ]
    assert len(event_types) >= 10
    for event_type in event_types:
        for field in dataclasses.fields(event_type):
            assert not any(word in field.name for word in FORBIDDEN_PAYLOAD_WORDS), f"{event_type.__name__}.{field.name}"


def _many_events(session, count: int) -> None:  # type: ignore[no-untyped-def]
    for number in range(count):
        create_api_token(session, Actor.command_line() if number % 2 else TEST_ACTOR, f"token {number:02d}", ["catalog:read"])


def test_the_admin_audit_page_filters_by_actor_action_and_date_and_pages(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    _many_events(session, 60)  # and the admin's own account was created: 61 events
    everything = admin_client.get("/admin/audit")
    assert "Events found: 61" in everything.text and "Page 1 of 2" in everything.text
    assert "token 59" in everything.text and "token 00" not in everything.text
    assert "token 00" in admin_client.get("/admin/audit?page=2").text

    by_actor = admin_client.get("/admin/audit", params={"actor": "cli:" + Actor.command_line().label})
    assert "Events found: 30" in by_actor.text and "token 00" not in by_actor.text and "token 01" in by_actor.text

    assert "Events found: 60" in admin_client.get("/admin/audit", params={"action": "token.created"}).text
    assert "Events found: 0" in admin_client.get("/admin/audit", params={"action": "token.revoked"}).text

    today = datetime.now(UTC).date()
    assert "Events found: 61" in admin_client.get("/admin/audit", params={"since": today.isoformat()}).text
    yesterday = (today - timedelta(days=1)).isoformat()
    assert "Events found: 0" in admin_client.get("/admin/audit", params={"until": yesterday}).text
    assert admin_client.get("/admin/audit", params={"since": "not-a-date"}).status_code == 400


def test_cooc_audit_prints_one_json_object_per_line(settings, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    _many_events(session, 3)
    result = CliRunner().invoke(cli_module.cli, ["audit", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["action"] for line in lines] == ["token.created"] * 3
    assert {"at", "actor", "action", "subject"} <= set(lines[0])
    assert lines[0]["actor"] == "system:tests" and lines[0]["subject"].startswith("token:")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert CliRunner().invoke(cli_module.cli, ["audit", "--json", "--since", tomorrow]).output == ""
    refused = CliRunner().invoke(cli_module.cli, ["audit", "--since", "last tuesday"])
    assert refused.exit_code == 1 and "not an ISO date" in refused.output
