"""Printing a PDF on a real printer.

The PySide6-Essentials wheels have no QtPdf, so a PDF is printed the way a
viewer's "actual size" does it: Qt's print dialog picks the printer, then
PDFium (pypdfium2) renders each page at the printer's resolution and QPainter
draws it on the QPrinter at the page's own size (a Letter page on Letter
paper is not scaled; a smaller page, such as a half-letter receipt, prints at
its size in the top corner; only a page larger than the paper is shrunk to
fit). Pages are rendered in bands, so a 600 dpi page never needs more than a
few megabytes at once.

The work runs off the GUI thread (QPainter may paint on a QPrinter in a
worker thread) with a progress dialog and Cancel. The dialog offers no
"print to file": saving a PDF is the separate, audited "Save as" action.
"""

from __future__ import annotations

import ctypes
import enum
import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PySide6.QtCore import QObject, QRectF, QSizeF, Qt, QThread, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QProgressDialog, QWidget

from app.config import private_temp_file
from app.ui import ops
from app.ui.context import UiContext

log = logging.getLogger("medbill.ui")

# Above this, rendering costs time and memory for nothing the eye can see.
MAX_DPI = 600
# A page is rendered in horizontal bands of at most this many pixels (a byte each).
BAND_PIXELS = 4_000_000
# Paper sizes an office has in its trays: a PDF page of one of these sizes
# asks for that paper; any other size prints on the printer's own paper.
TRAY_SIZES = (QPageSize.PageSizeId.Letter, QPageSize.PageSizeId.Legal, QPageSize.PageSizeId.A4)
# A page this much larger than the paper (rounding) still prints unscaled.
FIT_SLACK = 1.005


class Outcome(enum.StrEnum):
    PRINTED = "printed"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class PageSize:
    """A PDF page's size in points (1/72 inch)."""

    width: float
    height: float


def page_sizes(pdf_path: Path) -> list[PageSize]:
    """Each page's size, in points."""
    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        return [PageSize(*doc[i].get_size()) for i in range(len(doc))]
    finally:
        doc.close()


def set_paper(printer: QPrinter, first: PageSize) -> None:
    """Ask for the document's paper (Letter, Legal or A4, in the page's
    orientation); a page of another size keeps the printer's paper, upright."""
    short, long_ = sorted((first.width, first.height))
    size = QPageSize(
        QSizeF(short, long_), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    if size.id() not in TRAY_SIZES:
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        return
    printer.setPageSize(size)
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape
        if first.width > first.height
        else QPageLayout.Orientation.Portrait
    )


def pages_to_print(printer: QPrinter, count: int) -> list[int]:
    """The page indexes (from 0) the print dialog asked for, in order, copies
    included when the printer does not make them itself."""
    ranges = printer.pageRanges()
    chosen = [
        i
        for i in range(count)
        if printer.printRange() != QPrinter.PrintRange.PageRange
        or ranges.isEmpty()
        or ranges.contains(i + 1)
    ]
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        chosen.reverse()
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    if printer.collateCopies():
        return chosen * copies
    return [i for i in chosen for _ in range(copies)]


def _render_dpi(printer: QPrinter) -> int:
    return max(72, min(printer.resolution(), MAX_DPI))


def target_rect(printer: QPrinter, size: PageSize) -> QRectF:
    """Where the page goes on the paper, in device pixels: at its own size
    from the paper's top-left corner, shrunk (never enlarged) only when it
    is larger than the paper."""
    paper = printer.paperRect(QPrinter.Unit.DevicePixel)
    w = size.width * printer.logicalDpiX() / 72
    h = size.height * printer.logicalDpiY() / 72
    scale = 1.0
    if w > paper.width() * FIT_SLACK or h > paper.height() * FIT_SLACK:
        scale = min(paper.width() / w, paper.height() / h)
    return QRectF(0, 0, w * scale, h * scale)


def draw_page(painter: QPainter, printer: QPrinter, page: pdfium.PdfPage) -> None:
    """Render one PDF page at the printer's resolution (at most ``MAX_DPI``)
    and draw it on the printer at its own size, band by band.

    The office's documents are black and white: the page is rendered without
    anti-aliasing (a printer makes its own edges) and drawn as a 1-bit image,
    which keeps a statement page at tens of kilobytes in the print spool
    instead of megabytes (grays, if any, are dithered)."""
    size = PageSize(*page.get_size())
    target = target_rect(printer, size)
    dpi = _render_dpi(printer)
    width = max(1, round(size.width * dpi / 72))
    height = max(1, round(size.height * dpi / 72))
    fx, fy = target.width() / width, target.height() / height
    band = max(1, BAND_PIXELS // width)
    for top in range(0, height, band):
        rows = min(band, height - top)
        image = QImage(width, rows, QImage.Format.Format_Grayscale8)
        image.fill(Qt.GlobalColor.white)
        bits = image.bits()
        buf = (ctypes.c_ubyte * image.sizeInBytes()).from_buffer(bits)
        bitmap = pdfium_c.FPDFBitmap_CreateEx(
            width, rows, pdfium_c.FPDFBitmap_Gray, buf, image.bytesPerLine()
        )
        try:
            # PDFium draws the whole page at (0, -top); the bitmap keeps its band.
            pdfium_c.FPDF_RenderPageBitmap(bitmap, page, 0, -top, width, height, 0, RENDER_FLAGS)
        finally:
            pdfium_c.FPDFBitmap_Destroy(bitmap)
        del buf, bits
        painter.drawImage(
            QRectF(target.x(), target.y() + top * fy, width * fx, rows * fy), _one_bit(image)
        )


BLACK, WHITE = 0xFF000000, 0xFFFFFFFF
RENDER_FLAGS = (
    pdfium_c.FPDF_ANNOT
    | pdfium_c.FPDF_PRINTING
    | pdfium_c.FPDF_GRAYSCALE
    | pdfium_c.FPDF_RENDER_NO_SMOOTHTEXT
    | pdfium_c.FPDF_RENDER_NO_SMOOTHPATH
)


def _one_bit(gray: QImage) -> QImage:
    """A 1-bit image with the colour table (black, white) that Qt's print
    engines send as a bitmap rather than as 24-bit colour."""
    mono = gray.convertToFormat(QImage.Format.Format_Mono, Qt.ImageConversionFlag.OrderedDither)
    if mono.colorTable() != [BLACK, WHITE]:
        if mono.colorTable() == [WHITE, BLACK]:
            mono.invertPixels()
        mono.setColorTable([BLACK, WHITE])
    return mono


class Stopped(Exception):
    """The person pressed Cancel."""


def print_document(
    pdf_path: Path,
    printer: QPrinter,
    pages: Sequence[int] | None = None,
    *,
    progress: Callable[[int, int], bool] | None = None,
) -> int:
    """Print the PDF's ``pages`` (indexes from 0; all by default) on
    ``printer``, which is set up already. Returns how many pages went to the
    printer. ``progress(done, total)`` returning False stops the job (the
    printer is told to abort) and raises ``Stopped``."""
    doc = pdfium.PdfDocument(str(pdf_path))
    painter = QPainter()
    try:
        order = list(range(len(doc))) if pages is None else list(pages)
        printer.setFullPage(True)  # the page's own margins are in the PDF
        if not order:
            return 0
        if not painter.begin(printer):
            raise OSError("the printer could not be started")
        # No JPEG for pages of text: a PDF-based print path keeps them exact.
        painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
        for n, index in enumerate(order):
            if n:
                printer.newPage()
            page = doc[index]
            try:
                draw_page(painter, printer, page)
            finally:
                page.close()
            if progress is not None and not progress(n + 1, len(order)):
                printer.abort()
                raise Stopped()
        return len(order)
    finally:
        if painter.isActive():
            painter.end()
        doc.close()


class _Worker(QObject):
    """Prints in the job's thread."""

    progress = Signal(int, int)
    finished = Signal(str, int, str)

    def __init__(self, pdf_path: Path, printer: QPrinter, pages: list[int]) -> None:
        super().__init__()
        self.pdf_path, self.printer, self.pages = pdf_path, printer, pages
        self.stop = False

    def _progress(self, done: int, total: int) -> bool:
        self.progress.emit(done, total)
        return not self.stop

    def run(self) -> None:
        try:
            n = print_document(self.pdf_path, self.printer, self.pages, progress=self._progress)
            self.finished.emit(Outcome.PRINTED.value, n, "")
        except Stopped:
            self.finished.emit(Outcome.CANCELLED.value, 0, "Printing cancelled.")
        except Exception as exc:  # a printer or a bug: say so without data
            log.error("printing failed\n%s", "".join(traceback.format_exception(exc)))
            self.finished.emit(
                Outcome.FAILED.value,
                0,
                f"The document could not be printed ({type(exc).__name__}). "
                "Check the printer, then try again, or use Save as PDF.",
            )


class PrintJob(QObject):
    """A PDF being printed off the GUI thread, with its progress dialog.
    ``finished(outcome, pages printed)`` comes in the GUI thread."""

    finished = Signal(str, int)

    def __init__(
        self,
        parent: QWidget | None,
        pdf_path: Path,
        title: str,
        printer: QPrinter,
        pages: list[int],
        *,
        remove_after: bool,
    ) -> None:
        super().__init__()
        self.parent_widget, self.pdf_path, self.title = parent, pdf_path, title
        self.remove_after = remove_after
        self.outcome: Outcome | None = None
        self.printed = 0
        self.worker = _Worker(pdf_path, printer, pages)
        self.thread_ = QThread()
        self.worker.moveToThread(self.thread_)
        self.dialog = QProgressDialog(f"Printing {title}...", "Cancel", 0, len(pages), parent)
        self.dialog.setObjectName("printProgress")
        self.dialog.setWindowTitle("Print")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(700)
        self.dialog.setAutoReset(False)
        self.dialog.setAutoClose(False)
        self.dialog.canceled.connect(self.cancel)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.thread_.started.connect(self.worker.run)

    def start(self) -> None:
        _running.add(self)
        self.thread_.start()

    def cancel(self) -> None:
        self.worker.stop = True  # a plain flag: the job's thread is busy

    def wait(self) -> None:
        self.thread_.wait()

    def _progress(self, done: int, total: int) -> None:
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"Printing {self.title}: page {done} of {total}...")

    def _finished(self, outcome: str, printed: int, message: str) -> None:
        self.thread_.quit()
        self.thread_.wait()
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
        _running.discard(self)
        self.outcome, self.printed = Outcome(outcome), printed
        if self.remove_after:
            self.pdf_path.unlink(missing_ok=True)
        if self.outcome is Outcome.FAILED:
            QMessageBox.warning(self.parent_widget, "Print", message)
        self.finished.emit(outcome, printed)


_running: set[PrintJob] = set()
_hooked = False


def running_jobs() -> list[PrintJob]:
    return list(_running)


def wait_for_jobs() -> None:
    """Stop and wait for every print job (the program is closing)."""
    for job in list(_running):
        job.cancel()
        job.wait()


def ask_printer(parent: QWidget | None, title: str, sizes: Sequence[PageSize]) -> QPrinter | None:
    """Qt's print dialog for this document: the printer, pages and copies.
    None when there is no printer or the person cancels (tests replace this)."""
    if not QPrinterInfo.availablePrinters():
        QMessageBox.information(
            parent,
            "Print",
            "No printer is set up on this computer. Add one in the system's printer "
            "settings, or use Save as PDF.",
        )
        return None
    printer = QPrinter(QPrinterInfo.defaultPrinter(), QPrinter.PrinterMode.HighResolution)
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        printer = QPrinter(QPrinterInfo.availablePrinters()[0], QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    if sizes:
        set_paper(printer, sizes[0])
    dialog = print_dialog(printer, parent, title, len(sizes))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        return None  # printing to a file is not offered: Save as PDF is audited
    return printer


def print_dialog(printer: QPrinter, parent: QWidget | None, title: str, pages: int) -> QPrintDialog:
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("printDialog")
    dialog.setWindowTitle(f"Print {title}")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, pages > 1)
    dialog.setMinMax(1, max(pages, 1))
    return dialog


def print_pdf(
    parent: QWidget | None,
    pdf_path: Path,
    title: str,
    *,
    printer: QPrinter | None = None,
    remove_after: bool = False,
    before_print: Callable[[], bool] | None = None,
    on_finished: Callable[[Outcome, int], None] | None = None,
) -> PrintJob | None:
    """Open the print dialog for the PDF at ``pdf_path`` and print it off the
    GUI thread with a progress dialog (Cancel stops it). ``printer`` skips
    the dialog (a printer already set up, e.g. a PDF-file printer in tests).

    Returns the running job, or None when nothing is printed (no printer,
    Cancel in the dialog, or ``before_print`` said no). ``before_print`` runs
    once the person has confirmed the print (the place to audit it);
    ``remove_after`` removes the PDF once the printer has it (or at once when
    nothing is printed); ``on_finished`` is called with the outcome and the
    number of pages printed.
    """
    sizes = page_sizes(pdf_path)
    if printer is None:
        printer = ask_printer(parent, title, sizes)
    if printer is None or (before_print is not None and not before_print()):
        if remove_after:
            pdf_path.unlink(missing_ok=True)
        return None
    job = PrintJob(
        parent,
        pdf_path,
        title,
        printer,
        pages_to_print(printer, len(sizes)),
        remove_after=remove_after,
    )
    if on_finished is not None:
        job.finished.connect(lambda outcome, n: on_finished(Outcome(outcome), n))
    global _hooked
    app = QApplication.instance()
    if app is not None and not _hooked:
        app.aboutToQuit.connect(wait_for_jobs)
        _hooked = True
    job.start()
    return job


T = TypeVar("T")


@dataclass
class Printed(Generic[T]):
    """What ``make_and_print`` made (``made``) and the print job, if any."""

    made: T
    job: PrintJob | None


def make_and_print(
    parent: QWidget | None,
    ctx: UiContext,
    title: str,
    make: Callable[..., T],
    record: Callable[..., object],
    *args: Any,
    changed: str | None = None,
    on_finished: Callable[[Outcome, int], None] | None = None,
) -> Printed[T] | None:
    """Print a document of the office's: ``make(s, actor, *args, path)`` draws
    it (read only) into a private temp file, the print dialog opens, and
    once the person confirms, ``record(s, actor, made)`` writes the audit
    row (or the record of a statement sent) before the pages go out. The
    temp file is removed when the printer has it. ``changed`` is announced
    after ``record``. None when the document could not be made (the message
    was shown)."""
    path = private_temp_file(ctx.paths, ".pdf")
    made = ops.query(parent, ctx, make, *args, path)
    if isinstance(made, ops.Failed):
        path.unlink(missing_ok=True)
        return None

    def confirmed() -> bool:
        return not isinstance(ops.run(parent, ctx, record, made, changed=changed), ops.Failed)

    job = print_pdf(
        parent,
        path,
        title,
        remove_after=True,
        before_print=confirmed,
        on_finished=on_finished,
    )
    return Printed(made, job)


def print_receipt(
    parent: QWidget | None,
    ctx: UiContext,
    payment_id: int,
    on_finished: Callable[[Outcome, int], None] | None = None,
) -> Printed[Any] | None:
    """A patient payment's receipt to the printer (front desk and payments)."""
    from app.services import checkin

    return make_and_print(
        parent,
        ctx,
        "receipt",
        checkin.receipt_pdf,
        lambda s, a, _r: checkin.receipt_printed(s, a, payment_id),
        payment_id,
        on_finished=on_finished,
    )


def print_statement(
    parent: QWidget | None,
    ctx: UiContext,
    patient_id: int,
    on: date,
    on_finished: Callable[[Outcome, int], None] | None = None,
) -> Printed[Any] | None:
    """The statement of a patient's account on demand (it goes to the
    patient's guarantor), recorded as sent and audited once the print dialog
    is confirmed (the patient's ledger in Payments and the front desk's
    patient screen)."""
    from app.services import statements

    return make_and_print(
        parent,
        ctx,
        "statement",
        statements.statement_pdf,
        lambda s, a, docs: statements.record_statements(s, a, docs, on),
        patient_id,
        on,
        changed="statements",
        on_finished=on_finished,
    )
