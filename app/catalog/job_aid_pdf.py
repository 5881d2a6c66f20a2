"""A job aid as a PDF file, for people who want the page itself rather than their browser's "Save as PDF".

fpdf2 lays out the job aid's sanitized HTML (headings, lists, tables, emphasis) on one or two A4
pages with its built-in Helvetica, which covers every letter of English, French and Dutch; the few
typographic characters outside it (the narrow no-break space before French punctuation) are
replaced by their nearest equivalent.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from fpdf import FPDF

_CALLOUT = re.compile(r"</?aside[^>]*>")
_CELL = re.compile(r"(<t[dh](?:\s[^>]*)?>)(.*?)(</t[dh]>)", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SUBSTITUTES = {"\u202f": "\u00a0", "\u2011": "-", "\u2192": "->", "\u2190": "<-", "\u2713": "v"}


def _in_the_font(text: str) -> str:
    """Text the PDF's core font can draw (Windows-1252): a character it lacks becomes its nearest kin."""
    kept = []
    for character in text:
        character = _SUBSTITUTES.get(character, character)
        try:
            character.encode("cp1252")
        except UnicodeEncodeError:
            character = unicodedata.normalize("NFKD", character).encode("cp1252", "ignore").decode("cp1252") or "?"
        kept.append(character)
    return "".join(kept)


def _for_fpdf(body_html: str) -> str:
    """The markup fpdf2 lays out: callouts become plain blocks, and table cells plain text (it takes no tags inside them)."""
    without_callouts = _CALLOUT.sub("", body_html)
    return _CELL.sub(lambda cell: cell[1] + _TAG.sub("", cell[2]) + cell[3], without_callouts)


def job_aid_pdf(*, module_title: str, title: str, body_html: str, checked_on: date | None, checked_label: str) -> bytes:
    """The job aid's page: the module and the aid's title, the body, and when its facts were checked."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"  # what the PDF declares for its core fonts (WinAnsiEncoding): œ, ’ and € included
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(_in_the_font(title))
    pdf.set_creator("cooc")
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    pdf.set_text_color(74, 83, 96)
    pdf.cell(0, 5, _in_the_font(module_title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", style="B", size=16)
    pdf.set_text_color(27, 31, 36)
    pdf.multi_cell(0, 8, _in_the_font(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", size=10)
    pdf.write_html(_in_the_font(_for_fpdf(body_html)), ul_bullet_char="\u2022")
    if checked_on is not None:
        pdf.ln(4)
        pdf.set_font("helvetica", size=8)
        pdf.set_text_color(74, 83, 96)
        pdf.cell(0, 4, _in_the_font(checked_label), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
