"""The API documentation: served by cooc itself, listing the JSON API only, with each endpoint's scope."""

from __future__ import annotations

import re


def test_the_docs_page_uses_no_outside_host(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert not re.search(r"(src|href)=\"https?://", page.text), "the docs page loads something from another host"
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset
    assert "'unsafe-inline'" not in page.headers["content-security-policy"].split("script-src")[1].split(";")[0]


def test_the_schema_lists_only_the_json_api_with_each_endpoints_scope_and_refusals(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/openapi.json").json()
    assert sorted(schema["paths"]) == ["/api/v1/modules", "/api/v1/modules/{slug}", "/api/v1/reports/competences"]
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    expected = {
        "/api/v1/modules": "catalog:read",
        "/api/v1/modules/{slug}": "catalog:read",
        "/api/v1/reports/competences": "reports:read",
    }
    for path, scope in expected.items():
        operation = schema["paths"][path]["get"]
        assert operation["security"] == [{"bearerToken": [scope]}], path
        assert {"401", "403"} <= set(operation["responses"]), path
    assert "404" in schema["paths"]["/api/v1/modules/{slug}"]["get"]["responses"]
    assert "text/csv" in schema["paths"]["/api/v1/reports/competences"]["get"]["responses"]["200"]["content"]
