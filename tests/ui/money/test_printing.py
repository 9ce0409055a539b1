"""Printing a PDF on a printer: the pages come out at their own size (a
Letter page on Letter paper is not scaled), in the pages and copies the
dialog asked for; Cancel prints nothing. The printer here is Qt's PDF-file
printer in tmp_path; what it wrote is rendered and compared with the source
page, pixel by pixel."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfgen.canvas import Canvas

from app.ui import printing
from app.ui.printing import Outcome, PageSize
from tests.ui.money.paper import file_printer

QT_NOISE = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _pdf(path: Path, size: tuple[float, float], pages: int) -> Path:
    c = Canvas(str(path), pagesize=size)
    w, h = size
    for n in range(pages):
        c.setLineWidth(3)
        c.rect(36, 36, w - 72, h - 72)
        c.setFont("Helvetica-Bold", 28)
        c.drawString(72, h - 110, f"Page {n + 1}")
        c.rect(72 + 40 * n, 120, 60, 60, fill=1)  # moves with the page number
        c.showPage()
    c.save()
    return path


def _gray(path: Path, index: int, dpi: int = 36) -> tuple[int, int, list[int]]:
    """A page rendered small, as gray levels."""
    doc = pdfium.PdfDocument(str(path))
    try:
        bm = doc[index].render(scale=dpi / 72, grayscale=True)
        w, h, stride = bm.width, bm.height, bm.stride
        raw = bytes(bm.buffer)
        return w, h, [raw[y * stride + x] for y in range(h) for x in range(w)]
    finally:
        doc.close()


def _difference(a: list[int], b: list[int]) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def _print(qtbot, src: Path, printer: QPrinter, title: str = "test") -> printing.PrintJob:
    job = printing.print_pdf(None, src, title, printer=printer)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    return job


def test_a_letter_document_prints_every_page_at_its_own_size(qtbot, tmp_path: Path) -> None:
    src = _pdf(tmp_path / "statements.pdf", letter, 3)
    out = tmp_path / "printed.pdf"
    printer = file_printer(out, dpi=150, paper=QPageSize.PageSizeId.A4)
    printing.set_paper(printer, printing.page_sizes(src)[0])  # what the dialog is given
    job = _print(qtbot, src, printer)
    assert job.outcome is Outcome.PRINTED and job.printed == 3
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    for i in range(3):  # the same page, at the same place and size
        w, h, printed = _gray(out, i)
        w0, h0, original = _gray(src, i)
        assert (w, h) == (w0, h0)
        assert _difference(printed, original) < 2.0
        assert sum(1 for v in printed if v < 128) > 500  # not a blank page
    # Pages are not interchangeable: page 1 printed is not page 2.
    assert _difference(_gray(out, 0)[2], _gray(src, 1)[2]) > 2.0
    # Black and white pages go to the printer as 1-bit images (a small spool).
    images = [
        x.get_object() for page in reader.pages for x in page["/Resources"]["/XObject"].values()
    ]
    assert images and all(im["/BitsPerComponent"] == 1 for im in images)
    assert out.stat().st_size < 3 * 60_000


def test_a_half_letter_receipt_prints_at_its_size_on_letter_paper(qtbot, tmp_path: Path) -> None:
    src = _pdf(tmp_path / "receipt.pdf", (612, 396), 1)
    out = tmp_path / "printed.pdf"
    printer = file_printer(out, dpi=150, paper=QPageSize.PageSizeId.Letter)
    printing.set_paper(printer, printing.page_sizes(src)[0])
    _print(qtbot, src, printer)
    page = pypdf.PdfReader(out).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    w, _, printed = _gray(out, 0)
    _, h0, original = _gray(src, 0)
    top = printed[: w * h0]
    assert _difference(top, original) < 2.0  # the receipt, unscaled, at the top
    assert min(printed[w * (h0 + 2) :]) > 250  # and nothing below it


def test_a_landscape_ledger_asks_for_landscape_letter(qtbot, tmp_path: Path) -> None:
    src = _pdf(tmp_path / "ledger.pdf", landscape(letter), 2)
    out = tmp_path / "printed.pdf"
    printer = file_printer(out, dpi=150)
    printing.set_paper(printer, printing.page_sizes(src)[0])
    _print(qtbot, src, printer)
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (792, 612)
    assert _difference(_gray(out, 1)[2], _gray(src, 1)[2]) < 2.0


def test_a_page_larger_than_the_paper_is_shrunk_to_fit_never_enlarged(tmp_path: Path) -> None:
    a4 = file_printer(tmp_path / "x.pdf", dpi=300, paper=QPageSize.PageSizeId.A4)
    a4.setFullPage(True)
    r = printing.target_rect(a4, PageSize(612, 792))  # Letter is wider than A4
    paper = a4.paperRect(QPrinter.Unit.DevicePixel)
    assert r.width() <= paper.width() + 0.5 and r.height() <= paper.height() + 0.5
    assert r.width() < 612 * 300 / 72
    small = printing.target_rect(a4, PageSize(300, 200))
    assert (small.width(), small.height()) == pytest.approx((300 * 300 / 72, 200 * 300 / 72))


def test_page_range_and_copies_from_the_dialog(tmp_path: Path) -> None:
    p = file_printer(tmp_path / "x.pdf")
    assert printing.pages_to_print(p, 4) == [0, 1, 2, 3]
    p.setPrintRange(QPrinter.PrintRange.PageRange)
    p.setFromTo(2, 3)
    assert printing.pages_to_print(p, 4) == [1, 2]
    p.setCopyCount(2)
    p.setCollateCopies(True)
    assert printing.pages_to_print(p, 4) == [1, 2, 1, 2]
    p.setCollateCopies(False)
    assert printing.pages_to_print(p, 4) == [1, 1, 2, 2]
    p.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    p.setCopyCount(1)
    assert printing.pages_to_print(p, 4) == [2, 1]


def test_cancel_in_the_dialog_prints_nothing_and_removes_the_temp_file(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    src = _pdf(tmp_path / "temp-receipt.pdf", (612, 396), 1)
    asked = []

    def cancel(parent, title, sizes):
        asked.append((title, sizes))
        return None

    monkeypatch.setattr(printing, "ask_printer", cancel)
    assert printing.print_pdf(None, src, "Receipt", remove_after=True) is None
    assert asked == [("Receipt", [PageSize(612, 396)])]
    assert not src.exists()
    assert printing.running_jobs() == []


@QT_NOISE
def test_the_print_dialog_offers_pages_but_no_print_to_file_and_cancel_returns_none(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: [QPrinterInfo()]))
    seen = {}

    def look_and_cancel():
        dlg = QApplication.activeModalWidget()
        seen["title"] = dlg.windowTitle()
        seen["to_file"] = dlg.testOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile)
        seen["range"] = (dlg.minPage(), dlg.maxPage())
        dlg.reject()

    QTimer.singleShot(200, look_and_cancel)
    parent = QWidget()
    qtbot.addWidget(parent)
    sizes = [PageSize(612, 792)] * 3
    assert printing.ask_printer(parent, "statements", sizes) is None
    assert seen == {"title": "Print statements", "to_file": False, "range": (1, 3)}


def test_no_printer_installed_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: []))
    told = []
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda _p, _t, text: told.append(text))
    )
    assert printing.ask_printer(None, "Receipt", [PageSize(612, 396)]) is None
    assert "No printer is set up" in told[0] and "Save as PDF" in told[0]


def test_cancel_while_printing_stops_the_job(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "many.pdf", letter, 5)
    printer = file_printer(tmp_path / "out.pdf", dpi=72)
    seen = []

    def stop_after_two(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 2

    with pytest.raises(printing.Stopped):
        printing.print_document(src, printer, progress=stop_after_two)
    assert seen == [(1, 5), (2, 5)]
