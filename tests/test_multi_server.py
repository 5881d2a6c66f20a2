"""Two app instances on one database behave as one platform (as several servers do in production)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.publishing.service import import_module_folders
from tests.conftest import FIXTURE_MODULES, csrf_from, sign_in
from tests.factories import TEST_ACTOR


@pytest.fixture
def other_server(settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    application = create_app(settings)
    with TestClient(application) as client:
        yield client
    application.state.db.dispose()


def test_a_session_opened_on_one_server_works_and_ends_on_the_other(learner_client, other_server) -> None:  # type: ignore[no-untyped-def]
    other_server.cookies.set("cooc_session", learner_client.cookies.get("cooc_session"))
    page = other_server.get("/catalog")
    assert page.status_code == 200 and 'href="/progress"' in page.text  # signed in there too
    other_server.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert learner_client.get("/catalog", follow_redirects=False).status_code == 303


def test_failed_logins_count_across_servers(client, other_server, learner, settings) -> None:  # type: ignore[no-untyped-def]
    for number in range(settings.login_max_failures):
        server = client if number % 2 else other_server
        token = csrf_from(server.get("/login").text)
        server.post("/login", data={"login": learner.email, "password": "wrong-password", "csrf_token": token})
    token = csrf_from(client.get("/login").text)
    locked = client.post("/login", data={"login": learner.email, "password": "correct-horse-battery", "csrf_token": token})
    assert locked.status_code == 429


def test_a_version_published_elsewhere_is_served_at_once(learner_client, other_server, session, tmp_path, learner) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", folder)
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok
    sign_in(other_server, learner.email)
    assert "within minutes" not in other_server.get("/modules/sample-module/lessons/reporting").text
    lesson = folder / "en" / "03-reporting.md"
    lesson.write_text(lesson.read_text().replace("at once", "within minutes"))
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok  # published through a third process
    assert "within minutes" in other_server.get("/modules/sample-module/lessons/reporting").text
    assert "within minutes" in learner_client.get("/modules/sample-module/lessons/reporting").text


def test_a_lesson_page_never_parses_markdown(learner_client, sample_module, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.markdown as markdown

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("markdown parsed during a request")

    monkeypatch.setattr(markdown._PARSER, "parse", refuse)
    monkeypatch.setattr(markdown._PARSER, "render", refuse)
    page = learner_client.get("/modules/sample-module/lessons/two-factors")
    assert page.status_code == 200 and "<td>Passkey</td>" in page.text
