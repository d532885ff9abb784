"""Reading uploaded CSV files as people actually send them.

Excel on German Windows saves Windows-1252 with semicolons; LibreOffice and scripts send UTF-8
(with or without BOM) with commas or tabs. ``read_table`` finds the encoding and the separator,
maps the header to known columns (case and spacing ignored, aliases allowed) and reports every
problem it can name instead of raising, so the preview can show them all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_ROWS = 20000


class CsvProblem(Exception):
    """The file as a whole cannot be read (not a table, wrong columns...)."""


@dataclass
class Table:
    encoding: str
    delimiter: str
    columns: list[str]  # canonical names, in file order (None for unknown columns dropped)
    rows: list[dict[str, str]] = field(default_factory=list)  # canonical name -> stripped text
    line_numbers: list[int] = field(default_factory=list)  # the file line of each row
    unknown_columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # canonical name -> header as written

    def header(self, canonical: str) -> str:
        """The column as the file names it ("Rolle"), for messages about its values."""
        return self.headers.get(canonical, canonical)


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _normalise(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def read_table(
    data: bytes,
    aliases: dict[str, list[str]],
    required: list[str],
    labels: dict[str, str] | None = None,
) -> Table:
    """Parse ``data``. ``aliases`` maps canonical column names to accepted header spellings;
    ``labels`` names the canonical columns for people (a missing required column)."""
    if not data.strip():
        raise CsvProblem(_("The file is empty."))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvProblem(
            _("This is not a CSV file. Please save the table as CSV (UTF-8) and try again.")
        )
    text, encoding = decode(data)
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem(_("The file is empty.")) from None
    lookup = {}
    for canonical, spellings in aliases.items():
        for spelling in [canonical, *spellings]:
            lookup[_normalise(spelling)] = canonical
    columns: list[str | None] = []
    unknown = []
    for name in header:
        canonical = lookup.get(_normalise(name))
        if canonical is not None and canonical in columns:  # (unknown columns may be many)
            raise CsvProblem(_("The column “%(name)s” appears twice.", name=name.strip()))
        columns.append(canonical)
        if canonical is None and name.strip():
            unknown.append(name.strip())
    missing = [name for name in required if name not in columns]
    if missing:
        raise CsvProblem(
            _(
                "Required columns are missing: %(names)s. Found: %(found)s.",
                names=", ".join(str((labels or {}).get(name, name)) for name in missing),
                found=", ".join(h.strip() for h in header) or "-",
            )
        )
    table = Table(
        encoding=encoding,
        delimiter=delimiter,
        columns=[c for c in columns if c],
        unknown_columns=unknown,
        headers={c: name.strip() for c, name in zip(columns, header, strict=False) if c},
    )
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise CsvProblem(_("The file has more than %(n)s rows.", n=MAX_ROWS))
        values = {}
        for canonical, cell in zip(columns, row, strict=False):
            if canonical:
                values[canonical] = cell.strip()
        table.rows.append(values)
        table.line_numbers.append(reader.line_num)
    if not table.rows:
        raise CsvProblem(_("The file contains a header but no rows."))
    return table
