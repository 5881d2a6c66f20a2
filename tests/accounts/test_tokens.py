"""API tokens: shown once, stored hashed, scoped, revocable; cookies never stand in for them."""

from __future__ import annotations

import re

from sqlmodel import select

from app.accounts.models import ApiToken, ApiTokenScope, Scope
from app.accounts.tokens import create_api_token
from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR


def test_admin_creates_a_token_that_is_shown_once_and_stored_hashed(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/tokens")
    created = admin_client.post(
        "/admin/tokens", data={"csrf_token": csrf_from(page.text), "name": "LRS export", "scopes": ["catalog:read"]}
    )
    raw = re.search(r'data-testid="new-token">([^<]+)<', created.text).group(1)  # type: ignore[union-attr]
    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash != raw and raw not in admin_client.get("/admin/tokens").text
    assert admin_client.get("/api/v1/modules", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_token_use_is_recorded_and_revocation_gives_401(client, admin_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    token, raw = create_api_token(session, TEST_ACTOR, "bi", ["catalog:read"])
    anonymous = {"Authorization": f"Bearer {raw}"}
    admin_client.cookies.clear()
    assert client.get("/api/v1/modules", headers=anonymous).status_code == 200
    session.expire_all()
    assert session.get(ApiToken, token.id).last_used_at is not None

    from tests.conftest import sign_in

    sign_in(admin_client, "admin@example.com")
    page = admin_client.get("/admin/tokens")
    assert "never" not in page.text
    admin_client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(page.text)})
    admin_client.cookies.clear()
    assert client.get("/api/v1/modules", headers=anonymous).status_code == 401


def test_wrong_token_is_401_and_missing_scope_is_403(client, session) -> None:  # type: ignore[no-untyped-def]
    _, raw = create_api_token(session, TEST_ACTOR, "reports only", ["reports:read"])
    assert client.get("/api/v1/modules", headers={"Authorization": "Bearer cooc_wrong"}).status_code == 401
    assert client.get("/api/v1/modules", headers={"Authorization": f"Bearer {raw}"}).status_code == 403
    assert client.get("/api/v1/modules").status_code == 401


def test_unknown_scope_is_refused(admin_client) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/tokens")
    response = admin_client.post("/admin/tokens", data={"csrf_token": csrf_from(page.text), "name": "x", "scopes": ["root"]})
    assert response.status_code == 400 and "unknown or missing scope" in response.text


def test_cli_prints_token_once(settings, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    result = CliRunner().invoke(cli_module.cli, ["create-token", "--name", "pipeline", "--scope", "reports:read"])
    assert result.exit_code == 0 and result.output.startswith("cooc_")
    assert session.exec(select(ApiTokenScope.scope)).all() == [Scope.reports_read]


def test_every_scope_an_endpoint_honours_is_offered_and_no_other(admin_client, app) -> None:  # type: ignore[no-untyped-def]
    from tests.routes import route_table

    honoured = {
        part.removeprefix("token:")
        for route in route_table(app)
        for rule in route.access_rules
        for part in rule.split("|")
        if part.startswith("token:")
    }
    page = admin_client.get("/admin/tokens")
    offered = set(re.findall(r'name="scopes" value="([^"]+)"', page.text))
    assert offered == honoured == {"catalog:read", "content:write", "reports:read"}
    created = admin_client.post(
        "/admin/tokens", data={"csrf_token": csrf_from(page.text), "name": "content team", "scopes": ["content:write"]}
    )
    assert created.status_code == 200 and "cooc_" in created.text
