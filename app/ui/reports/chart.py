"""The 12-month chart in the window, drawn with QPainter: grouped bars per
month for charges, net collections and expenses paid (the same colours as the
printed report). Hovering a month shows its figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.money import fmt
from app.reports.month_report import (
    CHARGES_COLOR,
    COLLECTIONS_COLOR,
    EXPENSES_COLOR,
    whole_dollars,
)
from app.services.month_totals import MonthTotals, month_label

SERIES = (
    ("Charges", CHARGES_COLOR),
    ("Net collections", COLLECTIONS_COLOR),
    ("Expenses paid", EXPENSES_COLOR),
)


@dataclass(frozen=True)
class ChartMonth:
    month: str
    label: str
    dollars: tuple[int, int, int]  # whole dollars, for bar heights
    text: str  # exact figures for the tooltip


def nice_step(top: int) -> int:
    """A round grid step giving four to eight lines up to ``top``."""
    step = 1
    while top / step > 8:
        for m in (2, 5, 10):
            if top / (step * m) <= 8:
                return step * m
        step *= 10
    return step


def axis_text(n: int) -> str:
    return f"${n // 1000:,}k" if n >= 1000 and n % 1000 == 0 else f"${n:,}"


class MonthChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthChart")
        self.setMouseTracking(True)
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.months: list[ChartMonth] = []

    def sizeHint(self) -> QSize:
        return QSize(640, 280)

    def set_series(self, series: Sequence[MonthTotals]) -> None:
        self.months = [
            ChartMonth(
                t.month,
                f"{month_label(t.month)[:3]} {t.month[2:4]}",
                (
                    whole_dollars(t.charges),
                    whole_dollars(t.net_collections),
                    whole_dollars(t.expenses_total),
                ),
                f"<b>{month_label(t.month)}</b><br>Charges {fmt(t.charges)}"
                f"<br>Net collections {fmt(t.net_collections)}"
                f"<br>Expenses paid {fmt(t.expenses_total)}",
            )
            for t in series
        ]
        self.update()

    # ------------------------------------------------------------ geometry

    def _plot(self) -> QRectF:
        return QRectF(60, 34, max(10, self.width() - 76), max(10, self.height() - 74))

    def _top(self) -> tuple[int, int]:
        high = max((max(m.dollars) for m in self.months), default=0)
        step = nice_step(max(high, 1))
        top = max(step, -(-high // step) * step)
        return top, step

    def month_at(self, x: float) -> int | None:
        plot = self._plot()
        if not self.months or not plot.left() <= x <= plot.right():
            return None
        i = int((x - plot.left()) / (plot.width() / len(self.months)))
        return min(i, len(self.months) - 1)

    # ------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1))
        p.setFont(small)
        plot = self._plot()
        top, step = self._top()

        # Legend.
        x = plot.left()
        for name, color in SERIES:
            p.fillRect(QRectF(x, 10, 12, 12), QColor(color))
            p.setPen(QColor("#333333"))
            p.drawText(QPointF(x + 17, 21), name)
            x += 17 + p.fontMetrics().horizontalAdvance(name) + 22

        # Grid and value axis.
        grid = QPen(QColor("#dddddd"))
        for v in range(0, top + 1, step):
            y = plot.bottom() - plot.height() * v / top
            p.setPen(grid)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#555555"))
            p.drawText(
                QRectF(0, y - 8, plot.left() - 6, 16),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                axis_text(v),
            )
        p.setPen(QPen(QColor("#888888")))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())

        if not self.months:
            p.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), "No months to show")
            return
        group = plot.width() / len(self.months)
        bar = group * 0.8 / 3
        for i, m in enumerate(self.months):
            gx = plot.left() + i * group + group * 0.1
            for j, (value, (_, color)) in enumerate(zip(m.dollars, SERIES, strict=True)):
                h = plot.height() * max(value, 0) / top
                p.fillRect(QRectF(gx + j * bar, plot.bottom() - h, bar - 1, h), QColor(color))
            p.setPen(QColor("#333333"))
            # "Nov" under each group; the year under the first and each January.
            name, year = m.label.split()
            label = f"{name}\n'{year}" if i == 0 or m.month.endswith("-01") else name
            p.drawText(
                QRectF(plot.left() + i * group, plot.bottom() + 3, group, 30),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                label,
            )
        p.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.month_at(event.position().x())
        if i is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.months[i].text, self)
        super().mouseMoveEvent(event)
