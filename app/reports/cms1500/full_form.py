"""The whole CMS-1500 (02/12) on plain paper: the form drawn as vectors
(``form_drawing.FORM``, once per PDF as a reusable form object) with the
claim's data on the same grid as the red-form printout."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from app.reports.cms1500.data_only import ClaimPdf, draw_cells
from app.reports.cms1500.fieldmap import FormValues
from app.reports.cms1500.form_drawing import FORM, RED, Box, Label, Line
from app.reports.cms1500.grid import PAGE_HEIGHT, cells

FORM_NAME = "cms1500_0212"


def _rgb(c: tuple[int, int, int]) -> tuple[float, float, float]:
    return (c[0] / 255, c[1] / 255, c[2] / 255)


def draw_form(c: Canvas) -> None:
    """Draw the blank form (fills first, then lines and words)."""
    c.saveState()
    red = _rgb(RED)
    c.setStrokeColorRGB(*red)
    fills = [p for p in FORM if isinstance(p, Box) and p.fill]
    for b in fills:
        assert b.fill is not None
        c.setFillColorRGB(*_rgb(b.fill))
        c.rect(b.x, PAGE_HEIGHT - b.y - b.h, b.w, b.h, stroke=0, fill=1)
    for p in FORM:
        if isinstance(p, Box) and p.stroke:
            c.setLineWidth(0.6)
            c.setDash()
            c.rect(p.x, PAGE_HEIGHT - p.y - p.h, p.w, p.h, stroke=1, fill=0)
        elif isinstance(p, Line):
            c.setLineWidth(p.width)
            if p.dashed:
                c.setDash(1.2, 1.2)
            else:
                c.setDash()
            c.line(p.x1, PAGE_HEIGHT - p.y1, p.x2, PAGE_HEIGHT - p.y2)
    c.setFillColorRGB(*red)
    for p in FORM:
        if not isinstance(p, Label):
            continue
        c.setFont("Helvetica-Bold" if p.bold else "Helvetica", p.size)
        if p.rotate:
            c.saveState()
            c.translate(p.x, PAGE_HEIGHT - p.y)
            c.rotate(p.rotate)
            c.drawCentredString(0, 0, p.text)
            c.restoreState()
        elif p.align == "center":
            c.drawCentredString(p.x, PAGE_HEIGHT - p.y, p.text)
        elif p.align == "right":
            c.drawRightString(p.x, PAGE_HEIGHT - p.y, p.text)
        else:
            c.drawString(p.x, PAGE_HEIGHT - p.y, p.text)
    c.restoreState()


class FullFormPdf(ClaimPdf):
    """Claims on plain paper: each page is the drawn form plus the data."""

    def __init__(self, out: str | Path | BinaryIO, *, title: str = "CMS-1500 claims") -> None:
        super().__init__(out, title=title)
        self._form_made = False

    def draw_form(self, form: FormValues) -> None:
        c = self.canvas
        if not self._form_made:
            c.beginForm(FORM_NAME)
            draw_form(c)
            c.endForm()
            self._form_made = True
        c.doForm(FORM_NAME)
        draw_cells(c, cells(form))
