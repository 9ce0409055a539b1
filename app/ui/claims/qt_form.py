"""The drawn CMS-1500 form for a real printer (QPainter), from the same
primitives as the reportlab full-form PDF."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.reports.cms1500.fieldmap import FormValues
from app.reports.cms1500.form_drawing import FORM, RED, Box, Label, Line


def draw_form(p: QPainter, scale: float) -> None:
    red = QColor(*RED)
    p.save()
    for b in FORM:
        if isinstance(b, Box) and b.fill:
            p.fillRect(QRectF(b.x * scale, b.y * scale, b.w * scale, b.h * scale), QColor(*b.fill))
    for item in FORM:
        if isinstance(item, Line):
            pen = QPen(red, item.width * scale)
            if item.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(
                QPointF(item.x1 * scale, item.y1 * scale), QPointF(item.x2 * scale, item.y2 * scale)
            )
        elif isinstance(item, Box) and item.stroke:
            p.setPen(QPen(red, 0.6 * scale))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(item.x * scale, item.y * scale, item.w * scale, item.h * scale))
    p.setPen(red)
    for item in FORM:
        if not isinstance(item, Label):
            continue
        font = QFont("Helvetica")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPointSizeF(item.size)
        font.setBold(item.bold)
        p.setFont(font)
        width = QFontMetricsF(font, p.device()).horizontalAdvance(item.text)
        if item.rotate:
            p.save()
            p.translate(item.x * scale, item.y * scale)
            p.rotate(-item.rotate)
            p.drawText(QPointF(-width / 2, 0), item.text)
            p.restore()
            continue
        x = item.x * scale
        if item.align == "center":
            x -= width / 2
        elif item.align == "right":
            x -= width
        p.drawText(QPointF(x, item.y * scale), item.text)
    p.restore()


def draw_full_form(p: QPainter, scale: float, form: FormValues) -> None:
    from app.ui.claims.printing import draw_data_cells

    draw_form(p, scale)
    draw_data_cells(p, scale, form, 0.0, 0.0)
