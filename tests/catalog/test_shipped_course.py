"""The course shipped in modules/: complete in three languages, consistent, and mapped to DigComp."""

from __future__ import annotations

import re

import pytest

from app.catalog.loader import ModuleSource, discover_module_folders, load_module
from app.catalog.service import import_modules_directory
from app.config import PROJECT_ROOT
from app.markdown import minutes_for
from tests.factories import TEST_ACTOR

MODULES_DIR = PROJECT_ROOT / "modules"
FOLDERS = discover_module_folders(MODULES_DIR)
LANGUAGES = ("en", "fr", "nl")
# A translated lesson may share a name or a short quotation with the English, never a whole passage.
NEAR_COPY_WORDS = 12


@pytest.fixture(scope="module", params=[folder.name for folder in FOLDERS])
def module(request: pytest.FixtureRequest) -> ModuleSource:
    return load_module(MODULES_DIR / request.param)


def test_the_course_has_the_eight_expected_modules() -> None:
    assert [folder.name for folder in FOLDERS] == [
        "big-data-and-ai",
        "blockchain",
        "internet-of-things",
        "internet-security",
        "mentor-training",
        "searching-the-internet",
        "social-media",
        "working-digitally",
    ]


def test_every_module_imports(session) -> None:  # type: ignore[no-untyped-def]
    report = import_modules_directory(session, TEST_ACTOR, MODULES_DIR)
    assert report.rejected == {}
    assert len(report.outcomes) == len(FOLDERS)


def test_every_language_has_every_lesson(module: ModuleSource) -> None:
    assert module.manifest.languages == list(LANGUAGES)
    for lesson in module.lessons:
        assert set(lesson.pages) == set(LANGUAGES), f"{module.slug}/{lesson.slug}"


def test_lessons_are_three_to_six_of_five_to_ten_minutes(module: ModuleSource) -> None:
    assert 3 <= len(module.lessons) <= 6
    for lesson in module.lessons:
        for language, page in lesson.pages.items():
            computed = minutes_for(page.rendered.word_count)
            assert 5 <= computed <= 10, f"{page.file}: {page.rendered.word_count} words"
            assert abs(page.minutes - computed) <= 1, f"{page.file}: says {page.minutes} min, text reads in {computed}"
            assert language == page.language


def test_module_estimate_agrees_with_the_text(module: ModuleSource) -> None:
    computed = module.computed_minutes(module.manifest.default_language)
    assert abs(module.manifest.estimated_minutes - computed) <= max(2, computed * 0.15), (
        module.manifest.estimated_minutes,
        computed,
    )


def test_every_lesson_has_take_aways_and_every_module_has_practice(module: ModuleSource) -> None:
    for lesson in module.lessons:
        for page in lesson.pages.values():
            assert 'class="callout callout-takeaways"' in page.rendered.html, page.file
    assert any(
        'class="callout callout-exercise"' in page.rendered.html for lesson in module.lessons for page in lesson.pages.values()
    )


def test_quiz_has_enough_questions_each_answerable_and_explained_in_every_language(module: ModuleSource) -> None:
    questions = module.quiz.questions
    assert len(questions) >= 8
    for question in questions:
        assert question.correct, question.id
        assert set(question.texts) == set(LANGUAGES)
        for language in LANGUAGES:
            choices = question.texts[language].choices
            assert len(choices) >= 2
            assert all(choice.explanation_html.strip() for choice in choices), (question.id, language)


ANSWER_COUNT_HINT = re.compile(r"\((choose|select|deux|trois|plusieurs|kies|duid|meerdere)\b", re.IGNORECASE)


def test_no_quiz_prompt_carries_its_own_answer_count_hint(module: ModuleSource) -> None:
    """The quiz page says how many answers to choose, once, in the interface language."""
    for question in module.quiz.questions:
        for language, text in question.texts.items():
            assert not ANSWER_COUNT_HINT.search(text.prompt_html), (question.id, language, text.prompt_html)


def _passages(html: str) -> set[tuple[str, ...]]:
    words = re.sub(r"<[^>]+>", " ", html).split()
    return {tuple(words[start : start + NEAR_COPY_WORDS]) for start in range(len(words) - NEAR_COPY_WORDS + 1)}


def test_no_translation_is_a_near_copy_of_the_english(module: ModuleSource) -> None:
    for lesson in module.lessons:
        english = _passages(lesson.pages["en"].rendered.html)
        for language in LANGUAGES[1:]:
            copied = english & _passages(lesson.pages[language].rendered.html)
            assert not copied, f"{language}/{lesson.slug} repeats the English: {' '.join(next(iter(copied)))!r}"
