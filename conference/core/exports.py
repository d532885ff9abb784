"""CSV and XLSX downloads of any list.

CSV is UTF-8 with a byte-order mark and semicolons, so Excel (German locale) opens umlauts and
columns right. Cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR) are
prefixed with an apostrophe: a registrant named "=HYPERLINK(...)" stays text (CSV injection).

Timestamps are shown in the congress's time zone (``tz``; default: the display zone), to the
second: "2027-11-18 09:30:05" in CSV, a real date cell in XLSX (Excel can sort and filter by
it). The XLSX header row stays in view (frozen) and carries an autofilter.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Response
from flask_babel import get_timezone
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATETIME = "YYYY-MM-DD HH:MM:SS"
XLSX_DATE = "YYYY-MM-DD"


def _zone(tz: str | None):
    if tz:
        return ZoneInfo(tz)
    try:
        return get_timezone()  # the app's display zone (Europe/Berlin unless configured)
    except RuntimeError:  # outside an app context
        return ZoneInfo("Europe/Berlin")


def local_time(value: datetime, tz: str | None = None) -> datetime:
    """An aware timestamp as the congress's wall clock, naive and to the second (spreadsheets
    know no time zones; a naive value is taken as it is)."""
    if value.tzinfo is not None:
        value = value.astimezone(_zone(tz)).replace(tzinfo=None)
    return value.replace(microsecond=0)


def safe_cell(value, tz: str | None = None):
    """A value as a CSV cell: text that could start a formula is neutralised, a timestamp is
    local time to the second."""
    if value is None:
        return ""
    if isinstance(value, bool):  # in the export's language, like every value
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return local_time(value, tz).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _xlsx_cell(worksheet, value, tz: str | None):
    """Dates and timestamps stay real dates in XLSX, with a readable format."""
    if isinstance(value, datetime):
        cell = WriteOnlyCell(worksheet, value=local_time(value, tz))
        cell.number_format = XLSX_DATETIME
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = XLSX_DATE
        return cell
    return safe_cell(value, tz)


def _disposition(filename: str) -> dict[str, str]:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return {"Content-Disposition": f'attachment; filename="{ascii_name}"'}


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence], *, tz: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v, tz) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet: str = "Export",
    tz: str | None = None,
) -> bytes:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.freeze_panes = "A2"  # the header stays in view while scrolling
    worksheet.append([safe_cell(h) for h in header])
    widths = [len(str(h)) for h in header]
    count = 0
    for row in rows:
        count += 1
        worksheet.append([_xlsx_cell(worksheet, v, tz) for v in row])
        for index, value in enumerate(list(row)[: len(widths)]):
            shown = 19 if isinstance(value, datetime) else len(str(safe_cell(value, tz)))
            widths[index] = max(widths[index], min(shown, 60))
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width + 2
    if header:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, tz: str | None = None
) -> Response:
    return Response(
        csv_bytes(header, rows, tz=tz),
        mimetype="text/csv; charset=utf-8",
        headers=_disposition(filename),
    )


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet: str = "Export",
    tz: str | None = None,
) -> Response:
    return Response(
        xlsx_bytes(header, rows, sheet=sheet, tz=tz),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_disposition(filename),
    )


def table_response(
    fmt: str,
    basename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    tz: str | None = None,
) -> Response:
    """``fmt`` is "csv" or "xlsx"; anything else is the caller's 400. ``tz``: the congress's
    time zone for timestamps."""
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", header, rows, tz=tz)
    return csv_response(f"{basename}.csv", header, rows, tz=tz)
