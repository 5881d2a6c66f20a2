"""Catalog use cases: turn checked module sources into versions, and read what is published.

Versions never change once written, so a process may keep them in memory for as long as it
likes: only the pointer from a module to its current version is read on each request, which
keeps every server process in step with the database.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from threading import Lock
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.actor import Actor
from app.catalog.events import ModulePublished, ModuleRejected
from app.catalog.loader import (
    ModuleFormatError,
    ModuleLimits,
    ModuleManifest,
    ModuleSource,
    Problem,
    discover_module_folders,
    load_module,
)
from app.catalog.models import LessonPage, Module, ModuleVersion
from app.catalog.quiz import Quiz
from app.db import table_of
from app.events.service import record_event
from app.timeutil import utc_now


@dataclass(frozen=True)
class PageView:
    language: str
    title: str
    html: str
    toc: list[dict[str, Any]]
    minutes: int
    digcomp: dict[str, int]
    objectives: list[str]


@dataclass(frozen=True)
class JobAidView:
    language: str
    title: str
    html: str


@dataclass(frozen=True)
class PublishedLesson:
    slug: str
    position: int
    pages: dict[str, PageView]


@dataclass(frozen=True)
class PublishedModule:
    """A module version as learners see it, complete and immutable."""

    module_id: int
    version_id: int
    version_number: int
    manifest: ModuleManifest
    lessons: tuple[PublishedLesson, ...]
    quiz: Quiz
    job_aids: dict[str, JobAidView]

    @property
    def slug(self) -> str:
        return self.manifest.slug

    def language_for(self, preferred: str) -> str:
        return preferred if preferred in self.manifest.languages else self.manifest.default_language

    def title(self, language: str) -> str:
        return self.manifest.title.get(language) or self.manifest.title[self.manifest.default_language]

    def summary(self, language: str) -> str:
        return self.manifest.summary.get(language) or self.manifest.summary[self.manifest.default_language]

    def job_aid(self, language: str) -> JobAidView | None:
        """The job aid in the wanted language, else in the default one, else none."""
        return self.job_aids.get(language) or self.job_aids.get(self.manifest.default_language)

    def lesson(self, slug: str) -> PublishedLesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def page(self, lesson: PublishedLesson, language: str) -> tuple[PageView, bool]:
        """The lesson in the wanted language, or in the default one; the flag says it fell back."""
        if language in lesson.pages:
            return lesson.pages[language], False
        return lesson.pages[self.manifest.default_language], True

    @property
    def lesson_slugs(self) -> tuple[str, ...]:
        return tuple(lesson.slug for lesson in self.lessons)

    @property
    def question_count(self) -> int:
        """Questions in one attempt: drawn from a larger bank when the module sets quiz_size."""
        return self.quiz.attempt_size(self.manifest.quiz_size)

    def visible_to(self, roles: frozenset[Role]) -> bool:
        return self.manifest.audience == "everyone" or bool(roles & {Role.mentor, Role.admin})


class Versions:
    """Published module versions as one app reads them, with an LRU of immutable versions.

    Each app (each `create_app()`) has its own, so two apps in one process never share state;
    only the pointer from a module to its current version is read from the database per request.
    """

    def __init__(self, capacity: int = 256):
        self._items: OrderedDict[int, PublishedModule] = OrderedDict()
        self._capacity = capacity
        self._lock = Lock()

    def get(self, connection: Connection, version_id: int) -> PublishedModule:
        with self._lock:
            item = self._items.get(version_id)
            if item is not None:
                self._items.move_to_end(version_id)
                return item
        item = _read_version(connection, version_id)
        with self._lock:
            self._items[version_id] = item
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return item

    def current(self, connection: Connection, slug: str) -> PublishedModule | None:
        version_id = connection.execute(_CURRENT_BY_SLUG, {"slug": slug}).scalar()
        return None if version_id is None else self.get(connection, version_id)

    def all_current(self, connection: Connection) -> list[PublishedModule]:
        modules = [self.get(connection, version_id) for version_id in connection.execute(_CURRENT_ALL).scalars()]
        return sorted(modules, key=lambda module: (module.manifest.order, module.slug))


_module = table_of(Module)
_version = table_of(ModuleVersion)
_page = table_of(LessonPage)
_CURRENT_BY_SLUG = core_select(_module.c.current_version_id).where(_module.c.slug == bindparam("slug"))
CURRENT_VERSION_FOR_SLUG = _CURRENT_BY_SLUG.scalar_subquery().label("current_version_id")
_CURRENT_ALL = core_select(_module.c.current_version_id).where(_module.c.current_version_id.is_not(None))


def _read_version(connection: Connection, version_id: int) -> PublishedModule:
    version = connection.execute(core_select(_version).where(_version.c.id == version_id)).one()
    pages = connection.execute(
        core_select(_page).where(_page.c.version_id == version_id).order_by(_page.c.position, _page.c.language)
    ).all()
    lessons: dict[str, dict[str, PageView]] = {}
    positions: dict[str, int] = {}
    for row in pages:
        positions[row.lesson_slug] = row.position
        lessons.setdefault(row.lesson_slug, {})[row.language] = PageView(
            language=row.language,
            title=row.title,
            html=row.html,
            toc=row.toc,
            minutes=row.minutes,
            digcomp=row.digcomp,
            objectives=row.objectives,
        )
    return PublishedModule(
        module_id=version.module_id,
        version_id=version.id,
        version_number=version.number,
        manifest=ModuleManifest.model_validate(version.manifest),
        lessons=tuple(
            PublishedLesson(slug=slug, position=positions[slug], pages=by_language) for slug, by_language in lessons.items()
        ),
        quiz=Quiz.from_json(version.quiz),
        job_aids={language: JobAidView(language, **aid) for language, aid in version.job_aids.items()},
    )


# --- Importing -----------------------------------------------------------------------------


class ImportStatus(StrEnum):
    created = "created"
    unchanged = "unchanged"
    restored = "restored"


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    version_number: int
    status: ImportStatus


def _store_module(session: Session, actor: Actor, source: ModuleSource, *, source_kind: str) -> ImportOutcome:
    """Store a checked module as a new version (or find the same content) and make it current."""
    module = session.exec(select(Module).where(col(Module.slug) == source.slug)).first()
    if module is None:
        module = Module(slug=source.slug)
        session.add(module)
        session.flush()
    assert module.id is not None
    same = session.exec(
        select(ModuleVersion).where(
            col(ModuleVersion.module_id) == module.id, col(ModuleVersion.content_hash) == source.content_hash
        )
    ).first()
    if same is not None:
        if module.current_version_id == same.id:
            return ImportOutcome(source.slug, same.number, ImportStatus.unchanged)
        _make_current(session, module, same)
        return ImportOutcome(source.slug, same.number, ImportStatus.restored)
    latest = session.exec(select(func.max(ModuleVersion.number)).where(col(ModuleVersion.module_id) == module.id)).one()
    version = ModuleVersion(
        **ModuleVersion.columns_for(actor),
        module_id=module.id,
        number=(latest or 0) + 1,
        content_hash=source.content_hash,
        source=source_kind,
        manifest=source.manifest.model_dump(mode="json"),
        quiz=source.quiz.to_json(),
        job_aids={language: {"title": aid.title, "html": aid.rendered.html} for language, aid in source.job_aids.items()},
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    for lesson in source.lessons:
        for language, page in lesson.pages.items():
            session.add(
                LessonPage(
                    version_id=version.id,
                    lesson_slug=lesson.slug,
                    position=lesson.position,
                    language=language,
                    title=page.title,
                    html=page.rendered.html,
                    toc=page.rendered.toc,
                    minutes=page.total_minutes,
                    word_count=page.rendered.word_count,
                    digcomp=page.digcomp,
                    objectives=page.objectives,
                )
            )
    session.flush()
    _make_current(session, module, version)
    return ImportOutcome(source.slug, version.number, ImportStatus.created)


def _make_current(session: Session, module: Module, version: ModuleVersion) -> None:
    module.current_version_id = version.id
    module.updated_at = utc_now()
    session.add(module)


@dataclass
class FolderImportReport:
    outcomes: list[ImportOutcome]
    rejected: dict[str, list[Problem]]

    @property
    def ok(self) -> bool:
        return not self.rejected


def import_module_folders(
    session: Session, actor: Actor, folders: Iterable[Path], *, limits: ModuleLimits = ModuleLimits()
) -> FolderImportReport:
    """Check every folder, then publish the good modules together in one transaction.

    A broken module is reported and skipped; its live version stays. A crash before the commit
    leaves every module as it was. Links between modules are checked against what will be live
    once this import is done, so a link into a rejected module is refused too.
    """
    sources: dict[str, ModuleSource] = {}
    rejected: dict[str, list[Problem]] = {}
    for folder in folders:
        try:
            source = load_module(folder, limits)
        except ModuleFormatError as error:
            rejected[folder.name] = error.problems
        else:
            sources[source.slug] = source
    live = {module.slug: set(module.lesson_slugs) for module in Versions().all_current(session.connection())}
    while True:
        will_be_live = {**live, **{slug: {lesson.slug for lesson in source.lessons} for slug, source in sources.items()}}
        broken = {slug: _dead_links(source, will_be_live) for slug, source in sources.items()}
        broken = {slug: problems for slug, problems in broken.items() if problems}
        if not broken:
            break
        for slug, problems in broken.items():
            rejected[slug] = problems
            del sources[slug]
    outcomes = [_store_module(session, actor, source, source_kind="import") for source in sources.values()]
    for outcome in outcomes:
        if outcome.status != ImportStatus.unchanged:
            record_event(session, actor, ModulePublished(outcome.slug, outcome.version_number, outcome.status))
    for slug, problems in rejected.items():
        record_event(session, actor, ModuleRejected(slug, len(problems), str(problems[0])[:500]))
    session.commit()
    return FolderImportReport(outcomes=outcomes, rejected=rejected)


def _dead_links(source: ModuleSource, will_be_live: dict[str, set[str]]) -> list[Problem]:
    return [
        Problem(file, link.line, f"link to a lesson that does not exist: {link.module_slug}/{link.lesson_slug}")
        for file, link in source.links
        if link.lesson_slug not in will_be_live.get(link.module_slug or "", set())
    ]


def import_modules_directory(
    session: Session, actor: Actor, root: Path, *, limits: ModuleLimits = ModuleLimits()
) -> FolderImportReport:
    return import_module_folders(session, actor, discover_module_folders(root), limits=limits)
