"""Catalog use cases: turn checked module sources into versions, and read what is published.

Versions never change once written, so a process may keep them in memory for as long as it
likes: only the pointer from a module to its current version is read on each request, which
keeps every server process in step with the database.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection

from app.accounts.models import Role
from app.catalog.loader import ModuleManifest
from app.catalog.models import LessonPage, Module, ModuleVersion
from app.catalog.quiz import Quiz
from app.db import table_of


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

    def all_current(self, connection: Connection, *, archived_too: bool = False) -> list[PublishedModule]:
        query = _LIVE if archived_too else _CURRENT_ALL
        modules = [self.get(connection, version_id) for version_id in connection.execute(query).scalars()]
        return sorted(modules, key=lambda module: (module.manifest.order, module.slug))


_module = table_of(Module)
_version = table_of(ModuleVersion)
_page = table_of(LessonPage)
# An archived module has left the catalog: learners cannot open it; reports still count its completions.
_CURRENT_BY_SLUG = core_select(_module.c.current_version_id).where(
    _module.c.slug == bindparam("slug"), _module.c.archived_at.is_(None)
)
CURRENT_VERSION_FOR_SLUG = _CURRENT_BY_SLUG.scalar_subquery().label("current_version_id")
_LIVE = core_select(_module.c.current_version_id).where(_module.c.current_version_id.is_not(None))
_CURRENT_ALL = _LIVE.where(_module.c.archived_at.is_(None))


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
