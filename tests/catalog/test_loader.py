"""The module format: what a good module renders to, and how a bad one is refused."""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from app.catalog import loader
from app.catalog.files import ModuleFormatError, ModuleLimits, discover_module_folders, read_module_folder
from app.config import Settings
from tests.conftest import FIXTURE_MODULES
from tests.factories import load_folder


@pytest.fixture
def module_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sample-module"
    shutil.copytree(FIXTURE_MODULES / "sample-module", target)
    return target


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ModuleFormatError) as caught:
        load_folder(folder)
    return [str(problem) for problem in caught.value.problems]


def test_good_module_is_rendered_with_lessons_in_order_and_merged_quiz(module_copy: Path) -> None:
    source = load_folder(module_copy)
    assert [lesson.slug for lesson in source.lessons] == ["passwords", "two-factors", "reporting"]
    assert set(source.lessons[0].pages) == {"en", "fr"}
    assert set(source.lessons[2].pages) == {"en"}
    questions = source.quiz.questions
    assert [q.id for q in questions] == ["strongest", "second-factor", "report"]
    assert questions[1].multiple is True and questions[1].correct == {"a", "c"}
    assert questions[0].texts["fr"].prompt_html == "Quel mot de passe est le plus solide ?"


def test_headings_get_anchors_and_lesson_links_become_urls(module_copy: Path) -> None:
    html = load_folder(module_copy).lessons[0].pages["en"].rendered.html
    assert '<h2 id="long-beats-clever">' in html
    assert 'href="/modules/sample-module/lessons/two-factors#why-two"' in html


def test_raw_html_is_shown_as_text_never_run(module_copy: Path) -> None:
    html = load_folder(module_copy).lessons[2].pages["en"].rendered.html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_callouts_and_tables_render(module_copy: Path) -> None:
    lessons = load_folder(module_copy).lessons
    assert '<aside class="callout callout-takeaways" aria-label="Key take-aways">' in lessons[0].pages["en"].rendered.html
    two = lessons[1].pages["en"].rendered.html
    assert '<aside class="callout callout-exercise" aria-label="Before the next lesson">' in two
    assert "<table>" in two and "<td>Passkey</td>" in two


def test_javascript_links_are_dropped(module_copy: Path) -> None:
    path = module_copy / "en" / "03-reporting.md"
    path.write_text(path.read_text() + "\n[click](javascript:alert(1))\n")
    html = load_folder(module_copy).lessons[2].pages["en"].rendered.html
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


# --- Hardening: whatever a module folder holds ends as a Problem, never as a crash or a leak ----


def test_symlink_to_a_file_outside_the_module_is_refused_not_published(tmp_path: Path, module_copy: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret\nminutes: 1\n---\n\nThe server's secret.\n")
    lesson = module_copy / "en" / "01-passwords.md"
    lesson.unlink()
    lesson.symlink_to(outside)
    problems = problems_of(module_copy)
    assert "sample-module/en/01-passwords.md: is a symbolic link; a module must hold its files, not links to them" in problems
    assert not any("secret" in p.lower() for p in problems), problems


def test_symlinked_lesson_inside_the_module_is_refused(module_copy: Path) -> None:
    lesson = module_copy / "en" / "03-reporting.md"
    lesson.unlink()
    lesson.symlink_to("01-passwords.md")
    assert problems_of(module_copy) == [
        "sample-module/en/03-reporting.md: is a symbolic link; a module must hold its files, not links to them"
    ]


def test_symlinked_language_folder_is_refused(tmp_path: Path, module_copy: Path) -> None:
    shutil.move(module_copy / "fr", tmp_path / "fr")
    (module_copy / "fr").symlink_to(tmp_path / "fr")
    assert problems_of(module_copy) == ["sample-module/fr: is a symbolic link; a module must hold its files, not links to them"]


def test_symlinked_module_folder_is_refused(tmp_path: Path, module_copy: Path) -> None:
    link = tmp_path / "modules" / "sample-module"
    link.parent.mkdir()
    link.symlink_to(module_copy)
    assert problems_of(link) == ["sample-module: the module folder is a symbolic link; move the module here"]


def test_a_folder_swapped_for_a_link_after_the_scan_is_not_followed(tmp_path: Path, module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The scan saw a real folder; reading must still refuse a path that now resolves outside the module."""
    from app.catalog import files

    list_folder = files._list_module_folder

    def list_then_swap(collect, root):  # type: ignore[no-untyped-def]
        listed = list_folder(collect, root)
        shutil.move(module_copy / "en", tmp_path / "elsewhere")
        (module_copy / "en").symlink_to(tmp_path / "elsewhere")
        return listed

    monkeypatch.setattr(files, "_list_module_folder", list_then_swap)
    problems = problems_of(module_copy)
    assert "sample-module/en/01-passwords.md: resolves to a place outside the module folder" in problems


def test_oversized_lesson_is_refused_without_being_read(module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lesson = module_copy / "en" / "03-reporting.md"
    with lesson.open("r+b") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: no 50 MB is written
    opened = record_opens(monkeypatch)
    problems = problems_of(module_copy)
    assert (
        "sample-module/en/03-reporting.md: file is 52,428,800 bytes; the limit is 524,288 (COOC_MODULE_FILE_MAX_BYTES)"
        in problems
    )
    assert str(lesson) not in opened


def test_oversized_file_under_the_module_limit_is_refused_and_the_rest_still_checked(module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lesson = module_copy / "en" / "03-reporting.md"
    with lesson.open("r+b") as stream:
        stream.truncate(600 * 1024)
    opened = record_opens(monkeypatch)
    assert problems_of(module_copy) == [
        "sample-module/en/03-reporting.md: file is 614,400 bytes; the limit is 524,288 (COOC_MODULE_FILE_MAX_BYTES)"
    ]
    assert str(lesson) not in opened and str(module_copy / "en" / "01-passwords.md") in opened


def test_module_over_the_total_limit_is_refused_before_anything_is_read(module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    total = sum(path.stat().st_size for path in module_copy.rglob("*") if path.is_file())
    opened = record_opens(monkeypatch)
    with pytest.raises(ModuleFormatError) as caught:
        load_folder(module_copy, ModuleLimits(file_max_bytes=1024 * 1024, module_max_bytes=2048))
    assert [str(p) for p in caught.value.problems] == [
        f"sample-module: the module is {total:,} bytes in all; the limit is 2,048 (COOC_MODULE_MAX_BYTES)"
    ]
    assert opened == []


def test_limits_come_from_the_settings_and_default_to_their_defaults(settings: Settings) -> None:
    assert ModuleLimits() == ModuleLimits.from_settings(Settings()) == ModuleLimits(512 * 1024, 20 * 1024 * 1024)
    small = settings.model_copy(update={"module_file_max_bytes": 2048, "module_max_bytes": 4096})
    assert ModuleLimits.from_settings(small) == ModuleLimits(file_max_bytes=2048, module_max_bytes=4096)


def test_lesson_that_is_a_folder_is_refused(module_copy: Path) -> None:
    lesson = module_copy / "en" / "03-reporting.md"
    lesson.unlink()
    lesson.mkdir()
    assert problems_of(module_copy) == [
        "sample-module/en/03-reporting.md: is a folder; a language folder holds lesson files, quiz.yaml, job-aid.md and images/"
    ]


def test_quiz_that_is_a_folder_is_refused(module_copy: Path) -> None:
    quiz = module_copy / "fr" / "quiz.yaml"
    quiz.unlink()
    quiz.mkdir()
    assert problems_of(module_copy) == ["sample-module/fr/quiz.yaml: is a folder, not a file"]


def test_fifo_is_refused_without_waiting_for_a_writer(module_copy: Path) -> None:
    quiz = module_copy / "en" / "quiz.yaml"
    quiz.unlink()
    os.mkfifo(quiz)
    assert problems_of(module_copy) == ["sample-module/en/quiz.yaml: is a named pipe (FIFO), not a regular file"]


def test_unreadable_file_is_refused(module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Root reads a chmod 000 file anyway, so under root the refusal of the open is simulated."""
    lesson = module_copy / "en" / "03-reporting.md"
    lesson.chmod(0)
    if os.geteuid() == 0:
        real_open = os.open

        def refuse(path: Any, *args: Any, **kwargs: Any) -> int:
            if Path(path) == lesson:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    assert problems_of(module_copy) == ["sample-module/en/03-reporting.md: cannot be read: Permission denied"]


def test_binary_junk_is_refused(module_copy: Path) -> None:
    (module_copy / "en" / "03-reporting.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problems_of(module_copy) == ["sample-module/en/03-reporting.md: not valid UTF-8 (invalid start byte at byte 0)"]


def test_nul_byte_in_a_lesson_is_refused_with_its_line(module_copy: Path) -> None:
    lesson = module_copy / "en" / "03-reporting.md"
    lesson.write_text(lesson.read_text() + "\nA stray\0byte.\n")
    assert problems_of(module_copy) == [
        "sample-module/en/03-reporting.md:10: contains a NUL byte: lessons and quizzes are text, is this a binary file?"
    ]


def test_control_character_in_yaml_is_refused_with_its_line(module_copy: Path) -> None:
    (module_copy / "en" / "quiz.yaml").write_text("questions:\n  - id: a\x07\n")
    assert problems_of(module_copy) == [
        "sample-module/en/quiz.yaml:2: invalid YAML: special characters are not allowed (character #x0007)"
    ]


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        (
            "en/quiz.yaml",
            "- one\n- two\n",
            "sample-module/en/quiz.yaml: file: Input should be a valid dictionary or instance of QuizFile",
        ),
        (
            "en/quiz.yaml",
            "just words\n",
            "sample-module/en/quiz.yaml: file: Input should be a valid dictionary or instance of QuizFile",
        ),
        (
            "en/quiz.yaml",
            "questions: [a, b]\n",
            "sample-module/en/quiz.yaml:1: questions.0: Input should be a valid dictionary or instance of QuestionSource",
        ),
        ("en/quiz.yaml", "? [a, b]\n: 1\n", "sample-module/en/quiz.yaml:1: invalid YAML: found unhashable key"),
        (
            "en/03-reporting.md",
            "---\n- a list\n---\nText.\n",
            "sample-module/en/03-reporting.md:2: front matter must be a mapping of fields",
        ),
        (
            "en/03-reporting.md",
            "---\ntitle: [a]\nminutes: 1\n---\nText.\n",
            "sample-module/en/03-reporting.md:2: title: Input should be a valid string",
        ),
    ],
)
def test_yaml_of_an_unexpected_shape_is_refused(module_copy: Path, file: str, text: str, expected: str) -> None:
    (module_copy / file).write_text(text)
    assert expected in problems_of(module_copy)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("order: 1", "order: 2024-13-45", "sample-module/module.md:3: invalid YAML: month must be in 1..12"),
        ("order: 1", "order: " + "9" * 5000, "sample-module/module.md:3: invalid YAML: Exceeds the limit (4300 digits)"),
    ],
)
def test_value_python_cannot_build_is_refused_with_its_line(module_copy: Path, old: str, new: str, expected: str) -> None:
    path = module_copy / "module.md"
    path.write_text(path.read_text().replace(old, new))
    assert any(p.startswith(expected) for p in problems_of(module_copy)), problems_of(module_copy)


def test_deeply_nested_yaml_is_refused(module_copy: Path) -> None:
    (module_copy / "en" / "quiz.yaml").write_text("[" * 100_000 + "]" * 100_000)
    assert problems_of(module_copy) == ["sample-module/en/quiz.yaml:1: invalid YAML: nested more than 20 levels deep"]


def test_yaml_alias_bomb_is_refused_before_it_expands(module_copy: Path) -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]" for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    (module_copy / "en" / "quiz.yaml").write_text("\n".join(levels) + "\nquestions: *i\n")  # 9**9 items once expanded
    started = time.monotonic()
    problems = problems_of(module_copy)
    assert problems == ["sample-module/en/quiz.yaml:2: invalid YAML: aliases (*a) are not allowed: write the value out"]
    assert time.monotonic() - started < 1


def test_hidden_files_and_editor_leftovers_are_ignored(module_copy: Path) -> None:
    before = load_folder(module_copy).content_hash
    (module_copy / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (module_copy / ".hidden").mkdir()
    (module_copy / ".hidden" / "notes").write_bytes(b"\xff not a lesson")
    (module_copy / "Thumbs.db").write_bytes(b"\xd0\xcf")
    (module_copy / "module.md~").write_text("old draft")
    (module_copy / "en" / "01-passwords.md.swp").write_bytes(b"b0VIM 9.0\x00")
    (module_copy / "en" / ".01-passwords.md.swp").write_bytes(b"b0VIM 9.0\x00")
    (module_copy / "en" / "02-two-factors.md~").write_text("old draft")
    source = load_folder(module_copy)
    assert [lesson.slug for lesson in source.lessons] == ["passwords", "two-factors", "reporting"]
    assert source.content_hash == before


def test_hidden_folders_beside_modules_are_not_modules(tmp_path: Path, module_copy: Path) -> None:
    shutil.copytree(module_copy, tmp_path / ".sample-module")
    assert discover_module_folders(tmp_path) == [module_copy]


def test_file_name_that_is_not_utf8_is_refused_and_can_be_printed(module_copy: Path) -> None:
    Path(os.fsdecode(os.fsencode(module_copy) + b"/notes-\xff.txt")).write_text("x")
    problems = problems_of(module_copy)
    assert problems == ["sample-module/notes-\\xff.txt: the name is not valid UTF-8: use plain letters, digits and hyphens"]
    assert problems[0].encode("utf-8")


def test_reading_a_folder_neither_follows_links_nor_reads_oversized_files(tmp_path: Path, module_copy: Path) -> None:
    (module_copy / "notes.txt").symlink_to("/etc/hostname")
    with (module_copy / "big.bin").open("wb") as stream:
        stream.truncate(4096)
    files = read_module_folder(module_copy, ModuleLimits(file_max_bytes=2048, module_max_bytes=1024 * 1024))
    assert [str(p) for p in files.problems] == [
        "sample-module/big.bin: file is 4,096 bytes; the limit is 2,048 (COOC_MODULE_FILE_MAX_BYTES)",
        "sample-module/notes.txt: is a symbolic link; a module must hold its files, not links to them",
    ]
    assert "notes.txt" not in files.files and "big.bin" not in files.files


def test_an_unexpected_failure_becomes_a_problem_not_a_crash(module_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(loader, "render_markdown", explode)
    assert problems_of(module_copy) == [
        "sample-module: the module could not be checked (RecursionError: maximum recursion depth exceeded)"
    ]


def record_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths os.open is asked for from now on, to show what the loader read."""
    opened: list[str] = []
    real_open = os.open

    def spy(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    return opened


def test_objectives_exercise_minutes_and_job_aid_are_loaded(module_copy: Path) -> None:
    lesson = module_copy / "en" / "02-two-factors.md"
    lesson.write_text(
        lesson.read_text().replace(
            "minutes: 1\n", "minutes: 1\nobjectives:\n  - You can turn on a second factor.\nexercises: [4]\n"
        )
    )
    (module_copy / "en" / "job-aid.md").write_text("---\ntitle: Security on one page\n---\n\n- Use a passkey.\n")
    source = load_folder(module_copy)
    page = source.lessons[1].pages["en"]
    assert page.objectives == ["You can turn on a second factor."]
    assert page.total_minutes == 5
    assert source.job_aids["en"].title == "Security on one page"
    assert "<li>Use a passkey.</li>" in source.job_aids["en"].rendered.html
    assert "fr" not in source.job_aids
    assert [lesson.slug for lesson in source.lessons] == ["passwords", "two-factors", "reporting"]


def test_exercise_minutes_must_match_the_exercise_callouts(module_copy: Path) -> None:
    lesson = module_copy / "en" / "02-two-factors.md"
    lesson.write_text(lesson.read_text().replace("minutes: 1\n", "minutes: 1\nexercises: [4, 3]\n"))
    assert any("exercises gives 2 durations but the lesson has 1" in p for p in problems_of(module_copy))


def test_practice_callout_counts_as_an_exercise_and_has_a_title_per_language(module_copy: Path) -> None:
    lesson = module_copy / "fr" / "02-two-factors.md"
    lesson.write_text(lesson.read_text() + "\n::: practice\nActivez une passkey.\n:::\n")
    page = load_folder(module_copy).lessons[1].pages["fr"]
    assert page.rendered.exercise_count == 1
    assert 'aria-label="À pratiquer avant la prochaine rencontre"' in page.rendered.html


def test_quiz_question_must_name_an_existing_lesson_the_same_in_every_language(module_copy: Path) -> None:
    for language, lesson in (("en", "two-factors"), ("fr", "passwords")):
        quiz = module_copy / language / "quiz.yaml"
        quiz.write_text(quiz.read_text().replace("  - id: second-factor\n", f"  - id: second-factor\n    lesson: {lesson}\n"))
    quiz = module_copy / "en" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("  - id: strongest\n", "  - id: strongest\n    lesson: nowhere\n"))
    problems = problems_of(module_copy)
    assert any("'strongest' names a lesson that does not exist: 'nowhere'" in p for p in problems), problems
    assert any(p.startswith("sample-module/fr/quiz.yaml") and "'second-factor': lesson differs" in p for p in problems)


def test_quiz_size_draws_from_the_bank_and_cannot_exceed_it(module_copy: Path) -> None:
    manifest = module_copy / "module.md"
    manifest.write_text(manifest.read_text().replace("pass_mark: 60\n", "pass_mark: 60\nquiz_size: 2\n"))
    assert load_folder(module_copy).attempt_size == 2
    manifest.write_text(manifest.read_text().replace("quiz_size: 2\n", "quiz_size: 4\n"))
    assert any("quiz_size is 4 but the bank holds only 3 questions" in p for p in problems_of(module_copy))


def test_checked_on_and_sources_are_kept_and_sources_must_be_https(module_copy: Path) -> None:
    manifest = module_copy / "module.md"
    good = "checked_on: 2026-11-30\nsources:\n  - title: ENISA\n    url: https://www.enisa.europa.eu/\n"
    manifest.write_text(manifest.read_text().replace("audience: everyone\n", "audience: everyone\n" + good))
    source = load_folder(module_copy)
    assert str(source.manifest.checked_on) == "2026-11-30"
    assert source.manifest.sources[0].url == "https://www.enisa.europa.eu/"
    manifest.write_text(manifest.read_text().replace("https://www.enisa", "http://www.enisa"))
    assert any(p.startswith("sample-module/module.md:") and "url" in p for p in problems_of(module_copy))
