"""Data only, for pre-printed red CMS-1500 forms: Courier 12 pt on the
10 cpi / 6 lpi grid, shifted by the printer's own offsets.

One grid line is drawn as one string (the font is monospaced and the grid is
its own character pitch), so a form costs a few dozen text operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from app.reports.cms1500.fieldmap import FormValues
from app.reports.cms1500.grid import (
    FONT,
    FONT_SIZE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Cell,
    cells,
    col_x,
    compose_lines,
    line_y,
)

_ESCAPES = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})


def pdf_string(text: str) -> str:
    """``text`` as the inside of a PDF string for a standard (WinAnsi) font:
    backslash and parentheses escaped, anything past ASCII as octal bytes."""
    text = text.translate(_ESCAPES)
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        try:
            raw = ch.encode("cp1252")
        except UnicodeEncodeError:
            raw = b"?"
        out.append("".join(f"\\{b:03o}" for b in raw))
    return "".join(out)


def draw_cells(c: Canvas, form_cells: list[Cell], dx: float = 0.0, dy: float = 0.0) -> None:
    """Draw one form's cells on the current page of ``c``.

    Writes the page's text operators itself (one positioned string per grid
    line): reportlab's own ``textOut`` measures and escapes every string in
    pure Python, which costs more than everything else in a batch.
    """
    c.setFont(FONT, FONT_SIZE)  # registers the font on the page
    font = c._doc.getInternalFontName(FONT)
    x = f"{col_x(1, dx):.2f}"
    ops = [f"BT {font} {FONT_SIZE:g} Tf"]
    for line, text in compose_lines(form_cells).items():
        ops.append(f"1 0 0 1 {x} {PAGE_HEIGHT - line_y(line, dy):.2f} Tm ({pdf_string(text)}) Tj")
    ops.append("ET")
    c.addLiteral("\n".join(ops))


class ClaimPdf:
    """A PDF of CMS-1500 forms, written one form (page) at a time so a batch
    can stop after any claim and keep the pages it produced."""

    def __init__(
        self,
        out: str | Path | BinaryIO,
        *,
        dx: float = 0.0,
        dy: float = 0.0,
        title: str = "CMS-1500 claims",
    ) -> None:
        self.canvas = Canvas(
            str(out) if isinstance(out, Path) else out,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            pageCompression=1,
            invariant=1,
        )
        self.canvas.setTitle(title)
        self.canvas.setCreator("MedBill Desk")
        self.dx = dx
        self.dy = dy
        self.pages = 0

    def add_form(self, form: FormValues) -> None:
        self.draw_form(form)
        self.canvas.showPage()
        self.pages += 1

    def add_claim(self, forms: Iterable[FormValues]) -> int:
        """All forms of one claim; returns how many pages that took."""
        n = 0
        for form in forms:
            self.add_form(form)
            n += 1
        return n

    def draw_form(self, form: FormValues) -> None:
        draw_cells(self.canvas, cells(form), self.dx, self.dy)

    def close(self) -> None:
        if self.pages == 0:
            self.canvas.showPage()  # a PDF needs a page; an empty batch makes a blank one
        self.canvas.save()


# Marks of the alignment test page: (line, column, text) in boxes whose place
# on the red form is easy to see: check boxes get an X, text boxes a word.
ALIGNMENT_MARKS: tuple[Cell, ...] = (
    Cell(8, 1, "X"),  # item 1, Medicare box
    Cell(8, 45, "X"),  # item 1, Other box
    Cell(8, 50, "1A INSURED ID"),
    Cell(10, 1, "2 PATIENT NAME"),
    Cell(10, 31, "MM"),
    Cell(10, 34, "DD"),
    Cell(10, 37, "YYYY"),
    Cell(10, 42, "X"),  # item 3, M
    Cell(12, 33, "X"),  # item 6, Self
    Cell(12, 47, "X"),  # item 6, Other
    Cell(20, 35, "X"),  # item 10a YES
    Cell(20, 41, "X"),  # item 10a NO
    Cell(26, 52, "X"),  # item 11d YES
    Cell(38, 3, "A000"),
    Cell(38, 42, "D000"),
    Cell(40, 42, "L000"),
    Cell(44, 1, "MM"),
    Cell(44, 4, "DD"),
    Cell(44, 7, "YY"),
    Cell(44, 19, "11"),
    Cell(44, 25, "99999"),
    Cell(44, 45, "A"),
    Cell(44, 50, "99999 99"),
    Cell(44, 59, "1"),
    Cell(44, 68, "NPI0000001"),
    Cell(54, 1, "MM"),
    Cell(54, 68, "NPI0000006"),
    Cell(56, 1, "25 TAX ID"),
    Cell(56, 19, "X"),  # item 25 EIN
    Cell(56, 38, "X"),  # item 27 YES
    Cell(56, 52, "99999 99"),
    Cell(61, 50, "33A NPI"),
)


def alignment_page(
    out: str | Path | BinaryIO, printer: str = "", dx: float = 0.0, dy: float = 0.0
) -> None:
    """A one-page test for a red form: marks in known boxes plus, in the
    carrier block, the printer and the offsets in use. Each X should sit in
    the middle of its box; how far it is off is the offset to correct."""
    c = Canvas(
        str(out) if isinstance(out, Path) else out,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=1,
    )
    c.setTitle("CMS-1500 alignment test")
    c.setCreator("MedBill Desk")
    header = [
        Cell(2, 41, "ALIGNMENT TEST"),
        Cell(3, 41, (printer or "THIS PRINTER").upper()[:31]),
        Cell(4, 41, f"DX {dx:+.1f} DY {dy:+.1f} PT"),
        Cell(5, 41, "EACH X MID-BOX"),
    ]
    draw_cells(c, [*header, *ALIGNMENT_MARKS], dx, dy)
    c.showPage()
    c.save()
