"""The header folds into a no-JavaScript menu on phones, and wide tables scroll inside their own box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_learner_journey import sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
MAX_HEADER_HEIGHT = 120

WIDE_TABLE_PAGES = {
    "/progress": "My competence profile",
    "/admin/reports/competences": "DigComp competences by group",
    "/admin/audit": "Audit log",
}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    yield context.new_page()
    context.close()


def header_height(page: Page) -> float:
    box = page.locator(".site-header").bounding_box()
    assert box is not None, "the site header is not rendered"
    return box["height"]


def serious_violations(page: Page) -> list[str]:
    violations = (
        Axe()
        .run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}})
        .response["violations"]
    )
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_phone_header_is_short_and_its_menu_opens(phone: Page, live_server: LiveServer) -> None:
    sign_in(phone, live_server, live_server.add_user("PHONEMENU1"))
    phone.goto(f"{live_server.url}/catalog")
    height = header_height(phone)
    assert height <= MAX_HEADER_HEIGHT, f"the closed header takes {height}px of 844px"
    header = phone.locator(".site-header")
    progress_link = header.get_by_role("link", name="My progress")
    sign_out = header.get_by_role("button", name="Sign out")
    expect(progress_link).to_be_hidden()
    expect(sign_out).to_be_hidden()
    screenshot(phone, "phone-390-menu-closed")

    phone.locator(".site-menu > summary").click()
    expect(progress_link).to_be_visible()
    expect(sign_out).to_be_visible()
    expect(header.get_by_label("Language")).to_be_visible()
    screenshot(phone, "phone-390-menu-open")
    assert serious_violations(phone) == []


def test_phone_menu_works_from_the_keyboard(phone: Page, live_server: LiveServer) -> None:
    sign_in(phone, live_server, live_server.add_user("PHONEMENU2"))
    phone.goto(f"{live_server.url}/catalog")
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="Skip to content")).to_be_focused()
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="cooc", exact=True)).to_be_focused()
    phone.keyboard.press("Tab")
    summary = phone.locator(".site-menu > summary")
    expect(summary).to_be_focused()
    assert summary.evaluate("element => getComputedStyle(element).outlineStyle") == "solid"
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")
    expect(phone.locator(".site-header").get_by_role("link", name="Catalog")).to_be_focused()


@pytest.mark.parametrize("path", list(WIDE_TABLE_PAGES))
def test_wide_tables_scroll_inside_their_box_on_a_phone(phone: Page, live_server: LiveServer, path: str) -> None:
    sign_in(phone, live_server, live_server.add_user(f"PHONETABLE{list(WIDE_TABLE_PAGES).index(path)}", roles={"admin"}))
    phone.goto(live_server.url + path)
    overflow = phone.evaluate("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390px"
    region = phone.get_by_role("region", name=WIDE_TABLE_PAGES[path])
    expect(region).to_have_attribute("tabindex", "0")
    if path == "/progress":
        modules = phone.get_by_role("region", name="My progress")
        expect(modules).to_have_attribute("tabindex", "0")
        sizes = modules.evaluate("element => [element.scrollWidth, element.clientWidth]")
        assert sizes[0] > sizes[1], f"the module table does not scroll inside its own box: {sizes}"
    screenshot(phone, "phone-390-" + path.strip("/").replace("/", "-"))
    assert serious_violations(phone) == []


def test_wide_screen_shows_the_menu_without_opening_anything(desktop: Page, live_server: LiveServer) -> None:
    sign_in(desktop, live_server, live_server.add_user("WIDEMENU1", roles={"admin"}))
    header = desktop.locator(".site-header")
    summary = header.locator(".site-menu > summary")
    expect(summary).to_have_count(1)
    expect(summary).to_be_hidden()
    for name in ("Catalog", "My progress", "Admin", "My account"):
        expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()
    height = header_height(desktop)
    assert height <= MAX_HEADER_HEIGHT, f"the wide header takes {height}px"
    screenshot(desktop, "desktop-1440-catalog")
