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
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from app.money import ZERO, fmt

PAGE_W, PAGE_H = LETTER
# (x, top, width, height) in points, measured from the page's top-left corner.
RETURN_WINDOW = (0.625 * inch, 0.5 * inch, 3.5 * inch, 1.0 * inch)
ADDRESS_WINDOW = (0.875 * inch, 2.0 * inch, 4.0 * inch, 1.125 * inch)
STUB_Y = 3.35 * inch  # the tear line, from the bottom of the page
TABLE_TOP = 3.45 * inch  # the activity table on page one, from the top
FIRST_PAGE_HEIGHT = 170.0  # points of rows on page one (the rest is summary and stub)
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


def _money(v: Decimal) -> str:
    return fmt(v)


COLS = (  # header, x (left edge or right edge for amounts), right-aligned
    ("Date", 0.5 * inch, False),
    ("Patient", 1.2 * inch, False),
    ("Service", 2.3 * inch, False),
    ("Charge", 5.15 * inch, True),
    ("Ins. paid", 5.85 * inch, True),
    ("Adjusted", 6.55 * inch, True),
    ("You paid", 7.25 * inch, True),
    ("You owe", 8.0 * inch, True),
)


def _clip(c: Canvas, text: str, font: str, size: float, width: float) -> str:
    if c.stringWidth(text, font, size) <= width:
        return text
    while text and c.stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


def _table(c: Canvas, rows: Sequence[StatementRowDoc], top: float) -> float:
    """Draw the activity table from ``top`` (points from the page top); returns
    where it ends."""
    y = _top(top)
    c.setFont("Helvetica-Bold", 8)
    for head, x, right in COLS:
        if right:
            c.drawRightString(x, y, head)
        else:
            c.drawString(x, y, head)
    c.setLineWidth(0.5)
    c.line(0.5 * inch, y - 3, 8.0 * inch, y - 3)
    y -= 13
    c.setFont("Helvetica", 8)
    for r in rows:
        c.drawString(COLS[0][1], y, f"{r.dos:%m/%d/%Y}")
        c.drawString(COLS[1][1], y, _clip(c, r.patient, "Helvetica", 8, 1.05 * inch))
        c.drawString(COLS[2][1], y, _clip(c, r.description, "Helvetica", 8, 2.3 * inch))
        for (_, x, _), v in zip(
            COLS[3:],
            (r.charge, r.insurance_paid, r.adjusted, r.patient_paid, r.balance),
            strict=True,
        ):
            c.drawRightString(x, y, _money(v))
        if r.insurance_pending:
            y -= 10
            c.setFont("Helvetica-Oblique", 7)
            c.drawString(
                COLS[2][1], y, f"Insurance pending {_money(r.insurance_pending)} (not due from you)"
            )
            c.setFont("Helvetica", 8)
        y -= 12
    return PAGE_H - y


def _header(c: Canvas, d: StatementDoc, page: int, pages: int) -> None:
    x, top, _, _ = RETURN_WINDOW
    c.setFont("Helvetica-Bold", 11)
    c.drawString(x + 6, _top(top + 14), d.practice_name)
    c.setFont("Helvetica", 9)
    y = top + 26
    for ln in [*d.practice_address, d.practice_phone]:
        c.drawString(x + 6, _top(y), ln)
        y += 11
    c.setFont("Helvetica-Bold", 16)
    c.drawRightString(8.0 * inch, _top(0.75 * inch), "STATEMENT")
    c.setFont("Helvetica", 9)
    info = [
        ("Statement date", f"{d.statement_date:%m/%d/%Y}"),
        ("Account number", d.account_no),
        ("Amount due", f"${_money(d.amount_due)}"),
        ("Page", f"{page} of {pages}"),
    ]
    y = 1.05 * inch
    for label, value in info:
        c.drawString(5.6 * inch, _top(y), label)
        c.drawRightString(8.0 * inch, _top(y), value)
        y += 13
    if notice_label(d.notice_no):
        c.setFont("Helvetica-Bold", 12)
        c.drawRightString(8.0 * inch, _top(y + 8), notice_label(d.notice_no))


def _address(c: Canvas, d: StatementDoc) -> None:
    x, top, _, _ = ADDRESS_WINDOW
    c.setFont("Helvetica", 11)
    y = top + 0.25 * inch
    for ln in [d.guarantor_name, *d.mailing_address]:
        c.drawString(x + 0.125 * inch, _top(y), ln.upper())
        y += 13


def _summary(c: Canvas, d: StatementDoc, top: float) -> None:
    y = _top(top)
    c.setFont("Helvetica", 8.5)
    if d.insurance_pending:
        c.drawString(
            0.5 * inch,
            y,
            f"Insurance pending: ${_money(d.insurance_pending)}. We will bill you for any "
            "part insurance does not pay.",
        )
        y -= 12
    if d.credit:
        c.drawString(0.5 * inch, y, f"Payments not yet applied to a visit: -${_money(d.credit)}")
        y -= 12
    y -= 4
    labels = ("Current", "31-60 days", "61-90 days", "Over 90 days", "Amount due")
    values = (*d.aging, d.amount_due)
    w = 7.5 * inch / 5
    c.setLineWidth(0.6)
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x0 = 0.5 * inch + i * w
        c.rect(x0, y - 26, w, 30, stroke=1, fill=0)
        c.setFont("Helvetica", 7.5)
        c.drawCentredString(x0 + w / 2, y - 6, label)
        c.setFont("Helvetica-Bold" if i == 4 else "Helvetica", 10)
        c.drawCentredString(x0 + w / 2, y - 20, f"${_money(v)}")
    y -= 42
    if d.message:
        c.setFont("Helvetica-Bold", 9)
        c.drawString(0.5 * inch, y, _clip(c, d.message, "Helvetica-Bold", 9, 7.5 * inch))


def _stub(c: Canvas, d: StatementDoc) -> None:
    y = STUB_Y
    c.setDash(4, 3)
    c.setLineWidth(0.6)
    c.line(0.25 * inch, y, PAGE_W - 0.25 * inch, y)
    c.setDash()
    c.setFont("Helvetica-Oblique", 7.5)
    c.drawCentredString(
        PAGE_W / 2, y - 11, "Please detach and return this portion with your payment"
    )
    c.setFont("Helvetica-Bold", 10)
    c.drawString(0.5 * inch, y - 32, "REMITTANCE")
    c.setFont("Helvetica", 9)
    rows = [
        ("Account number", d.account_no),
        ("Statement date", f"{d.statement_date:%m/%d/%Y}"),
        ("Account holder", d.guarantor_name),
    ]
    yy = y - 48
    for label, value in rows:
        c.drawString(0.5 * inch, yy, label)
        c.drawString(1.75 * inch, yy, value)
        yy -= 13
    c.setFont("Helvetica", 8)
    c.drawString(0.5 * inch, yy - 8, "Make checks payable to:")
    c.setFont("Helvetica-Bold", 10)
    yy -= 22
    for ln in [d.practice_name, *d.practice_address]:
        c.drawString(0.75 * inch, yy, ln)
        c.setFont("Helvetica", 10)
        yy -= 12
    # Amount due and the box for what is enclosed.
    bx = 4.75 * inch
    c.setFont("Helvetica", 9)
    c.drawString(bx, y - 48, "Amount due")
    c.setFont("Helvetica-Bold", 12)
    c.drawRightString(8.0 * inch, y - 48, f"${_money(d.amount_due)}")
    if d.due_by:
        c.setFont("Helvetica", 8)
        c.drawString(bx, y - 61, f"Please pay by {d.due_by:%m/%d/%Y}")
    c.setFont("Helvetica", 9)
    c.drawString(bx, y - 84, "Amount enclosed")
    c.setLineWidth(1)
    c.rect(6.35 * inch, y - 92, 1.65 * inch, 22, stroke=1, fill=0)
    c.setFont("Helvetica", 12)
    c.drawString(6.42 * inch, y - 85, "$")
    c.setFont("Helvetica", 7.5)
    c.drawString(bx, y - 110, "Write your account number on your check.")


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


def draw_statement(c: Canvas, d: StatementDoc) -> None:
    """Draw one statement (one or more pages) onto the canvas."""
    pages = _pages(d)
    _header(c, d, 1, len(pages))
    _address(c, d)
    end = _table(c, pages[0], TABLE_TOP)
    if len(pages) > 1:
        c.setFont("Helvetica-Oblique", 8)
        c.drawString(0.5 * inch, _top(end + 2), "Continued on the next page.")
    _summary(c, d, max(end + 16, 5.6 * inch))
    _stub(c, d)
    c.showPage()
    for n, rows in enumerate(pages[1:], start=2):
        c.setFont("Helvetica-Bold", 10)
        c.drawString(0.5 * inch, _top(0.6 * inch), d.practice_name)
        c.setFont("Helvetica", 9)
        c.drawRightString(
            8.0 * inch,
            _top(0.6 * inch),
            f"Statement {d.statement_date:%m/%d/%Y} - account {d.account_no} - page {n} of {len(pages)}",
        )
        _table(c, rows, 0.95 * inch)
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
    for i, d in enumerate(docs, start=1):
        draw_statement(c, d)
        if progress is not None and (i % 25 == 0 or i == total) and not progress(i, total):
            return False
    c.save()
    return True
