"""Markdown to sanitized HTML, done once per import: parse, rewrite lesson links, render, clean."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

CALLOUT_KINDS = ("note", "tip", "warning", "example", "exercise", "practice", "takeaways")
EXERCISE_KINDS = ("exercise", "practice")
CALLOUT_DEFAULT_TITLES: dict[str, dict[str, str]] = {
    "note": {"en": "Note", "fr": "Remarque", "nl": "Opmerking"},
    "tip": {"en": "Tip", "fr": "Astuce", "nl": "Tip"},
    "warning": {"en": "Watch out", "fr": "Attention", "nl": "Let op"},
    "example": {"en": "Example", "fr": "Exemple", "nl": "Voorbeeld"},
    "exercise": {"en": "Practice", "fr": "Exercice", "nl": "Oefening"},
    "practice": {
        "en": "Practise before the next meeting",
        "fr": "À pratiquer avant la prochaine rencontre",
        "nl": "Oefen voor de volgende ontmoeting",
    },
    "takeaways": {"en": "Key take-aways", "fr": "À retenir", "nl": "Om te onthouden"},
}
WORDS_PER_MINUTE = 220
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<body>.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)
# A URL or an absolute path: an image must be a file of the module, so that it is checked and served by cooc.
IMAGE_OUTSIDE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|\\)")
LESSON_LINK = re.compile(
    r"^(?:\.\./(?P<module>[a-z0-9-]+)/(?P<language>[a-z]{2})/)?(?P<file>\d{2}-[a-z0-9-]+)\.md(?P<fragment>#[^\s]*)?$"
)

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "aside",
    "blockquote",
    "br",
    "code",
    "del",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "aside": {"class", "aria-label"},
    "p": {"class"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "ol": {"start"},
    "img": {"src", "alt", "title", "loading"},
}


@dataclass(frozen=True)
class LessonLink:
    """A link from a lesson to another lesson, kept so the importer can check it points somewhere."""

    line: int
    module_slug: str | None
    lesson_slug: str


@dataclass(frozen=True)
class ImageReference:
    """An image in a lesson: `path` is the file in the module it names (None when it names none, e.g. a URL)."""

    line: int
    src: str
    path: str | None
    alt: str


@dataclass
class RenderedMarkdown:
    html: str
    toc: list[dict[str, Any]]
    word_count: int
    lesson_links: list[LessonLink] = field(default_factory=list)
    callouts: list[str] = field(default_factory=list)
    images: list[ImageReference] = field(default_factory=list)

    @property
    def exercise_count(self) -> int:
        return sum(kind in EXERCISE_KINDS for kind in self.callouts)


def _render_callout(self: Any, tokens: list[Token], idx: int, _options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</aside>\n"
    kind, _, title = token.info.strip().partition(" ")
    title = title.strip() or CALLOUT_DEFAULT_TITLES[kind].get(env["language"], CALLOUT_DEFAULT_TITLES[kind]["en"])
    escaped = html.escape(title)
    return f'<aside class="callout callout-{kind}" aria-label="{escaped}">\n<p class="callout-title">{escaped}</p>\n'


def _build_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    parser.use(front_matter_plugin)
    parser.use(anchors_plugin, min_level=2, max_level=4)
    for kind in CALLOUT_KINDS:
        parser.use(container_plugin, name=kind, render=_render_callout)
    return parser


_PARSER = _build_parser()


def lesson_url(module_slug: str, lesson_slug: str) -> str:
    return f"/modules/{module_slug}/lessons/{lesson_slug}"


def render_markdown(
    text: str,
    *,
    module_slug: str,
    language: str,
    first_line: int = 1,
    folder: str = "",
    media: Mapping[str, str] | None = None,
) -> RenderedMarkdown:
    """Render a lesson body. `first_line` maps token lines back to the file for error messages.

    Images name files of the module relative to the lesson's `folder`; `media` gives each file's
    public URL (content-hashed). An image `media` does not know keeps no source, and the loader
    reports it with its line.
    """
    env: dict[str, Any] = {"language": language}
    tokens = _PARSER.parse(text, env)
    toc: list[dict[str, Any]] = []
    links: list[LessonLink] = []
    callouts: list[str] = []
    images: list[ImageReference] = []
    words = 0
    for position, token in enumerate(tokens):
        if token.type.startswith("container_") and token.type.endswith("_open"):
            callouts.append(token.type.removeprefix("container_").removesuffix("_open"))
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            inline = tokens[position + 1]
            toc.append({"id": token.attrs.get("id", ""), "title": inline.content, "level": int(token.tag[1])})
        if token.type != "inline" or token.children is None:
            continue
        line = (token.map[0] if token.map else 0) + first_line
        for child in token.children:
            if child.type == "text" or child.type == "code_inline":
                words += len(child.content.split())
            elif child.type == "link_open":
                _rewrite_lesson_link(child, module_slug, line, links)
            elif child.type == "image":
                images.append(_rewrite_image(child, folder, media or {}, line))
    body_html = _PARSER.renderer.render(tokens, _PARSER.options, env)
    return RenderedMarkdown(
        html=sanitize_html(body_html), toc=toc, word_count=words, lesson_links=links, callouts=callouts, images=images
    )


def _rewrite_image(token: Token, folder: str, media: Mapping[str, str], line: int) -> ImageReference:
    src = str(token.attrs.get("src", ""))
    path = None
    if src and not IMAGE_OUTSIDE.match(src):
        joined = posixpath.normpath(posixpath.join(folder, src))
        path = None if joined.startswith("../") or joined == ".." else joined
    token.attrs["src"] = media.get(path, "") if path else ""
    token.attrs["loading"] = "lazy"
    return ImageReference(line=line, src=src, path=path, alt=token.content.strip())


def render_inline(text: str) -> str:
    """Quiz prompts and choices: inline markdown only (emphasis, code, links)."""
    return sanitize_html(_PARSER.renderInline(text))


def _rewrite_lesson_link(token: Token, module_slug: str, line: int, links: list[LessonLink]) -> None:
    href = str(token.attrs.get("href", ""))
    match = LESSON_LINK.match(href)
    if match is None:
        return
    lesson_slug = match["file"][3:]
    target_module = match["module"]
    links.append(LessonLink(line=line, module_slug=target_module, lesson_slug=lesson_slug))
    token.attrs["href"] = lesson_url(target_module or module_slug, lesson_slug) + (match["fragment"] or "")


def sanitize_html(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def minutes_for(word_count: int) -> int:
    return max(1, round(word_count / WORDS_PER_MINUTE))
