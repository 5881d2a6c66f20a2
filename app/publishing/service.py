"""Publishing: one pipeline for every way a module arrives, from files to a draft to the live version.

A folder (`cooc import-modules`), a zip (the API) and the browser editor all hand in
`ModuleFiles`; the same loader checks and renders them, and the same code stores a version with
its sources. A new version is a draft; publishing points the module at it in one transaction,
so learners see the complete old version until the commit and the complete new one after it.
Rolling back is publishing an earlier version. Version numbers come from a per-module counter
raised in one UPDATE, so concurrent drafts never collide.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select as core_select
from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.actor import Actor
from app.catalog.events import ModulePublished, ModuleRejected
from app.catalog.files import (
    ModuleFiles,
    ModuleFormatError,
    ModuleLimits,
    Problem,
    discover_module_folders,
    read_module_folder,
)
from app.catalog.loader import LESSON_FILE, SLUG_PATTERN, ModuleSource, load_module
from app.catalog.models import LessonPage, Module, ModuleMedia, ModuleVersion, SubstantiveChange
from app.catalog.service import PublishedModule
from app.db import insert_ignoring_conflicts, table_of
from app.events.service import record_event
from app.progress.service import QUIZ_CHANGE
from app.publishing.events import DraftSaved, ModuleArchived
from app.publishing.models import ModuleVersionFile
from app.timeutil import utc_now

_module = table_of(Module)
_version = table_of(ModuleVersion)
_file = table_of(ModuleVersionFile)
_media = table_of(ModuleMedia)
_page = table_of(LessonPage)
_change = table_of(SubstantiveChange)


class VersionState(StrEnum):
    draft = "draft"
    published = "published"
    superseded = "superseded"


class PublishingError(Exception):
    """A publishing request that cannot be done; the live version did not change."""


class VersionNotFound(PublishingError):
    pass


class NotPublishable(PublishingError):
    """The version no longer passes the checks (a module it links to is gone, a rule tightened)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class VersionInfo:
    number: int
    state: VersionState
    source: str
    content_hash: str
    created_at: datetime
    created_by: str
    published_at: datetime | None
    published_by: str | None


@dataclass(frozen=True)
class SavedVersion:
    slug: str
    number: int
    new: bool
    state: VersionState


def _module_row(session: Session, slug: str) -> Module:
    """The module with this slug, created if new (two first drafts at once make one module, not an error)."""
    now = utc_now()
    insert_ignoring_conflicts(session, _module, {"slug": slug, "last_version_number": 0, "created_at": now, "updated_at": now})
    module = session.exec(select(Module).where(col(Module.slug) == slug)).one()
    return module


def _next_version_number(session: Session, module_id: int) -> int:
    return int(
        session.connection()
        .execute(
            update(_module)
            .where(_module.c.id == module_id)
            .values(last_version_number=_module.c.last_version_number + 1)
            .returning(_module.c.last_version_number)
        )
        .scalar_one()
    )


def _store_version(
    session: Session, actor: Actor, source: ModuleSource, *, source_kind: str, reuse: bool = True
) -> tuple[Module, ModuleVersion, bool]:
    """The version holding exactly these files: an existing one with the same content, or a new draft.

    `reuse` off makes a new version even for known files: a re-rendering of the same sources.
    """
    module = _module_row(session, source.slug)
    assert module.id is not None
    same = (
        session.exec(
            select(ModuleVersion).where(
                col(ModuleVersion.module_id) == module.id, col(ModuleVersion.content_hash) == source.content_hash
            )
        ).first()
        if reuse
        else None
    )
    if same is not None:
        assert same.id is not None
        if source.files and not version_files(session.connection(), same.id):
            _keep_sources(session, same.id, source.files)  # a version imported before sources were kept: the same bytes
        return module, same, False
    version = ModuleVersion(
        **ModuleVersion.columns_for(actor),
        module_id=module.id,
        number=_next_version_number(session, module.id),
        content_hash=source.content_hash,
        source=source_kind,
        manifest=source.manifest.model_dump(mode="json"),
        quiz=source.quiz.to_json(),
        job_aids={language: {"title": aid.title, "html": aid.rendered.html} for language, aid in source.job_aids.items()},
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    session.add_all(
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
        for lesson in source.lessons
        for language, page in lesson.pages.items()
    )
    if source.files:
        _keep_sources(session, version.id, source.files)
    for media in source.media.values():
        row = {"sha256": media.sha256, "content_type": media.content_type, "content": media.content}
        insert_ignoring_conflicts(session, _media, row)
    session.flush()
    return module, version, True


def _keep_sources(session: Session, version_id: int, files: Mapping[str, bytes]) -> None:
    session.connection().execute(
        _file.insert(), [{"version_id": version_id, "path": path, "content": data} for path, data in files.items()]
    )


def _make_live(session: Session, actor: Actor, module: Module, version: ModuleVersion) -> None:
    now = utc_now()
    version.published_at, version.published_by = now, str(actor)[:240]
    module.current_version_id, module.updated_at = version.id, now
    session.add_all([version, module])


def _state(version_id: int | None, published_at: datetime | None, current_id: int | None) -> VersionState:
    if version_id is not None and version_id == current_id:
        return VersionState.published
    return VersionState.superseded if published_at is not None else VersionState.draft


def _live_lessons(session: Session) -> dict[str, set[str]]:
    """The lessons learners can reach now, by module: what links between modules are checked against."""
    rows = session.connection().execute(
        core_select(_module.c.slug, _page.c.lesson_slug)
        .join(_page, _page.c.version_id == _module.c.current_version_id)
        .distinct()
    )
    live: dict[str, set[str]] = {}
    for slug, lesson_slug in rows:
        live.setdefault(slug, set()).add(lesson_slug)
    return live


def _dead_links(source: ModuleSource, will_be_live: Mapping[str, set[str]]) -> list[Problem]:
    return [
        Problem(file, link.line, f"link to a lesson that does not exist: {link.module_slug}/{link.lesson_slug}")
        for file, link in source.links
        if link.lesson_slug not in will_be_live.get(link.module_slug or "", set())
    ]


def save_draft(session: Session, actor: Actor, files: ModuleFiles, *, source_kind: str) -> SavedVersion:
    """Check and store a module's files as a draft version; learners keep the live one.

    Raises ModuleFormatError with every problem, and stores nothing then. Files identical to an
    existing version give that version back instead of a copy.
    """
    source = load_module(files)
    problems = _dead_links(source, _live_lessons(session))
    if problems:
        raise ModuleFormatError(problems)
    module, version, new = _store_version(session, actor, source, source_kind=source_kind)
    if new:
        record_event(session, actor, DraftSaved(source.slug, version.number, source_kind, source.content_hash))
    session.commit()
    state = _state(version.id, version.published_at, module.current_version_id)
    return SavedVersion(source.slug, version.number, new, state)


@dataclass(frozen=True)
class Substantive:
    """What a publish changes enough that learners who finished it must read it again or retake the quiz."""

    lessons: frozenset[str] = frozenset()
    quiz: bool = False

    def __bool__(self) -> bool:
        return bool(self.lessons) or self.quiz


def publish_module_version(
    session: Session, actor: Actor, slug: str, number: int, substantive: Substantive = Substantive()
) -> SavedVersion:
    """Make one version of a module live (a draft, or an earlier version: that is a rollback).

    The version is checked again from its stored sources against what is live now; if it would
    no longer pass, NotPublishable says why and nothing changes. The check runs before the module
    row is locked, so learners marking lessons done never wait for a rendering. A substantive
    publish asks learners to read the named lessons again (or retake the quiz); what they did on
    earlier versions stays in their history and in reports.
    """
    version_id = _version_id(session.connection(), slug, number)
    if substantive.lessons:
        known = set(versions_lessons(session.connection(), version_id))
        unknown = sorted(substantive.lessons - known)
        if unknown:
            raise NotPublishable([Problem(slug, None, f"version {number} has no lesson {', '.join(unknown)}")])
    sources = version_files(session.connection(), version_id)
    if sources:
        try:
            source = load_module(ModuleFiles(name=slug, files=sources))
        except ModuleFormatError as error:
            raise NotPublishable(error.problems) from error
        problems = _dead_links(source, _live_lessons(session))
        if problems:
            raise NotPublishable(problems)
    module = session.exec(select(Module).where(col(Module.slug) == slug).with_for_update()).one()
    version = session.get(ModuleVersion, version_id)
    assert version is not None and module.id is not None
    if module.current_version_id == version.id and not substantive:
        session.rollback()
        return SavedVersion(slug, number, False, VersionState.published)
    rollback = version.published_at is not None
    _make_live(session, actor, module, version)
    now = utc_now()
    for lesson_slug in sorted(substantive.lessons) + ([QUIZ_CHANGE] if substantive.quiz else []):
        row = {"module_id": module.id, "lesson_slug": lesson_slug, "version_number": number, "published_at": now}
        insert_ignoring_conflicts(session, _change, row)
    event = ModulePublished(
        slug, number, "restored" if rollback else "created", substantive=tuple(sorted(substantive.lessons)), quiz=substantive.quiz
    )
    record_event(session, actor, event)
    session.commit()
    return SavedVersion(slug, number, False, VersionState.published)


def versions_lessons(connection: Connection, version_id: int) -> list[str]:
    """The lesson slugs of a version, in order."""
    rows = connection.execute(
        core_select(_page.c.lesson_slug).where(_page.c.version_id == version_id).distinct().order_by(_page.c.lesson_slug)
    )
    return list(rows.scalars())


def list_versions(connection: Connection, slug: str) -> list[VersionInfo] | None:
    """Every version of a module, newest first; None when there is no such module."""
    module = connection.execute(core_select(_module).where(_module.c.slug == slug)).first()
    if module is None:
        return None
    rows = connection.execute(
        core_select(_version).where(_version.c.module_id == module.id).order_by(_version.c.number.desc())
    ).all()
    return [
        VersionInfo(
            number=row.number,
            state=_state(row.id, row.published_at, module.current_version_id),
            source=row.source,
            content_hash=row.content_hash,
            created_at=row.created_at,
            created_by=f"{row.actor_kind}:{row.actor_label}",
            published_at=row.published_at,
            published_by=row.published_by,
        )
        for row in rows
    ]


def _version_id(connection: Connection, slug: str, number: int) -> int:
    version_id = connection.execute(
        core_select(_version.c.id)
        .join(_module, _module.c.id == _version.c.module_id)
        .where(_module.c.slug == slug, _version.c.number == number)
    ).scalar()
    if version_id is None:
        raise VersionNotFound(f"module {slug!r} has no version {number}")
    return int(version_id)


def version_files(connection: Connection, version_id: int) -> dict[str, bytes]:
    rows = connection.execute(
        core_select(_file.c.path, _file.c.content).where(_file.c.version_id == version_id).order_by(_file.c.path)
    )
    return {row.path: bytes(row.content) for row in rows}


def version_sources(connection: Connection, slug: str, number: int) -> dict[str, bytes]:
    """The files a version was made from; VersionNotFound when the version does not exist or predates kept sources."""
    files = version_files(connection, _version_id(connection, slug, number))
    if not files:
        raise VersionNotFound(f"version {number} of {slug!r} was imported before cooc kept sources")
    return files


def diff_versions(connection: Connection, slug: str, old: int, new: int) -> str:
    """A unified diff of the sources, file by file, from version `old` to version `new`."""
    before, after = version_sources(connection, slug, old), version_sources(connection, slug, new)
    chunks = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path), after.get(path)
        if a == b:
            continue
        old_name = f"a/{slug}/{path}" if a is not None else "/dev/null"
        new_name = f"b/{slug}/{path}" if b is not None else "/dev/null"
        old_text, new_text = _as_text(a), _as_text(b)
        if old_text is None or new_text is None:
            chunks.append(f"Binary files {old_name} and {new_name} differ\n")
            continue
        lines = difflib.unified_diff(
            old_text.splitlines(keepends=True), new_text.splitlines(keepends=True), old_name, new_name, n=3
        )
        chunks.append("".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines))
    return "".join(chunks)


def _as_text(data: bytes | None) -> str | None:
    if data is None:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --- The folder way in: `cooc import-modules` and the shipped course at start-up ------------


class ImportStatus(StrEnum):
    created = "created"
    unchanged = "unchanged"
    restored = "restored"


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    version_number: int
    status: ImportStatus


@dataclass
class FolderImportReport:
    outcomes: list[ImportOutcome]
    rejected: dict[str, list[Problem]]

    @property
    def ok(self) -> bool:
        return not self.rejected


def import_module_folders(
    session: Session, actor: Actor, folders: Iterable[Path], *, limits: ModuleLimits = ModuleLimits(), publish: bool = True
) -> FolderImportReport:
    """Check every folder, then store the good modules together in one transaction, live unless `publish` is off.

    A broken module is reported and skipped; its live version stays. A crash before the commit
    leaves every module as it was. Links between modules are checked against what will be live
    once this import is done, so a link into a rejected module is refused too.
    """
    sources: dict[str, ModuleSource] = {}
    rejected: dict[str, list[Problem]] = {}
    for folder in folders:
        try:
            source = load_module(read_module_folder(folder, limits))
        except ModuleFormatError as error:
            rejected[folder.name] = error.problems
        else:
            sources[source.slug] = source
    live = _live_lessons(session)
    while True:
        will_be_live = {**live, **{slug: {lesson.slug for lesson in source.lessons} for slug, source in sources.items()}}
        broken = {slug: _dead_links(source, will_be_live) for slug, source in sources.items()}
        broken = {slug: problems for slug, problems in broken.items() if problems}
        if not broken:
            break
        for slug, problems in broken.items():
            rejected[slug] = problems
            del sources[slug]
    outcomes = [_import_one(session, actor, source, publish) for source in sources.values()]
    for slug, problems in rejected.items():
        record_event(session, actor, ModuleRejected(slug, len(problems), str(problems[0])[:500]))
    session.commit()
    return FolderImportReport(outcomes=outcomes, rejected=rejected)


def _import_one(session: Session, actor: Actor, source: ModuleSource, publish: bool) -> ImportOutcome:
    module, version, new = _store_version(session, actor, source, source_kind="import")
    if new:
        record_event(session, actor, DraftSaved(source.slug, version.number, "import", source.content_hash))
    if not publish or module.current_version_id == version.id:
        status = ImportStatus.created if new else ImportStatus.unchanged
        return ImportOutcome(source.slug, version.number, status)
    status = ImportStatus.created if version.published_at is None else ImportStatus.restored
    _make_live(session, actor, module, version)
    record_event(session, actor, ModulePublished(source.slug, version.number, status))
    return ImportOutcome(source.slug, version.number, status)


def import_modules_directory(
    session: Session, actor: Actor, root: Path, *, limits: ModuleLimits = ModuleLimits()
) -> FolderImportReport:
    return import_module_folders(session, actor, discover_module_folders(root), limits=limits)


# --- The browser editor and the admin's module pages ----------------------------------------


@dataclass(frozen=True)
class ModuleSummary:
    slug: str
    title: str
    archived: bool
    live_version: int | None
    latest_version: int
    drafts: int
    published_at: datetime | None
    published_by: str | None


def module_overview(connection: Connection, language: str) -> list[ModuleSummary]:
    """Every module with its live version and how many drafts wait, in catalog order."""
    summaries = []
    for module in connection.execute(core_select(_module).order_by(_module.c.slug)):
        versions = connection.execute(
            core_select(_version.c.id, _version.c.number, _version.c.published_at, _version.c.published_by, _version.c.manifest)
            .where(_version.c.module_id == module.id)
            .order_by(_version.c.number.desc())
        ).all()
        if not versions:
            continue
        live = next((v for v in versions if v.id == module.current_version_id), None)
        shown = live or versions[0]
        title = shown.manifest["title"].get(language) or shown.manifest["title"][shown.manifest["default_language"]]
        summaries.append(
            ModuleSummary(
                slug=module.slug,
                title=title,
                archived=module.archived_at is not None,
                live_version=live.number if live else None,
                latest_version=versions[0].number,
                drafts=sum(1 for v in versions if v.published_at is None),
                published_at=live.published_at if live else None,
                published_by=live.published_by if live else None,
            )
        )
    return sorted(summaries, key=lambda summary: summary.slug)


def is_archived(connection: Connection, slug: str) -> bool:
    return connection.execute(core_select(_module.c.archived_at).where(_module.c.slug == slug)).scalar() is not None


def version_id_of(connection: Connection, slug: str, number: int) -> int:
    """The row id of a module's version, for reading it as learners would (`Versions.get`)."""
    return _version_id(connection, slug, number)


def save_edited_file(session: Session, actor: Actor, slug: str, base_number: int, path: str, text: str) -> SavedVersion:
    """A new draft: the base version's files with one file's text replaced, checked like any upload.

    Line endings typed in a browser (CRLF) are stored as the repository's LF, so an edit that
    changes nothing gives the base version back.
    """

    def replace(files: dict[str, bytes]) -> None:
        if path not in files:
            raise VersionNotFound(f"version {base_number} of {slug!r} has no file {path!r}")
        files[path] = text.replace("\r\n", "\n").encode("utf-8")

    return _draft_from(session, actor, slug, base_number, replace)


def editable_files(connection: Connection, slug: str, number: int) -> dict[str, str]:
    """The text files of a version an author may edit in the browser (markdown and the quiz), by path."""
    return {
        path: data.decode("utf-8")
        for path, data in version_sources(connection, slug, number).items()
        if path.endswith((".md", ".yaml")) and _as_text(data) is not None
    }


def set_module_archived(session: Session, actor: Actor, slug: str, archived: bool) -> None:
    """Take a module out of the catalog, or bring it back; versions, progress and reports are kept either way."""
    module = session.exec(select(Module).where(col(Module.slug) == slug)).first()
    if module is None:
        raise VersionNotFound(f"no module {slug!r}")
    if (module.archived_at is not None) == archived:
        session.rollback()
        return
    module.archived_at = utc_now() if archived else None
    module.updated_at = utc_now()
    session.add(module)
    record_event(session, actor, ModuleArchived(slug, archived))
    session.commit()


def _draft_from(
    session: Session, actor: Actor, slug: str, base_number: int, change: Callable[[dict[str, bytes]], None]
) -> SavedVersion:
    """A new draft: the base version's files, changed in memory, checked like any upload."""
    files = dict(version_sources(session.connection(), slug, base_number))
    change(files)
    return save_draft(session, actor, ModuleFiles(name=slug, files=files), source_kind="web")


def add_image(session: Session, actor: Actor, slug: str, base_number: int, folder: str, name: str, data: bytes) -> SavedVersion:
    """A draft with one more image (or a replaced one) in `images/` or a language's `images/`."""
    if not IMAGE_NAME.match(name) or not IMAGE_FOLDER.match(folder):
        problem = "name an image with lowercase letters, digits and hyphens, and .png, .jpg, .webp or .svg"
        raise ModuleFormatError([Problem(name, None, problem)])

    def put(files: dict[str, bytes]) -> None:
        files[f"{folder}{name}"] = data

    return _draft_from(session, actor, slug, base_number, put)


def add_lesson(session: Session, actor: Actor, slug: str, base_number: int, lesson_slug: str, title: str) -> SavedVersion:
    """A draft with a new last lesson in every language of the module, to be written in the editor."""
    module = load_module(ModuleFiles(name=slug, files=version_sources(session.connection(), slug, base_number)))
    if lesson_slug in {lesson.slug for lesson in module.lessons}:
        raise ModuleFormatError([Problem(lesson_slug, None, f"the module already has a lesson {lesson_slug!r}")])
    position = max((lesson.position for lesson in module.lessons), default=0) + 1
    page = NEW_LESSON.format(title=title.replace('"', "'")).encode()

    def write(files: dict[str, bytes]) -> None:
        for language in module.manifest.languages:
            files[f"{language}/{position:02d}-{lesson_slug}.md"] = page

    return _draft_from(session, actor, slug, base_number, write)


def reorder_lessons(session: Session, actor: Actor, slug: str, base_number: int, order: list[str]) -> SavedVersion:
    """A draft whose lessons come in `order`: files are renumbered in every language (links name lessons by slug)."""

    def renumber(files: dict[str, bytes]) -> None:
        lessons: dict[str, list[tuple[str, str]]] = {}
        for path in list(files):
            language, _, name = path.partition("/")
            match = LESSON_FILE.match(name)
            if match and "/" not in name:
                lessons.setdefault(match["slug"], []).append((path, language))
        if sorted(order) != sorted(lessons):
            raise ModuleFormatError([Problem(slug, None, "the new order must name every lesson of the module once")])
        for position, lesson_slug in enumerate(order, start=1):
            for path, language in lessons[lesson_slug]:
                files[f"{language}/{position:02d}-{lesson_slug}.md"] = files.pop(path)

    return _draft_from(session, actor, slug, base_number, renumber)


def create_module(session: Session, actor: Actor, slug: str, title: str, languages: list[str]) -> SavedVersion:
    """A new module as a draft, from a template that passes every check: one lesson and one question per language."""
    if not SLUG.match(slug):
        raise ModuleFormatError([Problem(slug, None, "a slug is lowercase letters, digits and hyphens")])
    if session.exec(select(Module).where(col(Module.slug) == slug)).first() is not None:
        raise ModuleFormatError([Problem(slug, None, f"a module {slug!r} exists already")])
    quoted = title.replace('"', "'")
    files = {
        "module.md": NEW_MODULE.format(
            slug=slug,
            languages=", ".join(languages),
            default=languages[0],
            titles="".join(f'  {language}: "{quoted}"\n' for language in languages),
            summaries="".join(f'  {language}: "{quoted}"\n' for language in languages),
        ).encode()
    }
    for language in languages:
        files[f"{language}/01-introduction.md"] = NEW_LESSON.format(title=quoted).encode()
        files[f"{language}/quiz.yaml"] = NEW_QUIZ.encode()
    return save_draft(session, actor, ModuleFiles(name=slug, files=files), source_kind="web")


SLUG = re.compile(SLUG_PATTERN)
IMAGE_FOLDER = re.compile(r"^(?:[a-z]{2}/)?images/$")
IMAGE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.(png|jpg|jpeg|webp|svg)$")
NEW_LESSON = """---
title: "{title}"
minutes: 5
digcomp: {{}}
---

Write the lesson here. Each `##` heading starts a section.
"""
NEW_MODULE = """---
slug: {slug}
order: 99
topic: new
estimated_minutes: 10
languages: [{languages}]
default_language: {default}
sequential: false
pass_mark: 75
audience: everyone
digcomp: {{}}
title:
{titles}summary:
{summaries}---

Notes for authors and reviewers: sources, review dates. Learners never see this body.
"""
NEW_QUIZ = """questions:
  - id: first
    prompt: Replace this question.
    choices:
      - id: a
        text: The right answer
        correct: true
        explanation: Why it is right.
      - id: b
        text: A plausible wrong answer
        explanation: Why it is wrong.
"""


@dataclass
class RerenderReport:
    republished: list[SavedVersion]
    unchanged: list[str]
    rejected: dict[str, list[Problem]]


def rerender_live_modules(session: Session, actor: Actor) -> RerenderReport:
    """Render every live module again from its kept sources, after an upgrade of the renderer or sanitizer.

    A module whose pages come out the same is left alone; one that differs gets a new version,
    published at once; one the current rules refuse keeps its live version and is reported.
    """
    report = RerenderReport([], [], {})
    live = (
        session.connection()
        .execute(core_select(_module.c.slug, _module.c.current_version_id).where(_module.c.current_version_id.is_not(None)))
        .all()
    )
    for slug, version_id in live:
        files = version_files(session.connection(), version_id)
        if not files:
            report.rejected[slug] = [Problem(slug, None, "the live version was imported before cooc kept sources")]
            continue
        try:
            source = load_module(ModuleFiles(name=slug, files=files))
        except ModuleFormatError as error:
            report.rejected[slug] = error.problems
            continue
        if _rendered_pages(source) == _stored_pages(session.connection(), version_id):
            report.unchanged.append(slug)
            continue
        module, version, _ = _store_version(session, actor, source, source_kind="rerender", reuse=False)
        _make_live(session, actor, module, version)
        record_event(session, actor, DraftSaved(slug, version.number, "rerender", source.content_hash))
        record_event(session, actor, ModulePublished(slug, version.number, "created"))
        session.commit()
        report.republished.append(SavedVersion(slug, version.number, True, VersionState.published))
    session.rollback()
    return report


def _rendered_pages(source: ModuleSource) -> dict[tuple[str, str], str]:
    return {(lesson.slug, language): page.rendered.html for lesson in source.lessons for language, page in lesson.pages.items()}


def _stored_pages(connection: Connection, version_id: int) -> dict[tuple[str, str], str]:
    rows = connection.execute(
        core_select(_page.c.lesson_slug, _page.c.language, _page.c.html).where(_page.c.version_id == version_id)
    )
    return {(row.lesson_slug, row.language): row.html for row in rows}


@dataclass(frozen=True)
class RenderedChange:
    """What a learner reads differently in one lesson page: a diff of its text, not of its markup."""

    lesson_slug: str
    language: str
    title: str
    lines: list[str]


_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|tr|pre|blockquote|aside|div)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _readable_lines(page_html: str) -> list[str]:
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", page_html)))
    return [line.strip() for line in text.splitlines() if line.strip()]


def rendered_changes(old: PublishedModule, new: PublishedModule) -> list[RenderedChange]:
    """Lesson by lesson and language by language, the text that changed between two versions as learners see it."""
    changes = []
    slugs = list(dict.fromkeys([*old.lesson_slugs, *new.lesson_slugs]))
    for slug in slugs:
        before, after = old.lesson(slug), new.lesson(slug)
        languages = sorted({*(before.pages if before else {}), *(after.pages if after else {})})
        for language in languages:
            old_page = before.pages.get(language) if before else None
            new_page = after.pages.get(language) if after else None
            a = _readable_lines(old_page.html) if old_page else []
            b = _readable_lines(new_page.html) if new_page else []
            if a == b:
                continue
            lines = list(difflib.unified_diff(a, b, lineterm="", n=1))[2:]
            shown = new_page or old_page
            changes.append(RenderedChange(slug, language, shown.title if shown else slug, lines))
    return changes
