"""CSV text that is safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (CSV injection). Following OWASP's advice,
every such cell gets a leading ``'``, which spreadsheets show as text and do not display;
quotes, commas and line breaks inside cells are the ``csv`` module's job (rows end in
``\r\n`` as RFC 4180 says, which also makes it quote a lone carriage return).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: What a cell must not begin with (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    """``cell`` as text, with a leading ``'`` when a spreadsheet would run it."""
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()
