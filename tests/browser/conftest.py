"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live uvicorn server.

Without /usr/bin/chromium the browser tests skip with a loud reason; `.ci/run` installs it and
sets COOC_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from app.config import PROJECT_ROOT, Settings
from app.main import create_app
from app.migrations import upgrade_to_head
from app.publishing.service import import_modules_directory
from tests.conftest import make_settings
from tests.factories import TEST_ACTOR, make_user

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                reason = (
                    "Debian's chromium is not installed at /usr/bin/chromium (apt-get install --no-install-recommends chromium)"
                )
                if os.environ.get("COOC_REQUIRE_BROWSER"):
                    item.add_marker(pytest.mark.xfail(reason=reason, run=False, strict=True))
                    raise pytest.UsageError(f"COOC_REQUIRE_BROWSER is set but {reason}")
                item.add_marker(pytest.mark.skip(reason=f"BROWSER TESTS SKIPPED: {reason}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:  # type: ignore[type-arg]
    """axe-core is injected as a script, which our Content-Security-Policy would otherwise block."""
    return {**browser_context_args, "bypass_csp": True}


@dataclass
class LiveServer:
    url: str
    app: object

    def add_user(self, employee_id: str, language: str = "en", roles: set[str] | None = None, email: str | None = None) -> str:
        email = email or f"{employee_id.lower()}@example.com"
        with self.app.state.db.session() as session:  # type: ignore[attr-defined]
            make_user(session, self.app.state.settings, employee_id=employee_id, email=email, language=language, roles=roles)  # type: ignore[attr-defined]
        return email


@contextmanager
def running_live_server(settings: Settings, port: int = 0) -> Iterator[LiveServer]:
    """cooc with the shipped course, migrated and served by uvicorn in a thread."""
    upgrade_to_head(settings)
    app = create_app(settings)
    with app.state.db.session() as session:
        report = import_modules_directory(session, TEST_ACTOR, PROJECT_ROOT / "modules")
        assert report.ok, report.rejected
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(url=f"http://127.0.0.1:{bound}", app=app)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.db.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """cooc with the shipped course on a SQLite file."""
    data_dir = tmp_path_factory.mktemp("live")
    with running_live_server(make_settings(f"sqlite:///{data_dir / 'cooc.sqlite3'}", data_dir)) as server:
        yield server


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
