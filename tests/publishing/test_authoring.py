"""Authoring in the browser: a new module, a new lesson, a new order of lessons, an uploaded image."""

from __future__ import annotations

from html import unescape

from app.catalog.service import Versions
from app.publishing.service import version_sources
from tests.catalog.test_images import png
from tests.conftest import csrf_from
from tests.publishing.test_pages import current_text, publish, save

MODULE_PAGE = "/admin/modules/sample-module"


def post(client, url: str, data: dict[str, object], **kwargs):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(MODULE_PAGE).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False, **kwargs)


def test_a_new_module_starts_as_a_draft_that_passes_the_checks_and_goes_live_when_published(admin_client, session) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/modules")
    form = {"csrf_token": csrf_from(page.text), "slug": "cloud-basics", "title": "Cloud basics", "languages": ["en", "nl"]}
    response = admin_client.post("/admin/modules", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/modules/cloud-basics?saved=1"
    assert "Cloud basics" not in admin_client.get("/catalog").text
    files = version_sources(session.connection(), "cloud-basics", 1)
    assert {"module.md", "en/01-introduction.md", "nl/01-introduction.md", "en/quiz.yaml", "nl/quiz.yaml"} == set(files)
    token = csrf_from(admin_client.get("/admin/modules/cloud-basics").text)
    admin_client.post("/admin/modules/cloud-basics/versions/1/publish", data={"csrf_token": token})
    assert "Cloud basics" in admin_client.get("/catalog").text
    again = admin_client.post("/admin/modules", data={**form, "csrf_token": csrf_from(admin_client.get("/admin/modules").text)})
    assert again.status_code == 400 and "exists already" in again.text


def test_a_lesson_is_added_in_every_language_and_lessons_are_reordered(admin_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    added = post(admin_client, f"{MODULE_PAGE}/versions/1/lessons", {"lesson_slug": "backups", "title": "Backups"})
    assert added.status_code == 303 and "saved=2" in added.headers["location"]
    files = version_sources(session.connection(), "sample-module", 2)
    assert "en/04-backups.md" in files and "fr/04-backups.md" in files
    order = {"position-passwords": "2", "position-two-factors": "3", "position-reporting": "4", "position-backups": "1"}
    reordered = post(admin_client, f"{MODULE_PAGE}/versions/2/order", order)
    assert reordered.status_code == 303 and "saved=3" in reordered.headers["location"]
    assert publish(admin_client, 3).status_code == 303
    module = Versions().current(session.connection(), "sample-module")
    assert module is not None and module.lesson_slugs == ("backups", "passwords", "two-factors", "reporting")
    incomplete = post(admin_client, f"{MODULE_PAGE}/versions/3/order", {"position-passwords": "1"})
    assert incomplete.status_code == 400 and "every lesson" in incomplete.text


def test_an_uploaded_image_goes_into_a_draft_and_a_fake_one_is_refused(admin_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    upload = post(
        admin_client,
        f"{MODULE_PAGE}/versions/1/images",
        {"folder": "images/"},
        files={"image": ("Grid.png", png(), "image/png")},
    )
    assert upload.status_code == 303 and "saved=2" in upload.headers["location"]
    assert version_sources(session.connection(), "sample-module", 2)["images/grid.png"] == png()
    heading = "## Long beats clever"
    text = unescape(current_text(admin_client)).replace(heading, f"{heading}\n\n![A grid](../images/grid.png)")
    assert save(admin_client, text, number=2).status_code == 303
    preview = admin_client.get(f"{MODULE_PAGE}/versions/3/lessons/passwords").text
    assert 'alt="A grid"' in preview and 'src="/media/' in preview
    fake = post(
        admin_client,
        f"{MODULE_PAGE}/versions/3/images",
        {"folder": "en/images/"},
        files={"image": ("logo.png", b"<html>not an image</html>", "image/png")},
    )
    assert fake.status_code == 400 and "is not a PNG image" in fake.text
    escape = post(
        admin_client, f"{MODULE_PAGE}/versions/3/images", {"folder": "../"}, files={"image": ("x.png", png(), "image/png")}
    )
    assert escape.status_code == 400
