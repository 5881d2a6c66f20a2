"""An admin edits a lesson with its live preview, previews the draft, publishes it; a learner sees it; the admin rolls back."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_learner_journey import sign_in

MODULE = "internet-of-things"
LESSON = "what-is-the-iot"
OLD = "Think about your last Monday at the office."
NEW = "Think about your last Tuesday on the shop floor."


def test_edit_preview_publish_and_roll_back_a_lesson(page: Page, browser: Browser, live_server: LiveServer) -> None:
    learner_context = browser.new_context()
    learner = learner_context.new_page()
    sign_in(learner, live_server, live_server.add_user("PUBLEARN"))
    lesson_url = f"{live_server.url}/modules/{MODULE}/lessons/{LESSON}"
    learner.goto(lesson_url)
    expect(learner.locator(".lesson-body")).to_contain_text(OLD)

    sign_in(page, live_server, live_server.add_user("PUBADMIN", roles={"admin"}))
    page.goto(f"{live_server.url}/admin/modules/{MODULE}")
    live = int(page.locator("tr", has_text="live").locator("td").first.inner_text())
    page.goto(f"{live_server.url}/admin/modules/{MODULE}/versions/{live}/edit?path=en/01-{LESSON}.md")
    preview = page.locator("#preview")
    expect(preview).to_contain_text(OLD)
    source = page.get_by_label("Markdown")
    source.fill(source.input_value().replace(OLD, NEW))
    expect(preview).to_contain_text(NEW)
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "admin-lesson-editor")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("status")).to_contain_text("Learners see it once you publish it.")
    draft = int(re.search(r"saved=(\d+)", page.url).group(1))  # type: ignore[union-attr]

    learner.reload()
    expect(learner.locator(".lesson-body")).to_contain_text(OLD)

    page.goto(f"{live_server.url}/admin/modules/{MODULE}/versions/{draft}/lessons/{LESSON}")
    expect(page.get_by_role("note").first).to_contain_text(f"Preview of version {draft}")
    expect(page.locator(".lesson-body")).to_contain_text(NEW)
    page.goto(f"{live_server.url}/admin/modules/{MODULE}/versions/{live}/diff/{draft}")
    expect(page.locator(".diff-added")).to_contain_text([re.compile("Tuesday on the shop floor")])
    screenshot(page, "admin-version-diff")

    page.goto(f"{live_server.url}/admin/modules/{MODULE}")
    page.get_by_role("button", name=f"Publish version {draft}").click()
    learner.reload()
    expect(learner.locator(".lesson-body")).to_contain_text(NEW)

    page.get_by_role("button", name=f"Roll back to version {live}").click()
    learner.reload()
    expect(learner.locator(".lesson-body")).to_contain_text(OLD)
    learner_context.close()
