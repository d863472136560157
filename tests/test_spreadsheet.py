from collections.abc import Callable
from pathlib import Path

import pytest

from screening import ScreeningError
from screening.spreadsheet import read_table


def test_header_below_title_rows_is_found(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        {"Vendors": [["Vendor master export"], [], ["Vendor ID", "Vendor Name", "Country"], [1, "Hikvision", "CN"]]}
    )
    sheet = read_table(path).sheets[0]
    assert (sheet.header_row, sheet.headers[sheet.name_column], sheet.country_column) == (3, "Vendor Name", 2)
    assert sheet.rows == ((4, (1, "Hikvision", "CN")),)


@pytest.mark.parametrize("header", ["Supplier", "CUSTOMER NAME", "company", "Counterparty", "Business name", "Name"])
def test_name_column_headers_are_recognised(make_xlsx: Callable[..., Path], header: str) -> None:
    path = make_xlsx({"S": [["Code", header, "City"], ["A1", "Acme", "Leeds"]]})
    assert read_table(path).sheets[0].name_column == 1


def test_every_sheet_with_a_name_column_is_screened(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"EU": [["Supplier"], ["A"]], "Notes": [["just notes"]], "APAC": [["Supplier"], ["B"], ["C"]]})
    table = read_table(path)
    assert [s.name for s in table.sheets] == ["EU", "APAC"]
    assert table.skipped_sheets == (("Notes", "no name column"),)


def test_sheet_and_column_options(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"EU": [["Supplier", "Legal entity"], ["A", "B"]], "APAC": [["Supplier"], ["C"]]})
    table = read_table(path, sheet="apac")
    assert [s.name for s in table.sheets] == ["APAC"]
    sheet = read_table(path, sheet="EU", column="legal entity").sheets[0]
    assert sheet.rows[0][1][sheet.name_column] == "B"
    assert read_table(path, sheet="EU", column="B").sheets[0].name_column == 1


def test_unknown_sheet_lists_the_sheets(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"EU": [["Supplier"], ["A"]], "APAC": [["Supplier"], ["C"]]})
    with pytest.raises(ScreeningError, match=r"no sheet named 'Asia' \(sheets: EU, APAC\)"):
        read_table(path, sheet="Asia")


def test_no_name_column_shows_what_the_first_rows_hold(make_xlsx: Callable[..., Path]) -> None:
    # The header may be below a title row, so the first rows are shown, not only the first.
    path = make_xlsx({"S": [["Code", "Amount"], ["A1", 3]]})
    found = r"no column of vendor names found \(its first rows hold: Code, Amount, A1, 3\); name it with --column"
    with pytest.raises(ScreeningError, match=found):
        read_table(path)


def test_unknown_column_is_reported(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"S": [["Supplier"], ["A"]]})
    with pytest.raises(ScreeningError, match=r"no column headed 'Vendor'"):
        read_table(path, column="Vendor")


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        ("Vendor;Country\nSociété Générale;FR\n".encode(), ";"),
        ("\ufeffVendor\tCountry\nSociété Générale\tFR\n".encode(), "\t"),
        ("Vendor,Country\nSociété Générale,FR\n".encode("cp1252"), ","),
        ("Vendor,Country\r\nSociété Générale,FR\r\n".encode("utf-16"), ","),
    ],
    ids=["utf8-semicolon", "bom-tab", "cp1252", "utf16"],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, data: bytes, delimiter: str) -> None:
    path = tmp_path / "vendors.csv"
    path.write_bytes(data)
    sheet = read_table(path).sheets[0]
    assert sheet.headers == ("Vendor", "Country")
    assert sheet.rows == ((2, ("Société Générale", "FR")),)


def test_blank_rows_are_kept_for_the_report(tmp_path: Path) -> None:
    path = tmp_path / "vendors.csv"
    path.write_text("Supplier,Spend\nA,1\n,\nB,2\n\n")
    assert [n for n, _ in read_table(path).sheets[0].rows] == [2, 3, 4]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vendors.xlsx", b"this is not a workbook", r"vendors\.xlsx: not a readable \.xlsx workbook"),
        ("vendors.xlsx", b"", r"vendors\.xlsx: not a readable \.xlsx workbook"),
        ("vendors.pdf", b"%PDF-1.4", r"vendors\.pdf: unsupported file type '\.pdf'"),
        ("vendors.csv", b"", r"vendors\.csv: the file has no rows to screen"),
    ],
)
def test_unreadable_files_are_refused_with_the_file_named(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ScreeningError, match=message):
        read_table(path)


def test_truncated_workbook_is_refused(vendors_xlsx: Path) -> None:
    data = vendors_xlsx.read_bytes()
    vendors_xlsx.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScreeningError, match=r"vendors\.xlsx: not a readable \.xlsx workbook"):
        read_table(vendors_xlsx)


def test_encrypted_workbook_says_so(vendors_xlsx: Path, tmp_path: Path) -> None:
    import msoffcrypto.format.ooxml

    encrypted = tmp_path / "locked.xlsx"
    with open(vendors_xlsx, "rb") as plain, open(encrypted, "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("secret", out)
    with pytest.raises(ScreeningError, match=r"locked\.xlsx: the workbook is encrypted \(password-protected\)"):
        read_table(encrypted)


def test_decompression_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(300):
            member.write(b" " * (1 << 20))
    with pytest.raises(ScreeningError, match=r"bomb\.xlsx: unpacks to 0\.3 GB .* decompression bomb"):
        read_table(bomb)


def test_a_nul_inside_a_name_is_kept_but_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Vendor\nHik\x00vision\nAcme\n")
    assert [values[0] for _, values in read_table(path).sheets[0].rows] == ["Hik\x00vision", "Acme"]
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x00\x01\x02" * 500)
    with pytest.raises(ScreeningError, match=r"binary\.csv: not a text CSV file"):
        read_table(binary)


def test_row_with_an_uncached_formula_is_reported_not_dropped(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"S": [["Vendor", "Note"], ["Acme", "a"], ['=CONCAT("Hik","vision")', "b"], ["Zeta", "c"]]})
    rows = read_table(path).sheets[0].rows
    assert [n for n, _ in rows] == [2, 3, 4]
    assert rows[1][1] == (None, "b")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ScreeningError, match=r"archive\.xlsx: not a readable \.xlsx workbook \(.*_rels/\.rels"):
        read_table(path)


def test_xml_entities_are_neither_fetched_nor_expanded(vendors_xlsx: Path, tmp_path: Path) -> None:
    import zipfile

    doctype = (
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(vendors_xlsx) as src, zipfile.ZipFile(hostile, "w") as out:
        injected = 0
        for member in src.infolist():
            data = src.read(member.filename)
            if b"<t>Hikivision</t>" in data:  # the sheet (inline strings) or the shared strings
                data = data.replace(b"?>", b"?>" + doctype, 1).replace(b"<t>Hikivision</t>", b"<t>&xxe;&c;</t>")
                injected += 1
            out.writestr(member, data)
    assert injected == 1
    try:
        names = [v[1] for _, v in read_table(hostile).sheets[0].rows]
    except ScreeningError:
        return  # refusing the file is as safe as reading it
    assert not any("root:" in str(n) or "aaaaaaaaaaaaaaaaaaaa" in str(n) for n in names)


def test_hidden_sheets_are_screened_and_odd_values_kept(make_xlsx: Callable[..., Path], tmp_path: Path) -> None:
    import datetime

    import openpyxl

    path = make_xlsx(
        {
            "Main": [
                ["Vendor"],
                [12345],
                [datetime.date(2020, 1, 2)],
                ["x" * 5000],
                ["\u202eHikvision\u202c"],
                ["😀 Dahua 🎉"],
            ],
            "Hidden": [["Supplier"], ["Megvii"]],
        }
    )
    book = openpyxl.load_workbook(path)
    book["Hidden"].sheet_state = "hidden"
    book.save(path)
    table = read_table(path)
    assert [s.name for s in table.sheets] == ["Main", "Hidden"]
    assert [v[0] for _, v in table.sheets[0].rows] == [
        12345,
        datetime.date(2020, 1, 2),
        "x" * 5000,
        "\u202eHikvision\u202c",
        "😀 Dahua 🎉",
    ]


def test_latin1_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes('Vendor,Note\n"Soci\xe9t\xe9\nG\xe9n\xe9rale",x\n"Acme, Inc",y\n'.encode("latin-1"))
    assert [v for _, v in read_table(path).sheets[0].rows] == [("Société\nGénérale", "x"), ("Acme, Inc", "y")]


def test_a_quote_never_closed_is_refused_not_read_as_one_cell(tmp_path: Path) -> None:
    # The csv module reads from an unclosed quote to the end of the file as
    # one cell: three vendors, two of them listed, would vanish into a name.
    path = tmp_path / "v.csv"
    path.write_text('Vendor,Country\nAcme,US\n"Acme Tools,US\nHikvision,CN\nDahua,CN', encoding="utf-8")
    with pytest.raises(ScreeningError, match=r"v\.csv: malformed CSV \(the quote opened on line 3 is never closed"):
        read_table(path)
    # Closed, and no line break after the last row: read as it is.
    path.write_text('Vendor,Country\nAcme,US\n"Acme\nTools",US\nHikvision,CN', encoding="utf-8")
    rows = [values for _, values in read_table(path).sheets[0].rows]
    assert rows == [("Acme", "US"), ("Acme\nTools", "US"), ("Hikvision", "CN")]


def test_quoting_is_not_guessed_from_the_data(tmp_path: Path) -> None:
    # Found by tests/test_properties.py: the sniffer read a lone '"' as '""'.
    path = tmp_path / "v.csv"
    path.write_text('Vendor,Note\n,""""\n', encoding="utf-8")
    assert read_table(path).sheets[0].rows == ((2, (None, '"')),)


def test_a_wrongly_sniffed_delimiter_is_corrected_by_the_header(tmp_path: Path) -> None:
    # Found by tests/test_properties.py: the sniffer chose "," for this file.
    path = tmp_path / "v.csv"
    path.write_text('Vendor;Note\n;";,"\n;\n;\n', encoding="utf-8")
    sheet = read_table(path).sheets[0]
    assert sheet.headers == ("Vendor", "Note") and len(sheet.rows) == 3


def test_a_file_with_a_utf8_bom_that_is_not_utf8_further_on_is_refused(tmp_path: Path) -> None:
    # Past the first 64 KB, where the delimiter is sniffed: the csv module
    # would stop at the bad byte in the middle of the run.
    rows = "".join(f"V{i},Acme {i}\r\n" for i in range(20_000)).encode()
    path = tmp_path / "v.csv"
    data = b"\xef\xbb\xbfVendor ID,Vendor Name\r\n" + rows + b"V,Soci\xe9t\xe9\r\n"  # "é" in Latin-1
    path.write_bytes(data)
    bad = data.index(b"\xe9") + 1
    with pytest.raises(ScreeningError, match=rf"v\.csv: starts with a UTF-8 byte order mark but byte {bad:,} is not"):
        read_table(path)
