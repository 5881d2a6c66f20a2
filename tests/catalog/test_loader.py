"""The module format: what a good module renders to, and how a bad one is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.catalog.loader import ModuleFormatError, load_module
from tests.conftest import FIXTURE_MODULES


@pytest.fixture
def module_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", target)
    return target


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ModuleFormatError) as caught:
        load_module(folder)
    return [str(problem) for problem in caught.value.problems]


def test_good_module_is_rendered_with_lessons_in_order_and_merged_quiz(module_copy: Path) -> None:
    source = load_module(module_copy)
    assert [lesson.slug for lesson in source.lessons] == ["passwords", "two-factors", "reporting"]
    assert set(source.lessons[0].pages) == {"en", "fr"}
    assert set(source.lessons[2].pages) == {"en"}
    questions = source.quiz.questions
    assert [q.id for q in questions] == ["strongest", "second-factor", "report"]
    assert questions[1].multiple is True and questions[1].correct == {"a", "c"}
    assert questions[0].texts["fr"].prompt_html == "Quel mot de passe est le plus solide ?"


def test_headings_get_anchors_and_lesson_links_become_urls(module_copy: Path) -> None:
    html = load_module(module_copy).lessons[0].pages["en"].rendered.html
    assert '<h2 id="long-beats-clever">' in html
    assert 'href="/modules/sample-module/lessons/two-factors#why-two"' in html


def test_raw_html_is_shown_as_text_never_run(module_copy: Path) -> None:
    html = load_module(module_copy).lessons[2].pages["en"].rendered.html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_callouts_and_tables_render(module_copy: Path) -> None:
    lessons = load_module(module_copy).lessons
    assert '<aside class="callout callout-takeaways" aria-label="Key take-aways">' in lessons[0].pages["en"].rendered.html
    two = lessons[1].pages["en"].rendered.html
    assert '<aside class="callout callout-exercise" aria-label="Before the next lesson">' in two
    assert "<table>" in two and "<td>Passkey</td>" in two


def test_javascript_links_are_dropped(module_copy: Path) -> None:
    path = module_copy / "en" / "03-reporting.md"
    path.write_text(path.read_text() + "\n[click](javascript:alert(1))\n")
    html = load_module(module_copy).lessons[2].pages["en"].rendered.html
    assert 'href="javascript' not in html and "<a" not in html


def test_bad_front_matter_names_file_and_line(module_copy: Path) -> None:
    path = module_copy / "en" / "02-two-factors.md"
    path.write_text("---\ntitle: Two factors\nminutes: [oops\n---\nBody\n")
    problems = problems_of(module_copy)
    assert any(p.startswith("sample-module/en/02-two-factors.md:") and "invalid YAML" in p for p in problems), problems


def test_wrong_field_type_names_the_line(module_copy: Path) -> None:
    path = module_copy / "module.md"
    path.write_text(path.read_text().replace("estimated_minutes: 5", "estimated_minutes: soon"))
    problems = problems_of(module_copy)
    assert (
        "sample-module/module.md:5: estimated_minutes: Input should be a valid integer, unable to parse string as an integer"
        in problems
    )


def test_quiz_question_without_correct_answer_is_refused_with_line(module_copy: Path) -> None:
    path = module_copy / "en" / "quiz.yaml"
    path.write_text(
        path.read_text().replace(
            "        correct: true\n        explanation: Minutes matter.", "        explanation: Minutes matter."
        )
    )
    problems = problems_of(module_copy)
    assert "sample-module/en/quiz.yaml:26: question 'report' has no correct choice" in problems


def test_choice_without_explanation_is_refused(module_copy: Path) -> None:
    path = module_copy / "en" / "quiz.yaml"
    path.write_text(path.read_text().replace("        explanation: Short and guessable.\n", ""))
    problems = problems_of(module_copy)
    assert any("questions.0.choices.0.explanation: Field required" in p for p in problems), problems


def test_translated_quiz_must_have_the_same_correct_answers(module_copy: Path) -> None:
    path = module_copy / "fr" / "quiz.yaml"
    path.write_text(path.read_text().replace('        text: "Ete2024!"\n', '        text: "Ete2024!"\n        correct: true\n'))
    problems = problems_of(module_copy)
    assert any("fr/quiz.yaml" in p and "differ from the default language" in p for p in problems), problems


def test_missing_lesson_in_default_language_is_refused(module_copy: Path) -> None:
    (module_copy / "en" / "02-two-factors.md").unlink()
    problems = problems_of(module_copy)
    assert any("lesson 'two-factors' is missing in the default language 'en'" in p for p in problems), problems


def test_missing_module_file_is_refused(module_copy: Path) -> None:
    (module_copy / "module.md").unlink()
    assert problems_of(module_copy) == ["sample-module/module.md: file is missing"]


def test_unknown_language_code_is_refused(module_copy: Path) -> None:
    path = module_copy / "module.md"
    path.write_text(path.read_text().replace("languages: [en, fr]", "languages: [en, xx]"))
    problems = problems_of(module_copy)
    assert any("module.md:6: languages: Value error, unknown language code 'xx'" in p for p in problems), problems


def test_undeclared_language_folder_is_refused(module_copy: Path) -> None:
    shutil.copytree(module_copy / "fr", module_copy / "de")
    problems = problems_of(module_copy)
    assert "sample-module/de: language folder 'de' is not declared in languages" in problems


def test_unknown_digcomp_competence_is_refused_with_line(module_copy: Path) -> None:
    path = module_copy / "module.md"
    path.write_text(path.read_text().replace('"2.6": 3', '"9.9": 3'))
    problems = problems_of(module_copy)
    assert any(
        p.startswith("sample-module/module.md:11: digcomp: Value error, unknown DigComp 2.2 competence id '9.9'")
        for p in problems
    ), problems


def test_link_to_missing_lesson_is_refused_with_line(module_copy: Path) -> None:
    path = module_copy / "en" / "03-reporting.md"
    path.write_text(path.read_text() + "\nSee [the old lesson](07-gone.md).\n")
    problems = problems_of(module_copy)
    assert "sample-module/en/03-reporting.md:10: link to a lesson that does not exist: 'gone'" in problems


def test_badly_named_lesson_file_is_refused(module_copy: Path) -> None:
    (module_copy / "en" / "Passwords.md").write_text("---\ntitle: x\nminutes: 1\n---\ntext\n")
    assert "sample-module/en/Passwords.md: a lesson file is named NN-lesson-slug.md (two digits, lowercase slug)" in problems_of(
        module_copy
    )


def test_slug_must_match_folder(tmp_path: Path, module_copy: Path) -> None:
    renamed = module_copy.rename(tmp_path / "other-name")
    assert any("slug 'sample-module' must equal the folder name 'other-name'" in p for p in problems_of(renamed))
