"""CSV and XLSX downloads of any list.

CSV is UTF-8 with a byte-order mark and semicolons, so Excel (German locale) opens umlauts and
columns right. Cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR) are
prefixed with an apostrophe: a registrant named "=HYPERLINK(...)" stays text (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value as a spreadsheet cell: text that could start a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):  # in the export's language, like every value
        return _("yes") if value else _("no")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _disposition(filename: str) -> dict[str, str]:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return {"Content-Disposition": f'attachment; filename="{ascii_name}"'}


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "Export") -> bytes:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append([safe_cell(h) for h in header])
    widths = [len(str(h)) for h in header]
    for row in rows:
        cells = [safe_cell(v) for v in row]
        worksheet.append(cells)
        for index, cell in enumerate(cells[: len(widths)]):
            widths[index] = max(widths[index], min(len(str(cell)), 60))
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    return Response(
        csv_bytes(header, rows), mimetype="text/csv; charset=utf-8", headers=_disposition(filename)
    )


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "Export"
) -> Response:
    return Response(
        xlsx_bytes(header, rows, sheet=sheet),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_disposition(filename),
    )


def table_response(
    fmt: str, basename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> Response:
    """``fmt`` is "csv" or "xlsx"; anything else is the caller's 400."""
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", header, rows)
    return csv_response(f"{basename}.csv", header, rows)
