"""Version numbers never collide, and a draft never changes what learners read."""

from __future__ import annotations

import threading

import pytest

from app.catalog.files import ModuleFiles
from app.catalog.service import Versions
from app.publishing.service import list_versions, save_draft
from tests.factories import TEST_ACTOR
from tests.publishing.test_api import edited


def test_concurrent_drafts_of_one_module_get_distinct_numbers(db, sample_module) -> None:  # type: ignore[no-untyped-def]
    start = threading.Barrier(4)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def save(n: int) -> None:
        files = ModuleFiles(name="sample-module", files=edited("password manager", f"password manager, take {n}"))
        try:
            start.wait()
            with db.session() as session:
                numbers.append(save_draft(session, TEST_ACTOR, files, source_kind="api").number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [2, 3, 4, 5]
    with db.engine.connect() as connection:
        versions = list_versions(connection, "sample-module")
        assert versions is not None and [v.number for v in versions] == [5, 4, 3, 2, 1]
        current = Versions().current(connection, "sample-module")
    assert current is not None and current.version_number == 1, "drafts leave the live version alone"


def test_a_version_imported_before_sources_were_kept_gets_them_on_the_next_import(session, sample_module) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import delete

    from app.publishing.models import ModuleVersionFile
    from app.publishing.service import VersionNotFound, import_module_folders, version_sources
    from tests.conftest import FIXTURE_MODULES

    session.exec(delete(ModuleVersionFile))
    session.commit()
    with pytest.raises(VersionNotFound, match="before cooc kept sources"):
        version_sources(session.connection(), "sample-module", 1)
    report = import_module_folders(session, TEST_ACTOR, [FIXTURE_MODULES / "sample-module"])
    assert [(o.version_number, o.status) for o in report.outcomes] == [(1, "unchanged")]
    assert "module.md" in version_sources(session.connection(), "sample-module", 1)


def test_live_modules_are_rendered_again_from_their_sources_after_a_renderer_change(session, db, sample_module) -> None:  # type: ignore[no-untyped-def]
    """Stored HTML from an older renderer (here: tampered) is replaced by a new version; the same output changes nothing."""
    from sqlalchemy import update

    from app.catalog.models import LessonPage
    from app.publishing.service import rerender_live_modules

    session.exec(update(LessonPage).values(html="<p>rendered by an older cooc</p>"))
    session.commit()
    first = rerender_live_modules(session, TEST_ACTOR)
    assert [(saved.slug, saved.number) for saved in first.republished] == [("sample-module", 2)]
    with db.engine.connect() as connection:
        module = Versions().current(connection, "sample-module")
    assert module is not None and module.version_number == 2
    assert "older cooc" not in module.lessons[0].pages["en"].html
    second = rerender_live_modules(session, TEST_ACTOR)
    assert second.republished == [] and second.unchanged == ["sample-module"]
