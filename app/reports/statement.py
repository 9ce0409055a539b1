"""Patient statements as PDF, laid out for a #10 double-window envelope.

The letter is folded in three. The practice's return address sits in the upper
window and the guarantor's mailing address in the lower window (the boxes
``RETURN_WINDOW`` and ``ADDRESS_WINDOW``, in points from the page's top-left,
follow the common #10 double-window envelope: 3.5" x 1" at 5/8" from the
left and 1/2" from the top; 4" x 1 1/8" at 7/8" from the left and 2" from
the top). The bottom third is a tear-off remittance stub with the amount due
and an "amount enclosed" box.

The renderer takes plain ``StatementDoc`` data and draws with the reportlab
canvas directly (a thousand statements in one PDF in a few seconds).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.money import ZERO, fmt

PAGE_W, PAGE_H = LETTER
# (x, top, width, height) in points, measured from the page's top-left corner.
RETURN_WINDOW = (0.625 * inch, 0.5 * inch, 3.5 * inch, 1.0 * inch)
ADDRESS_WINDOW = (0.875 * inch, 2.0 * inch, 4.0 * inch, 1.125 * inch)
STUB_Y = 3.35 * inch  # the tear line, from the bottom of the page
TABLE_TOP = 3.45 * inch  # the activity table on page one, from the top
FIRST_PAGE_HEIGHT = 160.0  # points of rows on page one (the rest is summary and stub)
NEXT_PAGE_HEIGHT = 660.0
ROW_H, PENDING_H = 12.0, 10.0
NOTICES = {1: "", 2: "SECOND NOTICE", 3: "THIRD NOTICE"}


def notice_label(n: int) -> str:
    return NOTICES.get(n, "FINAL NOTICE") if n > 1 else ""


@dataclass(frozen=True)
class StatementRowDoc:
    dos: date
    patient: str
    description: str
    charge: Decimal
    insurance_paid: Decimal
    adjusted: Decimal
    patient_paid: Decimal
    balance: Decimal  # what the guarantor owes on the line
    insurance_pending: Decimal


@dataclass(frozen=True)
class StatementDoc:
    """Everything one statement shows."""

    guarantor_id: int
    practice_name: str
    practice_address: list[str]
    practice_phone: str
    account_no: str
    guarantor_name: str
    mailing_address: list[str]
    statement_date: date
    rows: list[StatementRowDoc]
    credit: Decimal  # unapplied money on the account
    amount_due: Decimal
    aging: tuple[Decimal, Decimal, Decimal, Decimal]  # current, 31-60, 61-90, over 90
    message: str = ""
    notice_no: int = 1
    due_by: date | None = None
    patient_ids: list[int] = field(default_factory=list)

    @property
    def insurance_pending(self) -> Decimal:
        return sum((r.insurance_pending for r in self.rows), ZERO)


def _top(y_from_top: float) -> float:
    return PAGE_H - y_from_top


COLS = (  # header, x (left edge, or right edge for amounts), right-aligned
    ("Date", 0.5 * inch, False),
    ("Patient", 1.2 * inch, False),
    ("Service", 2.3 * inch, False),
    ("Charge", 5.15 * inch, True),
    ("Ins. paid", 5.85 * inch, True),
    ("Adjusted", 6.55 * inch, True),
    ("You paid", 7.25 * inch, True),
    ("You owe", 8.0 * inch, True),
)
# Fixed places on page one (points from the top).
INFO_TOP = 1.05 * inch
NOTES_TOP = 6.0 * inch
BOXES_TOP = 6.3 * inch
MESSAGE_TOP = 6.95 * inch
BOX_LABELS = ("Current", "31-60 days", "61-90 days", "Over 90 days", "Amount due")
BOX_W = 7.5 * inch / 5


@lru_cache(maxsize=65536)
def _width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


_ESCAPE = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})


def _pdf_string(s: str) -> str:
    """A PDF literal string in the standard fonts' WinAnsi encoding."""
    if s.isascii() and s.isprintable():
        return "(" + s.translate(_ESCAPE) + ")"
    raw = s.encode("cp1252", errors="replace")
    out = []
    for b in raw:
        ch = chr(b)
        if ch in "\\()":
            out.append("\\" + ch)
        elif 32 <= b < 127:
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    return "(" + "".join(out) + ")"


class _Text:
    """The page's text as one block of PDF text operators (reportlab's
    drawString builds a text object per call: ten times slower for pages
    that are mostly short strings)."""

    def __init__(self, c: Canvas) -> None:
        self.c = c
        self.parts = ["BT"]
        self.font: tuple[str, float] = ("", 0.0)

    def at(self, x: float, y: float, s: str, font: str = "Helvetica", size: float = 8) -> None:
        if (font, size) != self.font:
            self.parts.append(f"{self.c._doc.getInternalFontName(font)} {size:g} Tf")
            self.font = (font, size)
        self.parts.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm {_pdf_string(s)} Tj")

    def right(self, x: float, y: float, s: str, font: str = "Helvetica", size: float = 8) -> None:
        self.at(x - _width(s, font, size), y, s, font, size)

    def center(self, x: float, y: float, s: str, font: str = "Helvetica", size: float = 8) -> None:
        self.at(x - _width(s, font, size) / 2, y, s, font, size)

    def draw(self) -> None:
        self.parts.append("ET")
        self.c.addLiteral("\n".join(self.parts))


def _clip(text: str, font: str, size: float, width: float) -> str:
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


def _practice_block(d: StatementDoc) -> tuple[str, tuple[str, ...], str]:
    return (d.practice_name, tuple(d.practice_address), d.practice_phone)


def _first_page_form(c: Canvas, d: StatementDoc, forms: set[str]) -> str:
    """Everything on page one that is the same on every statement of the
    practice, drawn once per PDF as a form and placed on each page."""
    name = f"stmt{abs(hash(_practice_block(d))) % 10**12}"
    if name in forms:
        return name
    c.beginForm(name)
    t = _Text(c)
    x, top, _, _ = RETURN_WINDOW
    t.at(x + 6, _top(top + 14), d.practice_name, "Helvetica-Bold", 11)
    y = top + 26
    for ln in [*d.practice_address, d.practice_phone]:
        t.at(x + 6, _top(y), ln, size=9)
        y += 11
    t.right(8.0 * inch, _top(0.75 * inch), "STATEMENT", "Helvetica-Bold", 16)
    y = INFO_TOP
    for label in ("Statement date", "Account number", "Amount due", "Page"):
        t.at(5.6 * inch, _top(y), label, size=9)
        y += 13
    # The activity table's header.
    y = _top(TABLE_TOP)
    for head, hx, right in COLS:
        (t.right if right else t.at)(hx, y, head, "Helvetica-Bold", 8)
    # The aging boxes.
    by = _top(BOXES_TOP)
    for i, label in enumerate(BOX_LABELS):
        t.center(0.5 * inch + i * BOX_W + BOX_W / 2, by - 6, label, size=7.5)
    # The remittance stub.
    sy = STUB_Y
    t.center(
        PAGE_W / 2,
        sy - 11,
        "Please detach and return this portion with your payment",
        "Helvetica-Oblique",
        7.5,
    )
    t.at(0.5 * inch, sy - 32, "REMITTANCE", "Helvetica-Bold", 10)
    yy = sy - 48
    for label in ("Account number", "Statement date", "Account holder"):
        t.at(0.5 * inch, yy, label, size=9)
        yy -= 13
    t.at(0.5 * inch, yy - 8, "Make checks payable to:", size=8)
    yy -= 22
    t.at(0.75 * inch, yy, d.practice_name, "Helvetica-Bold", 10)
    for ln in d.practice_address:
        yy -= 12
        t.at(0.75 * inch, yy, ln, size=10)
    bx = 4.75 * inch
    t.at(bx, sy - 48, "Amount due", size=9)
    t.at(bx, sy - 84, "Amount enclosed", size=9)
    t.at(6.42 * inch, sy - 85, "$", size=12)
    t.at(bx, sy - 110, "Write your account number on your check.", size=7.5)
    t.draw()
    c.setLineWidth(0.5)
    c.line(0.5 * inch, _top(TABLE_TOP) - 3, 8.0 * inch, _top(TABLE_TOP) - 3)
    c.setLineWidth(0.6)
    for i in range(5):
        c.rect(0.5 * inch + i * BOX_W, by - 26, BOX_W, 30, stroke=1, fill=0)
    c.setDash(4, 3)
    c.line(0.25 * inch, sy, PAGE_W - 0.25 * inch, sy)
    c.setDash()
    c.setLineWidth(1)
    c.rect(6.35 * inch, sy - 92, 1.65 * inch, 22, stroke=1, fill=0)
    c.endForm()
    forms.add(name)
    return name


def _rows(t: _Text, rows: Sequence[StatementRowDoc], top: float) -> float:
    """The table's rows from under its header at ``top``; returns where they end."""
    y = _top(top) - 13
    for r in rows:
        t.at(COLS[0][1], y, f"{r.dos:%m/%d/%Y}")
        t.at(COLS[1][1], y, _clip(r.patient, "Helvetica", 8, 1.05 * inch))
        t.at(COLS[2][1], y, _clip(r.description, "Helvetica", 8, 2.3 * inch))
        for (_, x, _), v in zip(
            COLS[3:],
            (r.charge, r.insurance_paid, r.adjusted, r.patient_paid, r.balance),
            strict=True,
        ):
            t.right(x, y, fmt(v))
        if r.insurance_pending:
            y -= PENDING_H
            t.at(
                COLS[2][1],
                y,
                f"Insurance pending {fmt(r.insurance_pending)} (not due from you)",
                "Helvetica-Oblique",
                7,
            )
        y -= ROW_H
    return PAGE_H - y


def _pages(d: StatementDoc) -> list[list[StatementRowDoc]]:
    """Rows split into pages by the height they take."""
    out: list[list[StatementRowDoc]] = [[]]
    room = FIRST_PAGE_HEIGHT
    for r in d.rows:
        h = ROW_H + (PENDING_H if r.insurance_pending else 0)
        if h > room and out[-1]:
            out.append([])
            room = NEXT_PAGE_HEIGHT
        out[-1].append(r)
        room -= h
    return out


def draw_statement(c: Canvas, d: StatementDoc, forms: set[str] | None = None) -> None:
    """Draw one statement (one or more pages) onto the canvas. ``forms`` holds
    the names of the page forms already in this PDF."""
    pages = _pages(d)
    c.doForm(_first_page_form(c, d, forms if forms is not None else set()))
    t = _Text(c)
    y = INFO_TOP
    for value in (
        f"{d.statement_date:%m/%d/%Y}",
        d.account_no,
        f"${fmt(d.amount_due)}",
        f"1 of {len(pages)}",
    ):
        t.right(8.0 * inch, _top(y), value, size=9)
        y += 13
    if notice_label(d.notice_no):
        t.right(8.0 * inch, _top(y + 8), notice_label(d.notice_no), "Helvetica-Bold", 12)
    x, top, _, _ = ADDRESS_WINDOW
    y = top + 0.25 * inch
    for ln in [d.guarantor_name, *d.mailing_address]:
        t.at(x + 0.125 * inch, _top(y), ln.upper(), size=11)
        y += 13
    end = _rows(t, pages[0], TABLE_TOP)
    if len(pages) > 1:
        t.at(0.5 * inch, _top(end + 2), "Continued on the next page.", "Helvetica-Oblique", 8)
    y = NOTES_TOP
    if d.insurance_pending:
        t.at(
            0.5 * inch,
            _top(y),
            f"Insurance pending: ${fmt(d.insurance_pending)}. We will bill you for any "
            "part insurance does not pay.",
            size=8.5,
        )
        y += 12
    if d.credit:
        t.at(
            0.5 * inch, _top(y), f"Payments not yet applied to a visit: -${fmt(d.credit)}", size=8.5
        )
    by = _top(BOXES_TOP)
    for i, v in enumerate((*d.aging, d.amount_due)):
        t.center(
            0.5 * inch + i * BOX_W + BOX_W / 2,
            by - 20,
            f"${fmt(v)}",
            "Helvetica-Bold" if i == 4 else "Helvetica",
            10,
        )
    if d.message:
        t.at(
            0.5 * inch,
            _top(MESSAGE_TOP),
            _clip(d.message, "Helvetica-Bold", 9, 7.5 * inch),
            "Helvetica-Bold",
            9,
        )
    sy = STUB_Y
    yy = sy - 48
    for value in (d.account_no, f"{d.statement_date:%m/%d/%Y}", d.guarantor_name):
        t.at(1.75 * inch, yy, value, size=9)
        yy -= 13
    t.right(8.0 * inch, sy - 48, f"${fmt(d.amount_due)}", "Helvetica-Bold", 12)
    if d.due_by:
        t.at(4.75 * inch, sy - 61, f"Please pay by {d.due_by:%m/%d/%Y}", size=8)
    t.draw()
    c.showPage()
    for n, rows in enumerate(pages[1:], start=2):
        t = _Text(c)
        t.at(0.5 * inch, _top(0.6 * inch), d.practice_name, "Helvetica-Bold", 10)
        t.right(
            8.0 * inch,
            _top(0.6 * inch),
            f"Statement {d.statement_date:%m/%d/%Y} - account {d.account_no} - page {n} of {len(pages)}",
            size=9,
        )
        top = 0.95 * inch
        for head, hx, right in COLS:
            (t.right if right else t.at)(hx, _top(top), head, "Helvetica-Bold", 8)
        _rows(t, rows, top)
        t.draw()
        c.setLineWidth(0.5)
        c.line(0.5 * inch, _top(top) - 3, 8.0 * inch, _top(top) - 3)
        c.showPage()


def render_statements(
    docs: Sequence[StatementDoc],
    out: Path | BinaryIO,
    *,
    progress: Callable[[int, int], bool] | None = None,
) -> bool:
    """Write every statement into one PDF. ``progress(done, total)`` may return
    False to cancel: then nothing is written and False is returned."""
    c = Canvas(str(out) if isinstance(out, Path) else out, pagesize=LETTER)
    c.setTitle("Patient statements")
    c.setAuthor("MedBill Desk")
    total = len(docs)
    forms: set[str] = set()
    for i, d in enumerate(docs, start=1):
        draw_statement(c, d, forms)
        if progress is not None and (i % 25 == 0 or i == total) and not progress(i, total):
            return False
    # Binary (Flate only) streams: ASCII85 on top triples the time to write
    # a thousand pages and makes the file bigger.
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        c.save()
    finally:
        rl_config.useA85 = saved
    return True
