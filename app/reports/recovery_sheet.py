"""The recovery key sheet printed at set-up (and after a new key is put in
place): the practice, the date, the key in large clear type, and where to
keep it. One page, US letter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

TITLE = "MedBill Desk recovery key"

WHERE_TO_KEEP = [
    "Keep this sheet in a locked drawer or the office safe, away from the computer.",
    "Anyone who has this key and a copy of the office store (or of a backup) can read "
    "every patient record in it. Do not photograph it, e-mail it or store it on the computer.",
    "Keep it as long as you keep backups made with the store key: those backups open "
    "with the key that was current when they were made.",
]

HOW_TO_USE = [
    "Start MedBill Desk. If it cannot find the key (a new computer, a lost keyring, a "
    "forgotten office passphrase), choose <b>Use recovery key</b>.",
    "Type the 11 groups above (dashes and spaces do not matter; O/0, I/1 mix-ups are corrected).",
    "MedBill Desk then puts a new key in place and prints a new sheet. "
    "This sheet stops working at that moment: destroy it then.",
]


def _groups_lines(code: str) -> list[str]:
    groups = code.split("-")
    return ["  ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]


def write_recovery_sheet(
    dest: Path, *, practice_name: str, code: str, issued: date, store_location: str = ""
) -> Path:
    """Write the one-page recovery sheet to ``dest`` (a PDF)."""
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=colors.grey)
    head = ParagraphStyle("head", parent=styles["Heading2"], spaceBefore=14, spaceAfter=4)
    key_style = ParagraphStyle("key", fontName="Courier-Bold", fontSize=26, leading=38, alignment=1)
    doc = SimpleDocTemplate(
        str(dest),
        pagesize=letter,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
        topMargin=0.8 * inch,
        bottomMargin=0.8 * inch,
        title=TITLE,
        author="MedBill Desk",
    )
    key_box = Table(
        [[Paragraph(line, key_style)] for line in _groups_lines(code)],
        colWidths=[doc.width],
    )
    key_box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                ("TOPPADDING", (0, 0), (-1, 0), 14),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 14),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f4f4")),
            ]
        )
    )
    story = [
        Paragraph(TITLE, styles["Title"]),
        Paragraph(
            f"<b>{_esc(practice_name)}</b>",
            ParagraphStyle("p", parent=body, fontSize=14, leading=18, alignment=1),
        ),
        Paragraph(
            f"Issued {issued.strftime('%B %d, %Y')}", ParagraphStyle("d", parent=body, alignment=1)
        ),
        Spacer(1, 18),
        key_box,
        Spacer(1, 6),
        Paragraph(
            "11 groups of 5 letters and digits. The key carries its own check: a typing "
            "mistake is found at once.",
            ParagraphStyle("c", parent=small, alignment=1),
        ),
        Paragraph("Where to keep it", head),
        _bullets(WHERE_TO_KEEP, body),
        Paragraph("How to use it", head),
        _bullets(HOW_TO_USE, body, numbered=True),
    ]
    if store_location:
        story += [Spacer(1, 18), Paragraph(f"Office store: {_esc(store_location)}", small)]
    doc.build(story)
    return dest


def _bullets(items: list[str], style: ParagraphStyle, *, numbered: bool = False) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(t, style), leftIndent=14) for t in items],
        bulletType="1" if numbered else "bullet",
        start="1" if numbered else None,
        leftIndent=14,
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
