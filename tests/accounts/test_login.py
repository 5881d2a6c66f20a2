"""Signing in and out, throttling, CSRF and role denials."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.models import AuthSession, User
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_PASSWORD, as_learner


def post_login(client, login: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token}, follow_redirects=False)


def test_sign_in_sets_a_hardened_session_cookie_and_stores_only_its_hash(client, learner, session) -> None:  # type: ignore[no-untyped-def]
    response = post_login(client, "LEARNER@example.com", TEST_PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/catalog"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("cooc_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    raw = cookie.split(";")[0].split("=", 1)[1]
    stored = session.exec(select(AuthSession)).one()
    assert stored.token_hash != raw and len(stored.token_hash) == 64


def test_password_is_stored_as_an_argon2_hash(learner, session) -> None:  # type: ignore[no-untyped-def]
    user = session.exec(select(User)).one()
    assert user.password_hash.startswith("$argon2id$") and TEST_PASSWORD not in user.password_hash


def test_employee_id_also_works_as_login(client, learner) -> None:  # type: ignore[no-untyped-def]
    assert post_login(client, "L1", TEST_PASSWORD).status_code == 303


def test_wrong_password_and_unknown_account_get_the_same_generic_error(client, learner) -> None:  # type: ignore[no-untyped-def]
    wrong = post_login(client, "learner@example.com", "not-the-password")
    unknown = post_login(client, "nobody@example.com", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong login or password." in wrong.text and "Wrong login or password." in unknown.text


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, learner, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.login_max_failures):
        assert post_login(client, "learner@example.com", "wrong-password").status_code == 401
    locked = post_login(client, "learner@example.com", TEST_PASSWORD)
    assert locked.status_code == 429 and "Too many failed attempts" in locked.text


def test_logout_ends_the_session_on_the_server(client, learner, session) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, learner.email)
    cookie = client.cookies.get("cooc_session")
    page = client.get("/catalog")
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert session.exec(select(AuthSession)).first() is None
    client.cookies.set("cooc_session", cookie)
    assert client.get("/catalog", follow_redirects=False).status_code == 303


def test_login_follows_only_local_next_urls(client, learner) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"login": learner.email, "password": TEST_PASSWORD, "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/catalog"


def test_login_without_csrf_token_is_refused(client, learner) -> None:  # type: ignore[no-untyped-def]
    client.get("/login")
    response = client.post("/login", data={"login": learner.email, "password": TEST_PASSWORD})
    assert response.status_code == 403


def test_learner_is_refused_admin_pages(learner_client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/admin", "/admin/tokens"):
        response = learner_client.get(path)
        assert response.status_code == 403
        assert "You do not have access" in response.text


def test_anonymous_visitor_is_redirected_from_admin_to_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/admin/tokens", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_interface_language_choice_is_saved_on_the_profile(learner_client, session, learner) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/catalog")
    learner_client.post("/language", data={"csrf_token": csrf_from(page.text), "language": "nl", "next": "/catalog"})
    session.expire_all()
    assert session.get(User, learner.id).language == "nl"
    assert "Mijn voortgang" in learner_client.get("/catalog").text


def test_production_cookies_are_secure_by_default(settings) -> None:  # type: ignore[no-untyped-def]
    production = settings.model_copy(update={"environment": "production"})
    assert production.secure_cookies is True
    assert settings.secure_cookies is False


def test_production_refuses_a_weak_secret_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from pydantic import ValidationError

    from app.config import Settings

    with pytest.raises(ValidationError, match="COOC_SECRET_KEY must be a random string"):
        Settings(environment="production", secret_key="changeme", data_dir=tmp_path)


def test_account_page_shows_the_directory_facts(learner_client) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/account")
    assert page.status_code == 200
    assert "Lea Learner" in page.text and "learner@example.com" in page.text and "Finance" in page.text


def test_refused_form_explains_itself_in_the_learners_language(learner_client, learner, session) -> None:  # type: ignore[no-untyped-def]
    from app.accounts.people import set_language

    set_language(session, as_learner(learner), "fr")
    response = learner_client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert "Ce formulaire a expiré ou ne vient pas de cooc." in response.text


def test_production_on_postgresql_needs_a_shared_secret_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from pydantic import ValidationError

    from app.config import Settings

    with pytest.raises(ValidationError, match="every server must share the same key"):
        Settings(environment="production", database_url="postgresql+psycopg://db/cooc", secret_key="", data_dir=tmp_path)
    generated = Settings(environment="development", secret_key="", data_dir=tmp_path)
    assert len(generated.secret_key) >= 32
    assert Settings(environment="development", secret_key="", data_dir=tmp_path).secret_key == generated.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_busy_shared_address_is_throttled_only_past_its_own_higher_limit(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    """Failures spread over many accounts from one office address lock the address, not before its limit."""
    from app.accounts.sign_in import LoginRefused, LoginThrottled, log_in
    from tests.factories import make_user

    limited = settings.model_copy(update={"login_max_failures_per_address": 3})
    make_user(session, limited, employee_id="X1", email="x1@example.com")
    for number in range(3):
        with pytest.raises(LoginRefused) as refused:
            log_in(session, limited, f"someone{number}@example.com", "wrong-password", "10.1.2.3")
        assert not isinstance(refused.value, LoginThrottled)
    with pytest.raises(LoginThrottled):
        log_in(session, limited, "x1@example.com", "correct-horse-battery", "10.1.2.3")
    assert log_in(session, limited, "x1@example.com", "correct-horse-battery", "10.9.9.9")


def test_the_account_limit_holds_whichever_identifier_the_guesses_use(client, learner, settings) -> None:  # type: ignore[no-untyped-def]
    """Guesses through the e-mail address and through the employee id count against one person."""
    identifiers = [learner.email, learner.employee_id, learner.email.upper()]
    for attempt in range(settings.login_max_failures):
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login", data={"login": identifiers[attempt % 3], "password": "wrong-password", "csrf_token": token}
        )
        assert response.status_code == 401
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"login": learner.employee_id, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_sign_ins_beyond_the_hashing_slots_get_503_before_any_hash_is_computed(
    app, client, learner, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """argon2 takes 64 MiB per hash: a burst of sign-ins must not take the server's memory with it."""
    import threading

    from argon2 import PasswordHasher

    gate_settings = settings.model_copy(update={"password_hash_concurrency": 1, "password_hash_wait_seconds": 0.2})
    app.state.settings = gate_settings
    inside, release, hashes = threading.Event(), threading.Event(), []
    real_verify = PasswordHasher.verify

    def slow_verify(self, hash_, password):  # type: ignore[no-untyped-def]
        hashes.append(1)
        inside.set()
        release.wait(timeout=10)
        return real_verify(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", slow_verify)
    token = csrf_from(client.get("/login").text)
    form = {"login": learner.email, "password": TEST_PASSWORD, "csrf_token": token}
    first: list[int] = []
    holder = threading.Thread(target=lambda: first.append(client.post("/login", data=form, follow_redirects=False).status_code))
    holder.start()
    assert inside.wait(timeout=10)
    refused = client.post("/login", data=form, follow_redirects=False)
    release.set()
    holder.join(timeout=10)
    assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
    assert "Too many people are signing in" in refused.text
    assert hashes == [1], "the refused sign-in computed a hash"
    assert first == [303]


def test_the_worker_deletes_ended_sessions_and_stale_throttle_records_and_keeps_live_ones(  # type: ignore[no-untyped-def]
    client, learner, session, settings, db
) -> None:
    from datetime import timedelta

    from app.accounts.models import LoginThrottle
    from app.consumers import housekeeping_chores
    from app.events.worker import OutboxWorker, WorkerPolicy
    from app.timeutil import utc_now

    sign_in(client, learner.email)
    now = utc_now()
    session.add(AuthSession(token_hash="e" * 64, user_id=learner.id, expires_at=now - timedelta(seconds=1)))
    old = now - timedelta(seconds=settings.login_lockout_seconds + 1)
    session.add(LoginThrottle(key="address:10.0.0.1", failures=3, window_started_at=old))
    session.add(LoginThrottle(key="address:10.0.0.2", failures=1, window_started_at=now))
    session.add(LoginThrottle(key="address:10.0.0.3", failures=0, window_started_at=old, locked_until=now + timedelta(minutes=5)))
    session.commit()

    OutboxWorker(db, {}, WorkerPolicy(), housekeeping_chores(settings, db)).run_due_chores()

    session.expire_all()
    assert session.exec(select(AuthSession).where(AuthSession.token_hash == "e" * 64)).first() is None
    assert len(session.exec(select(AuthSession)).all()) == 1  # the live sign-in stays
    assert sorted(t.key for t in session.exec(select(LoginThrottle)).all()) == ["address:10.0.0.2", "address:10.0.0.3"]
    assert client.get("/account").status_code == 200
