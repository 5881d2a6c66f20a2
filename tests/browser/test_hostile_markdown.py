"""Classic XSS payloads written into lessons never run in a real browser, on the lesson page or in the editor's preview.

Lessons are written by authors and admins, then served to every employee: one payload that slips
through the markdown renderer and its sanitizer (`app/markdown.py`) runs in every learner's session.
The unit tests check the HTML strings; these tests check what actually matters, that Chromium runs
nothing: each payload is imported as a real lesson, opened as a learner, hovered, focused and its
odd links clicked, and the same corpus is pasted into the admin editor, whose live preview puts the
server's HTML into the page with `innerHTML`.

The browser contexts bypass the Content-Security-Policy (see `browser_context_args` in conftest.py,
needed there for axe-core). That is deliberate here: the policy is a second line, and these tests
must prove that the sanitizer alone stops every payload.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from app.publishing.service import import_module_folders
from tests.browser.conftest import LiveServer, running_live_server, screenshot
from tests.browser.test_learner_journey import sign_in
from tests.conftest import make_settings
from tests.factories import TEST_ACTOR, sample_module_variant, write_module

MODULE = "hostile-markdown"
FIRST_PAYLOAD_LESSON = 4  # the sample module's own lessons are 01 to 03
EDITOR_PATH = "en/01-passwords.md"

# Elements that can run script, load a document or submit somewhere: none may reach a lesson body.
DANGEROUS_ELEMENTS = (
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "template",
    "noscript",
    "video",
    "audio",
    "source",
    "marquee",
    "portal",
)


@dataclass(frozen=True)
class Payload:
    """One hostile lesson body. `MARK` stands for the payload's own marker, so a report names the payload that ran."""

    name: str
    template: str

    def markdown(self, marker: str) -> str:
        script = f"<script>alert('{marker}')</script>"
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"alert('{marker}')\"/>"
        return self.template.replace("BASE64_SCRIPT", _base64(script)).replace("BASE64_SVG", _base64(svg)).replace("MARK", marker)


def _base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


PAYLOADS: tuple[Payload, ...] = (
    # Raw HTML: markdown-it must show it as text; the sanitizer must drop it if it ever got through.
    Payload("script tag", "<script>alert('MARK')</script>"),
    Payload("mixed-case script with data: src", "<ScRiPt SRC=data:text/javascript,alert('MARK')></sCrIpT>"),
    Payload("img onerror", "<img src=x onerror=alert('MARK')>"),
    Payload("img javascript: src", "<IMG SRC=\"javascript:alert('MARK');\">"),
    Payload("img onerror split over lines", "<img\nsrc=x\nonerror=alert('MARK')>"),
    Payload("svg onload", "<svg onload=alert('MARK')>"),
    Payload("script inside svg", "<svg><script>alert('MARK')</script></svg>"),
    Payload("svg anchor with xlink:href", "<svg><a xlink:href=\"javascript:alert('MARK')\"><text x=9 y=9>go</text></a></svg>"),
    Payload(
        "svg animate sets href", "<svg><a><animate attributeName=href values=javascript:alert('MARK') /><text>x</text></a></svg>"
    ),
    Payload("iframe javascript: src", "<iframe src=\"javascript:alert('MARK')\"></iframe>"),
    Payload("iframe srcdoc", "<iframe srcdoc=\"<script>parent.alert('MARK')</script>\"></iframe>"),
    Payload("body onload", "<body onload=alert('MARK')>"),
    Payload("details open ontoggle", "<details open ontoggle=alert('MARK')><summary>x</summary></details>"),
    Payload("math and style mutation", "<math><mtext><table><mglyph><style><img src=x onerror=alert('MARK')></style></mglyph>"),
    Payload("style tag with onload", "<style onload=alert('MARK')>@import 'javascript:alert(1)';</style>"),
    Payload("object javascript: data", "<object data=\"javascript:alert('MARK')\"></object>"),
    Payload("object data: document", '<object data="data:text/html;base64,BASE64_SCRIPT"></object>'),
    Payload("embed data: document", '<embed src="data:text/html;base64,BASE64_SCRIPT">'),
    Payload("form action javascript:", "<form action=\"javascript:alert('MARK')\"><button>Send</button></form>"),
    Payload("button formaction", "<form><button formaction=javascript:alert('MARK')>Send</button></form>"),
    Payload("anchor with a tab inside javascript:", "<a href=\"jav&#x09;ascript:alert('MARK')\">tab</a>"),
    Payload(
        "anchor with decimal entities",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('MARK')\">entities</a>",
    ),
    Payload("anchor with &colon;", "<a href=\"javascript&colon;alert('MARK')\">colon</a>"),
    Payload("div onmouseover", "<div onmouseover=\"alert('MARK')\">hover me</div>"),
    Payload("input autofocus onfocus", "<input autofocus onfocus=alert('MARK')>"),
    Payload("marquee onstart", "<marquee onstart=alert('MARK')>x</marquee>"),
    Payload("video source onerror", "<video><source onerror=\"alert('MARK')\"></video>"),
    Payload("base href hijack", "<base href=\"javascript:alert('MARK')//\"><a href=x>relative</a>"),
    Payload("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(\'MARK\')">'),
    Payload("HTML comment that closes early", "<!--><img src=x onerror=alert('MARK')>-->"),
    Payload("HTML comment with --!>", "<!-- --!><img src=x onerror=alert('MARK')> -->"),
    Payload("noscript mutation", "<noscript><p title=\"</noscript><img src=x onerror=alert('MARK')>\">"),
    Payload("template mutation", "<template><img src=x onerror=alert('MARK')></template><div>x</div>"),
    # Markdown link and image syntax: markdown-it's link check and the sanitizer's URL schemes.
    Payload("markdown link to javascript:", "[click](javascript:alert('MARK'))"),
    Payload("markdown link to mixed-case JaVaScRiPt:", "[click](JaVaScRiPt:alert('MARK'))"),
    Payload("markdown link with entity colon", "[click](javascript&#58;alert('MARK'))"),
    Payload("markdown link with entity first letter", "[click](&#x6A;avascript:alert('MARK'))"),
    Payload("markdown link in angle brackets", "[click](<javascript:alert('MARK')>)"),
    Payload("markdown link with a tab in the scheme", "[click](<java\tscript:alert('MARK')>)"),
    Payload("markdown link with a backslash escape", "[click](javascript\\:alert('MARK'))"),
    Payload("markdown link with a comment", "[click](javascript:/*-->*/alert('MARK'))"),
    Payload("markdown link pushing straight to the marker list", "[click](javascript:window.__xss.push('MARK'))"),
    Payload("markdown link to vbscript:", "[click](vbscript:alert('MARK'))"),
    Payload("markdown link to a data: document", "[click](data:text/html;base64,BASE64_SCRIPT)"),
    Payload("markdown link to a data: script", "[click](data:text/javascript,alert('MARK'))"),
    Payload("markdown image from javascript:", "![x](javascript:alert('MARK'))"),
    Payload("good image with raw HTML as alt text", "![<img src=x onerror=alert('MARK')>](images/pixel.png)"),
    Payload("good image with alt text breaking out", "![\" onerror=\"alert('MARK')](images/pixel.png)"),
    Payload("good image with title breaking out", "![pixel](images/pixel.png \"&quot; onerror=&quot;alert('MARK')\")"),
    Payload("markdown image of a data: svg", "![x](data:image/svg+xml;base64,BASE64_SVG)"),
    Payload("markdown image breaking out of src", "![x](data:image/png;base64,iVBOR\"onerror=\"alert('MARK'))"),
    Payload("markdown image breaking out of an https src", "![x](https://example.com/x.png\"onerror=\"alert('MARK'))"),
    Payload("markdown link breaking out of href", "[click](https://example.com/\"onmouseover=\"alert('MARK'))"),
    Payload("markdown link breaking out of title", "[click](https://example.com \"a&quot; onmouseover=&quot;alert('MARK')\")"),
    Payload("markdown link text holding raw HTML", "[<img src=x onerror=alert('MARK')>](https://example.com)"),
    Payload("emphasis around raw HTML", "*<img src=x onerror=alert('MARK')>* and **<svg onload=alert('MARK')>**"),
    Payload("autolink to javascript:", "<javascript:alert('MARK')>"),
    Payload("autolink to mixed-case JAVASCRIPT:", "<JaVaScRiPt:alert('MARK')>"),
    Payload("autolink to vbscript:", "<vbscript:alert('MARK')>"),
    Payload("autolink to a data: document", "<data:text/html;base64,BASE64_SCRIPT>"),
    Payload("reference-style link", "[click][MARK-ref]\n\n[MARK-ref]: javascript:alert('MARK')"),
    Payload("reference-style link with title", "[click][MARK-ref]\n\n[MARK-ref]: <JaVaScRiPt:alert('MARK')> \"title\""),
    Payload("shortcut reference link", "[MARK-ref]\n\n[MARK-ref]: vbscript:alert('MARK')"),
    Payload("reference-style image", "![x][MARK-ref]\n\n[MARK-ref]: data:image/svg+xml;base64,BASE64_SVG"),
    # The parts cooc's own renderer builds: lesson links, headings with anchors, callout titles, tables, code.
    Payload("lesson link with a hostile fragment", "[next](02-two-factors.md#\"onmouseover=\"alert('MARK'))"),
    Payload("lesson link with a javascript: fragment", "[next](02-two-factors.md#javascript:alert('MARK'))"),
    Payload("heading holding raw HTML", "## <img src=x onerror=alert('MARK')>\n\n### [x](javascript:alert('MARK'))"),
    Payload("callout title holding raw HTML", "::: note <img src=x onerror=alert('MARK')>\nBody.\n:::"),
    Payload("callout title breaking out of aria-label", '::: tip " onmouseover="alert(\'MARK\')" x="\nBody.\n:::'),
    Payload(
        "table cell holding raw HTML",
        "| a | b |\n|:--|--:|\n| <img src=x onerror=alert('MARK')> | [x](javascript:alert('MARK')) |",
    ),
    Payload("code span closing its own tag", "`</code><img src=x onerror=alert('MARK')>`"),
    Payload("fenced code info string breaking out of class", "```\"onmouseover=\"alert('MARK')\ncode\n```"),
    Payload("entity-encoded raw HTML", "&lt;img src=x onerror=alert('MARK')&gt; &#60;script&#62;alert('MARK')&#60;/script&#62;"),
)

# Hostile text outside the lesson body: the module's title (catalog, breadcrumb) and a lesson's front matter and headings.
HOSTILE_MODULE_TITLE = "Hostile <img src=x onerror=alert('module-title')> markdown"
HOSTILE_FRONT_MATTER_LESSON = """---
title: "<script>alert('lesson-title')</script><img src=x onerror=alert('lesson-title')>"
minutes: 1
objectives:
  - "<svg onload=alert('objective')>"
---

## <img src=x onerror=alert('toc-1')>

## <svg onload=alert('toc-2')>

## [x](javascript:alert('toc-3'))

After the front matter payloads.
"""

# A real 1x1 PNG, so payloads can hide in the alt text and title of an image the import accepts.
PIXEL_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
# An image file is as untrusted as the markdown: opened on its own, an SVG runs its scripts.
HOSTILE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20"
  onload="alert('svg-onload')">
  <script>alert('svg-script')</script>
  <rect width="20" height="20" fill="teal" onmouseover="alert('svg-rect')"/>
  <a xlink:href="javascript:alert('svg-link')" href="javascript:alert('svg-link')"><text x="2" y="15">x</text></a>
  <foreignObject width="20" height="20">
    <body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert('svg-fo')"/></body>
  </foreignObject>
  <animate attributeName="href" values="javascript:alert('svg-animate')"/>
  <set attributeName="onmouseover" to="alert('svg-set')"/>
</svg>
"""
HOSTILE_SVG_LESSON = """---
title: An SVG full of script
minutes: 1
---

![a teal square](images/hostile.svg)

After the SVG file.
"""

# Runs in every frame before any page script: records calls of the dialog functions a payload would make.
RECORD_SCRIPT_CALLS = """
(() => {
  window.__xss = [];
  const report = (what) => {
    window.__xss.push(what);
    try { window.__coocReportScript(what, String(location.href)); } catch (error) {}
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => {
      report(`${name}(${args.map(String).join(", ")})`);
      return name === "confirm" ? false : name === "prompt" ? null : undefined;
    };
  }
})();
"""

# Fires the handlers a payload could hang on any element: what hovering, focusing or tabbing through would fire.
FIRE_HANDLERS = """
(scope) => {
  const events = ["mouseover", "mouseenter", "mousemove", "pointerover", "pointerenter", "focus", "focusin", "blur", "toggle"];
  for (const element of scope.querySelectorAll("*")) {
    for (const type of events) element.dispatchEvent(new Event(type, { bubbles: !type.endsWith("enter") }));
    if (typeof element.focus === "function") element.focus();
  }
  return [...scope.querySelectorAll("*")].map((element) => {
    const box = element.getBoundingClientRect();
    return { x: box.x + box.width / 2, y: box.y + box.height / 2, visible: box.width > 0 && box.height > 0 };
  });
}
"""

# What a sanitized page may not hold, as readable findings.
DANGEROUS_DOM = """
([scope, dangerousElements]) => {
  const findings = [];
  for (const element of scope.querySelectorAll(dangerousElements.join(","))) {
    findings.push(`<${element.localName}> element: ${element.outerHTML.slice(0, 200)}`);
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.toLowerCase().startsWith("on")) {
        findings.push(`event handler ${attribute.name}="${attribute.value}" on <${element.localName}>`);
      }
    }
  }
  for (const element of scope.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const squeezed = attribute.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (/^(javascript|data|vbscript|livescript):/.test(squeezed)) {
        findings.push(`${attribute.name}="${attribute.value}" on <${element.localName}>`);
      }
    }
  }
  for (const link of scope.querySelectorAll("a[href], area[href]")) {
    if (!["http:", "https:", "mailto:"].includes(link.protocol)) {
      findings.push(`link to a ${link.protocol} address: ${link.getAttribute("href")}`);
    }
  }
  for (const script of document.scripts) {
    if (!script.src.startsWith(`${location.origin}/static/`)) {
      findings.push(`script that is not one of ours: ${script.outerHTML.slice(0, 200)}`);
    }
  }
  return findings;
}
"""


def payload_marker(number: int) -> str:
    return f"xss{number:02d}"


def payload_lesson_file(number: int) -> str:
    return f"en/{FIRST_PAYLOAD_LESSON + number - 1:02d}-payload-{number:02d}.md"


def hostile_module(root: Path) -> Path:
    """The sample module under its own slug, one lesson per payload, a lesson with hostile front matter and headings,
    a real PNG for the payloads that hide behind a good image, and an SVG full of script for the image checks."""
    folder = sample_module_variant(root, MODULE, {"Sample security module": HOSTILE_MODULE_TITLE})
    lessons: dict[str, str] = {}
    for number, payload in enumerate(PAYLOADS, start=1):
        marker = payload_marker(number)
        lessons[payload_lesson_file(number)] = (
            f"---\ntitle: Payload {number:02d}\nminutes: 1\n---\n\n"
            f"Before {marker}.\n\n{payload.markdown(marker)}\n\nAfter {marker}.\n"
        )
    lessons[f"en/{FIRST_PAYLOAD_LESSON + len(PAYLOADS):02d}-front-matter.md"] = HOSTILE_FRONT_MATTER_LESSON
    lessons[f"en/{FIRST_PAYLOAD_LESSON + len(PAYLOADS) + 1:02d}-svg-file.md"] = HOSTILE_SVG_LESSON
    lessons["en/images/hostile.svg"] = HOSTILE_SVG
    write_module(folder, lessons)
    (folder / "en" / "images" / "pixel.png").write_bytes(PIXEL_PNG)
    return folder


def every_payload_in_one_lesson() -> str:
    """The corpus as one document, each payload under its own heading, so payloads also meet each other."""
    sections = [
        f"## Payload {number:02d}\n\n{payload.markdown(payload_marker(number))}\n\nAfter {payload_marker(number)}.\n"
        for number, payload in enumerate(PAYLOADS, start=1)
    ]
    return "---\ntitle: Every payload\nminutes: 1\n---\n\n" + "\n".join(sections) + "\nEnd of the hostile corpus.\n"


@dataclass
class HostileCourse:
    server: LiveServer
    refused: dict[int, str]  # payload number -> why the import refused its lesson


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCourse]:
    """A live server of its own, so the hostile module never shows up in the other browser tests' catalog.

    The import refuses some payloads outright (an image that is not a file of the module): that is a
    defence too, so their lessons are left out and reported, and the editor's preview still renders them.
    """
    data_dir = tmp_path_factory.mktemp("hostile")
    with running_live_server(make_settings(f"sqlite:///{data_dir / 'cooc.sqlite3'}", data_dir)) as server:
        folder = hostile_module(data_dir / "modules")
        refused: dict[int, str] = {}
        while True:
            with server.app.state.db.session() as session:  # type: ignore[attr-defined]
                report = import_module_folders(session, TEST_ACTOR, [folder])
            if report.ok:
                break
            for problem in report.rejected[MODULE]:
                number = next(
                    (n for n in range(1, len(PAYLOADS) + 1) if str(problem.file).endswith(payload_lesson_file(n))), None
                )
                assert number is not None, f"the import refused more than a payload lesson: {problem}"
                refused[number] = problem.message
                (folder / payload_lesson_file(number)).unlink(missing_ok=True)
        yield HostileCourse(server, refused)


class ScriptWatch:
    """Everything that shows a script ran: calls of the dialog functions from any frame, and real dialogs."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.calls: list[str] = []
        page.expose_function("__coocReportScript", lambda what, where: self.calls.append(f"{what} at {where}"))
        page.add_init_script(RECORD_SCRIPT_CALLS)
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.calls.append(f"a real {dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def prove_live(self) -> None:
        """A watch that sees nothing proves nothing: make one call from the page and require that it is seen."""
        self.page.evaluate("() => alert('canary')")
        for _ in range(40):
            if self.calls:
                break
            self.page.wait_for_timeout(50)
        seen = self.take()
        assert len(seen) == 1 and seen[0].startswith("alert(canary) at "), f"the script watch does not work on this page: {seen}"

    def take(self) -> list[str]:
        """Calls seen so far, including any recorded in the page but not reported through the binding."""
        in_page: list[str] = self.page.evaluate("() => (window.__xss || []).splice(0)")
        seen = self.calls + [f"{what} (window.__xss)" for what in in_page if not any(what in call for call in self.calls)]
        self.calls = []
        return seen


def provoke(page: Page, scope: Locator) -> list[str]:
    """Do what a learner could do to a payload: hover and focus everything, click every link that is not an ordinary one."""
    centres: list[dict[str, Any]] = scope.evaluate(FIRE_HANDLERS)
    for centre in centres[:300]:
        if centre["visible"]:
            page.mouse.move(centre["x"], centre["y"])
    links = scope.locator("a[href]")
    odd_links: list[int] = links.evaluate_all(
        "links => links.map((link, index) => [index, link.protocol])"
        ".filter(([, protocol]) => !['http:', 'https:', 'mailto:'].includes(protocol)).map(([index]) => index)"
    )
    problems = []
    for index in odd_links:
        try:
            links.nth(index).click(no_wait_after=True, timeout=2000)
        except PlaywrightError as error:
            problems.append(f"could not click odd link number {index}: {error.message.splitlines()[0]}")
    page.wait_for_timeout(150)
    return problems


def hostile_findings(page: Page, scope: Locator, watch: ScriptWatch) -> list[str]:
    """List the dangerous markup in `scope`, then provoke it and list what ran; empty when the page is safe.

    The markup is checked first, as clicking a hostile link may take the page away.
    """
    address = page.url
    findings: list[str] = scope.evaluate(
        "(scope, dangerous) => (" + DANGEROUS_DOM + ")([scope, dangerous])", list(DANGEROUS_ELEMENTS)
    )
    findings += provoke(page, scope)
    findings += [f"script ran: {call}" for call in watch.take()]
    if page.url != address:
        findings.append(f"the page went from {address} to {page.url}")
    return findings


def report(failures: dict[str, tuple[list[str], str]]) -> str:
    return "\n\n".join(
        f"{where}\n  " + "\n  ".join(findings) + f"\n  rendered HTML: {markup}" for where, (findings, markup) in failures.items()
    )


def test_classic_xss_payloads_never_run_in_a_learners_browser(page: Page, hostile_course: HostileCourse) -> None:
    # `page` comes from a context with bypass_csp=True (conftest.py): the sanitizer has to stop these on its own.
    server, refused = hostile_course.server, hostile_course.refused
    assert all(message.startswith("image ") for message in refused.values()), refused
    assert len(PAYLOADS) - len(refused) >= 40, f"too few payloads reach a lesson page; refused at import: {refused}"
    watch = ScriptWatch(page)
    sign_in(page, server, server.add_user("HOSTILE1"))
    assert watch.take() == [], "the module's title ran in the catalog"
    watch.prove_live()
    lessons = [
        (f"payload-{number:02d}", payload.markdown(payload_marker(number)), f"After {payload_marker(number)}.")
        for number, payload in enumerate(PAYLOADS, start=1)
        if number not in refused
    ]
    lessons.append(("front-matter", HOSTILE_FRONT_MATTER_LESSON, "After the front matter payloads."))
    lessons.append(("svg-file", HOSTILE_SVG_LESSON, "After the SVG file."))
    failures: dict[str, tuple[list[str], str]] = {}
    for slug, source, last_line in lessons:
        page.goto(f"{server.url}/modules/{MODULE}/lessons/{slug}")
        body = page.locator(".lesson-body")
        expect(body).to_contain_text(last_line)
        markup = body.inner_html()
        if findings := hostile_findings(page, body, watch):
            failures[f"{slug}: {source!r}"] = (findings, markup)
    page.goto(f"{server.url}/modules/{MODULE}")
    if ran := watch.take():
        failures["module page"] = (ran, "")
    assert not failures, f"{len(failures)} hostile lessons got through:\n\n{report(failures)}"


def test_an_svg_image_opened_on_its_own_runs_none_of_its_scripts(page: Page, hostile_course: HostileCourse) -> None:
    """An image's URL can be opened or linked to directly, where an SVG is a document that runs script: cooc serves it rebuilt."""
    server = hostile_course.server
    watch = ScriptWatch(page)
    sign_in(page, server, server.add_user("HOSTILE2"))
    page.goto(f"{server.url}/modules/{MODULE}/lessons/svg-file")
    source = page.locator(".lesson-body img").get_attribute("src")
    assert source and source.startswith("/media/") and source.endswith(".svg"), source
    response = page.goto(f"{server.url}{source}")
    assert response is not None and response.ok, response
    watch.prove_live()
    served = page.content()
    page.mouse.move(10, 10)
    for element in page.locator("svg *").all():
        element.dispatch_event("mouseover")
    page.wait_for_timeout(150)
    findings = watch.take() + page.evaluate(
        "() => [...document.querySelectorAll('*')].flatMap((element) => [...element.attributes]"
        ".filter((attribute) => attribute.name.startsWith('on') || /^\\s*javascript:/i.test(attribute.value))"
        ".map((attribute) => `${element.localName} ${attribute.name}=${attribute.value}`))"
    )
    findings += [f"<{name}> element" for name in ("script", "foreignObject", "animate", "set") if page.locator(name).count()]
    assert not findings, f"the served SVG still holds or ran script: {findings}\n{served}"


def test_classic_xss_payloads_never_run_in_the_admin_editors_live_preview(page: Page, hostile_course: HostileCourse) -> None:
    # `page` comes from a context with bypass_csp=True (conftest.py): the sanitizer has to stop these on its own.
    server = hostile_course.server
    watch = ScriptWatch(page)
    sign_in(page, server, server.add_user("HOSTILEADMIN", roles={"admin"}))
    page.goto(f"{server.url}/admin/modules/{MODULE}/versions/1/edit?path={EDITOR_PATH}")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Long beats clever")
    watch.prove_live()
    page.locator("#source").fill(every_payload_in_one_lesson())
    expect(preview).to_contain_text("End of the hostile corpus.", timeout=10_000)
    for number in range(1, len(PAYLOADS) + 1):
        expect(preview).to_contain_text(f"After {payload_marker(number)}.")
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "admin-editor-hostile-preview")
    markup = preview.inner_html()
    findings = hostile_findings(page, preview, watch)
    assert not findings, "the editor's preview let payloads through:\n  " + "\n  ".join(findings) + f"\n  rendered HTML: {markup}"
