"""The public site pages, in the visitor's language."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/guide", "/mentor-handbook", "/privacy"])
def test_site_pages_are_public_and_rendered_from_content(client, path: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get(path, headers={"accept-language": "en"})
    assert page.status_code == 200
    assert page.context["page"].language == "en"
    assert "<h1>" in page.text


def test_home_follows_the_browser_language_and_the_language_links(client) -> None:  # type: ignore[no-untyped-def]
    french = client.get("/", headers={"accept-language": "fr-BE,fr;q=0.9"})
    assert french.context["page"].language == "fr" and '<html lang="fr">' in french.text
    client.get("/language/nl?next=/guide", follow_redirects=False)
    dutch = client.get("/guide", headers={"accept-language": "fr"})
    assert dutch.context["page"].language == "nl" and "Aanmelden" in dutch.text


def test_home_invites_anonymous_visitors_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    assert 'class="button" href="/login"' in client.get("/").text


def test_unknown_language_link_is_404(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/language/xx").status_code == 404


def test_api_documentation_is_served_and_only_it_relaxes_the_policy(client) -> None:  # type: ignore[no-untyped-def]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "style-src 'self' 'unsafe-inline'" in docs.headers["content-security-policy"]
    assert "'unsafe-inline'" not in client.get("/").headers["content-security-policy"]
    assert "/api/v1/reports/competences" in client.get("/api/openapi.json").json()["paths"]


def test_an_unexpected_error_shows_a_plain_page_and_is_logged(app, learner, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from app.catalog.service import Versions
    from tests.conftest import sign_in

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Versions, "all_current", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_in(client, learner.email)
        page = client.get("/catalog")
    assert page.status_code == 500
    assert "Something went wrong" in page.text and "disk on fire" not in page.text
    # The error handler runs outside the middleware stack, yet the page is as guarded as any other.
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert "unhandled error on GET /catalog" in caplog.text


def test_a_french_page_says_method_not_allowed_in_french(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies.set("cooc_lang", "fr")
    page = client.get("/logout")
    assert page.status_code == 405
    assert "Cette adresse n’accepte pas ce type de requête" in page.text and "Method Not Allowed" not in page.text


def test_the_home_page_has_its_own_title_in_each_language(client) -> None:  # type: ignore[no-untyped-def]
    for language, title in (("fr", "Parlez-vous numérique"), ("nl", "Spreekt u digitaal?"), ("en", "Do you speak digital?")):
        client.cookies.set("cooc_lang", language)
        assert f"<title>{title}" in client.get("/").text, language


def test_the_home_page_invites_only_the_signed_out_to_sign_in(client, learner) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_from, sign_in

    assert 'href="/login"' in client.get("/").text.split("<main")[1]
    sign_in(client, learner.email)
    for language in ("en", "fr", "nl"):
        token = csrf_from(client.get("/catalog").text)
        client.post("/language", data={"csrf_token": token, "language": language, "next": "/"})
        assert 'href="/login"' not in client.get("/").text.split("<main")[1], language
