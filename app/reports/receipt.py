"""The receipt for a patient payment taken at the desk: one page, half-letter
sized, in plain words. Written with reportlab from a ``checkin.Receipt``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from app.money import fmt

if TYPE_CHECKING:
    from app.services.checkin import Receipt

PAGE = (letter[0], letter[1] / 2)  # half a letter sheet


def render_receipt(r: Receipt, path: Path) -> None:
    """Write ``r`` as a one-page PDF to ``path``."""
    c = Canvas(str(path), pagesize=PAGE, pageCompression=1)
    c.setTitle(f"Receipt {r.receipt_no}")
    c.setAuthor(r.practice_name)
    c.setCreator("MedBill Desk")
    w, h = PAGE
    left, right = 0.75 * inch, w - 0.75 * inch
    y = h - 0.7 * inch
    c.setFont("Helvetica-Bold", 14)
    c.drawString(left, y, r.practice_name)
    c.setFont("Helvetica", 9)
    for line in [*r.practice_address, r.practice_phone]:
        if line:
            y -= 12
            c.drawString(left, y, line)
    c.setFont("Helvetica-Bold", 16)
    c.drawRightString(right, h - 0.7 * inch, "RECEIPT")
    c.setFont("Helvetica", 9)
    c.drawRightString(right, h - 0.7 * inch - 14, f"No. {r.receipt_no}")
    c.drawRightString(right, h - 0.7 * inch - 26, f"Date {r.received:%m/%d/%Y}")

    y -= 26
    c.line(left, y, right, y)
    rows = [
        ("Received from", r.patient_name),
        ("Account number", r.account_no),
        ("For", f"Copay / payment for the visit {r.visit}" if r.visit else "Payment on account"),
        ("Paid by", r.method),
        ("Received by", r.taken_by),
    ]
    for label, value in rows:
        y -= 18
        c.setFont("Helvetica", 10)
        c.drawString(left, y, label)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(left + 1.6 * inch, y, value)
    y -= 30
    c.setFont("Helvetica-Bold", 13)
    c.drawString(left, y, "Amount paid")
    c.drawRightString(right, y, fmt(r.amount, symbol=True))
    y -= 18
    c.setFont("Helvetica", 10)
    balance = r.balance_after
    if balance < 0:
        text, value = "Credit on your account", fmt(-balance, symbol=True)
    else:
        text, value = "Account balance after this payment", fmt(balance, symbol=True)
    c.drawString(left, y, text)
    c.drawRightString(right, y, value)
    c.setFont("Helvetica-Oblique", 8)
    c.drawString(
        left,
        0.5 * inch,
        "Thank you. Keep this receipt for your records. Charges for the visit appear on your statement.",
    )
    c.showPage()
    c.save()
