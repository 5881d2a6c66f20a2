"""Swagger UI renders the API in a real browser, from cooc's own files, under its strict policy."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot


def test_the_api_documentation_renders_every_endpoint_without_a_policy_violation(page: Page, live_server: LiveServer) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    page.goto(f"{live_server.url}/api/docs")
    for path in ("/api/v1/modules", "/api/v1/modules/{slug}", "/api/v1/reports/competences"):
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    screenshot(page, "api-docs")
    assert problems == []
