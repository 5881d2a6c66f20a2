"""An employee signs in with the company's identity provider, in a real browser, and lands in cooc as themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, running_live_server, screenshot
from tests.conftest import make_settings
from tests.oidc import CLIENT_ID, CLIENT_SECRET, running_oidc_provider
from tests.smtp import free_port

ACCOUNTS: dict[str, dict[str, object]] = {
    "marie.dubois": {"email": "marie.dubois@example.com", "email_verified": True, "name": "Marie Dubois"},
    "stranger": {"email": "stranger@example.com", "email_verified": True, "name": "Not Employed Here"},
}


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = free_port()
    with running_oidc_provider([f"http://127.0.0.1:{port}/login/sso/callback"], ACCOUNTS) as provider:
        data_dir = tmp_path_factory.mktemp("sso-live")
        settings = make_settings(
            f"sqlite:///{data_dir / 'cooc.sqlite3'}",
            data_dir,
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_display_name="Example Insurance",
            public_url=f"http://127.0.0.1:{port}",
        )
        with running_live_server(settings, port=port) as server:
            yield server


def _sign_in_at_the_provider(page: Page, server: LiveServer, login: str) -> None:
    page.goto(f"{server.url}/login?next=/account")
    page.get_by_role("link", name="Sign in with Example Insurance").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()


def test_an_employee_signs_in_through_the_identity_provider(page: Page, sso_server: LiveServer) -> None:
    sso_server.add_user("MDU1", language="fr", email="marie.dubois@example.com")
    _sign_in_at_the_provider(page, sso_server, "marie.dubois")
    expect(page).to_have_url(f"{sso_server.url}/account")
    expect(page.locator("main")).to_contain_text("marie.dubois@example.com")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    screenshot(page, "sso-signed-in")


def test_someone_the_directory_does_not_know_is_told_so(page: Page, sso_server: LiveServer) -> None:
    _sign_in_at_the_provider(page, sso_server, "stranger")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in refused")
    expect(page.get_by_role("alert")).to_contain_text("not in cooc's employee directory")
    page.goto(f"{sso_server.url}/account")
    expect(page).to_have_url(f"{sso_server.url}/login?next=/account")
