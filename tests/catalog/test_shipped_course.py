"""The course shipped in modules/: complete in three languages, consistent, and mapped to DigComp."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.catalog.files import discover_module_folders
from app.catalog.loader import ModuleSource
from app.config import PROJECT_ROOT
from app.markdown import EXERCISE_KINDS, minutes_for
from app.publishing.service import import_modules_directory
from tests.factories import TEST_ACTOR, load_folder

MODULES_DIR = PROJECT_ROOT / "modules"
FOLDERS = discover_module_folders(MODULES_DIR)
LANGUAGES = ("en", "fr", "nl")
# A translated lesson may share a name or a short quotation with the English, never a whole passage.
NEAR_COPY_WORDS = 12
MAX_LESSON_WORDS = 1200
MIN_QUIZ_BANK = 15
QUIZ_SIZE = 10
OBJECTIVE_OPENINGS = {"en": ("You can ",), "fr": ("Vous pouvez ", "Vous savez "), "nl": ("U kunt ",)}
EARLIEST_CHECK = date(2026, 11, 1)


@pytest.fixture(scope="module", params=[folder.name for folder in FOLDERS])
def module(request: pytest.FixtureRequest) -> ModuleSource:
    return load_folder(MODULES_DIR / request.param)


def test_the_course_has_the_nine_expected_modules() -> None:
    assert [folder.name for folder in FOLDERS] == [
        "big-data-and-ai",
        "blockchain",
        "internet-of-things",
        "internet-security",
        "mentor-training",
        "searching-the-internet",
        "social-media",
        "working-digitally",
        "working-with-your-mentor",
    ]


def test_every_module_imports(session) -> None:  # type: ignore[no-untyped-def]
    report = import_modules_directory(session, TEST_ACTOR, MODULES_DIR)
    assert report.rejected == {}
    assert len(report.outcomes) == len(FOLDERS)


def test_every_language_has_every_lesson(module: ModuleSource) -> None:
    assert module.manifest.languages == list(LANGUAGES)
    for lesson in module.lessons:
        assert set(lesson.pages) == set(LANGUAGES), f"{module.slug}/{lesson.slug}"


def test_lessons_are_three_to_six_of_at_most_1200_words_with_honest_reading_times(module: ModuleSource) -> None:
    assert 3 <= len(module.lessons) <= 6
    for lesson in module.lessons:
        for language, page in lesson.pages.items():
            words = page.rendered.word_count
            assert 400 <= words <= MAX_LESSON_WORDS, f"{page.file}: {words} words"
            computed = minutes_for(words)
            assert abs(page.minutes - computed) <= 1, f"{page.file}: says {page.minutes} min, text reads in {computed}"
            assert language == page.language


def test_every_lesson_opens_with_two_or_three_objectives_in_every_language(module: ModuleSource) -> None:
    for lesson in module.lessons:
        counts = set()
        for language, page in lesson.pages.items():
            assert 2 <= len(page.objectives) <= 3, page.file
            assert all(text.startswith(OBJECTIVE_OPENINGS[language]) for text in page.objectives), (page.file, page.objectives)
            counts.add(len(page.objectives))
        assert len(counts) == 1, f"{module.slug}/{lesson.slug}: objectives differ in number between languages"


def test_every_lesson_ends_with_a_short_practice_and_declares_its_exercise_minutes(module: ModuleSource) -> None:
    for lesson in module.lessons:
        minutes = {language: page.exercise_minutes for language, page in lesson.pages.items()}
        assert len({tuple(m) for m in minutes.values()}) == 1, f"{module.slug}/{lesson.slug}: exercise minutes differ {minutes}"
        for page in lesson.pages.values():
            exercises = [kind for kind in page.rendered.callouts if kind in EXERCISE_KINDS]
            assert exercises and len(page.exercise_minutes) == len(exercises), page.file
            assert exercises[-1] == "practice" and 2 <= page.exercise_minutes[-1] <= 5, page.file
            assert page.rendered.callouts[-1] in ("practice", "takeaways"), page.file
            assert "practice" in page.rendered.callouts[-2:], f"{page.file}: the practice callout closes the lesson"


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


def test_quiz_bank_draws_ten_from_at_least_fifteen_spread_over_every_lesson(module: ModuleSource) -> None:
    questions = module.quiz.questions
    assert len(questions) >= MIN_QUIZ_BANK
    assert module.manifest.quiz_size == QUIZ_SIZE
    per_lesson = {lesson.slug: sum(q.lesson == lesson.slug for q in questions) for lesson in module.lessons}
    assert all(q.lesson for q in questions), [q.id for q in questions if not q.lesson]
    assert min(per_lesson.values()) >= 3, per_lesson


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def test_option_length_does_not_give_the_answer_away(module: ModuleSource) -> None:
    for language in LANGUAGES:
        single = [q for q in module.quiz.questions if not q.multiple]
        longest_is_correct = 0
        for question in single:
            lengths = {choice.id: len(_text(choice.html)) for choice in question.texts[language].choices}
            (correct,) = question.correct
            if all(lengths[correct] > length for choice, length in lengths.items() if choice != correct):
                longest_is_correct += 1
            shortest = min(length for choice, length in lengths.items() if choice != correct)
            assert shortest * 3 >= lengths[correct], f"{language}/{question.id}: an option under a third of the correct one"
        assert longest_is_correct <= 0.4 * len(single), (
            f"{module.slug} ({language}): the correct option is the longest in {longest_is_correct} of {len(single)}"
        )


def test_every_module_has_a_job_aid_in_every_language(module: ModuleSource) -> None:
    assert set(module.job_aids) == set(LANGUAGES)
    for aid in module.job_aids.values():
        assert 120 <= aid.rendered.word_count <= 600, f"{aid.file}: {aid.rendered.word_count} words, not one page"


def test_every_module_was_fact_checked_recently_against_named_sources(module: ModuleSource) -> None:
    assert module.manifest.checked_on is not None and module.manifest.checked_on >= EARLIEST_CHECK
    assert len(module.manifest.sources) >= 3


ARTICLE = r"(?:art(?:icle|ikel)?\.?)\s*{}\b"


def test_internet_security_gives_leaders_their_nis2_and_dora_duties_with_articles() -> None:
    module = load_folder(MODULES_DIR / "internet-security")
    for language in LANGUAGES:
        text = " ".join(_text(lesson.pages[language].rendered.html) for lesson in module.lessons)
        assert "NIS2" in text and "DORA" in text, language
        for article in ("20", "23", "5", "19"):
            assert re.search(ARTICLE.format(article), text, re.IGNORECASE), (language, article)
        for deadline in ("24", "72", "4"):
            assert re.search(rf"\b{deadline}\s?(h|hours|heures|uur)\b", text), (language, deadline)


def test_every_question_is_answerable_and_explained_in_every_language(module: ModuleSource) -> None:
    for question in module.quiz.questions:
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
    pages = [lesson.pages for lesson in module.lessons] + [module.job_aids]
    for translations in pages if module.job_aids else pages[:-1]:
        english = _passages(translations["en"].rendered.html)
        for language in LANGUAGES[1:]:
            copied = english & _passages(translations[language].rendered.html)
            assert not copied, f"{translations[language].file} repeats the English: {' '.join(next(iter(copied)))!r}"
