"""Images in lessons: checked for what they claim to be, SVG cleaned of anything active, served by content hash.

A module's images are untrusted files like its markdown. A PNG, JPEG or WebP must start with its
format's signature (a renamed HTML file is refused); an SVG is parsed and rebuilt from an allowlist
of drawing elements and attributes, so scripts, event handlers, foreign objects, styles and links
to anything but the image itself never reach a learner. Each image is served under the SHA-256 of
the bytes served, so its URL can be cached for a year and changes when the image does.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import defusedxml.ElementTree as defused
from defusedxml import DefusedXmlException

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".svg": "image/svg+xml"}
MEDIA_PATH = "/media/"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
_SVG_ELEMENTS = frozenset(
    {
        *("svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line"),
        *("polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop"),
        *("clipPath", "mask", "pattern", "marker"),
    }
)
_SVG_ATTRIBUTES = frozenset(
    {
        *("id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "width", "height"),
        *("viewBox", "d", "points", "transform", "fill", "fill-rule", "fill-opacity", "stroke", "stroke-width"),
        *("stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity"),
        *("stroke-miterlimit", "opacity", "font-size", "font-family", "font-weight", "font-style", "text-anchor"),
        *("dominant-baseline", "letter-spacing", "offset", "stop-color", "stop-opacity", "gradientUnits"),
        *("gradientTransform", "patternUnits", "patternTransform", "preserveAspectRatio", "clip-path", "clip-rule"),
        *("mask", "marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight", "refX", "refY", "orient"),
        *("version", "role", "aria-label", "aria-hidden", "lang", "href"),
    }
)
# Attributes that may point somewhere: only to a fragment of this same image.
_REFERENCE_ATTRIBUTES = frozenset({"href", "clip-path", "mask", "fill", "stroke", "marker-start", "marker-mid", "marker-end"})
_LOCAL_REFERENCE = re.compile(r"^(#[\w.-]+|url\(#[\w.-]+\))$")
_URL_VALUE = re.compile(r"url\s*\(|javascript:|data:", re.IGNORECASE)


@dataclass(frozen=True)
class MediaFile:
    """An image as it is served: cleaned bytes, their type and their hash."""

    content: bytes
    content_type: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def name(self) -> str:
        return f"{self.sha256}{self.extension}"

    @property
    def url(self) -> str:
        return f"{MEDIA_PATH}{self.name}"


class ImageRefused(ValueError):
    pass


def image_extension(path: str) -> str | None:
    """The image type a file name claims, or None for a file that is not an image."""
    suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return suffix if suffix in IMAGE_TYPES else None


def checked_image(path: str, data: bytes) -> MediaFile:
    """The image as it will be served; ImageRefused says why a file is not the image its name claims."""
    extension = image_extension(path)
    if extension is None:
        raise ImageRefused("not an image type cooc serves (PNG, JPEG, WebP or SVG)")
    if extension == ".svg":
        return MediaFile(_clean_svg(data), IMAGE_TYPES[extension], extension)
    if not _has_signature(extension, data):
        raise ImageRefused(f"the file is not a {IMAGE_TYPES[extension].split('/')[1].upper()} image, whatever its name says")
    return MediaFile(data, IMAGE_TYPES[extension], ".jpg" if extension == ".jpeg" else extension)


def _has_signature(extension: str, data: bytes) -> bool:
    if extension == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _clean_svg(data: bytes) -> bytes:
    """Rebuild the SVG from allowed elements and attributes only; anything unknown is dropped, with its children."""
    try:
        root = defused.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise ImageRefused("an SVG with a DOCTYPE or entities is refused (they can pull in other files)") from error
    except ElementTree.ParseError as error:
        raise ImageRefused(f"not a well-formed SVG ({error})") from error
    if _local_name(root.tag) != "svg":
        raise ImageRefused("the file is not an SVG image (its root element is not <svg>)")
    ElementTree.register_namespace("", SVG_NAMESPACE)
    cleaned = _clean_element(root)
    assert cleaned is not None
    return ElementTree.tostring(cleaned, encoding="utf-8", xml_declaration=False)


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _clean_element(element: ElementTree.Element) -> ElementTree.Element | None:
    namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else SVG_NAMESPACE
    name = _local_name(element.tag)
    if namespace != SVG_NAMESPACE or name not in _SVG_ELEMENTS:
        return None
    clean = ElementTree.Element(f"{{{SVG_NAMESPACE}}}{name}")
    for key, value in element.attrib.items():
        attribute = _local_name(key)
        if key.startswith("{") and not key.startswith(f"{{{XLINK_NAMESPACE}}}"):
            continue
        if attribute not in _SVG_ATTRIBUTES or attribute.lower().startswith("on"):
            continue
        if attribute in _REFERENCE_ATTRIBUTES and _URL_VALUE.search(value) and not _LOCAL_REFERENCE.match(value.strip()):
            continue
        if attribute == "href" and not value.strip().startswith("#"):
            continue
        clean.set("href" if attribute == "href" else attribute, value)
    clean.text, clean.tail = element.text, element.tail
    for child in element:
        kept = _clean_element(child)
        if kept is not None:
            clean.append(kept)
        elif child.tail and len(clean):
            clean[-1].tail = (clean[-1].tail or "") + child.tail
        elif child.tail:
            clean.text = (clean.text or "") + child.tail
    return clean
