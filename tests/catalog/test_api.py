"""The catalog JSON API."""

from __future__ import annotations

from app.accounts.tokens import create_api_token
from tests.factories import TEST_ACTOR


def test_signed_in_employee_lists_modules_with_lessons_languages_and_quiz_size(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    modules = learner_client.get("/api/v1/modules").json()
    assert [m["slug"] for m in modules] == ["sample-module"]
    module = modules[0]
    assert module["quiz_questions"] == 3 and module["languages"] == ["en", "fr"]
    assert [lesson["slug"] for lesson in module["lessons"]] == ["passwords", "two-factors", "reporting"]
    assert module["lessons"][2]["languages"] == ["en"]


def test_one_module_by_slug_with_a_token(client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    _, raw = create_api_token(session, TEST_ACTOR, "bi", ["catalog:read"])
    response = client.get("/api/v1/modules/sample-module", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["title"]["fr"] == "Module de sécurité d'exemple"
    assert client.get("/api/v1/modules/nope", headers={"Authorization": f"Bearer {raw}"}).status_code == 404


def test_health_check_reports_database_state(client, app) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json() == {"status": "ok"}
    app.state.db.dispose()
    app.state.db.read = _broken_read
    assert client.get("/healthz").status_code == 503


async def _broken_read(*_args):  # type: ignore[no-untyped-def]
    raise ConnectionError("database down")
