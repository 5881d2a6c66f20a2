"""Check every rule of the module format on a module's files, and render it.

All problems are collected (not only the first) and each names its file and line, so an
author can fix a module in one pass. Nothing here touches the disk or the database: the files
arrive as `ModuleFiles`, from a folder, a zip or the browser editor (`app.catalog.files`).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any, Literal, TypeVar, cast

import yaml
from babel import Locale, UnknownLocaleError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.catalog.digcomp import load_framework
from app.catalog.files import MODULE_FILE, ModuleFiles, ModuleFormatError, Problem
from app.catalog.media import ImageRefused, MediaFile, checked_image, image_extension
from app.catalog.quiz import Choice, Question, QuestionText, Quiz
from app.markdown import FRONT_MATTER, LessonLink, RenderedMarkdown, minutes_for, render_inline, render_markdown

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LESSON_FILE = re.compile(r"^(?P<position>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
QUIZ_FILE = "quiz.yaml"
JOB_AID_FILE = "job-aid.md"
IMAGES_FOLDER = "images"
MAX_YAML_DEPTH = 20
_M = TypeVar("_M", bound=BaseModel)
logger = logging.getLogger(__name__)


def _digcomp_map(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError('must be a mapping of competence id to level, like {"4.1": 3}')
    framework = load_framework()
    result: dict[str, int] = {}
    for key, level in value.items():
        competence_id = str(key)
        if competence_id not in framework.competence_ids:
            raise ValueError(f"unknown DigComp {framework.version} competence id {competence_id!r}")
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= framework.levels:
            raise ValueError(f"level for {competence_id} must be a whole number from 1 to {framework.levels}")
        result[competence_id] = level
    return result


class _DeclaresCompetences(BaseModel):
    """Front matter that may name the DigComp competences it builds, each checked against the framework."""

    model_config = ConfigDict(extra="forbid")

    digcomp: dict[str, int] = Field(default_factory=dict)

    @field_validator("digcomp", mode="before")
    @classmethod
    def known_competences(cls, value: Any) -> dict[str, int]:
        return _digcomp_map(value)


class SourceReference(BaseModel):
    """A primary source the module's facts were checked against."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    url: str = Field(pattern=r"^https://\S+$", max_length=500)


class ModuleManifest(_DeclaresCompetences):
    """The module file's front matter, as stored with every version."""

    slug: str = Field(pattern=SLUG_PATTERN, max_length=100)
    order: int = Field(ge=0)
    topic: str = Field(min_length=1, max_length=60)
    estimated_minutes: int = Field(gt=0, le=600)
    languages: list[str] = Field(min_length=1)
    default_language: str
    sequential: bool = False
    pass_mark: int = Field(default=70, ge=1, le=100)
    audience: Literal["everyone", "mentors"] = "everyone"
    title: dict[str, str]
    summary: dict[str, str]
    quiz_size: int | None = Field(default=None, ge=1, le=100)
    checked_on: date | None = None
    sources: list[SourceReference] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def known_languages(cls, languages: list[str]) -> list[str]:
        for code in languages:
            if not is_language_code(code):
                raise ValueError(f"unknown language code {code!r} (use ISO 639-1, like en or fr)")
        if len(set(languages)) != len(languages):
            raise ValueError("a language is listed twice")
        return languages


class LessonFrontMatter(_DeclaresCompetences):
    title: str = Field(min_length=1, max_length=300)
    minutes: int = Field(gt=0, le=120)
    objectives: list[str] = Field(default_factory=list, max_length=5)
    exercises: list[int] = Field(default_factory=list, max_length=10)

    @field_validator("objectives")
    @classmethod
    def short_objectives(cls, objectives: list[str]) -> list[str]:
        if any(not 1 <= len(text.strip()) <= 300 for text in objectives):
            raise ValueError("each objective is one sentence of at most 300 characters")
        return [text.strip() for text in objectives]

    @field_validator("exercises")
    @classmethod
    def plausible_minutes(cls, exercises: list[int]) -> list[int]:
        if any(not 1 <= minutes <= 60 for minutes in exercises):
            raise ValueError("each exercise takes from 1 to 60 minutes")
        return exercises


class JobAidFrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)


class ChoiceSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1)
    correct: bool = False
    explanation: str = Field(min_length=1)


class QuestionSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG_PATTERN, max_length=100)
    lesson: str | None = Field(default=None, pattern=SLUG_PATTERN, max_length=100)
    prompt: str = Field(min_length=1)
    choices: list[ChoiceSource] = Field(min_length=2)


class QuizFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[QuestionSource] = Field(min_length=1)


@dataclass
class LessonSource:
    slug: str
    position: int
    pages: dict[str, LessonPageSource]


@dataclass
class LessonPageSource:
    language: str
    title: str
    minutes: int
    digcomp: dict[str, int]
    rendered: RenderedMarkdown
    file: str
    objectives: list[str] = field(default_factory=list)
    exercise_minutes: list[int] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        """Reading plus the exercises the lesson asks for: the honest time a learner spends."""
        return self.minutes + sum(self.exercise_minutes)


@dataclass
class JobAidSource:
    """The one printable page a learner keeps on the desk, in one language."""

    language: str
    title: str
    rendered: RenderedMarkdown
    file: str


@dataclass
class ModuleSource:
    """A checked, rendered module ready to become a version."""

    manifest: ModuleManifest
    lessons: list[LessonSource]
    quiz: Quiz
    content_hash: str
    files: Mapping[str, bytes] = field(default_factory=dict)
    media: dict[str, MediaFile] = field(default_factory=dict)
    links: list[tuple[str, LessonLink]] = field(default_factory=list)
    job_aids: dict[str, JobAidSource] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.manifest.slug

    @property
    def attempt_size(self) -> int:
        return self.quiz.attempt_size(self.manifest.quiz_size)

    def computed_minutes(self, language: str) -> int:
        """Reading time measured from the text, the exercises as declared, and half a minute per quiz question drawn."""
        lessons = sum(
            minutes_for(page.rendered.word_count) + sum(page.exercise_minutes)
            for lesson in self.lessons
            if (page := lesson.pages.get(language))
        )
        return lessons + math.ceil(self.attempt_size / 2)


def is_language_code(code: Any) -> bool:
    if not isinstance(code, str) or not re.fullmatch(r"[a-z]{2}", code):
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping key, for error messages.

    It refuses aliases, which module files never need and with which a few lines expand to
    gigabytes ("billion laughs"), and nesting deeper than any module file needs, which would
    otherwise exhaust the recursion of the composer.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        mark = cast(yaml.Mark, event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, f"aliases (*{event.anchor}) are not allowed: write the value out", mark)
        if self.depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Give a value Python refuses (an impossible date, an integer of 5,000 digits) the line it is on."""
        try:
            return super().construct_object(node, deep)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(None, None, str(error), node.start_mark) from error


class _LineDict(dict[Any, Any]):
    key_lines: dict[Any, int]
    line: int


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Checker:
    """Collects problems while checking one module's files; acquiring them already refused what is unsafe."""

    def __init__(self, bundle: ModuleFiles):
        self.bundle = bundle
        self.folder = PurePosixPath(bundle.label)
        self.problems: list[Problem] = list(bundle.problems)
        self.contents = {self.folder / path: data for path, data in bundle.files.items()}
        self.files = set(self.contents)
        self.folders = {self.folder / path for path in bundle.all_folders()}
        self.refused = {self.folder / path for path in bundle.refused}
        self.media: dict[str, MediaFile] = {}

    def name(self, path: PurePosixPath) -> str:
        """The path as problems show it: from the module folder's parent, so it starts with the module's name."""
        return str(path) if str(path) != "." else "upload"

    def add(self, path: PurePosixPath, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.name(path), line, message))

    def refuse(self, path: PurePosixPath, message: str) -> None:
        """Report a path once, and keep the rest of the checks from reading it or reporting it again."""
        self.add(path, None, message)
        self.refused.add(path)

    def children(self, directory: PurePosixPath) -> list[PurePosixPath]:
        """The files and folders directly in a folder, in name order."""
        return sorted(path for path in (*self.files, *self.folders) if path.parent == directory)

    def read_text(self, path: PurePosixPath) -> str | None:
        if path in self.refused:
            return None
        if path in self.folders:
            self.refuse(path, "is a folder, not a file")
            return None
        data = self.contents.get(path)
        if data is None:
            self.add(path, None, "file is missing")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            self.add(path, None, f"not valid UTF-8 ({error.reason} at byte {error.start})")
            return None
        if "\0" in text:
            line = text.count("\n", 0, text.index("\0")) + 1
            self.add(path, line, "contains a NUL byte: lessons and quizzes are text, is this a binary file?")
            return None
        return text

    def parse_yaml(self, path: PurePosixPath, text: str, line_offset: int = 0) -> Any:
        try:
            return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader extends SafeLoader
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 + line_offset if mark else None
            self.add(path, line, f"invalid YAML: {error.problem or error}")
        except yaml.reader.ReaderError as error:
            line = text.count("\n", 0, error.position) + 1 + line_offset
            self.add(path, line, f"invalid YAML: {error.reason} (character #x{error.character:04x})")
        return None

    def split_front_matter(self, path: PurePosixPath, text: str) -> tuple[Any, int] | None:
        match = FRONT_MATTER.match(text)
        if match is None:
            self.add(path, 1, "front matter missing: the file must start with a '---' block")
            return None
        data = self.parse_yaml(path, match["body"], line_offset=1)
        if data is None:
            return None
        if not isinstance(data, dict):
            self.add(path, 2, "front matter must be a mapping of fields")
            return None
        return data, match.end()

    def read_front_matter(self, path: PurePosixPath, model: type[_M]) -> tuple[_M, _LineDict, str] | None:
        """Read a markdown file and check its front matter against a model; None after a problem."""
        text = self.read_text(path)
        if text is None:
            return None
        parsed = self.split_front_matter(path, text)
        if parsed is None:
            return None
        front = self.validate(model, parsed[0], path, line_offset=1)
        return None if front is None else (front, parsed[0], text)

    def validate(self, model: type[_M], data: Any, path: PurePosixPath, line_offset: int = 0) -> _M | None:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                line = _line_of(data, item["loc"])
                where = ".".join(str(part) for part in item["loc"]) or "file"
                self.add(path, line + line_offset if line else None, f"{where}: {item['msg']}")
        return None


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """Walk the validation error's location through the YAML and return the deepest known line."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, _LineDict):
            line = node.key_lines.get(part, line)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line


def load_module(files: ModuleFiles) -> ModuleSource:
    """Check and render a module's files; raise ModuleFormatError listing every problem.

    Nothing else escapes, whatever the files hold: the importer reports one bad module and goes
    on with the others, an upload gets its list of problems, and `cooc serve` still starts.
    """
    check = _Checker(files)
    try:
        return _check_module(check)
    except ModuleFormatError:
        raise
    except Exception as error:
        logger.exception("checking the module %s failed", files.label)
        crash = Problem(files.label or "upload", None, f"the module could not be checked ({type(error).__name__}: {error})")
        raise ModuleFormatError([*check.problems, crash]) from error


def _check_module(check: _Checker) -> ModuleSource:
    folder = check.folder
    if check.bundle.unreadable:
        raise ModuleFormatError(check.problems)
    module_path = folder / MODULE_FILE
    loaded = _load_manifest(check, module_path)
    if loaded is None:
        raise ModuleFormatError(check.problems)
    manifest, front = loaded
    if check.bundle.name is not None and manifest.slug != check.bundle.name:
        line = front.key_lines.get("slug", 0) + 1
        check.add(module_path, line, f"slug {manifest.slug!r} must equal the folder name {folder.name!r}")
    if manifest.default_language not in manifest.languages:
        check.add(module_path, None, f"default_language {manifest.default_language!r} is not in languages")
    for key in ("title", "summary"):
        missing = [code for code in manifest.languages if not getattr(manifest, key).get(code)]
        if missing:
            check.add(module_path, None, f"{key} has no text for {', '.join(missing)}")
    for child in check.children(folder):
        if child in check.folders and child.name not in manifest.languages and child.name != IMAGES_FOLDER:
            if is_language_code(child.name):
                check.add(child, None, f"language folder {child.name!r} is not declared in languages")
            else:
                check.add(child, None, f"{child.name!r} is not a language code (ISO 639-1, like en or fr)")
    _load_media(check)
    lessons = _load_lessons(check, folder, manifest)
    quiz = _load_quiz(check, folder, manifest)
    job_aids = _load_job_aids(check, folder, manifest)
    pages: list[LessonPageSource | JobAidSource] = [
        *(page for lesson in lessons for page in lesson.pages.values()),
        *job_aids.values(),
    ]
    links = [(page.file, link) for page in pages for link in page.rendered.lesson_links]
    lesson_slugs = {lesson.slug for lesson in lessons}
    if quiz is not None:
        _check_quiz_lessons(check, folder / manifest.default_language / QUIZ_FILE, quiz, lesson_slugs, manifest.quiz_size)
    for file, link in links:
        if link.module_slug in (None, manifest.slug) and link.lesson_slug not in lesson_slugs:
            check.problems.append(Problem(file, link.line, f"link to a lesson that does not exist: {link.lesson_slug!r}"))
    if check.problems or quiz is None:
        raise ModuleFormatError(check.problems)
    return ModuleSource(
        manifest=manifest,
        lessons=lessons,
        quiz=quiz,
        content_hash=check.bundle.content_hash(),
        files=check.bundle.files,
        media=check.media,
        links=[(file, link) for file, link in links if link.module_slug not in (None, manifest.slug)],
        job_aids=job_aids,
    )


def _load_manifest(check: _Checker, path: PurePosixPath) -> tuple[ModuleManifest, _LineDict] | None:
    loaded = check.read_front_matter(path, ModuleManifest)
    return None if loaded is None else (loaded[0], loaded[1])


def _load_lessons(check: _Checker, folder: PurePosixPath, manifest: ModuleManifest) -> list[LessonSource]:
    lessons: dict[str, LessonSource] = {}
    for language in manifest.languages:
        language_folder = folder / language
        if language_folder in check.refused:
            continue
        if language_folder not in check.folders:
            check.add(language_folder, None, f"language folder for {language!r} is missing")
            continue
        for path in check.children(language_folder):
            if path.name in (QUIZ_FILE, JOB_AID_FILE):
                continue
            if path in check.folders and path.name != IMAGES_FOLDER:
                check.add(path, None, "is a folder; a language folder holds lesson files, quiz.yaml, job-aid.md and images/")
                continue
            if path in check.folders:
                continue
            match = LESSON_FILE.match(path.name)
            if match is None:
                check.add(path, None, "a lesson file is named NN-lesson-slug.md (two digits, lowercase slug)")
                continue
            page = _load_lesson_page(check, path, manifest.slug, language)
            if page is None:
                continue
            slug, position = match["slug"], int(match["position"])
            lesson = lessons.setdefault(slug, LessonSource(slug=slug, position=position, pages={}))
            if lesson.position != position:
                check.add(
                    path, None, f"lesson {slug!r} has number {position:02d} here but {lesson.position:02d} in another language"
                )
            lesson.pages[language] = page
    ordered = sorted(lessons.values(), key=lambda lesson: (lesson.position, lesson.slug))
    if not ordered and not check.problems:
        check.add(folder / manifest.default_language, None, "the module has no lessons")
    for lesson in ordered:
        if manifest.default_language not in lesson.pages:
            other = next(iter(lesson.pages.values()))
            check.problems.append(
                Problem(
                    other.file, None, f"lesson {lesson.slug!r} is missing in the default language {manifest.default_language!r}"
                )
            )
    positions = [lesson.position for lesson in ordered]
    if len(set(positions)) != len(positions):
        check.add(folder, None, "two lessons share the same number")
    return ordered


def _load_media(check: _Checker) -> None:
    """Every image of the module (in `images/`, or a language's `images/` for pictures of that language),
    checked and ready to serve; a file that is not what it claims is a problem."""
    for path, data in sorted(check.bundle.files.items()):
        in_images = IMAGES_FOLDER in PurePosixPath(path).parts[:-1]
        if image_extension(path) is None:
            if in_images:
                check.refuse(check.folder / path, "only PNG, JPEG, WebP and SVG images go in an images folder")
            continue
        try:
            check.media[path] = checked_image(path, data)
        except ImageRefused as error:
            check.refuse(check.folder / path, str(error))


def _render_page(check: _Checker, path: PurePosixPath, text: str, module_slug: str, language: str) -> RenderedMarkdown:
    """Render a lesson or job aid with its images pointing at their served URLs, and check every image it shows."""
    folder = str(path.parent.relative_to(check.folder)) if path.parent != check.folder else ""
    urls = {name: media.url for name, media in check.media.items()}
    rendered = render_markdown(text, module_slug=module_slug, language=language, folder=folder, media=urls)
    for image in rendered.images:
        if image.path is None:
            check.add(path, image.line, f"image {image.src!r} must be a file in the module, named relative to this file")
        elif image.path not in check.media and check.folder / image.path not in check.refused:
            check.add(path, image.line, f"image {image.src!r}: the module has no image file {image.path!r}")
        if not image.alt:
            check.add(path, image.line, f"image {image.src!r} needs alt text saying what it shows: ![what it shows]({image.src})")
    return rendered


def _load_lesson_page(check: _Checker, path: PurePosixPath, module_slug: str, language: str) -> LessonPageSource | None:
    loaded = check.read_front_matter(path, LessonFrontMatter)
    if loaded is None:
        return None
    front, _, text = loaded
    rendered = _render_page(check, path, text, module_slug, language)
    if rendered.word_count == 0:
        check.add(path, None, "the lesson has no text")
    if front.exercises and len(front.exercises) != rendered.exercise_count:
        check.add(
            path,
            None,
            f"exercises gives {len(front.exercises)} durations but the lesson has {rendered.exercise_count} "
            "exercise or practice callouts: give one duration per callout, in order",
        )
    return LessonPageSource(
        language=language,
        title=front.title,
        minutes=front.minutes,
        digcomp=front.digcomp,
        rendered=rendered,
        file=check.name(path),
        objectives=front.objectives,
        exercise_minutes=front.exercises,
    )


def _load_job_aids(check: _Checker, folder: PurePosixPath, manifest: ModuleManifest) -> dict[str, JobAidSource]:
    job_aids = {}
    for language in manifest.languages:
        path = folder / language / JOB_AID_FILE
        if path not in check.files:
            continue
        loaded = check.read_front_matter(path, JobAidFrontMatter)
        if loaded is None:
            continue
        front, _, text = loaded
        rendered = _render_page(check, path, text, manifest.slug, language)
        if rendered.word_count == 0:
            check.add(path, None, "the job aid has no text")
        job_aids[language] = JobAidSource(language=language, title=front.title, rendered=rendered, file=check.name(path))
    return job_aids


def _load_quiz(check: _Checker, folder: PurePosixPath, manifest: ModuleManifest) -> Quiz | None:
    """Check every language's quiz file and merge them into one language-neutral quiz."""
    per_language: dict[str, QuizFile] = {}
    for language in manifest.languages:
        path = folder / language / QUIZ_FILE
        if path.parent not in check.folders:
            continue
        text = check.read_text(path)
        if text is None:
            continue
        data = check.parse_yaml(path, text)
        if data is None:
            continue
        quiz = check.validate(QuizFile, data, path)
        if quiz is None:
            continue
        _check_quiz_rules(check, path, data, quiz)
        per_language[language] = quiz
    reference = per_language.get(manifest.default_language)
    if reference is None:
        return None
    for language, quiz in per_language.items():
        if language != manifest.default_language:
            _check_same_structure(check, folder / language / QUIZ_FILE, reference, quiz)
    questions = []
    for position, question in enumerate(reference.questions):
        texts = {}
        for language, quiz in per_language.items():
            translated = next((q for q in quiz.questions if q.id == question.id), None)
            if translated is None:
                continue
            texts[language] = QuestionText(
                prompt_html=render_inline(translated.prompt),
                choices=tuple(Choice(c.id, render_inline(c.text), render_inline(c.explanation)) for c in translated.choices),
            )
        correct = frozenset(choice.id for choice in question.choices if choice.correct)
        questions.append(Question(id=question.id, position=position, correct=correct, texts=texts, lesson=question.lesson))
    return Quiz(tuple(questions))


def _check_quiz_lessons(check: _Checker, path: PurePosixPath, quiz: Quiz, lesson_slugs: set[str], quiz_size: int | None) -> None:
    """A drawn attempt is balanced across lessons, so each question must name a lesson that exists."""
    for question in quiz.questions:
        if question.lesson is not None and question.lesson not in lesson_slugs:
            check.add(path, None, f"question {question.id!r} names a lesson that does not exist: {question.lesson!r}")
    if quiz_size is not None and quiz_size > len(quiz):
        check.add(path, None, f"quiz_size is {quiz_size} but the bank holds only {len(quiz)} questions")


def _check_quiz_rules(check: _Checker, path: PurePosixPath, data: Any, quiz: QuizFile) -> None:
    seen: set[str] = set()
    for index, question in enumerate(quiz.questions):
        line = _line_of(data, ("questions", index))
        if question.id in seen:
            check.add(path, line, f"question id {question.id!r} is used twice")
        seen.add(question.id)
        if not any(choice.correct for choice in question.choices):
            check.add(path, line, f"question {question.id!r} has no correct choice")
        choice_ids = [choice.id for choice in question.choices]
        if len(set(choice_ids)) != len(choice_ids):
            check.add(path, line, f"question {question.id!r} has two choices with the same id")


def _check_same_structure(check: _Checker, path: PurePosixPath, reference: QuizFile, quiz: QuizFile) -> None:
    def shape(q: QuizFile) -> list[tuple[str, tuple[tuple[str, bool], ...]]]:
        return [(question.id, tuple((c.id, c.correct) for c in question.choices)) for question in q.questions]

    lessons = {question.id: question.lesson for question in quiz.questions}
    for question in reference.questions:
        if question.id in lessons and lessons[question.id] != question.lesson:
            check.add(path, None, f"question {question.id!r}: lesson differs from the default language")

    expected, actual = shape(reference), shape(quiz)
    if [qid for qid, _ in expected] != [qid for qid, _ in actual]:
        check.add(path, None, "questions differ from the default language's quiz (same ids, same order)")
        return
    for (question_id, choices), (_, other) in zip(expected, actual, strict=True):
        if choices != other:
            check.add(path, None, f"question {question_id!r}: choices or correct answers differ from the default language")
