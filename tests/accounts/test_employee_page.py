"""The admin's employee import page: the same all-or-nothing import as the CLI, from a browser."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import User
from tests.conftest import csrf_from

HEADER = "employee_id,name,email,department,language,role\n"


def upload(client, text: str, name: str = "hr.csv"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/admin/employees").text)
    return client.post("/admin/employees", data={"csrf_token": token}, files={"directory": (name, text.encode(), "text/csv")})


def test_admin_imports_a_directory_and_sees_the_summary(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    response = upload(admin_client, HEADER + "E1,Ann Lee,ann@example.com,Finance,en,learner\nE2,Bo,bo@example.com,IT,fr,mentor\n")
    assert response.status_code == 200
    assert "hr.csv imported: 2 created, 0 updated, 0 unchanged." in response.text
    assert len(session.exec(select(User)).all()) == 3  # with the admin


def test_bad_rows_are_listed_and_nothing_is_imported(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    response = upload(admin_client, HEADER + "E1,Ann,ann@example.com,Finance,en,learner\nE2,Bo,bo@,IT,xx,learner\n")
    assert response.status_code == 400
    assert "line 3: email &#39;bo@&#39; is not a valid address" in response.text
    assert "line 3: language &#39;xx&#39; is not one of en, fr, nl" in response.text
    assert len(session.exec(select(User)).all()) == 1


def test_a_file_that_is_not_utf8_is_refused(admin_client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(admin_client.get("/admin/employees").text)
    response = admin_client.post(
        "/admin/employees", data={"csrf_token": token}, files={"directory": ("hr.csv", b"\xff\xfe\x00bad", "text/csv")}
    )
    assert response.status_code == 400 and "not UTF-8" in response.text


def test_learners_cannot_import_employees(learner_client) -> None:  # type: ignore[no-untyped-def]
    assert learner_client.get("/admin/employees").status_code == 403
    token = csrf_from(learner_client.get("/catalog").text)
    response = learner_client.post(
        "/admin/employees", data={"csrf_token": token}, files={"directory": ("hr.csv", HEADER.encode())}
    )
    assert response.status_code == 403
