"""The competence report against figures computed by hand on a small seeded company."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import update

from app.accounts.models import User
from app.accounts.tokens import create_api_token
from app.catalog.service import Versions
from app.progress.models import ModuleCompletion
from app.publishing.service import import_module_folders
from tests.conftest import FIXTURE_MODULES, sign_in
from tests.factories import TEST_ACTOR, make_user, sample_module_variant


@pytest.fixture
def company(session, settings, tmp_path):  # type: ignore[no-untyped-def]
    """Two modules: sample-module builds 4.1 at 2 and 2.6 at 3; sample-two builds 4.1 at 3 and 1.1 at 2.

    Course targets: 4.1 -> 3, 2.6 -> 3, 1.1 -> 2.
    Finance: F1 completed sample-module, F2 both, F3 nothing. IT: I1 completed sample-two;
    I2 completed both but has left (inactive) and does not count.
    """
    two = sample_module_variant(
        tmp_path, "sample-two", {'"4.1": 2\n  "2.6": 3': '"4.1": 3\n  "1.1": 2'}, {'digcomp: {"4.1": 2}': ""}
    )
    assert import_module_folders(session, TEST_ACTOR, [FIXTURE_MODULES / "sample-module", two]).ok
    first = Versions().current(session.connection(), "sample-module")
    second = Versions().current(session.connection(), "sample-two")
    people = {
        "F1": ("Finance", [first]),
        "F2": ("Finance", [first, second]),
        "F3": ("Finance", []),
        "I1": ("IT", [second]),
        "I2": ("IT", [first, second]),
    }
    for employee_id, (department, modules) in people.items():
        user = make_user(
            session, settings, employee_id=employee_id, email=f"{employee_id.lower()}@example.com", department=department
        )
        for module in modules:
            session.add(ModuleCompletion(user_id=user.id, module_id=module.module_id, version_id=module.version_id))
    session.commit()
    session.connection().execute(update(User).where(User.employee_id == "I2").values(is_active=False))  # type: ignore[arg-type]
    session.commit()
    _, raw = create_api_token(session, TEST_ACTOR, "hr", ["reports:read"])
    return {"Authorization": f"Bearer {raw}"}


def test_json_report_gives_share_reaching_target_per_department(client, company) -> None:  # type: ignore[no-untyped-def]
    report = client.get("/api/v1/reports/competences?group_by=department", headers=company).json()
    targets = {c["id"]: c["target_level"] for c in report["competences"]}
    assert {k: v for k, v in targets.items() if v} == {"1.1": 2, "2.6": 3, "4.1": 3}
    assert len(targets) == 21 and targets["3.4"] is None
    groups = {g["group"]: g for g in report["groups"]}
    assert groups["Finance"]["employees"] == 3 and groups["IT"]["employees"] == 1
    finance = {cid: (cell["reached"], cell["share"]) for cid, cell in groups["Finance"]["competences"].items()}
    assert finance == {"1.1": (1, 0.3333), "2.6": (2, 0.6667), "4.1": (1, 0.3333)}
    it = {cid: (cell["reached"], cell["share"]) for cid, cell in groups["IT"]["competences"].items()}
    assert it == {"1.1": (1, 1.0), "2.6": (0, 0.0), "4.1": (1, 1.0)}


def test_csv_report_has_one_row_per_group_and_competence(client, company) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/reports/competences?group_by=department&format=csv", headers=company)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6
    finance_26 = next(r for r in rows if r["group"] == "Finance" and r["competence"] == "2.6")
    assert finance_26 == {
        "group": "Finance",
        "employees": "3",
        "competence": "2.6",
        "title": "Managing digital identity and reputation",
        "target_level": "3",
        "eligible": "3",
        "reached": "2",
        "share": "0.6667",
    }


def test_report_needs_a_reports_token_not_a_cookie(client, company, session, learner) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/reports/competences").status_code == 401
    _, catalog_only = create_api_token(session, TEST_ACTOR, "catalog", ["catalog:read"])
    assert client.get("/api/v1/reports/competences", headers={"Authorization": f"Bearer {catalog_only}"}).status_code == 403
    sign_in(client, learner.email)
    assert client.get("/api/v1/reports/competences").status_code == 401


def test_admin_heat_map_shows_the_numbers_in_a_table(admin_client, company) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/reports/competences")
    assert page.status_code == 200
    assert 'Finance <span class="meta">(4)</span>' in page.text  # the signed-in admin works in Finance too
    row_26 = page.text.split("2.6 Managing digital identity and reputation</th>")[1].split("</tr>")[0]
    assert '<td class="heat heat-5">50% <span class="count">(2)</span></td>' in row_26  # Finance: 2 of 4
    assert '<td class="heat heat-0">0% <span class="count">(0)</span></td>' in row_26  # IT: 0 of 1
    assert "3.4 Programming" in page.text  # listed as not covered


def test_learner_profile_shows_levels_reached_through_completed_modules(client, company) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "f1@example.com")
    page = client.get("/progress")
    profile = page.context["profile"]
    levels = {row.competence.id: (row.target, row.reached, row.achieved) for row in profile}
    assert len(profile) == 21
    assert levels["4.1"] == (3, 2, False)
    assert levels["2.6"] == (3, 3, True)
    assert levels["1.1"] == (2, None, False)
    assert levels["3.4"] == (None, None, False)
    assert "My competence profile" in page.text


def test_csv_cells_that_look_like_formulas_come_out_as_text(client, company, session, settings) -> None:  # type: ignore[no-untyped-def]
    """A department named like a formula must not run when HR opens the report in a spreadsheet."""
    for number, department in enumerate(['=HYPERLINK("http://evil.example","x")', "+1+1", "-2", "@SUM(A1)"]):
        make_user(session, settings, employee_id=f"X{number}", email=f"x{number}@example.com", department=department)
    response = client.get("/api/v1/reports/competences?group_by=department&format=csv", headers=company)
    groups = {row["group"] for row in csv.DictReader(io.StringIO(response.text))}
    assert {'\'=HYPERLINK("http://evil.example","x")', "'+1+1", "'-2", "'@SUM(A1)"} <= groups
    assert not any(group[0] in "=+-@" for group in groups)
    shares = [row["share"] for row in csv.DictReader(io.StringIO(response.text))]
    assert all(not share.startswith("'") for share in shares), "numbers stay numbers"


def test_a_competence_only_the_mentors_module_builds_does_not_count_learners_against_it(
    client, company, session, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Mentor-only 5.4 is a target for mentors only; learners neither reach it nor fall short of it."""
    mentors = sample_module_variant(
        tmp_path,
        "for-mentors",
        {"audience: everyone": "audience: mentors", '"4.1": 2\n  "2.6": 3': '"5.4": 3'},
        {'digcomp: {"4.1": 2}': ""},
    )
    assert import_module_folders(session, TEST_ACTOR, [mentors]).ok
    make_user(session, settings, employee_id="M1", email="m1@example.com", department="Finance", roles={"mentor"})
    report = client.get("/api/v1/reports/competences?group_by=department", headers=company).json()
    finance = next(group for group in report["groups"] if group["group"] == "Finance")
    assert finance["employees"] == 4
    assert finance["competences"]["5.4"] == {"eligible": 1, "reached": 0, "share": 0.0}
    assert finance["competences"]["2.6"]["eligible"] == 4
