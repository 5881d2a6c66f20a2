"""Single sign-on against a real OpenID Connect provider (npm oidc-provider), refusals included."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import Role, User
from app.accounts.people import get_user_by_employee_id, roles_of, set_active
from app.config import Settings
from app.events.models import AuditEvent
from app.main import create_app
from app.security import SESSION_COOKIE
from tests.conftest import csrf_from, make_settings
from tests.factories import TEST_ACTOR, TEST_PASSWORD, make_user
from tests.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider, running_oidc_provider, sign_in_at_provider

CALLBACK = "http://testserver/login/sso/callback"
ACCOUNTS: dict[str, dict[str, object]] = {
    "ada": {"email": "Ada@Example.com", "email_verified": True, "name": "Ada Lovelace", "employee_id": "E100"},
    "ben": {"email": "ben@example.com", "email_verified": True, "name": "Ben Brown", "department": "Claims"},
    "zoe": {"email": "zoe@example.com", "email_verified": True, "name": "Zoe Zed", "department": "Claims", "locale": "fr-BE"},
    "unverified": {"email": "ada@example.com", "email_verified": False, "name": "Not Ada"},
}


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with running_oidc_provider([CALLBACK], ACCOUNTS) as running:
        yield running


def sso_settings(settings: Settings, provider: OidcProvider, **overrides: object) -> Settings:
    values = {
        "oidc_issuer": provider.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_display_name": "Example Insurance",
        "public_url": "http://testserver",
        **overrides,
    }
    return make_settings(settings.database_url, settings.data_dir, **values)


@pytest.fixture
def sso_client(settings: Settings, provider: OidcProvider) -> Iterator[TestClient]:
    app = create_app(sso_settings(settings, provider))
    with TestClient(app) as client:
        yield client
    app.state.db.dispose()


def authorize_url(client: TestClient, next_url: str = "/catalog") -> str:
    response = client.get(f"/login/sso?next={next_url}", follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def come_back(client: TestClient, login: str, next_url: str = "/catalog") -> str:
    """Start a sign-in at cooc, sign in at the provider as `login`; the callback URL the provider sends back to."""
    return sign_in_at_provider(authorize_url(client, next_url), login, stop_at=CALLBACK)


def refusals(session) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in.sso_refused")).all())


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


def test_the_sign_in_page_offers_the_company_first(sso_client) -> None:  # type: ignore[no-untyped-def]
    page = sso_client.get("/login").text
    assert "Sign in with Example Insurance" in page
    assert page.index('id="sso"') < page.index('name="password"')


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(sso_client, provider) -> None:  # type: ignore[no-untyped-def]
    query = parse_qs(urlsplit(authorize_url(sso_client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK] and query["client_id"] == [CLIENT_ID]
    assert "openid" in query["scope"][0].split()


def test_a_directory_employee_comes_back_signed_in_as_themselves(sso_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="E100", email="ada@example.com", name="Ada Lovelace", password=None)
    make_user(session, settings, employee_id="E200", email="other@example.com", name="Somebody Else")
    response = sso_client.get(come_back(sso_client, "ada", next_url="/account"), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/account"
    assert sso_client.cookies.get(SESSION_COOKIE)
    account = sso_client.get("/account").text
    assert "ada@example.com" in account and "other@example.com" not in account
    session.expire_all()
    ada = get_user_by_employee_id(session, "E100")
    assert ada is not None and ada.last_signed_in_at is not None


def test_the_employee_claim_can_carry_the_employee_id(settings, provider, session) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="E100", email="ada.private@example.org", name="Ada by id", password=None)
    app = create_app(sso_settings(settings, provider, oidc_employee_claim="employee_id"))
    with TestClient(app) as client:
        assert client.get(come_back(client, "ada"), follow_redirects=False).status_code == 303
        assert "ada.private@example.org" in client.get("/account").text
    app.state.db.dispose()


def test_someone_outside_the_directory_is_refused_and_the_refusal_recorded(sso_client, session) -> None:  # type: ignore[no-untyped-def]
    response = sso_client.get(come_back(sso_client, "zoe"), follow_redirects=False)
    assert response.status_code == 403
    assert "employee directory" in response.text
    assert not sso_client.cookies.get(SESSION_COOKIE)
    [refusal] = refusals(session)
    assert refusal.payload["reason"] == "unknown" and refusal.subject == "sso:zoe@example.com"
    assert session.exec(select(User).where(User.email == "zoe@example.com")).first() is None


def test_the_deployment_may_create_unknown_people_from_their_claims(settings, provider, session) -> None:  # type: ignore[no-untyped-def]
    app = create_app(sso_settings(settings, provider, oidc_create_unknown=True))
    with TestClient(app) as client:
        assert client.get(come_back(client, "zoe"), follow_redirects=False).status_code == 303
    app.state.db.dispose()
    session.expire_all()
    zoe = session.exec(select(User).where(User.email == "zoe@example.com")).one()
    assert (zoe.name, zoe.department, zoe.language, zoe.password_hash) == ("Zoe Zed", "Claims", "fr", None)
    assert zoe.id is not None and roles_of(session, zoe.id) == {Role.learner}
    created = session.exec(select(AuditEvent).where(AuditEvent.action == "employee.created")).one()
    assert created.actor_kind == "system"


def test_an_inactive_employee_is_refused(sso_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="E300", email="ben@example.com", password=None)
    set_active(session, TEST_ACTOR, "E300", False)
    response = sso_client.get(come_back(sso_client, "ben"), follow_redirects=False)
    assert response.status_code == 403 and "deactivated" in response.text
    assert not sso_client.cookies.get(SESSION_COOKIE)
    assert [event.payload["reason"] for event in refusals(session)] == ["inactive"]


def test_an_address_the_provider_has_not_verified_is_refused(sso_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="E100", email="ada@example.com", password=None)
    response = sso_client.get(come_back(sso_client, "unverified"), follow_redirects=False)
    assert response.status_code == 403
    assert [event.payload["reason"] for event in refusals(session)] == ["unverified_email"]


def test_a_wrong_state_is_refused_before_any_code_is_exchanged(sso_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="E100", email="ada@example.com", password=None)
    callback = come_back(sso_client, "ada")
    response = sso_client.get(with_query(callback, state="forged-state"), follow_redirects=False)
    assert response.status_code == 400 and "not started in this browser" in response.text
    assert not sso_client.cookies.get(SESSION_COOKIE)
    assert [event.payload["reason"] for event in refusals(session)] == ["state"]


def test_an_answer_brought_to_another_browser_is_refused(sso_client, session, settings, app) -> None:  # type: ignore[no-untyped-def]
    """Login CSRF: an attacker's code, planted in a victim's browser, finds no sign-in started there."""
    make_user(session, settings, employee_id="E100", email="ada@example.com", password=None)
    callback = come_back(sso_client, "ada")
    with TestClient(sso_client.app) as victim:
        response = victim.get(callback.removeprefix("http://testserver"), follow_redirects=False)
        assert response.status_code == 400 and not victim.cookies.get(SESSION_COOKIE)


def test_a_replayed_code_is_refused(sso_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="E100", email="ada@example.com", password=None)
    callback = come_back(sso_client, "ada")
    state_cookie = sso_client.cookies.get("cooc_sso")
    assert sso_client.get(callback, follow_redirects=False).status_code == 303
    with TestClient(sso_client.app, cookies={"cooc_sso": state_cookie}) as replay:
        response = replay.get(callback, follow_redirects=False)
        assert response.status_code == 403 and "used already" in response.text
        assert not replay.cookies.get(SESSION_COOKIE)
    assert [event.payload["reason"] for event in refusals(session)] == ["code_rejected"]


def test_an_answer_from_another_issuer_is_refused(sso_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    """RFC 9207: the mix-up attack sends back an answer from another provider the browser uses."""
    make_user(session, settings, employee_id="E100", email="ada@example.com", password=None)
    callback = come_back(sso_client, "ada")
    response = sso_client.get(with_query(callback, iss="https://evil.example"), follow_redirects=False)
    assert response.status_code == 403 and "another sign-in service" in response.text
    assert [event.payload["reason"] for event in refusals(session)] == ["other_issuer"]


def test_a_code_from_another_provider_is_refused(sso_client, session, settings) -> None:  # type: ignore[no-untyped-def]
    """Another real provider, with the same client registration, issues a code for cooc's own request."""
    make_user(session, settings, employee_id="E100", email="ada@example.com", password=None)
    request = urlsplit(authorize_url(sso_client))
    with running_oidc_provider([CALLBACK], ACCOUNTS) as other:
        foreign = urlunsplit(urlsplit(other.url)._replace(path=request.path, query=request.query))
        callback = sign_in_at_provider(foreign, "ada", stop_at=CALLBACK)
    query = parse_qs(urlsplit(callback).query)
    assert query["iss"] == [other.issuer]
    disguised = f"/login/sso/callback?code={query['code'][0]}&state={query['state'][0]}"
    response = sso_client.get(disguised, follow_redirects=False)
    assert response.status_code == 403 and not sso_client.cookies.get(SESSION_COOKIE)
    assert [event.payload["reason"] for event in refusals(session)] == ["code_rejected"]


def test_a_provider_that_speaks_for_another_issuer_is_not_followed(settings, session) -> None:  # type: ignore[no-untyped-def]
    with running_oidc_provider([CALLBACK], ACCOUNTS, issuer="https://login.other.example") as impostor:
        app = create_app(sso_settings(settings, impostor, oidc_issuer=impostor.url))
        with TestClient(app) as client:
            response = client.get("/login/sso", follow_redirects=False)
        app.state.db.dispose()
    assert response.status_code == 403
    assert [event.payload["reason"] for event in refusals(session)] == ["other_issuer"]


def test_a_provider_that_does_not_answer_gets_a_clear_page(settings, session) -> None:  # type: ignore[no-untyped-def]
    from tests.smtp import free_port

    down = OidcProvider(f"http://127.0.0.1:{free_port()}", "")
    app = create_app(sso_settings(settings, down))
    with TestClient(app) as client:
        response = client.get("/login/sso", follow_redirects=False)
    app.state.db.dispose()
    assert response.status_code == 503 and "does not answer" in response.text
    assert [event.payload["reason"] for event in refusals(session)] == ["provider_unreachable"]


def test_a_sign_in_cancelled_at_the_provider_is_refused_cleanly(sso_client, session) -> None:  # type: ignore[no-untyped-def]
    response = sso_client.get("/login/sso/callback?error=access_denied&error_description=cancelled", follow_redirects=False)
    assert response.status_code == 403 and "did not complete" in response.text
    assert [event.payload["reason"] for event in refusals(session)] == ["provider_error"]


def test_new_signing_keys_at_the_provider_need_no_restart(settings, session) -> None:  # type: ignore[no-untyped-def]
    """The provider starts with a new key every time: the second sign-in meets a key id cooc has not seen."""
    from tests.smtp import free_port

    make_user(session, settings, employee_id="E100", email="ada@example.com", password=None)
    port = free_port()
    with running_oidc_provider([CALLBACK], ACCOUNTS, port=port) as first:
        app = create_app(sso_settings(settings, first))
        with TestClient(app) as client:
            assert client.get(come_back(client, "ada"), follow_redirects=False).status_code == 303
            client.cookies.clear()
            with_first_key = app.state.identity_provider.server_metadata["jwks"]
    with running_oidc_provider([CALLBACK], ACCOUNTS, port=port), TestClient(app) as client:
        assert client.get(come_back(client, "ada"), follow_redirects=False).status_code == 303
        assert app.state.identity_provider.server_metadata["jwks"] != with_first_key
    app.state.db.dispose()
    assert refusals(session) == []


def test_sso_is_absent_where_it_is_not_configured(client) -> None:  # type: ignore[no-untyped-def]
    assert "Sign in with" not in client.get("/login").text
    assert client.get("/login/sso", follow_redirects=False).status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y", follow_redirects=False).status_code == 404


def test_with_password_sign_in_off_only_break_glass_admins_use_a_password(settings, provider, session) -> None:  # type: ignore[no-untyped-def]
    make_user(session, settings, employee_id="L1", email="learner@example.com")
    make_user(session, settings, employee_id="A1", email="admin@example.com", roles={"admin"})
    make_user(session, settings, employee_id="A2", email="admin2@example.com", roles={"admin"})
    sso_only = sso_settings(settings, provider, password_sign_in=False, break_glass_admins="A1, L1")
    app = create_app(sso_only)
    with TestClient(app) as client:
        page = client.get("/login").text
        assert "Emergency sign-in for administrators" in page and "Forgot your password?" not in page
        for login, expected in (("learner@example.com", 401), ("admin2@example.com", 401), ("admin@example.com", 303)):
            form = {"login": login, "password": TEST_PASSWORD, "csrf_token": csrf_from(client.get("/login").text)}
            assert client.post("/login", data=form, follow_redirects=False).status_code == expected, login
    app.state.db.dispose()


def test_password_sign_in_cannot_be_switched_off_without_single_sign_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="needs single sign-on"):
        make_settings("sqlite:///:memory:", tmp_path, password_sign_in=False)
    with pytest.raises(ValueError, match="COOC_OIDC_CLIENT_ID"):
        make_settings("sqlite:///:memory:", tmp_path, oidc_issuer="https://login.example")


def test_with_password_sign_in_off_no_one_but_break_glass_admins_gets_password_links(settings, provider, session) -> None:  # type: ignore[no-untyped-def]
    from app.accounts.models import PasswordLink
    from app.accounts.password_links import InvitationTarget, invite, request_password_reset
    from app.accounts.people import AccountError
    from app.consumers import outbox_consumers
    from app.db import Database
    from app.events.worker import OutboxWorker

    make_user(session, settings, employee_id="L1", email="learner@example.com", password=None)
    admin = make_user(session, settings, employee_id="A1", email="admin@example.com", roles={"admin"}, password=None)
    sso_only = sso_settings(settings, provider, password_sign_in=False, break_glass_admins="A1")
    with pytest.raises(AccountError, match="single sign-on"):
        invite(session, sso_only, TEST_ACTOR, InvitationTarget.employee, "L1")
    assert invite(session, sso_only, TEST_ACTOR, InvitationTarget.all_without_password) == 1
    for address in ("learner@example.com", "admin@example.com"):
        request_password_reset(session, sso_only, address, "192.0.2.1")
    db = Database(sso_only)
    worker = OutboxWorker(db, outbox_consumers(sso_only, db))
    while worker.run_once():
        pass
    db.dispose()
    session.expire_all()
    assert {(link.user_id, link.purpose) for link in session.exec(select(PasswordLink)).all()} == {
        (admin.id, "invitation"),
        (admin.id, "reset"),
    }
