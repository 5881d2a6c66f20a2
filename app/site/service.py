"""The site's own pages (home, programme guide, mentor handbook, privacy notice) from `content/`.

They ship with the code, so they are read and rendered once when the app starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from app.markdown import FRONT_MATTER, render_markdown

SITE_PAGES = ("home", "guide", "mentor-handbook", "privacy")


@dataclass(frozen=True)
class SitePage:
    slug: str
    language: str
    title: str
    html: str


def load_site_pages(content_dir: Path) -> dict[tuple[str, str], SitePage]:
    """Read `content/<language>/<slug>.md`; the title comes from front matter, else the first heading."""
    pages: dict[tuple[str, str], SitePage] = {}
    for path in sorted(content_dir.glob("*/*.md")):
        language, slug = path.parent.name, path.stem
        text = path.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        front = yaml.safe_load(match["body"]) if match else {}
        rendered = render_markdown(text, module_slug="", language=language)
        title = (front or {}).get("title") or next(
            (entry["title"] for entry in rendered.toc), slug.replace("-", " ").capitalize()
        )
        pages[(slug, language)] = SitePage(slug=slug, language=language, title=title, html=rendered.html)
    return pages


def site_page(pages: dict[tuple[str, str], SitePage], slug: str, language: str) -> SitePage | None:
    return pages.get((slug, language)) or pages.get((slug, "en"))
