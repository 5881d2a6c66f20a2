"""Interface strings in English, French and Dutch, from gettext catalogs (Babel `.po` files).

The catalogs are read once at start-up; `translator(language)` is then a dictionary lookup.
Extract new strings with `pybabel extract -F babel.cfg -k _ -k N_ -o app/locales/messages.pot .` and
merge them with `pybabel update -i app/locales/messages.pot -d app/locales`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from app.config import UI_LANGUAGES

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "nl": "Nederlands"}

Translate = Callable[..., str]


@lru_cache
def _catalog(language: str) -> dict[str, str]:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str)
    }


def N_(message: str) -> str:
    """Mark a message for extraction where it is written; it is translated where it is shown."""
    return message


def translator(language: str) -> Translate:
    """A gettext function for one language; `%(name)s` placeholders are filled from keywords."""
    catalog = _catalog(language if language in UI_LANGUAGES else "en")

    def gettext(message: str, **values: object) -> str:
        text = catalog.get(message, message)
        return text % values if values else text

    return gettext


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
