"""Read a module folder, check every rule of the module format, and render it.

All problems are collected (not only the first) and each names its file and line, so an
author can fix a module in one pass. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from babel import Locale, UnknownLocaleError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.catalog.digcomp import load_framework
from app.catalog.quiz import Choice, Question, QuestionText, Quiz
from app.markdown import FRONT_MATTER, LessonLink, RenderedMarkdown, minutes_for, render_inline, render_markdown

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LESSON_FILE = re.compile(r"^(?P<position>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
MODULE_FILE = "module.md"
QUIZ_FILE = "quiz.yaml"
_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ModuleFormatError(Exception):
    """A module that breaks the format. It is never imported; the live version stays."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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


class ChoiceSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1)
    correct: bool = False
    explanation: str = Field(min_length=1)


class QuestionSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG_PATTERN, max_length=100)
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


@dataclass
class ModuleSource:
    """A checked, rendered module ready to become a version."""

    manifest: ModuleManifest
    lessons: list[LessonSource]
    quiz: Quiz
    content_hash: str
    links: list[tuple[str, LessonLink]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.manifest.slug

    def computed_minutes(self, language: str) -> int:
        reading = sum(
            minutes_for(lesson.pages[language].rendered.word_count) for lesson in self.lessons if language in lesson.pages
        )
        return reading + math.ceil(len(self.quiz) / 2)


def is_language_code(code: Any) -> bool:
    if not isinstance(code, str) or not re.fullmatch(r"[a-z]{2}", code):
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping key, for error messages."""


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
    """Collects problems while reading one module folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []

    def name(self, path: Path) -> str:
        return str(path.relative_to(self.folder.parent))

    def add(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.name(path), line, message))

    def read_text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.add(path, None, "file is missing")
        except UnicodeDecodeError as error:
            self.add(path, None, f"not valid UTF-8 ({error.reason} at byte {error.start})")
        return None

    def parse_yaml(self, path: Path, text: str, line_offset: int = 0) -> Any:
        try:
            return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader extends SafeLoader
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 + line_offset if mark else None
            self.add(path, line, f"invalid YAML: {error.problem or error}")
        except yaml.YAMLError as error:
            self.add(path, None, f"invalid YAML: {error}")
        return None

    def split_front_matter(self, path: Path, text: str) -> tuple[Any, int] | None:
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

    def read_front_matter(self, path: Path, model: type[_M]) -> tuple[_M, _LineDict, str] | None:
        """Read a markdown file and check its front matter against a model; None after a problem."""
        text = self.read_text(path)
        if text is None:
            return None
        parsed = self.split_front_matter(path, text)
        if parsed is None:
            return None
        front = self.validate(model, parsed[0], path, line_offset=1)
        return None if front is None else (front, parsed[0], text)

    def validate(self, model: type[_M], data: Any, path: Path, line_offset: int = 0) -> _M | None:
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


def load_module(folder: Path) -> ModuleSource:
    """Read, check and render a module folder; raise ModuleFormatError listing every problem."""
    folder = folder.resolve()
    check = _Checker(folder)
    module_path = folder / MODULE_FILE
    loaded = _load_manifest(check, module_path)
    if loaded is None:
        raise ModuleFormatError(check.problems)
    manifest, front = loaded
    if manifest.slug != folder.name:
        line = front.key_lines.get("slug", 0) + 1
        check.add(module_path, line, f"slug {manifest.slug!r} must equal the folder name {folder.name!r}")
    if manifest.default_language not in manifest.languages:
        check.add(module_path, None, f"default_language {manifest.default_language!r} is not in languages")
    for key in ("title", "summary"):
        missing = [code for code in manifest.languages if not getattr(manifest, key).get(code)]
        if missing:
            check.add(module_path, None, f"{key} has no text for {', '.join(missing)}")
    for child in sorted(folder.iterdir()):
        if child.is_dir() and child.name not in manifest.languages:
            if is_language_code(child.name):
                check.add(child, None, f"language folder {child.name!r} is not declared in languages")
            else:
                check.add(child, None, f"{child.name!r} is not a language code (ISO 639-1, like en or fr)")
    lessons = _load_lessons(check, folder, manifest)
    quiz = _load_quiz(check, folder, manifest)
    links = [(page.file, link) for lesson in lessons for page in lesson.pages.values() for link in page.rendered.lesson_links]
    lesson_slugs = {lesson.slug for lesson in lessons}
    for file, link in links:
        if link.module_slug in (None, manifest.slug) and link.lesson_slug not in lesson_slugs:
            check.problems.append(Problem(file, link.line, f"link to a lesson that does not exist: {link.lesson_slug!r}"))
    if check.problems or quiz is None:
        raise ModuleFormatError(check.problems)
    return ModuleSource(
        manifest=manifest,
        lessons=lessons,
        quiz=quiz,
        content_hash=content_hash(folder),
        links=[(file, link) for file, link in links if link.module_slug not in (None, manifest.slug)],
    )


def _load_manifest(check: _Checker, path: Path) -> tuple[ModuleManifest, _LineDict] | None:
    loaded = check.read_front_matter(path, ModuleManifest)
    return None if loaded is None else (loaded[0], loaded[1])


def _load_lessons(check: _Checker, folder: Path, manifest: ModuleManifest) -> list[LessonSource]:
    lessons: dict[str, LessonSource] = {}
    for language in manifest.languages:
        language_folder = folder / language
        if not language_folder.is_dir():
            check.add(language_folder, None, f"language folder for {language!r} is missing")
            continue
        for path in sorted(language_folder.iterdir()):
            if path.name == QUIZ_FILE:
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


def _load_lesson_page(check: _Checker, path: Path, module_slug: str, language: str) -> LessonPageSource | None:
    loaded = check.read_front_matter(path, LessonFrontMatter)
    if loaded is None:
        return None
    front, _, text = loaded
    rendered = render_markdown(text, module_slug=module_slug, language=language)
    if rendered.word_count == 0:
        check.add(path, None, "the lesson has no text")
    return LessonPageSource(
        language=language,
        title=front.title,
        minutes=front.minutes,
        digcomp=front.digcomp,
        rendered=rendered,
        file=check.name(path),
    )


def _load_quiz(check: _Checker, folder: Path, manifest: ModuleManifest) -> Quiz | None:
    """Check every language's quiz file and merge them into one language-neutral quiz."""
    per_language: dict[str, QuizFile] = {}
    for language in manifest.languages:
        path = folder / language / QUIZ_FILE
        if not path.parent.is_dir():
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
        questions.append(Question(id=question.id, position=position, correct=correct, texts=texts))
    return Quiz(tuple(questions))


def _check_quiz_rules(check: _Checker, path: Path, data: Any, quiz: QuizFile) -> None:
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


def _check_same_structure(check: _Checker, path: Path, reference: QuizFile, quiz: QuizFile) -> None:
    def shape(q: QuizFile) -> list[tuple[str, tuple[tuple[str, bool], ...]]]:
        return [(question.id, tuple((c.id, c.correct) for c in question.choices)) for question in q.questions]

    expected, actual = shape(reference), shape(quiz)
    if [qid for qid, _ in expected] != [qid for qid, _ in actual]:
        check.add(path, None, "questions differ from the default language's quiz (same ids, same order)")
        return
    for (question_id, choices), (_, other) in zip(expected, actual, strict=True):
        if choices != other:
            check.add(path, None, f"question {question_id!r}: choices or correct answers differ from the default language")


def content_hash(folder: Path) -> str:
    """A digest of every file of the module, so re-importing unchanged content is a no-op."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def discover_module_folders(root: Path) -> list[Path]:
    return sorted(child for child in root.iterdir() if child.is_dir() and (child / MODULE_FILE).exists())
