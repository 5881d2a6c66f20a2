"""Every interface string is translated in French and Dutch."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.i18n import LOCALES_DIR, negotiate_language, translator


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_catalog_translates_every_string_in_the_templates_and_code(language: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "N_",
            "-k",
            "_n:1,2",
            "-k",
            "plural:1,2",
            "-o",
            str(template),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {message.id for message in read_po(template.open("rb")) if message.id}
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        translated = {
            message.id
            for message in read_po(handle)
            if message.id and not message.fuzzy and (all(message.string) if isinstance(message.string, tuple) else message.string)
        }
    assert sorted(wanted - translated) == []


def test_translator_fills_placeholders() -> None:
    assert translator("fr")("Lessons done: %(done)s of %(total)s", done=1, total=4) == "Leçons terminées\u202f: 1 sur 4"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("fr", 0, "0 leçon"),
        ("fr", 1, "1 leçon"),
        ("fr", 4, "4 leçons"),
        ("nl", 0, "0 lessen"),
        ("nl", 1, "1 les"),
        ("en", 1, "1 lesson"),
    ],
)
def test_plurals_follow_each_languages_rule(language: str, count: int, expected: str) -> None:
    assert translator(language).plural("%(count)s lesson", "%(count)s lessons", count) == expected


def test_french_puts_a_narrow_no_break_space_before_high_punctuation() -> None:
    """A plain space lets "Suivant" and its ":" fall on two lines; French typography wants U+202F."""
    with (LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        strings = [s for m in read_po(handle) if m.id for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
    offending = [text for text in strings if re.search(r"[ \u00a0][:;?!]", text)]
    assert offending == []


def test_language_and_competence_names_are_in_the_readers_language() -> None:
    from app.catalog.digcomp import load_framework
    from app.i18n import language_name

    assert language_name("en", "nl") == "Engels" and language_name("en", "fr") == "anglais"
    framework = load_framework()
    untranslated = [c.id for c in framework.competences if c.title("nl") == c.title("en") and c.id != "2.5"]
    assert untranslated == []
    assert all(titles.get("nl") for titles in framework.area_titles.values())


def test_browser_language_is_negotiated() -> None:
    assert negotiate_language("de-DE,nl;q=0.8,en;q=0.5", "en") == "nl"
    assert negotiate_language("de", "en") == "en"
