"""The learner's reading pages over HTTP."""

from __future__ import annotations

from app.accounts.people import set_language
from tests.factories import TEST_ACTOR, as_learner


def test_anonymous_visitor_is_sent_to_login_with_return_path(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/modules/sample-module/lessons/passwords", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/modules/sample-module/lessons/passwords"


def test_catalog_shows_published_module_with_progress_bar(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/catalog")
    assert page.status_code == 200
    assert "Sample security module" in page.text
    assert 'value="0"' in page.text and "Not started" in page.text
    assert "4.1" in page.text  # the competences the module builds


def test_lesson_page_shows_rendered_content_and_navigation(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/modules/sample-module/lessons/two-factors")
    assert page.status_code == 200
    assert page.template.name == "progress/lesson.html"
    assert "<h1>Two factors</h1>" in page.text
    assert 'rel="prev" href="/modules/sample-module/lessons/passwords"' in page.text
    assert 'rel="next" href="/modules/sample-module/lessons/reporting"' in page.text
    assert "Mark as done" in page.text


def test_french_learner_gets_french_lesson_and_interface(learner_client, learner, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    set_language(session, as_learner(learner), "fr")
    page = learner_client.get("/modules/sample-module/lessons/passwords")
    assert "<h1>Les mots de passe</h1>" in page.text
    assert "Marquer comme terminé" in page.text
    assert '<html lang="fr">' in page.text


def test_missing_translation_falls_back_with_a_visible_notice(learner_client, learner, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    set_language(session, as_learner(learner), "fr")
    page = learner_client.get("/modules/sample-module/lessons/reporting")
    assert page.status_code == 200
    assert "<h1>Reporting a mistake</h1>" in page.text
    assert 'class="alert" role="note"' in page.text
    assert page.context["fell_back"] is True


def test_unknown_module_and_lesson_are_404(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    assert learner_client.get("/modules/nope").status_code == 404
    assert learner_client.get("/modules/sample-module/lessons/nope").status_code == 404


def test_pages_send_security_headers(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    page = learner_client.get("/catalog")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_mentor_only_module_is_hidden_from_learners(learner_client, session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from app.publishing.service import import_module_folders
    from tests.conftest import FIXTURE_MODULES

    folder = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", folder)
    manifest = folder / "module.md"
    manifest.write_text(manifest.read_text().replace("audience: everyone", "audience: mentors"))
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok
    assert "Sample security module" not in learner_client.get("/catalog").text
    assert learner_client.get("/modules/sample-module").status_code == 404


def test_lesson_opens_with_its_objectives_and_counts_its_exercises_and_module_says_when_it_was_checked(  # type: ignore[no-untyped-def]
    learner_client, session, tmp_path, sample_module
) -> None:
    from app.publishing.service import import_module_folders
    from tests.factories import sample_module_variant

    folder = sample_module_variant(
        tmp_path,
        "checked-module",
        {"audience: everyone": "audience: everyone\nchecked_on: 2026-11-30"},
        {"minutes: 1\n": "minutes: 1\nobjectives:\n  - You can spot a weak password.\nexercises: [4]\n"},
    )
    with (folder / "en" / "01-passwords.md").open("a") as lesson:
        lesson.write("\n::: practice\nChange one weak password.\n:::\n")
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok
    module_page = learner_client.get("/modules/checked-module").text
    assert "Content checked on November 30, 2026" in module_page
    lesson = learner_client.get("/modules/checked-module/lessons/passwords").text
    assert "After this lesson" in lesson and "<li>You can spot a weak password.</li>" in lesson
    assert "5 min" in lesson
    unchecked = learner_client.get("/modules/sample-module")
    assert unchecked.status_code == 200 and "Content checked on" not in unchecked.text


def test_job_aid_is_one_printable_page_in_the_learners_language_with_a_fallback(  # type: ignore[no-untyped-def]
    learner_client, learner, session, tmp_path, sample_module
) -> None:
    from app.publishing.service import import_module_folders
    from tests.factories import sample_module_variant

    folder = sample_module_variant(tmp_path, "aided-module", {})
    (folder / "en" / "job-aid.md").write_text("---\ntitle: Security on one page\n---\n\n- Call back on a known number.\n")
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok
    module_page = learner_client.get("/modules/aided-module").text
    assert 'href="/modules/aided-module/job-aid"' in module_page and "Security on one page" in module_page
    aid = learner_client.get("/modules/aided-module/job-aid")
    assert aid.status_code == 200 and "<li>Call back on a known number.</li>" in aid.text
    assert "data-print" in aid.text and 'src="/static/print.js"' in aid.text
    set_language(session, as_learner(learner), "fr")
    assert 'lang="en"' in learner_client.get("/modules/aided-module/job-aid").text  # no French job aid: the English one
    assert learner_client.get("/modules/sample-module/job-aid").status_code == 404
    assert "/job-aid" not in learner_client.get("/modules/sample-module").text
