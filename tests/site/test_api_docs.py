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
    read_content = [{"bearerToken": ["catalog:read"]}, {"bearerToken": ["content:write"]}]
    expected = {
        ("get", "/api/v1/modules"): [{"bearerToken": ["catalog:read"]}],
        ("get", "/api/v1/modules/{slug}"): [{"bearerToken": ["catalog:read"]}],
        ("get", "/api/v1/reports/competences"): [{"bearerToken": ["reports:read"]}],
        ("post", "/api/v1/modules"): [{"bearerToken": ["content:write"]}],
        ("get", "/api/v1/modules/{slug}/versions"): read_content,
        ("post", "/api/v1/modules/{slug}/versions/{number}/publish"): [{"bearerToken": ["content:write"]}],
        ("get", "/api/v1/modules/{slug}/versions/{old}/diff/{new}"): read_content,
        ("get", "/api/v1/modules/{slug}/versions/{number}/source"): read_content,
    }
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert operations == set(expected), "only the JSON API, no HTML page"
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    for (method, path), security in expected.items():
        operation = schema["paths"][path][method]
        assert operation["security"] == security, path
        assert {"401", "403"} <= set(operation["responses"]), path
    assert "404" in schema["paths"]["/api/v1/modules/{slug}"]["get"]["responses"]
    assert "text/csv" in schema["paths"]["/api/v1/reports/competences"]["get"]["responses"]["200"]["content"]
    upload = schema["paths"]["/api/v1/modules"]["post"]
    assert "file" in upload["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"201", "422"} <= set(upload["responses"])
    assert "409" in schema["paths"]["/api/v1/modules/{slug}/versions/{number}/publish"]["post"]["responses"]
