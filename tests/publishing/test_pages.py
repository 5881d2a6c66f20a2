"""The admin's content pages: edit a lesson into a draft, preview it, diff it, publish it, roll it back."""

from __future__ import annotations

from sqlmodel import select

from app.catalog.models import ModuleVersion
from app.events.models import AuditEvent
from tests.conftest import csrf_from

EDIT = "/admin/modules/sample-module/versions/1/edit?path=en/01-passwords.md"


def save(client, text: str, number: int = 1, path: str = "en/01-passwords.md"):  # type: ignore[no-untyped-def]
    page = client.get(f"/admin/modules/sample-module/versions/{number}/edit?path={path}")
    data = {"csrf_token": csrf_from(page.text), "path": path, "text": text}
    return client.post(f"/admin/modules/sample-module/versions/{number}/edit", data=data, follow_redirects=False)


def current_text(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get(EDIT).text
    return page[page.index("<textarea") : page.index("</textarea>")].split(">", 1)[1]


def publish(client, number: int):  # type: ignore[no-untyped-def]
    page = client.get("/admin/modules/sample-module")
    url = f"/admin/modules/sample-module/versions/{number}/publish"
    return client.post(url, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)


def test_an_edit_becomes_a_draft_previewed_diffed_then_published_and_rolled_back(  # type: ignore[no-untyped-def]
    admin_client, sample_module, app
) -> None:
    from html import unescape

    from fastapi.testclient import TestClient

    from tests.conftest import sign_in
    from tests.factories import make_user

    with app.state.db.session() as session:
        make_user(session, app.state.settings, employee_id="L9", email="reader@example.com")
    with TestClient(app) as learner:
        sign_in(learner, "reader@example.com")
        original = unescape(current_text(admin_client))
        saved = save(admin_client, original.replace("password manager", "passphrase vault"))
        assert saved.status_code == 303 and "saved=2" in saved.headers["location"]
        assert "passphrase vault" not in learner.get("/modules/sample-module/lessons/passwords").text

        preview = admin_client.get("/admin/modules/sample-module/versions/2/lessons/passwords")
        assert "passphrase vault" in preview.text and "Preview of version 2" in preview.text
        assert "Mark as done" not in preview.text

        diff = admin_client.get("/admin/modules/sample-module/versions/1/diff/2").text
        assert 'class="diff-removed">-' in diff and 'class="diff-added">+' in diff and "passphrase vault" in diff
        read = diff[diff.index("What learners read") : diff.index("Source files")]
        assert "Passwords" in read and "(en)" in read and "(fr)" not in read, "only the changed page, by its title"
        assert "+" in read and "passphrase vault" in read and "title:" not in read, "the text learners read, not the markdown"

        assert publish(admin_client, 2).status_code == 303
        assert "passphrase vault" in learner.get("/modules/sample-module/lessons/passwords").text
        assert publish(admin_client, 1).status_code == 303
        assert "passphrase vault" not in learner.get("/modules/sample-module/lessons/passwords").text
    overview = admin_client.get("/admin/modules").text
    assert "Sample security module" in overview and "person:A1" in overview


def test_an_edit_that_breaks_the_module_is_shown_with_its_problems_and_not_stored(admin_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    response = save(admin_client, "no front matter at all")
    assert response.status_code == 400
    assert "front matter missing" in response.text and "no front matter at all" in response.text
    session.expire_all()
    assert len(session.exec(select(ModuleVersion)).all()) == 1


def test_saving_the_same_text_gives_the_same_version(admin_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    from html import unescape

    response = save(admin_client, unescape(current_text(admin_client)).replace("\n", "\r\n"))
    assert response.status_code == 303 and "saved=1" in response.headers["location"]
    assert len(session.exec(select(ModuleVersion)).all()) == 1


def test_the_live_preview_renders_and_sanitizes_like_publishing(admin_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(admin_client.get(EDIT).text)
    text = "---\ntitle: x\n---\n## Hello\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))\n"
    form = {"csrf_token": token, "text": text, "language": "en"}
    response = admin_client.post("/admin/modules/sample-module/preview", data=form)
    assert response.status_code == 200
    assert "<h2" in response.text and "Hello" in response.text
    assert "<script" not in response.text and "&lt;script&gt;" in response.text, "raw HTML is shown as text"
    assert 'href="javascript:' not in response.text


def test_unknown_versions_and_files_are_404(admin_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    assert admin_client.get("/admin/modules/nope").status_code == 404
    assert admin_client.get("/admin/modules/sample-module/versions/7/edit?path=en/01-passwords.md").status_code == 404
    assert admin_client.get("/admin/modules/sample-module/versions/1/edit?path=en/99-nothing.md").status_code == 404
    assert admin_client.get("/admin/modules/sample-module/versions/1/lessons/nothing").status_code == 404


def test_an_editor_edits_and_publishes_and_the_audit_log_names_them(client, session, settings, sample_module) -> None:  # type: ignore[no-untyped-def]
    from html import unescape

    from app.events.models import AuditEvent
    from tests.conftest import sign_in
    from tests.factories import make_user

    make_user(session, settings, employee_id="ED1", email="editor@example.com", roles={"editor"})
    sign_in(client, "editor@example.com")
    assert 'href="/admin/modules"' in client.get("/catalog").text
    assert save(client, unescape(current_text(client)).replace("password manager", "vault")).status_code == 303
    assert publish(client, 2).status_code == 303
    session.expire_all()
    published = session.exec(select(AuditEvent).where(AuditEvent.action == "module.published")).all()
    assert [(event.actor_kind, event.actor_label) for event in published][-1] == ("person", "ED1")


def test_an_archived_module_leaves_the_catalog_and_its_completions_stay_in_reports(  # type: ignore[no-untyped-def]
    admin_client, learner, session, sample_module, app
) -> None:
    from app.catalog.service import Versions
    from app.reporting.service import GroupBy, competence_report

    token = csrf_from(admin_client.get("/admin/modules/sample-module").text)
    archive = admin_client.post("/admin/modules/sample-module/archive", data={"csrf_token": token, "archived": "true"})
    assert archive.status_code == 200 and "This module is archived" in archive.text
    assert "Sample security module" not in admin_client.get("/catalog").text
    assert admin_client.get("/modules/sample-module/lessons/passwords").status_code == 404
    assert [m["slug"] for m in admin_client.get("/api/v1/modules").json()] == []
    with app.state.db.engine.connect() as connection:
        report = competence_report(connection, Versions(), GroupBy.department)
        assert report.targets, "the archived module still counts in the report"
    token = csrf_from(admin_client.get("/admin/modules/sample-module").text)
    admin_client.post("/admin/modules/sample-module/archive", data={"csrf_token": token, "archived": "false"})
    assert admin_client.get("/modules/sample-module/lessons/passwords").status_code == 200
    actions = [e.action for e in session.exec(select(AuditEvent)).all() if e.action == "module.archived"]
    assert len(actions) == 2


def test_a_draft_can_be_previewed_in_a_phone_width_column(admin_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    desktop = admin_client.get("/admin/modules/sample-module/versions/1/lessons/passwords")
    phone = admin_client.get("/admin/modules/sample-module/versions/1/lessons/passwords?width=phone")
    assert 'class="preview-phone"' in phone.text and 'class="preview-phone"' not in desktop.text
    assert "See it at phone width" in desktop.text and "See it at desktop width" in phone.text
    learner_view = admin_client.get("/modules/sample-module/lessons/passwords?width=phone")
    assert "preview-phone" not in learner_view.text and "Preview of version" not in learner_view.text


def test_a_draft_is_previewed_in_each_of_its_languages(admin_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    english = admin_client.get("/admin/modules/sample-module/versions/1/lessons/passwords").text
    french = admin_client.get("/admin/modules/sample-module/versions/1/lessons/passwords?language=fr").text
    assert '<article class="lesson" lang="en">' in english and '<article class="lesson" lang="fr">' in french
    assert 'href="?language=fr&amp;width=desktop"' in english
