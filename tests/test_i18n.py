"""Every interface string is translated in French and Dutch."""

from __future__ import annotations

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
        translated = {message.id for message in read_po(handle) if message.id and message.string and not message.fuzzy}
    assert sorted(wanted - translated) == []


def test_translator_fills_placeholders() -> None:
    assert translator("fr")("%(count)s lessons", count=4) == "4 leçons"


def test_browser_language_is_negotiated() -> None:
    assert negotiate_language("de-DE,nl;q=0.8,en;q=0.5", "en") == "nl"
    assert negotiate_language("de", "en") == "en"
