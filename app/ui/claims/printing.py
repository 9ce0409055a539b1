"""Printing a batch of claims off the GUI thread.

A batch goes to one PDF (reportlab: data only or the whole form) or one
print job (Qt's printer, drawn with QPainter from the same field map and
grid). It runs in a worker thread with its own session, reports progress,
and stops between claims when the person presses Cancel; only the claims
whose pages were all produced are marked printed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QPointF, Qt, QThread, Signal
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.reports.cms1500.data_only import ClaimPdf
from app.reports.cms1500.fieldmap import FormValues
from app.reports.cms1500.grid import FONT_SIZE, cells, col_x, line_y
from app.services import claim_print
from app.services.auth import Actor
from app.store.engine import Store, create_store_engine

DATA_ONLY = "data"
FULL_FORM = "full"


def courier() -> QFont:
    f = QFont("Courier New")
    f.setStyleHint(QFont.StyleHint.TypeWriter)
    f.setFixedPitch(True)
    f.setPointSizeF(FONT_SIZE)
    return f


class PdfSink:
    """A reportlab PDF written to ``path`` (via a part file, renamed when done)."""

    def __init__(self, path: Path, kind: str, dx: float = 0.0, dy: float = 0.0) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.pages = 0
        if kind == FULL_FORM:
            from app.reports.cms1500.full_form import FullFormPdf

            self.pdf: ClaimPdf = FullFormPdf(self.part)
        else:
            self.pdf = ClaimPdf(self.part, dx=dx, dy=dy)

    def add_claim(self, forms: Iterable[FormValues]) -> int:
        n = self.pdf.add_claim(forms)
        self.pages += n
        return n

    def close(self) -> None:
        self.pdf.close()
        os.replace(self.part, self.path)

    def abort(self) -> None:
        self.part.unlink(missing_ok=True)


class PrinterSink:
    """One print job on a Qt printer, drawn with QPainter (paper corner as
    origin, so the grid and the printer's offsets mean the same as in a PDF)."""

    def __init__(self, printer: QPrinter, kind: str, dx: float = 0.0, dy: float = 0.0) -> None:
        self.printer = printer
        self.kind = kind
        self.dx = dx
        self.dy = dy
        self.pages = 0
        printer.setFullPage(True)
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.Letter),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        self.painter: QPainter | None = None

    def _begin(self) -> QPainter:
        if self.painter is None:
            self.painter = QPainter()
            if not self.painter.begin(self.printer):
                raise OSError("The printer could not start the job.")
        elif self.pages:
            self.printer.newPage()
        return self.painter

    def add_claim(self, forms: Iterable[FormValues]) -> int:
        n = 0
        for form in forms:
            p = self._begin()
            scale = self.printer.resolution() / 72.0
            if self.kind == FULL_FORM:
                from app.ui.claims.qt_form import draw_full_form

                draw_full_form(p, scale, form)
            else:
                draw_data_cells(p, scale, form, self.dx, self.dy)
            self.pages += 1
            n += 1
        return n

    def close(self) -> None:
        if self.painter is None:
            self._begin()
        assert self.painter is not None
        self.painter.end()

    def abort(self) -> None:
        if self.painter is not None and self.painter.isActive():
            self.printer.abort()
            self.painter.end()


def draw_data_cells(p: QPainter, scale: float, form: FormValues, dx: float, dy: float) -> None:
    p.setFont(courier())
    p.setPen(Qt.GlobalColor.black)
    for c in cells(form):
        p.drawText(QPointF(col_x(c.col, dx) * scale, line_y(c.line, dy) * scale), c.text)


@dataclass(frozen=True)
class BatchResult:
    printed: list[int]  # claim ids whose pages were all produced
    asked: int
    pages: int
    cancelled: bool
    error: str = ""


class BatchWorker(QObject):
    progress = Signal(int, int)
    finished = Signal(object)  # BatchResult

    def __init__(
        self,
        store: Store,
        actor: Actor,
        claim_ids: list[int],
        sink: PdfSink | PrinterSink,
        destination: str,
        action: str,
    ) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        self.claim_ids = claim_ids
        self.sink = sink
        self.destination = destination
        self.action = action
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        # The worker's own engine: its connection is made, used and closed in
        # this thread (SQLite connections belong to the thread that made them).
        engine = create_store_engine(self.store.path, self.store.key)
        try:
            self._run(Store(self.store.path, engine, self.store.key))
        finally:
            engine.dispose()

    def _run(self, store: Store) -> None:
        done: list[int] = []
        try:
            with store.read_session() as s, s.begin():
                done = claim_print.render_claims(
                    s,
                    self.actor,
                    self.claim_ids,
                    self.sink,
                    progress=self.progress.emit,
                    cancelled=self._cancel.is_set,
                )
            self.sink.close()
            if done:
                with store.session() as s, s.begin():
                    claim_print.mark_printed(
                        s, self.actor, done, self.destination, action=self.action
                    )
        except Exception as exc:  # reported to the person; nothing marked
            self.sink.abort()
            self.finished.emit(BatchResult([], len(self.claim_ids), 0, False, error=_describe(exc)))
            return
        self.finished.emit(
            BatchResult(done, len(self.claim_ids), self.sink.pages, self._cancel.is_set())
        )


def _describe(exc: BaseException) -> str:
    from app.errors import UserFacingError

    if isinstance(exc, UserFacingError):
        return exc.message
    if isinstance(exc, OSError):
        return f"The file or printer could not be written ({exc.strerror or type(exc).__name__})."
    import logging
    import traceback

    logging.getLogger("medbill.ui").error(
        "claim batch failed\n%s", "".join(traceback.format_exception(exc))
    )
    return f"The batch stopped on an unexpected error ({type(exc).__name__}). Nothing was marked."


class BatchRunner(QObject):
    """Runs one batch: the worker thread, a progress dialog with Cancel, and
    ``done(BatchResult)`` on the GUI thread when it ends."""

    done = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        store: Store,
        actor: Actor,
        claim_ids: list[int],
        sink: PdfSink | PrinterSink,
        destination: str,
        action: str = "claims_printed",
    ) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.worker = BatchWorker(store, actor, claim_ids, sink, destination, action)
        self.worker.moveToThread(self.thread)
        self.dialog = QProgressDialog(
            f"Preparing {len(claim_ids)} claim{'s' if len(claim_ids) != 1 else ''}...",
            "Cancel",
            0,
            len(claim_ids),
            parent,
        )
        self.dialog.setObjectName("batchProgress")
        self.dialog.setWindowTitle("Printing claims")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.worker.cancel)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.thread.started.connect(self.worker.run)
        self.result: BatchResult | None = None

    def start(self) -> None:
        self.dialog.show()
        self.thread.start()

    def _progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"Claim {done} of {total}")

    def _finished(self, result: BatchResult) -> None:
        self.result = result
        self.thread.quit()
        self.thread.wait()
        self.dialog.canceled.disconnect(self.worker.cancel)
        self.dialog.close()
        self.done.emit(result)


def summary(result: BatchResult, verb: str = "Printed") -> str:
    if result.error:
        return result.error
    n = len(result.printed)
    text = f"{verb} {n} claim{'s' if n != 1 else ''} ({result.pages} page{'s' if result.pages != 1 else ''})."
    if result.cancelled and n < result.asked:
        text += (
            f" Stopped after {n} of {result.asked}: those {n} are marked printed; "
            "the others are as they were."
        )
    return text


Callback = Callable[[BatchResult], None]
