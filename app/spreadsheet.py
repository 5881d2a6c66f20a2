"""CSV that spreadsheets open safely: a text cell that looks like a formula is kept as text.

Excel, LibreOffice and Google Sheets run a cell that starts with =, +, - or @ (or a tab or a
carriage return before one) as a formula, so a department named `=HYPERLINK(...)` in the HR
directory would turn a report into an attack on whoever opens it (OWASP "CSV injection").
Every CSV cooc produces goes through `write_csv`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text starting like a formula gets a leading apostrophe; numbers and other text stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fieldnames))
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()
