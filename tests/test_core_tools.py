"""Shared tools: CSV/XLSX export, CSV import, PDF rendering."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conference.core import csvimport, exports
from conference.core.pdf import StaticFetcher, render_pdf_html

ALIASES = {"email": ["E-Mail", "Mail"], "first_name": ["Vorname"], "last_name": ["Nachname"]}


def test_csv_export_has_bom_semicolons_and_neutralised_formulas():
    data = exports.csv_bytes(["Name", "Ort"], [['=HYPERLINK("x")', "Köln"], ["-1+1", "@SUM"]])

    text = data.decode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert text.splitlines()[1] == '"\'=HYPERLINK(""x"")";Köln'
    assert text.splitlines()[2] == "'-1+1;'@SUM"


def test_xlsx_export_reads_back_with_umlauts_and_safe_cells():
    data = exports.xlsx_bytes(["Name", "Zahl"], [["Jürgen Groß", 3], ["+49 30 123", 4]])

    sheet = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Name", "Zahl"],
        ["Jürgen Groß", 3],
        ["'+49 30 123", 4],
    ]


def test_exports_show_timestamps_in_the_congress_zone_to_the_second_and_real_dates_in_xlsx():
    from datetime import UTC, date, datetime

    scanned = datetime(2027, 11, 18, 8, 30, 5, 123456, tzinfo=UTC)
    rows = [["Anna", scanned, date(2027, 11, 19)], ["Bea", None, None]]

    text = exports.csv_bytes(["Name", "Zeit", "Tag"], rows, tz="Europe/Berlin").decode("utf-8-sig")
    sheet = load_workbook(
        io.BytesIO(exports.xlsx_bytes(["Name", "Zeit", "Tag"], rows, tz="Europe/Berlin"))
    ).active

    assert text.splitlines()[1] == "Anna;2027-11-18 09:30:05;2027-11-19"
    assert sheet["B2"].value == datetime(2027, 11, 18, 9, 30, 5)  # a real date cell, local
    assert sheet["B2"].is_date and sheet["C2"].is_date
    assert sheet["B2"].number_format == "YYYY-MM-DD HH:MM:SS"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"


def test_csv_import_reads_windows_1252_with_semicolons(app):
    data = "Vorname;Nachname;E-Mail\r\nJürgen;Groß;j@example.org\r\n".encode("cp1252")

    table = csvimport.read_table(data, ALIASES, ["email"])

    assert table.encoding == "cp1252"
    assert table.rows == [{"first_name": "Jürgen", "last_name": "Groß", "email": "j@example.org"}]
    assert table.line_numbers == [2]


def test_csv_import_reads_utf8_bom_with_commas_and_skips_blank_lines(app):
    data = "\ufeffemail,Vorname,Unbekannt\nanna@example.org,Ännchen,x\n,,\nb@example.org,Şebnem,y\n".encode()

    table = csvimport.read_table(data, ALIASES, ["email"])

    assert table.delimiter == ","
    assert [r["first_name"] for r in table.rows] == ["Ännchen", "Şebnem"]
    assert table.unknown_columns == ["Unbekannt"]


def test_csv_import_reports_several_unknown_columns_instead_of_refusing_the_file(app):
    """An export has more columns than an import knows (ID, Status, ...): a file read back
    from it must not be refused as if a column appeared twice."""
    data = "ID;Status;E-Mail;Quelle\n7;Bestätigt;a@example.org;Online\n".encode()

    table = csvimport.read_table(data, ALIASES, ["email"])

    assert table.unknown_columns == ["ID", "Status", "Quelle"]
    assert table.rows == [{"email": "a@example.org"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leer"),
        (b"Vorname;Nachname\nA;B\n", "Pflichtspalten: email"),
        (b"email;Mail\na;b\n", "doppelt"),
        (b"email\n", "keine Daten"),
        (b"PK\x03\x04\x00\x00binary", "keine CSV-Datei"),
    ],
)
def test_csv_import_names_the_problem_in_german(app, data, message):
    with app.test_request_context():
        with pytest.raises(csvimport.CsvProblem) as problem:
            csvimport.read_table(data, ALIASES, ["email"])

    assert message in str(problem.value)


def test_collation_puts_umlauts_and_cedillas_with_their_letters_not_after_z():
    from conference.core import collation

    names = ["Zander", "Özdemir", "Oz", "Äbi", "Ahmadi", "Çelik", "Cem", "Łukasz", "Lukas"]

    ordered = collation.sort_by(names, lambda name: name)

    assert ordered == [
        "Äbi",
        "Ahmadi",
        "Çelik",
        "Cem",
        "Lukas",
        "Łukasz",
        "Oz",
        "Özdemir",
        "Zander",
    ]
    assert collation.name_key("Lee", "Zoe") < collation.name_key("Lee-Smith", "Anna")
    assert collation.name_key("Bäcker", "Anna") < collation.name_key("Backer", "Zoe")


def test_pdf_renders_german_turkish_polish_vietnamese_and_arabic_text(app, tmp_path):
    names = "Jürgen Groß · Şebnem Yılmaz · Małgorzata Wiśniewska · Nguyễn Thị Lan · محمد العلي"
    html = f'<!doctype html><html><head><link rel="stylesheet" href="css/print-fonts.css"></head><body><p>{names}</p></body></html>'

    pdf = render_pdf_html(html)

    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert pdf.startswith(b"%PDF")
    for word in ["Jürgen", "Groß", "Şebnem", "Yılmaz", "Małgorzata", "Wiśniewska", "Nguyễn"]:
        assert word in text
    assert "محمد" in text or "دمحم" in text  # pdftotext may emit right-to-left runs reversed
    assert "Noto-Sans" in fonts and "Noto-Sans-Arabic" in fonts


def test_pdf_refuses_remote_resources(app):
    html = '<html><body><img src="http://example.org/x.png"><p>ok</p></body></html>'

    pdf = render_pdf_html(html)  # the image is skipped, not fetched

    assert pdf.startswith(b"%PDF")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fetched.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pdf_embeds_files_under_static_and_data_uris_but_no_other_file(app, tmp_path):
    outside = tmp_path / "outside.css"
    outside.write_text('body::after { content: "LEAKED-FROM-OUTSIDE"; }')
    static = Path(app.static_folder).resolve()
    escape = f"{static.as_uri()}/css/../../{outside.relative_to('/')}"
    inline = "data:text/css,body::before%20%7B%20content:%20%22FROM-DATA-URI%22;%20%7D"
    html = (
        '<html><head><link rel="stylesheet" href="css/print-fonts.css">'
        f'<link rel="stylesheet" href="{inline}">'
        f'<link rel="stylesheet" href="{outside.as_uri()}">'
        f'<link rel="stylesheet" href="{escape}">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        "</head><body><p>Inhalt</p></body></html>"
    )

    text = _pdf_text(render_pdf_html(html), tmp_path)

    assert "FROM-DATA-URI" in text and "Inhalt" in text
    assert "LEAKED" not in text


def test_the_pdf_fetcher_refuses_etc_passwd_and_the_network(app):
    fetcher = StaticFetcher(Path(app.static_folder))

    with pytest.raises(ValueError, match="only files under"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="only files under"):
        fetcher.fetch(Path(app.static_folder).resolve().as_uri() + "/%2e%2e/%2e%2e/etc/passwd")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://127.0.0.1/")
    fonts = fetcher.fetch(Path(app.static_folder).resolve().as_uri() + "/css/print-fonts.css")
    try:
        assert b"@font-face" in fonts.read()
    finally:
        fonts.close()
