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


def test_a_file_in_no_known_encoding_is_refused_with_the_encoding_to_use(admin_client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(admin_client.get("/admin/employees").text)
    response = admin_client.post(
        "/admin/employees", data={"csrf_token": token}, files={"directory": ("hr.csv", b"\x81\x8d\x90bad", "text/csv")}
    )
    assert response.status_code == 400 and "neither UTF-8 nor Windows-1252" in response.text
    assert "CSV UTF-8" in response.text


def test_excel_files_from_belgium_and_france_import_as_they_are(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    """Semicolons and Windows-1252 (Excel's default "CSV" there), or UTF-8 with a BOM."""
    semicolon = "employee_id;name;email;department;language;role\r\nE1;Désirée Dupré;dd@example.com;Comptabilité;fr;learner\r\n"
    token = csrf_from(admin_client.get("/admin/employees").text)
    response = admin_client.post(
        "/admin/employees", data={"csrf_token": token}, files={"directory": ("hr.csv", semicolon.encode("cp1252"), "text/csv")}
    )
    assert response.status_code == 200, response.text
    user = session.exec(select(User).where(User.employee_id == "E1")).one()
    assert (user.name, user.department) == ("Désirée Dupré", "Comptabilité")
    with_bom = "\ufeff" + HEADER + "E2,Zoë,zoe@example.com,IT,nl,learner\n"
    assert upload(admin_client, with_bom).status_code == 200
    assert session.exec(select(User).where(User.employee_id == "E2")).one().name == "Zoë"


def test_an_empty_file_is_reported_as_empty(admin_client) -> None:  # type: ignore[no-untyped-def]
    response = upload(admin_client, "\n")
    assert response.status_code == 400 and "the file is empty" in response.text and "bad row" not in response.text


def test_learners_cannot_import_employees(learner_client) -> None:  # type: ignore[no-untyped-def]
    assert learner_client.get("/admin/employees").status_code == 403
    token = csrf_from(learner_client.get("/catalog").text)
    response = learner_client.post(
        "/admin/employees", data={"csrf_token": token}, files={"directory": ("hr.csv", HEADER.encode())}
    )
    assert response.status_code == 403


def _count_multipart_parses(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    from starlette.formparsers import MultiPartParser

    calls: list[int] = []
    real_parse = MultiPartParser.parse

    async def counting_parse(self):  # type: ignore[no-untyped-def]
        calls.append(1)
        return await real_parse(self)

    monkeypatch.setattr(MultiPartParser, "parse", counting_parse)
    return calls


def test_an_upload_from_anyone_but_an_admin_is_refused_before_its_body_is_read(client, learner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sign_in

    parses = _count_multipart_parses(monkeypatch)
    big = {"directory": ("hr.csv", b"x" * 5_000_000, "text/csv")}
    anonymous = client.post("/admin/employees", files=big, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sign_in(client, learner.email)
    token = csrf_from(client.get("/catalog").text)
    as_learner = client.post("/admin/employees", data={"csrf_token": token}, files=big)
    assert as_learner.status_code == 403
    assert parses == [], "the multipart body was parsed before the admin check"


def test_ordinary_forms_refuse_large_bodies_but_the_directory_upload_takes_a_large_file(client, admin_client) -> None:  # type: ignore[no-untyped-def]
    too_big = client.post("/login", data={"login": "x" * 100_000, "password": "p"})
    assert too_big.status_code == 413
    rows = "".join(f"E{n},Person {n},p{n}@example.com,Finance,en,learner\n" for n in range(3000))
    assert len(rows) > 100_000
    response = upload(admin_client, HEADER + rows)
    assert response.status_code == 200 and "3000 created" in response.text


def test_a_french_admin_reads_the_import_problems_in_french(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sign_in
    from tests.factories import make_user

    make_user(session, settings, employee_id="A2", email="admin.fr@example.com", language="fr", roles={"admin"})
    sign_in(client, "admin.fr@example.com")
    response = upload(client, HEADER + "E1,Ann,ann@example.com,Finance,en,learner\nE2,Bo,bo@,IT,xx,learner\n")
    assert response.status_code == 400
    assert "lignes en erreur\u202f: 2\u202f; rien n’a été importé" in response.text
    assert "l’e-mail &#39;bo@&#39; n’est pas une adresse valide" in response.text
    assert "not a valid address" not in response.text
