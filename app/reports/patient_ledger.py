"""A patient's ledger (every entry with the running balance) as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.money import fmt


@dataclass(frozen=True)
class LedgerRow:
    entry_id: int
    entry_date: date
    kind: str
    service: str  # date of service and code, when on a line
    who: str  # responsible party of the entry: payer name or "Patient"
    detail: str
    amount: Decimal
    balance: Decimal  # running balance of the patient's account
    txn: str
    reversal: bool


@dataclass(frozen=True)
class LedgerView:
    patient_id: int
    name: str
    account_no: str
    rows: list[LedgerRow]
    patient_part: Decimal
    insurance_part: Decimal

    @property
    def balance(self) -> Decimal:
        return self.patient_part + self.insurance_part


def render_ledger(view: LedgerView, practice_name: str, path: Path) -> None:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=landscape(LETTER),
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.5 * inch,
        title="Patient ledger",
        author="MedBill Desk",
    )
    head = [
        Paragraph(f"<b>{practice_name}</b> - patient ledger", styles["Heading2"]),
        Paragraph(
            f"{view.name} &nbsp; account {view.account_no} &nbsp; printed {date.today():%m/%d/%Y}",
            styles["BodyText"],
        ),
        Spacer(1, 6),
    ]
    data = [["Date", "Entry", "Service", "Party", "Detail", "Amount", "Balance"]]
    for r in view.rows:
        data.append(
            [
                f"{r.entry_date:%m/%d/%Y}",
                r.kind,
                r.service,
                Paragraph(r.who, small),
                Paragraph(r.detail, small),
                fmt(r.amount),
                fmt(r.balance),
            ]
        )
    data.append(["", "", "", "", "Patient owes", fmt(view.patient_part), ""])
    data.append(["", "", "", "", "Insurance owes", fmt(view.insurance_part), ""])
    data.append(["", "", "", "", "Balance", "", fmt(view.balance)])
    t = Table(
        data,
        colWidths=[
            0.8 * inch,
            1.4 * inch,
            1.1 * inch,
            1.7 * inch,
            3.0 * inch,
            0.9 * inch,
            0.9 * inch,
        ],
        repeatRows=1,
    )
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("ALIGN", (5, 0), (6, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, -3), (-1, -3), 0.6, colors.black),
                ("FONT", (4, -1), (-1, -1), "Helvetica-Bold", 8),
            ]
        )
    )
    doc.build([*head, t])
