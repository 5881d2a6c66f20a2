"""A heavy report never holds up other requests: it runs off the event loop."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from app.accounts.tokens import create_api_token
from app.reporting import admin as reporting_admin
from app.reporting import api as reporting_api
from tests.conftest import sign_in
from tests.factories import TEST_ACTOR


@pytest.mark.parametrize("where", ["api", "admin page"])
def test_health_check_answers_while_the_largest_report_is_running(app, session, admin_user, monkeypatch, where: str) -> None:  # type: ignore[no-untyped-def]
    entered, release = threading.Event(), threading.Event()

    def slow_report(*args, **kwargs):  # type: ignore[no-untyped-def]
        entered.set()
        release.wait(timeout=30)  # stands for a scan of 150,000 employees
        return original(*args, **kwargs)

    module = reporting_api if where == "api" else reporting_admin
    original = module.competence_report
    monkeypatch.setattr(module, "competence_report", slow_report)
    _, raw = create_api_token(session, TEST_ACTOR, "hr", ["reports:read"])

    with TestClient(app) as client:
        if where == "api":
            report = threading.Thread(
                target=client.get, args=("/api/v1/reports/competences",), kwargs={"headers": {"authorization": f"Bearer {raw}"}}
            )
        else:
            sign_in(client, admin_user.email)
            report = threading.Thread(target=client.get, args=("/admin/reports/competences",))
        report.start()
        assert entered.wait(timeout=10), "the report did not start"
        answers: list[int] = []
        health = threading.Thread(target=lambda: answers.append(client.get("/healthz").status_code))
        health.start()
        health.join(timeout=10)
        answered_while_the_report_ran = list(answers)
        release.set()
        report.join(timeout=30)
        health.join(timeout=30)
    assert answered_while_the_report_ran == [200]
