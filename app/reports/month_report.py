"""The month's totals as a printed report (reportlab): the totals beside the
previous month and the same month last year, the A/R roll-forward, a chart of
the last 12 months (reportlab graphics), and the breakdowns by provider, payer
and procedure code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.money import ZERO, fmt
from app.services.month_totals import FigureRow, MonthReport, MonthTotals, month_label

# Series colours: the same in the window's chart (app.ui.reports.chart).
CHARGES_COLOR = "#2f6db5"
COLLECTIONS_COLOR = "#3c9a5f"
EXPENSES_COLOR = "#d08a2c"
BOLD_KEYS = {"payments", "adjustments", "net_collections", "ar_end", "expenses_total", "net"}
MARGIN = 0.6 * inch


def whole_dollars(v: Decimal) -> int:
    """For drawing a bar: the amount to the nearest dollar (no float money)."""
    return int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _value(v: Decimal | int | None, money: bool) -> str:
    if v is None:  # a month before the office's data starts
        return "no data"
    if money and isinstance(v, Decimal):
        return fmt(v)
    return f"{v:,}"


def _change(v: Decimal | int | None, money: bool) -> str:
    if v is None:
        return "-"
    text = _value(v, money)
    return text if text.startswith("-") or v == 0 else f"+{text}"


def shown_figures(rows: Sequence[FigureRow]) -> list[FigureRow]:
    """The printed rows: an expense category is left out when it is zero in
    all three months (the exports keep every figure)."""
    return [
        f
        for f in rows
        if not f.key.startswith("expenses.")
        or any(v not in (0, None) for v in (f.value, f.previous, f.last_year))
    ]


def chart_drawing(series: Sequence[MonthTotals], width: float, height: float) -> Drawing:
    """Grouped bars per month: charges, net collections, expenses paid."""
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 52, 38
    chart.width, chart.height = width - 70, height - 70
    chart.data = [
        [whole_dollars(t.charges) for t in series],
        [whole_dollars(t.net_collections) for t in series],
        [whole_dollars(t.expenses_total) for t in series],
    ]
    for i, c in enumerate((CHARGES_COLOR, COLLECTIONS_COLOR, EXPENSES_COLOR)):
        chart.bars[i].fillColor = colors.HexColor(c)
        chart.bars[i].strokeColor = None
    chart.groupSpacing = 6
    chart.barSpacing = 0.5
    chart.categoryAxis.categoryNames = [
        f"{month_label(t.month)[:3]} {t.month[2:4]}" for t in series
    ]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.dy = -2
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = _axis_label
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.visibleGrid = True
    d.add(chart)
    legend = Legend()
    legend.alignment = "right"
    legend.x, legend.y = 52, height - 8
    legend.columnMaximum = 1
    legend.fontSize = 8
    legend.dx = legend.dy = 7
    legend.deltax = 110
    legend.colorNamePairs = [
        (colors.HexColor(CHARGES_COLOR), "Charges"),
        (colors.HexColor(COLLECTIONS_COLOR), "Net collections"),
        (colors.HexColor(EXPENSES_COLOR), "Expenses paid"),
    ]
    d.add(legend)
    d.add(String(0, 2, "Last 12 months, in dollars", fontSize=7, fillColor=colors.grey))
    return d


def _axis_label(v: Any) -> str:
    n = int(v)
    if abs(n) >= 1000:
        return f"${n // 1000:,}k" if n % 1000 == 0 else f"${Decimal(n) / 1000:,.1f}k"
    return f"${n:,}"


class _NumberedCanvas(Canvas):
    """Writes "Page n of m" once every page is known."""

    footer_text = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.setFont("Helvetica", 7.5)
            self.setFillColor(colors.grey)
            self.drawString(MARGIN, 0.4 * inch, self.footer_text)
            self.drawRightString(
                letter[0] - MARGIN, 0.4 * inch, f"Page {self._pageNumber} of {total}"
            )
            super().showPage()
        super().save()


def _table(data: list[list[Any]], widths: list[float], *, total_row: bool) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
    ]
    if total_row:
        style += [
            ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
            ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
        ]
    t.setStyle(TableStyle(style))
    return t


def render_month_pdf(r: MonthReport, path: Path, *, status: str = "") -> None:
    """Write the month's report to ``path``. ``status`` says whether the month
    is closed (and whether today's ledger still gives the kept totals)."""
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8.5, leading=11)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontSize=11.5, spaceBefore=8, spaceAfter=4)
    title = ParagraphStyle(
        "t", parent=styles["Title"], fontSize=16, alignment=TA_LEFT, spaceAfter=2
    )
    doc = SimpleDocTemplate(
        str(path),
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.55 * inch,
        bottomMargin=0.65 * inch,
        title=f"Monthly totals {r.label} - {r.practice}",
        author="MedBill Desk",
        subject="Monthly totals",
    )
    t = r.totals
    width = letter[0] - 2 * MARGIN
    story: list[Any] = [
        Paragraph(f"Monthly totals: {r.label}", title),
        Paragraph(
            f"<b>{_esc(r.practice)}</b> &nbsp;&nbsp; Printed {datetime.now():%m/%d/%Y %I:%M %p}",
            small,
        ),
    ]
    if status:
        story.append(Paragraph(_esc(status), small))
    check = "balances to the cent" if t.balanced else "DOES NOT BALANCE"
    story += [
        Spacer(1, 6),
        Paragraph(
            f"A/R roll-forward: {fmt(t.ar_start)} at start + {fmt(t.charges)} charges "
            f"- {fmt(t.payments)} payments - {fmt(t.adjustments)} adjustments "
            f"+ {fmt(t.refunds)} refunds + {fmt(t.transfers)} transfers = "
            f"{fmt(t.ar_rolled_forward)}; A/R at end {fmt(t.ar_end)}: <b>{check}</b>.",
            small,
        ),
        Spacer(1, 6),
    ]
    head = [
        "Figure",
        r.label,
        r.previous.label,
        "Change",
        r.last_year.label,
        "Change",
    ]
    rows: list[list[Any]] = [head]
    bold_rows = []
    for f in shown_figures(r.figures):
        rows.append(
            [
                f.label,
                _value(f.value, f.money),
                _value(f.previous, f.money),
                _change(f.change_from_previous, f.money),
                _value(f.last_year, f.money),
                _change(f.change_from_last_year, f.money),
            ]
        )
        if f.key in BOLD_KEYS:
            bold_rows.append(len(rows) - 1)
    totals = _table(rows, [2.05 * inch] + [(width - 2.05 * inch) / 5] * 5, total_row=False)
    totals.setStyle(
        TableStyle(
            [("FONT", (0, i), (-1, i), "Helvetica-Bold", 8) for i in bold_rows]
            + [("TEXTCOLOR", (1, 0), (1, -1), colors.black)]
        )
    )
    story.append(totals)
    story.append(Spacer(1, 8))
    story.append(
        KeepTogether(
            [
                Paragraph("The last 12 months", h2),
                chart_drawing(r.series, width, 2.6 * inch),
            ]
        )
    )

    story.append(CondPageBreak(2.5 * inch))
    story.append(Paragraph("By provider", h2))
    prov = [["Provider", "Visits", "Charges", "Payments", "Adjustments", "Refunds", "Net coll."]]
    for p in r.by_provider:
        prov.append(
            [
                p.provider,
                f"{p.visits:,}",
                fmt(p.charges),
                fmt(p.payments),
                fmt(p.adjustments),
                fmt(p.refunds),
                fmt(p.net_collections),
            ]
        )
    prov.append(
        [
            "Total",
            f"{sum(p.visits for p in r.by_provider):,}",
            *(
                fmt(sum((getattr(p, k) for p in r.by_provider), ZERO))
                for k in ("charges", "payments", "adjustments", "refunds", "net_collections")
            ),
        ]
    )
    story.append(_table(prov, [2.3 * inch] + [(width - 2.3 * inch) / 6] * 6, total_row=True))

    story.append(Paragraph("By payer", h2))
    pay = [["Payer", "Charges", "Payments", "Adjustments", "Transfers", "Refunds", "Net coll."]]
    for q in r.by_payer:
        pay.append(
            [
                q.payer,
                fmt(q.charges),
                fmt(q.payments),
                fmt(q.adjustments),
                fmt(q.transfers),
                fmt(q.refunds),
                fmt(q.net_collections),
            ]
        )
    pay.append(
        [
            "Total",
            *(
                fmt(sum((getattr(q, k) for q in r.by_payer), ZERO))
                for k in (
                    "charges",
                    "payments",
                    "adjustments",
                    "transfers",
                    "refunds",
                    "net_collections",
                )
            ),
        ]
    )
    story.append(_table(pay, [2.3 * inch] + [(width - 2.3 * inch) / 6] * 6, total_row=True))

    story.append(CondPageBreak(1.5 * inch))
    story.append(Paragraph("By procedure code", h2))
    proc = [["Code", "Description", "Units", "Charges", "Payments", "Units paid", "Avg paid/unit"]]
    for c in r.by_procedure:
        avg = c.average_paid_per_unit
        proc.append(
            [
                c.code,
                Paragraph(_esc(c.description), ParagraphStyle("d", fontSize=7.5, leading=9)),
                f"{c.units:,}",
                fmt(c.charges),
                fmt(c.payments),
                f"{c.paid_units:,}",
                fmt(avg) if avg is not None else "",
            ]
        )
    proc.append(
        [
            "Total",
            "",
            f"{sum(c.units for c in r.by_procedure):,}",
            fmt(sum((c.charges for c in r.by_procedure), ZERO)),
            fmt(sum((c.payments for c in r.by_procedure), ZERO)),
            f"{sum(c.paid_units for c in r.by_procedure):,}",
            "",
        ]
    )
    proc_table = _table(
        proc, [0.55 * inch, 2.35 * inch] + [(width - 2.9 * inch) / 5] * 5, total_row=True
    )
    proc_table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "LEFT")]))
    story.append(proc_table)
    story.append(Spacer(1, 8))
    story.append(
        Paragraph(
            "Amounts are dated by the ledger's accounting date; claims by when they were made "
            "and when they were paid or denied; expenses by the day they were paid. Payments "
            "and adjustments are shown as positive amounts. A patient is new in the month of "
            "their first visit. Net = net collections less expenses paid.",
            ParagraphStyle("note", parent=small, fontSize=7.5, textColor=colors.grey),
        )
    )

    canvas_cls = type(
        "_Canvas",
        (_NumberedCanvas,),
        {"footer_text": f"{r.practice} - Monthly totals {r.label}"},
    )
    doc.build(story, canvasmaker=canvas_cls)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
