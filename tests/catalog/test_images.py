"""Images in lessons: checked, SVG cleaned, served under a content hash with long cache headers."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from app.catalog.files import ModuleFormatError
from app.catalog.media import ImageRefused, checked_image
from app.publishing.service import import_module_folders
from tests.factories import TEST_ACTOR, load_folder, sample_module_variant

HOSTILE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
viewBox="0 0 10 10" onload="alert(1)">
<script>alert(2)</script><foreignObject><iframe src="javascript:alert(3)"></iframe></foreignObject>
<a xlink:href="javascript:alert(4)"><rect width="10" height="10" fill="url(https://evil.example/x)" onclick="alert(5)"/></a>
<circle cx="5" cy="5" r="4" fill="#0a5" style="background:url(javascript:alert(6))"/><use href="https://evil.example/s.svg#x"/>
<text x="1" y="9">Grid</text></svg>"""


def png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\xff\x80\x00" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def module_with(tmp_path: Path, lesson_extra: str, files: dict[str, bytes]) -> Path:
    heading = "## Long beats clever"
    folder = sample_module_variant(tmp_path, "illustrated", {}, {heading: f"{heading}\n\n{lesson_extra}\n"})
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ModuleFormatError) as caught:
        load_folder(folder)
    return [str(problem) for problem in caught.value.problems]


def test_a_lesson_image_is_served_under_its_hash_with_long_cache_headers(tmp_path, session, learner_client) -> None:  # type: ignore[no-untyped-def]
    folder = module_with(tmp_path, "![The grid, drawn](images/grid.png)", {"en/images/grid.png": png()})
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok
    page = learner_client.get("/modules/illustrated/lessons/passwords").text
    match = re.search(r'<img src="(/media/[0-9a-f]{64}\.png)" alt="The grid, drawn" loading="lazy">', page)
    assert match, page
    image = learner_client.get(match.group(1))
    assert image.status_code == 200 and image.content == png()
    assert image.headers["content-type"] == "image/png"
    assert image.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert learner_client.get(match.group(1).replace(".png", ".svg")).status_code == 404
    assert learner_client.get("/media/" + "0" * 64 + ".png").status_code == 404


def test_an_svg_keeps_its_drawing_and_loses_everything_active(tmp_path, session, learner_client) -> None:  # type: ignore[no-untyped-def]
    folder = module_with(tmp_path, "![A diagram](images/d.svg)", {"en/images/d.svg": HOSTILE_SVG})
    assert import_module_folders(session, TEST_ACTOR, [folder]).ok
    page = learner_client.get("/modules/illustrated/lessons/passwords").text
    url = re.search(r'src="(/media/[0-9a-f]{64}\.svg)"', page)
    assert url
    served = learner_client.get(url.group(1))
    assert served.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in served.headers["content-security-policy"]
    svg = served.text
    for active in ("script", "alert", "onload", "onclick", "foreignObject", "iframe", "javascript", "evil.example", "style"):
        assert active not in svg, active
    assert "<circle" in svg and 'fill="#0a5"' in svg and "Grid" in svg


def test_an_image_needs_alt_text_and_a_file_in_the_module(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = "![](images/grid.png)\n\n![A map](images/missing.png)\n\n![Remote](https://cdn.example/x.png)"
    folder = module_with(tmp_path, extra, {"en/images/grid.png": png()})
    found = problems(folder)
    assert any("en/01-passwords.md:" in p and "needs alt text" in p for p in found), found
    assert any("no image file 'en/images/missing.png'" in p for p in found), found
    assert any("'https://cdn.example/x.png' must be a file in the module" in p for p in found), found
    assert all(re.match(r"illustrated/en/01-passwords\.md:\d+: ", p) for p in found), "every problem has its line"


def test_a_file_that_is_not_the_image_its_name_claims_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = b"<html><script>alert(1)</script></html>"
    folder = module_with(tmp_path, "![Logo](images/logo.png)", {"en/images/logo.png": fake})
    assert problems(folder) == ["illustrated/en/images/logo.png: the file is not a PNG image, whatever its name says"]


def test_an_svg_with_entities_is_refused() -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    with pytest.raises(ImageRefused, match="DOCTYPE"):
        checked_image("x.svg", laughs)
    with pytest.raises(ImageRefused, match="root element"):
        checked_image("x.svg", b"<html xmlns='http://www.w3.org/1999/xhtml'/>")
    assert checked_image("photo.jpeg", b"\xff\xd8\xff\xe0rest").extension == ".jpg"
    assert checked_image("p.webp", b"RIFF\0\0\0\0WEBPVP8 ").content_type == "image/webp"
