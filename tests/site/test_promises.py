"""What the site's pages promise is what cooc does: each claim tied to the route, setting or content behind it.

A page that says "deleted within a minute" or "eight modules for everyone" must change when the
code does; these tests fail the day the two drift apart.
"""

from __future__ import annotations

import re

import pytest

from app.catalog.files import discover_module_folders
from app.catalog.loader import ModuleSource
from app.catalog.service import PublishedModule
from app.config import PROJECT_ROOT, UI_LANGUAGES, Settings
from app.progress.competences import course_targets
from app.security import ANONYMOUS_COOKIE, SESSION_COOKIE
from tests.factories import load_folder
from tests.routes import route_table

CONTENT = PROJECT_ROOT / "content"
COURSE: list[ModuleSource] = [load_folder(folder) for folder in discover_module_folders(PROJECT_ROOT / "modules")]
FOR_EVERYONE = [module for module in COURSE if module.manifest.audience == "everyone"]


def page(language: str, slug: str) -> str:
    return (CONTENT / language / f"{slug}.md").read_text(encoding="utf-8")


def section_after(text: str, heading_level: int, index: int) -> str:
    """The body of the `index`-th section of that heading level."""
    parts = re.split(rf"^{'#' * heading_level} .*$", text, flags=re.MULTILINE)
    return parts[index + 1]


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_the_home_page_lists_every_module_for_everyone(language: str) -> None:
    listed = [line for line in section_after(page(language, "home"), 2, 0).splitlines() if line.startswith("- **")]
    assert len(listed) == len(FOR_EVERYONE)


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_every_link_of_the_site_pages_leads_to_a_page_of_cooc(app, language: str) -> None:  # type: ignore[no-untyped-def]
    routes = {route.path for route in route_table(app) if route.method == "GET"}
    for slug in ("home", "guide", "mentor-handbook", "privacy"):
        for target in re.findall(r"\]\((/[^)#\s]*)", page(language, slug)):
            assert target in routes, f"{language}/{slug}.md links to {target}, which cooc does not serve"


def test_the_guide_gives_the_times_the_modules_take() -> None:
    """ "From about 30 minutes (working with your mentor) to about an hour for most, and more for social media"."""
    minutes = {module.slug: module.manifest.estimated_minutes for module in FOR_EVERYONE}
    assert min(minutes, key=minutes.__getitem__) == "working-with-your-mentor" and 25 <= minutes["working-with-your-mentor"] <= 35
    assert max(minutes, key=minutes.__getitem__) == "social-media" and minutes["social-media"] > 75
    most = [value for slug, value in minutes.items() if slug not in ("working-with-your-mentor", "social-media")]
    assert all(40 <= value <= 70 for value in most), minutes
    assert "about 30 minutes" in page("en", "guide") and "an hour and a half" in page("en", "home")


def test_the_guide_describes_the_quizzes_and_the_competences_as_they_are() -> None:
    """ "A quiz of ten questions drawn from a larger bank"; "the course covers 19 of the 21 competences"."""
    assert all(module.attempt_size == 10 < len(module.quiz) for module in FOR_EVERYONE)
    published = [
        PublishedModule(module_id=n, version_id=n, version_number=1, manifest=m.manifest, lessons=(), quiz=m.quiz, job_aids={})
        for n, m in enumerate(COURSE)
    ]
    targets = course_targets(published)
    assert len(targets) == 19 and not {"2.3", "3.4"} & set(targets)
    assert "ten questions drawn from a larger bank" in page("en", "guide") and "19 of the 21 competences" in page("en", "guide")


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_the_privacy_notice_gives_the_retention_cooc_enforces(language: str) -> None:
    settings = Settings()
    text = page(language, "privacy")
    assert settings.session_max_age_seconds == 8 * 3600 and "8" in text
    assert settings.login_lockout_seconds == 15 * 60 and "15" in text
    assert settings.housekeeping_interval_seconds <= 60, "ended sessions and throttle records go within a minute"
    assert SESSION_COOKIE in text and ANONYMOUS_COOKIE in text and "24" in text


def test_the_anonymous_cookie_lives_the_24_hours_the_notice_says(client) -> None:  # type: ignore[no-untyped-def]
    cookie = client.get("/login").headers["set-cookie"]
    assert f"{ANONYMOUS_COOKIE}=" in cookie and "Max-Age=86400" in cookie


def test_the_rights_the_privacy_notice_describes_have_their_routes(app) -> None:  # type: ignore[no-untyped-def]
    routes = {(route.method, route.path) for route in route_table(app)}
    assert ("POST", "/admin/people/{employee_id}/export") in routes and ("POST", "/admin/people/{employee_id}/erase") in routes
    text = page("en", "privacy")
    assert "exporting everything cooc holds about you as one JSON file" in text and "erasing your account" in text
