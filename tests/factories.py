"""Small builders for test data: each makes one thing, with defaults that rarely matter."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import Session

from app.accounts.models import Role, User
from app.accounts.people import EmployeeRecord, create_user
from app.actor import Actor
from app.catalog.files import ModuleLimits, read_module_folder
from app.catalog.loader import ModuleSource, load_module
from app.config import Settings

TEST_PASSWORD = "correct-horse-battery"
TEST_ACTOR = Actor.system("tests")


def as_learner(user: User) -> Actor:
    """The person acting on their own behalf, as a signed-in request would say."""
    assert user.id is not None
    return Actor.person(user.id, user.employee_id)


def make_user(
    session: Session,
    settings: Settings,
    *,
    employee_id: str,
    email: str,
    name: str = "Test Person",
    department: str = "Finance",
    language: str = "en",
    roles: set[str] | None = None,
    password: str | None = TEST_PASSWORD,
) -> User:
    wanted = frozenset(Role(role) for role in (roles or set()) | {"learner"})
    return create_user(
        session, settings, TEST_ACTOR, EmployeeRecord(employee_id, name, email, department, language, wanted), password
    )


def write_module(root: Path, files: dict[str, str]) -> Path:
    """Write a module folder from a {relative path: text} mapping and return its path."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def sample_module_variant(root: Path, slug: str, manifest: dict[str, str], first_lesson: dict[str, str] | None = None) -> Path:
    """A copy of the fixture module under another slug, with text replaced in module.md and its first lesson."""
    from tests.conftest import FIXTURE_MODULES

    folder = root / slug
    shutil.copytree(FIXTURE_MODULES / "sample-module", folder)
    replace_in(folder / "module.md", {"slug: sample-module": f"slug: {slug}", **manifest})
    replace_in(folder / "en" / "01-passwords.md", first_lesson or {})
    return folder


def replace_in(path: Path, replacements: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, f"{old!r} is not in {path}"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def load_folder(folder: Path, limits: ModuleLimits = ModuleLimits()) -> ModuleSource:
    """Check and render a module folder on disk, as `cooc import-modules` reads it."""
    return load_module(read_module_folder(folder, limits))
