"""A streaming .xlsx writer for the report: rows go straight into the zip file as SpreadsheetML.

Why not xlsxwriter, which wrote the report before: it spends about 6 µs a
cell (35.9 s to write a million rows of six cells on the project machine),
which made writing the report most of a million-row run. This writer does
only what the report needs (text, numbers, booleans, dates, four fills, bold,
wrapped text, column widths, a frozen header row and an autofilter) at under
1 µs a cell: each row is one formatted string, and sheets are compressed as
they are written, so memory does not grow with the rows. Text is written as
inline strings (no shared-string table to hold), escaped for XML, with
control characters as Excel's ``_xHHHH_`` escapes, and never as a formula.

>>> import tempfile, openpyxl
>>> path = Path(tempfile.mkdtemp()) / "out.xlsx"
>>> with XlsxWriter(path) as book:
...     with book.sheet("Screening", widths={1: 30}) as sheet:
...         sheet.row(["Vendor", "Status"], style="bold")
...         sheet.row(["Hikvision <HK> & Co", "match"], style="match")
...         sheet.autofilter(2, 2)
>>> ws = openpyxl.load_workbook(path)["Screening"]
>>> ws["A2"].value, ws["A2"].fill.fgColor.rgb, ws.freeze_panes, ws.auto_filter.ref
('Hikvision <HK> & Co', 'FFF4B6B6', 'A2', 'A1:B2')
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO
from xml.sax.saxutils import quoteattr

from screening.cells import CellValue, as_text, column_letters

MAX_TEXT = 32_767  # Excel's limit on the characters of a cell
FILLS = {"match": "F4B6B6", "review": "FFE08A"}
# Cell formats (styles.xml cellXfs), by (style, what the cell holds).
_STYLES = ["plain", "bold", "match", "review"]
_KINDS = ["value", "date", "wrap"]
_XF = {(s, k): i for i, (s, k) in enumerate((s, k) for s in _STYLES for k in _KINDS)}
_XF_OF = {s: tuple(_XF[s, k] for k in _KINDS) for s in _STYLES}  # style -> (value, date, wrap) formats
_ESCAPES = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")  # \r too: XML would read it as \n
_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_EPOCH = datetime(1899, 12, 31)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _escape(match: re.Match[str]) -> str:
    found = match.group()
    if found in _NAMED:
        return _NAMED[found]
    if len(found) > 1:  # text that reads like an escape keeps its underscore: "_x005F_" is "_"
        return "_x005F" + found
    return f"_x{ord(found):04X}_"


def _text_cell(ref: str, text: str, xf: int) -> str:
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if _ESCAPES.search(text):
        text = _ESCAPES.sub(_escape, text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def excel_date(value: date) -> float:
    """Excel's serial number of a date or date-time (1900 system, with its 29 February 1900)."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
    else:
        delta = datetime.fromordinal(value.toordinal()) - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400
    return serial + 1 if serial > 59 else serial


def row_xml(
    number: int,
    values: Sequence[CellValue],
    *,
    style: str = "plain",
    blanks: bool = False,
    first: str | None = None,
    wrapped: frozenset[int] = frozenset(),
) -> str:
    """Row ``number`` (from 1) of a sheet as SpreadsheetML; the arguments are those of :meth:`SheetWriter.row`."""
    n = str(number)
    if first is None and not blanks and not wrapped:
        # Most rows: one format throughout, plain text and numbers.
        template = _template(tuple(map(type, values)), style)
        if template is not None and template.fits(values):
            return template.xml(n, values)
    # Else cell by cell: text to escape or to keep spaces of, dates, booleans, other formats.
    refs = _refs(len(values))
    xfs = _XF_OF[style]
    cells = []
    for c, value in enumerate(values):
        if value is not None or blanks:
            own = _XF_OF[first] if c == 0 and first is not None else xfs
            cells.append(_cell(refs[c] + n, value, own, wrap=c in wrapped))
    return f'<row r="{n}">{"".join(cells)}</row>'


def row_xml_ending(number: int, values: Sequence[CellValue], tail: tuple[str | None, ...], last: int) -> str:
    """``row_xml(number, [*values, *tail, last])`` in the plain format, for the many rows that end alike.

    ``tail`` (text or empty cells, the same in every row: a clear row's
    status and sheet in the report) is checked once, in the template for
    the row's shape, not in every row; ``last`` is a number.

    >>> row_xml_ending(2, ["Acme"], ("clear", None, "Vendors"), 7) == row_xml(2, ["Acme", "clear", None, "Vendors", 7])
    True
    """
    template = _template(tuple(map(type, values)), "plain", tail)
    if template is not None and template.fits(values):
        return template.xml(str(number), values, last)
    return row_xml(number, [*values, *tail, last])


_CHECKED_AT_ONCE = 64  # rows whose text rows_xml_ending checks as one


def rows_xml_ending(rows: Sequence[tuple[int, Sequence[CellValue], int]], tail: tuple[str | None, ...]) -> list[str]:
    """``[row_xml_ending(number, values, tail, last) for number, values, last in rows]``, checked many rows at once.

    The text of the rows of a shape is checked 64 rows at a time, in one
    test (see ``_Template.all_fit``): a million-row report's clear rows
    took 2.8-3.0 µs each so, against 3.2-3.8 checked one by one. A row
    whose text must be written cell by cell (one in several thousand)
    sends only the rows checked with it back to row_xml_ending.

    >>> rows_xml_ending([(2, ["Acme"], 7), (3, [1.5], 8)], ("clear",)) == [
    ...     row_xml_ending(2, ["Acme"], ("clear",), 7), row_xml_ending(3, [1.5], ("clear",), 8)]
    True
    """
    alike: dict[tuple[type, ...], list[int]] = {}
    for i, (_, values, _) in enumerate(rows):
        alike.setdefault(tuple(map(type, values)), []).append(i)
    written = [""] * len(rows)
    for shape, at in alike.items():
        template = _template(shape, "plain", tail)
        for start in range(0, len(at), _CHECKED_AT_ONCE):
            block = at[start : start + _CHECKED_AT_ONCE]
            if template is not None and template.all_fit([rows[i][1] for i in block]):
                for i in block:
                    number, values, last = rows[i]
                    written[i] = template.xml(str(number), values, last)
            else:
                for i in block:
                    number, values, last = rows[i]
                    written[i] = row_xml_ending(number, values, tail, last)
    return written


class _Template:
    """Rows of one shape (which cells hold text, numbers, nothing) in one format, written by one f-string.

    A report has a few shapes of row. A function made for the shape writes
    a row after one check of all its text: a fifth fewer instructions than
    cell by cell with a regex a text (callgrind: 25,300 against 31,200 a
    six-cell row). Its code holds only column letters and the format (a
    tail's texts are names bound outside it).
    """

    def __init__(self, shape: tuple[type, ...], style: str, tail: tuple[str | None, ...] | None = None) -> None:
        """``tail``: plain text or empty cells after the values, alike in every row, then a number (row_xml_ending)."""
        xf = _XF_OF[style][0]
        s = f' s="{xf}"' if xf else ""  # format 0 is the default
        refs = _refs(len(shape) + len(tail or ()) + 1)
        cells = []
        for i, (ref, kind) in enumerate(zip(refs, shape, strict=False)):
            if kind is str:
                cells.append(f'<c r="{ref}{{n}}"{s} t="inlineStr"><is><t>{{v[{i}]}}</t></is></c>')
            elif kind is not type(None):  # a number; empty cells are left out
                cells.append(f'<c r="{ref}{{n}}"{s}><v>{{v[{i}]!r}}</v></c>')
        constants: dict[str, object] = {}
        if tail is not None:
            # After the values: the tail's texts (names in the code, t0, t1...:
            # a sheet's name is not spelt in it), then a number.
            for i, text in enumerate(tail):
                if text is not None:
                    constants[f"t{i}"] = text
                    cells.append(f'<c r="{refs[len(shape) + i]}{{n}}"{s} t="inlineStr"><is><t>{{t{i}}}</t></is></c>')
            cells.append(f'<c r="{refs[len(shape) + len(tail)]}{{n}}"{s}><v>{{last!r}}</v></c>')
        self.xml: Callable[..., str] = eval(
            'lambda n, v, last=None: f\'<row r="{n}">' + "".join(cells) + "</row>'", constants
        )
        texts = [i for i, kind in enumerate(shape) if kind is str]
        self._texts = operator.itemgetter(*texts) if len(texts) > 1 else None
        self._text = texts[0] if len(texts) == 1 else None
        self._joins = len(texts) - 1
        self._floats = [i for i, kind in enumerate(shape) if kind is float]

    def all_fit(self, rows: list[Sequence[CellValue]]) -> bool:
        """Whether each of ``rows`` :meth:`fits`, their texts checked as one (False may leave some that fit)."""
        for i in self._floats:
            if not all(map(math.isfinite, map(operator.itemgetter(i), rows))):
                return False
        if self._texts is not None:
            texts: list[str] = list(itertools.chain.from_iterable(map(self._texts, rows)))
        elif self._text is not None:
            texts = list(map(operator.itemgetter(self._text), rows))
        else:
            return True
        # All the rows' texts joined by "_", as fits joins one row's. Two
        # "_" together are an empty text between them, which fits refuses
        # at a row's start or end; and the whole is held to a cell's length.
        text = "_".join(texts)
        return _plain(text, len(texts) - 1) and "__" not in text and len(text) <= MAX_TEXT

    def fits(self, values: Sequence[CellValue]) -> bool:
        """Whether all the row's text is plain and its numbers finite (else it is written cell by cell)."""
        for i in self._floats:
            if not math.isfinite(values[i]):  # type: ignore[arg-type]
                return False
        # The texts joined by "_", which plain text never holds (it could
        # start an "_xHHHH_" escape): every character printable (no control
        # characters, no odd spaces), no "&<>" to escape, and no space next
        # to a "_" (Excel drops a space at either end of a text).
        if self._texts is not None:
            text: str = "_".join(self._texts(values))
        elif self._text is not None:
            text = values[self._text]  # type: ignore[assignment]
        else:
            return True
        return _plain(text, self._joins) and len(text) <= MAX_TEXT


def _plain(text: str, joins: int) -> bool:
    """Whether ``text``, texts joined by ``joins`` "_", is plain (see ``_Template.fits``)."""
    return (
        text.isprintable()
        and text.count("_") == joins
        and "&" not in text
        and "<" not in text
        and ">" not in text
        and " _" not in text
        and "_ " not in text
        and text[:1] not in " _"  # ("" is "in" any text: one empty text is written cell by cell)
        and text[-1] not in " _"
    )


@functools.lru_cache(maxsize=1024)
def _template(shape: tuple[type, ...], style: str, tail: tuple[str | None, ...] | None = None) -> _Template | None:
    """The template for rows of this shape (and ``tail``); None if a cell holds something else (a date, a bool).

    None too when ``tail`` is not plain text: its rows are written cell by cell.
    """
    if not set(shape) <= {str, float, int, type(None)}:
        return None
    if tail:
        # Checked by the (cached) template of a row holding the tail alone.
        plain = _template(tuple(map(type, tail)), style)
        if plain is None or not plain.fits(tail):
            return None
    return _Template(shape, style, tail)


def _cell(ref: str, value: CellValue, xfs: tuple[int, ...], *, wrap: bool) -> str:
    """One cell at ``ref`` in the formats ``xfs`` (for a value, a date, wrapped text)."""
    value_xf, date_xf, wrap_xf = xfs
    if isinstance(value, str):
        return _text_cell(ref, value, wrap_xf if wrap else value_xf)
    if value is None:  # a blank in a filled row
        return f'<c r="{ref}" s="{value_xf}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{value_xf}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and math.isfinite(value):
        return f'<c r="{ref}" s="{value_xf}"><v>{value!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{date_xf}"><v>{excel_date(value)!r}</v></c>'
    return _text_cell(ref, as_text(value), value_xf)


_REFS: list[str] = []  # column letters, by column


def _refs(count: int) -> list[str]:
    """Column letters for at least ``count`` columns."""
    global _REFS
    refs = _REFS
    if len(refs) < count:
        # A new list rather than appending to the shared one: writers on two
        # threads at once could otherwise both append the same column.
        refs = [column_letters(i) for i in range(max(count, 2 * len(refs), 32))]
        _REFS = refs
    return refs


class SheetWriter:
    """Rows of one worksheet, written as they come."""

    def __init__(self, out: IO[bytes], widths: dict[int, float], wrapped: frozenset[int], frozen: bool) -> None:
        self._out = out
        self._wrapped = wrapped
        self._rows = 0
        self._filter = ""
        self._buffer: list[str] = []
        self._write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_REL_NS}>')
        pane = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            if frozen
            else ""
        )
        self._write(f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>')
        self._write('<sheetFormatPr defaultRowHeight="15"/>')
        if widths:
            cols = "".join(
                f'<col min="{c}" max="{c}" width="{w}" customWidth="1"'
                + (f' style="{_XF["plain", "wrap"]}"' if c - 1 in wrapped else "")
                + "/>"
                for c, w in sorted(widths.items())
            )
            self._write(f"<cols>{cols}</cols>")
        self._write("<sheetData>")

    def _write(self, text: str) -> None:
        self._out.write(text.encode("utf-8", "replace"))

    def row(
        self, values: Sequence[CellValue], *, style: str = "plain", blanks: bool = False, first: str | None = None
    ) -> None:
        """Write the next row in ``style`` (``first``: another style for its first cell).

        ``blanks``: give empty cells the row's style too (a filled row is filled throughout).
        """
        self._rows += 1
        self._buffer.append(row_xml(self._rows, values, style=style, blanks=blanks, first=first, wrapped=self._wrapped))
        if len(self._buffer) >= 1000:
            self._flush()

    def rows_xml(self, xml: bytes, count: int) -> None:
        """Write ``count`` rows (UTF-8) made by :func:`row_xml` elsewhere (a worker process), numbered on from here."""
        self._rows += count
        self._flush()
        self._out.write(xml)

    def autofilter(self, last_row: int, last_column: int) -> None:
        """Filter buttons on the header row over rows 1 to ``last_row``, columns 1 to ``last_column``."""
        self._filter = f"A1:{column_letters(last_column - 1)}{max(last_row, 1)}"

    def _flush(self) -> None:
        if self._buffer:
            self._write("".join(self._buffer))
            self._buffer.clear()

    def close(self) -> str:
        """Finish the sheet; the autofilter range, if any."""
        self._flush()
        self._write("</sheetData>")
        if self._filter:
            self._write(f'<autoFilter ref="{self._filter}"/>')
        self._write(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
        )
        return self._filter


class XlsxWriter:
    """A workbook written sheet after sheet into ``path`` (one sheet open at a time)."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[tuple[str, str]] = []  # (name, autofilter range)

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self._finish()
        self._zip.close()

    @contextmanager
    def sheet(
        self,
        name: str,
        *,
        widths: dict[int, float] | None = None,
        wrapped: frozenset[int] = frozenset(),
        frozen_header: bool = True,
    ) -> Iterator[SheetWriter]:
        """A new sheet, its first row frozen in view; ``widths`` by column (from 1); ``wrapped`` columns (from 0)."""
        number = len(self._sheets) + 1
        with self._zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as out:
            sheet = SheetWriter(out, widths or {}, wrapped, frozen_header)
            yield sheet
            self._sheets.append((name, sheet.close()))

    def _finish(self) -> None:
        sheets = range(1, len(self._sheets) + 1)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in sheets
        )
        self._zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        self._zip.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        links = "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in sheets
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{links}<Relationship Id="rId{len(self._sheets) + 1}" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _) in enumerate(self._sheets, start=1)
        )
        # Excel keeps an autofilter's range as a hidden name of its sheet.
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{_quote_sheet(name)}!{_absolute(ref)}</definedName>"
            for i, (name, ref) in enumerate(self._sheets)
            if ref
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_REL_NS}>'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{entries}</sheets>'
            + (f"<definedNames>{filters}</definedNames>" if filters else "")
            + "</workbook>",
        )
        self._zip.writestr("xl/styles.xml", _styles())


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''").replace("&", "&amp;").replace("<", "&lt;") + "'"


def _absolute(ref: str) -> str:
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def _styles() -> str:
    fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
    fills += [
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill></fill>'
        for rgb in FILLS.values()
    ]
    fill_of = {"plain": 0, "bold": 0, "match": 2, "review": 3}
    xfs = []
    for style, kind in _XF:
        attributes = f'fontId="{1 if style == "bold" else 0}" fillId="{fill_of[style]}" borderId="0" xfId="0"'
        attributes += ' applyFont="1"' if style == "bold" else ""
        attributes += ' applyFill="1"' if fill_of[style] else ""
        if kind == "date":
            xfs.append(f'<xf numFmtId="164" {attributes} applyNumberFormat="1"/>')
        elif kind == "wrap":
            xfs.append(
                f'<xf numFmtId="0" {attributes} applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
            )
        else:
            xfs.append(f'<xf numFmtId="0" {attributes}/>')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
