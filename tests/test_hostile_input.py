"""Awkward strings into every path segment, query parameter and form field: never a 5xx, on both databases."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from tests.conftest import csrf_from
from tests.routes import STATE_CHANGING, route_table

CORPUS = [
    "",
    " ",
    "x" * 5000,
    "\x00",
    "a\x00b",
    "'; DROP TABLE user_account; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "%",
    "\\",
    "\r\nSet-Cookie: evil=1",
    "😀𝕏\u202e\ufeff",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "[]",
    "{}",
    "null",
    "2026-13-45",
]
FORM_FIELDS = (
    "login",
    "password",
    "password_again",
    "next",
    "language",
    "name",
    "scopes",
    "submission_id",
    "q-strongest",
    "target",
    "value",
)


def _parameters(app, path: str, method: str) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    for context in iter_route_contexts(app.routes):
        if context.path == path and method in (context.methods or ()):
            return [p.name for p in context.dependant.path_params], [p.alias for p in context.dependant.query_params]
    raise AssertionError(path)


def test_no_awkward_string_anywhere_makes_the_server_fail(app, admin_user, sample_module) -> None:  # type: ignore[no-untyped-def]
    failures = []
    with TestClient(app, raise_server_exceptions=False) as client:
        from tests.conftest import sign_in

        sign_in(client, admin_user.email)
        token = csrf_from(client.get("/catalog").text)
        for route in route_table(app):
            path_params, query_params = _parameters(app, route.path, route.method)
            for value in CORPUS:
                hostile_path = route.path
                for name in path_params:
                    hostile_path = hostile_path.replace("{" + name + "}", quote(value, safe="") or "%20")
                urls = [hostile_path] if path_params else []
                urls += [route.url] if query_params or route.method in STATE_CHANGING else []
                for url in urls:
                    query = {name: value for name in query_params}
                    if route.method in STATE_CHANGING:
                        form = {field: value for field in FORM_FIELDS} | {"csrf_token": token}
                        response = client.request(route.method, url, params=query, data=form, follow_redirects=False)
                    else:
                        response = client.request(route.method, url, params=query, follow_redirects=False)
                    if response.status_code >= 500:
                        failures.append(f"{route.method} {route.path} {value[:30]!r}: {response.status_code}")
                    if response.status_code == 303 and route.path == "/logout":
                        sign_in(client, admin_user.email)
                        token = csrf_from(client.get("/catalog").text)
    assert failures == []
