"""Response headers: HSTS in production, nothing private cached, error pages as guarded as the rest."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.accounts.tokens import create_api_token
from app.main import create_app
from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR


def test_hsts_is_sent_in_production_only(settings) -> None:  # type: ignore[no-untyped-def]
    production = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(production)) as client:
        assert client.get("/login").headers["strict-transport-security"].startswith("max-age=31536000")
    with TestClient(create_app(settings)) as client:
        assert "strict-transport-security" not in client.get("/login").headers


def test_nothing_a_signed_in_person_or_a_token_sees_is_stored_by_a_cache(learner_client, session) -> None:  # type: ignore[no-untyped-def]
    for path in ("/catalog", "/progress", "/account", "/modules/nowhere"):
        assert learner_client.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in learner_client.get("/static/cooc.css").headers.get("cache-control", "")
    _, raw = create_api_token(session, TEST_ACTOR, "hr", ["reports:read"])
    report = learner_client.get("/api/v1/reports/competences", headers={"authorization": f"Bearer {raw}"})
    assert report.status_code == 200 and report.headers["cache-control"] == "no-store"


def test_the_page_that_shows_a_new_token_is_not_stored(admin_client) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/tokens")
    created = admin_client.post(
        "/admin/tokens", data={"csrf_token": csrf_from(page.text), "name": "bi", "scopes": ["reports:read"]}
    )
    assert 'data-testid="new-token"' in created.text and created.headers["cache-control"] == "no-store"


def test_a_post_from_another_site_is_refused_even_with_a_valid_token(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(learner_client.get("/catalog").text)
    url = "/modules/sample-module/lessons/passwords/done"
    refused = learner_client.post(
        url, data={"csrf_token": token}, headers={"origin": "https://evil.example"}, follow_redirects=False
    )
    assert refused.status_code == 403 and "did not come from cooc" in refused.text
    accepted = learner_client.post(
        url, data={"csrf_token": token}, headers={"origin": "http://testserver"}, follow_redirects=False
    )
    assert accepted.status_code == 303
