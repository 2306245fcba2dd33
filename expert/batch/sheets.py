"""Spreadsheet reading: the rows of a CSV in whatever encoding it came, or of an .xlsx workbook's first sheet,
as lists of text cells.

Chinese Excel saves CSV as GB18030 (GBK) unless told otherwise, some exports are UTF-16, and most tools write
UTF-8 with a BOM; the encoding is taken from the BOM, else from whether the file's first bytes read as UTF-8,
else GB18030. An .xlsx is read with openpyxl, an optional extra (`pip install 'shequn[xlsx]'`).
"""

from __future__ import annotations

import codecs
import csv
import datetime
from pathlib import Path
from typing import Any, Iterator, TextIO

from expert.errors import UsageError
from expert.messages import t

SNIFFED = 4096  # bytes at the start of a file that decide its encoding
GB = "gb18030"  # a superset of GBK and GB2312: whatever Chinese Excel wrote, this reads it


def detect_encoding(path: Path, name: str) -> str:
    """The encoding of a text export; raises UsageError when its first bytes are neither UTF-8 nor GB18030."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFFED)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4:  # UTF-16 without its BOM: every ASCII character has a zero byte, after it or before it
        if head[1::2].count(0) > len(head) // 4:
            return "utf-16-le"
        if head[0::2].count(0) > len(head) // 4:
            return "utf-16-be"
    for encoding in ("utf-8-sig", GB):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UsageError(t("batch.unknown_encoding", file=name))


def check_encoding(encoding: str) -> str:
    """A name given with --encoding, checked before any file is opened."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise UsageError(t("batch.bad_encoding", encoding=encoding)) from None


def open_text(path: Path, encoding: str) -> TextIO:
    # a byte the encoding cannot read is kept as a lone surrogate, for the row that holds it to be reported
    return open(path, encoding=encoding, errors="surrogateescape", newline="")


def dialect(handle: TextIO) -> type[csv.Dialect]:
    """Comma-separated, or tab-separated when the first line says so (Excel's "Unicode text" and some tools
    export TSV under a .csv name)."""
    start = handle.read(SNIFFED)
    handle.seek(0)
    first = start.lstrip("\ufeff").split("\n", 1)[0]
    return csv.excel_tab if first.count("\t") > first.count(",") else csv.excel


def is_comment(cells: list[str]) -> bool:
    """A line of notes above the header, as `shequn template csv` writes them: "# …" in the first cell alone."""
    return bool(cells) and cells[0].lstrip().startswith("#") and not any(c.strip() for c in cells[1:])


# ---------------------------------------------------------------------------- .xlsx


def xlsx_rows(path: Path, name: str) -> Iterator[list[str]]:
    """The rows of the workbook's first sheet as text cells, the way a CSV export would have written them."""
    openpyxl = _openpyxl(name)
    from zipfile import BadZipFile

    unreadable = (BadZipFile, KeyError, ValueError, OSError, SyntaxError, IndexError,
                  openpyxl.utils.exceptions.InvalidFileException)  # SyntaxError: ElementTree's ParseError
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except unreadable as exc:
        raise UsageError(t("batch.bad_xlsx", file=name, reason=exc)) from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                row = next(rows, None)
            except unreadable as exc:  # a sheet whose XML breaks off half-way
                raise UsageError(t("batch.bad_xlsx", file=name, reason=exc)) from None
            if row is None:
                return
            yield [cell_text(value) for value in row]
    finally:
        book.close()


def _openpyxl(name: str) -> Any:
    try:
        import openpyxl
        import openpyxl.utils.exceptions
    except ImportError:
        raise UsageError(t("batch.needs_xlsx", file=name)) from None
    return openpyxl


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a CSV export holds: 12.0 is "12", a date is 2026-11-24."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def write_xlsx(sheets: list[tuple[str, list[list[Any]]]], name: str) -> bytes:
    """A workbook of these sheets (title, rows) as bytes, the header rows bold and frozen."""
    import io

    openpyxl = _openpyxl(name)
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.6))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
