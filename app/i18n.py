"""Interface strings in English, French and Dutch, from gettext catalogs (Babel `.po` files).

The catalogs are read and compiled once; `translator(language)` is then a dictionary lookup.
Extract new strings with `pybabel extract -F babel.cfg -k _ -k N_ -k _n:1,2 -k plural:1,2 -o app/locales/messages.pot .` and
merge them with `pybabel update -i app/locales/messages.pot -d app/locales`.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.config import UI_LANGUAGES

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "nl": "Nederlands"}


@lru_cache
def _translations(language: str) -> gettext.NullTranslations:
    """The language's catalog compiled in memory, so plural forms follow its gettext plural rule."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:
    """Mark a message for extraction where it is written; it is translated where it is shown."""
    return message


class Translator:
    """gettext for one language: `_("...", name=value)` fills `%(name)s` placeholders;
    `_.plural(singular, plural, count, ...)` picks the form the language uses for `count`
    (French says "0 leçon" and "1 leçon", Dutch "1 les" and "0 lessen")."""

    def __init__(self, translations: gettext.NullTranslations):
        self._translations = translations

    def __call__(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, count: int, **values: object) -> str:
        return self._translations.ngettext(singular, plural, count) % {"count": count, **values}


@dataclass(frozen=True)
class Message:
    """Text for a person, kept untranslated with its values until it is shown.

    Services raise errors in these terms: the command line prints them in English (`str`), a
    page shows them in the reader's language (`translated`).
    """

    text: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text % dict(self.values) if self.values else self.text

    def translated(self, translate: Translator) -> str:
        return translate(self.text, **self.values)


def translator(language: str) -> Translator:
    return Translator(_translations(language if language in UI_LANGUAGES else "en"))


def language_name(code: str, in_language: str) -> str:
    """A language's name as the reader says it ("Engels" in Dutch, "anglais" in French)."""
    return str(Locale.parse(in_language).languages.get(code, code))


def negotiate_language(accept_language: str | None, default: str) -> str:
    """Pick the first supported language of an Accept-Language header."""
    if not accept_language:
        return default
    ranked = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        ranked.append((weight, tag.strip().lower()[:2]))
    for _, code in sorted(ranked, key=lambda item: -item[0]):
        if code in UI_LANGUAGES:
            return code
    return default
