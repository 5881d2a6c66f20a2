"""One lesson of every shipped module, in each language, as a learner sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.catalog.files import discover_module_folders
from app.config import PROJECT_ROOT
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_learner_journey import sign_in
from tests.factories import load_folder

MODULES = [load_folder(folder) for folder in discover_module_folders(PROJECT_ROOT / "modules")]


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_a_lesson_of_every_module_renders_in_each_language(page: Page, live_server: LiveServer, language: str) -> None:
    email = live_server.add_user(f"COURSE-{language.upper()}", language=language, roles={"mentor"})
    sign_in(page, live_server, email)
    for module in MODULES:
        lesson = module.lessons[0]
        page.goto(f"{live_server.url}/modules/{module.slug}/lessons/{lesson.slug}")
        expect(page.locator("h1")).to_have_text(lesson.pages[language].title)
        expect(page.locator("article.lesson")).to_have_attribute("lang", language)
        expect(page.locator(".callout-takeaways").first).to_be_visible()
        assert page.locator(".alert[role=note]").count() == 0, "no fallback notice expected"
        screenshot(page, f"course-{module.slug}-{language}")


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_every_job_aid_prints_without_the_site_around_it(page: Page, live_server: LiveServer, language: str) -> None:
    email = live_server.add_user(f"AID-{language.upper()}", language=language, roles={"mentor"})
    sign_in(page, live_server, email)
    aided = [module for module in MODULES if language in module.job_aids]
    assert len(aided) >= 7
    for module in aided:
        page.goto(f"{live_server.url}/modules/{module.slug}")
        page.get_by_role("link", name=module.job_aids[language].title).click()
        expect(page.locator("article.job-aid h1")).to_have_text(module.job_aids[language].title)
        expect(page.get_by_role("button", name=re.compile("pdf", re.IGNORECASE))).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator(".site-footer")).to_be_hidden()
        expect(page.get_by_role("button", name=re.compile("pdf", re.IGNORECASE))).to_be_hidden()
        screenshot(page, f"job-aid-{module.slug}-{language}")
        pages = _pdf_pages(page.pdf(format="A4"))
        assert 1 <= pages <= 2, f"{module.slug} ({language}) prints on {pages} A4 pages"
        page.emulate_media(media="screen")
