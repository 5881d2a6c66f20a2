"""Walkers over the whole route table: a new route cannot ship without CSRF protection or an access rule."""

from __future__ import annotations

from tests.conftest import csrf_from
from tests.routes import STATE_CHANGING, route_table

FORBIDDEN_FORM = "This form has expired or did not come from cooc"


def test_every_route_declares_who_may_call_it(app) -> None:  # type: ignore[no-untyped-def]
    undeclared = [f"{route.method} {route.path}" for route in route_table(app) if not route.access_rules]
    assert undeclared == []


def test_the_walkers_see_the_whole_route_table(app) -> None:  # type: ignore[no-untyped-def]
    """Guards the walkers themselves: admin pages mounted through the admin router are in the table."""
    paths = {(route.method, route.path) for route in route_table(app)}
    assert {("POST", "/admin/tokens"), ("POST", "/admin/employees"), ("GET", "/admin/audit"), ("POST", "/login")} <= paths


def test_every_state_changing_route_refuses_a_post_without_csrf_token_even_from_an_admin(
    admin_client, app, sample_module
) -> None:  # type: ignore[no-untyped-def]
    """Signed in as an admin, so the role check passes and only the CSRF check can refuse."""
    for route in route_table(app):
        if route.method not in STATE_CHANGING:
            continue
        response = admin_client.request(route.method, route.url, data={"name": "n", "language": "fr"}, follow_redirects=False)
        if route.is_api:
            assert response.status_code == 401, f"{route.method} {route.path} accepted a browser cookie"
        else:
            assert response.status_code == 403 and FORBIDDEN_FORM in response.text, f"{route.method} {route.path}"


def test_admin_routes_refuse_a_learner_even_with_a_valid_form(learner_client, app, sample_module) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(learner_client.get("/catalog").text)
    admin_routes = [route for route in route_table(app) if route.access_rules & {"admin", "editor"}]
    assert len(admin_routes) >= 8
    for route in admin_routes:
        response = learner_client.request(route.method, route.url, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, f"{route.method} {route.path}"


def test_an_editor_reaches_content_pages_and_nothing_else_of_admin(client, app, session, settings, sample_module) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sign_in
    from tests.factories import make_user

    make_user(session, settings, employee_id="E1", email="editor@example.com", roles={"editor"})
    sign_in(client, "editor@example.com")
    token = csrf_from(client.get("/catalog").text)
    routes = route_table(app)
    admin_only = [route for route in routes if "admin" in route.access_rules]
    assert {"/admin/people", "/admin/tokens", "/admin/audit"} <= {route.path for route in admin_only}
    for route in admin_only:
        response = client.request(route.method, route.url, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, f"{route.method} {route.path}"
    content = [route for route in routes if "editor" in route.access_rules and route.method == "GET"]
    assert {"/admin/modules", "/admin/modules/{slug}"} <= {route.path for route in content}
    assert client.get("/admin/modules").status_code == 200
    assert client.get("/admin/modules/sample-module").status_code == 200


def test_signed_in_routes_send_anonymous_visitors_to_sign_in(client, app, sample_module) -> None:  # type: ignore[no-untyped-def]
    for route in route_table(app):
        if not route.access_rules or route.access_rules & {"anyone"} or route.is_api:
            continue
        client.get("/login")
        response = client.request(route.method, route.url, follow_redirects=False)
        if route.method == "GET":
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), route.path
        else:
            assert response.status_code in {303, 403}, f"{route.method} {route.path}"


def test_machine_endpoints_never_take_a_browser_cookie_for_a_token(admin_client, app) -> None:  # type: ignore[no-untyped-def]
    token_only = [
        route for route in route_table(app) if route.access_rules and all(r.startswith("token:") for r in route.access_rules)
    ]
    assert token_only
    for route in token_only:
        assert admin_client.request(route.method, route.url).status_code == 401, route.path
