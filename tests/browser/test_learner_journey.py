"""A learner's whole journey in headless Chromium, plus accessibility and phone-width checks."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.catalog.quiz import Question
from app.config import PROJECT_ROOT
from tests.browser.conftest import LiveServer, screenshot
from tests.factories import TEST_PASSWORD, load_folder

MODULE = "internet-security"


def sign_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email or employee ID").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/catalog$"))


def shown_questions(page: Page) -> list[Question]:
    """The questions this attempt drew, in the order the page shows them."""
    bank = {question.id: question for question in load_folder(PROJECT_ROOT / "modules" / MODULE).quiz.questions}
    ids = page.locator("fieldset.question").evaluate_all("nodes => nodes.map(node => node.id.slice('question-'.length))")
    return [bank[question_id] for question_id in ids]


def tick_answers(page: Page, right: bool, skip_first: bool = False) -> None:
    shown = shown_questions(page)
    assert len(shown) == 10
    for question in shown[1 if skip_first else 0 :]:
        choices = [choice.id for choice in question.texts["en"].choices]
        picks = sorted(question.correct) if right else [next(c for c in choices if c not in question.correct)]
        for choice in picks:
            page.locator(f"#q-{question.id}-{choice}").check()


def answer_quiz(page: Page, right: bool) -> None:
    tick_answers(page, right)
    page.get_by_role("button", name="Check my answers").click()


def test_learner_reads_lessons_fails_then_passes_and_sees_completion(page: Page, live_server: LiveServer) -> None:
    email = live_server.add_user("JOURNEY1")
    sign_in(page, live_server, email)
    screenshot(page, "catalog")
    page.get_by_role("link", name="Internet security").click()
    page.get_by_role("link", name="Start").click()
    lessons = load_folder(PROJECT_ROOT / "modules" / MODULE).lessons
    for number, lesson in enumerate(lessons):
        expect(page.locator("h1")).to_have_text(lesson.pages["en"].title)
        if number == 0:
            screenshot(page, "lesson")
        page.get_by_role("button", name="Mark as done").click()
    expect(page).to_have_url(re.compile(rf"/modules/{MODULE}/quiz$"))
    screenshot(page, "quiz")
    answer_quiz(page, right=False)
    expect(page.locator(".score")).to_contain_text("Your score: 0%")
    expect(page.get_by_text("Not passed yet")).to_be_visible()
    page.get_by_role("link", name="Try again").click()
    answer_quiz(page, right=True)
    expect(page.locator(".score")).to_contain_text("Your score: 100%")
    expect(page.get_by_text("Module completed on")).to_be_visible()
    screenshot(page, "quiz-result")
    page.get_by_role("link", name="My progress").first.click()
    row = page.get_by_role("row").filter(has_text="Internet security")
    expect(row).to_contain_text("Completed on")
    screenshot(page, "my-progress")


def test_learner_switches_the_interface_and_lessons_to_french(page: Page, live_server: LiveServer) -> None:
    email = live_server.add_user("FRENCH1")
    sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/modules/{MODULE}/lessons/passwords-and-passkeys")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Marquer comme terminé")).to_be_visible()
    french_title = load_folder(PROJECT_ROOT / "modules" / MODULE).lessons[0].pages["fr"].title
    expect(page.locator("h1")).to_have_text(french_title)
    screenshot(page, "lesson-fr")


A11Y_PAGES = [
    "/",
    "/login",
    "/catalog",
    f"/modules/{MODULE}",
    f"/modules/{MODULE}/lessons/passwords-and-passkeys",
    f"/modules/{MODULE}/quiz",
    "/progress",
    "/admin/tokens",
    "/admin/employees",
    "/admin/reports/competences",
]


@pytest.mark.parametrize("path", A11Y_PAGES)
def test_main_pages_have_no_serious_accessibility_violations(page: Page, live_server: LiveServer, path: str) -> None:
    if path not in ("/", "/login"):
        sign_in(page, live_server, live_server.add_user(f"AXE{A11Y_PAGES.index(path)}", roles={"admin"}))
    page.goto(live_server.url + path)
    violations = (
        Axe()
        .run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}})
        .response["violations"]
    )
    serious = [f"{v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_keyboard_user_can_skip_to_content_and_sees_focus(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, live_server.add_user("KEYS1"))
    page.goto(f"{live_server.url}/catalog")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"


@pytest.mark.parametrize(
    "path", ["/login", "/catalog", f"/modules/{MODULE}/lessons/passwords-and-passkeys", f"/modules/{MODULE}/quiz", "/progress"]
)
def test_pages_fit_a_phone_screen(browser, live_server: LiveServer, path: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    if path != "/login":
        sign_in(page, live_server, live_server.add_user(f"PHONE{len(path)}-{path.count('/')}"))
    page.goto(live_server.url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"
    screenshot(page, "phone-" + (path.strip("/").replace("/", "-") or "home"))
    context.close()


def test_quiz_choices_and_submit_work_from_the_keyboard(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, live_server.add_user("KEYS2"))
    page.goto(f"{live_server.url}/modules/{MODULE}/quiz")
    first = shown_questions(page)[0]
    first_choice = page.locator(f"#question-{first.id} input").first.get_attribute("value")
    page.locator(f"#q-{first.id}-{first_choice}").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"#q-{first.id}-{first_choice}")).to_be_checked()
    tick_answers(page, right=True, skip_first=True)
    page.get_by_role("button", name="Check my answers").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".score")).to_contain_text("Your score:")
