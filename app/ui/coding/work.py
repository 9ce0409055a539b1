"""Long work of the coding area off the GUI thread: imports into the store
(with a progress dialog and Cancel, in one transaction that a cancel rolls
back) and the one-time build of the ICD-10-CM index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from sqlalchemy.orm import sessionmaker

from app.codes.icd10 import Icd10Index
from app.errors import UserFacingError, ValidationError
from app.store.engine import create_store_engine
from app.ui.context import UiContext
from app.ui.ops import Failed, report_bug

T = TypeVar("T")


class _StoreJob(QThread):
    """Runs ``fn(session, actor, *args, progress=...)`` with its own engine
    (SQLite connections stay in the thread that made them)."""

    progressed = Signal(int, int)

    def __init__(self, ctx: UiContext, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        self.ctx = ctx
        self.fn = fn
        self.args = args
        self.cancelled = False
        self.result: Any = None
        self.error: BaseException | None = None

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self.cancelled

    def run(self) -> None:
        store = self.ctx.store
        engine = create_store_engine(store.path, store.key)
        try:
            factory = sessionmaker(bind=engine, expire_on_commit=False)
            with factory() as s, s.begin():
                self.result = self.fn(s, self.ctx.actor, *self.args, progress=self._progress)
        except BaseException as exc:  # handed to the GUI thread, which reports it
            self.error = exc
        finally:
            engine.dispose()


def run_job(
    parent: QWidget | None,
    ctx: UiContext,
    title: str,
    fn: Callable[..., T],
    *args: Any,
    on_invalid: Callable[[ValidationError], None] | None = None,
    changed: str | None = None,
) -> T | Failed:
    """Run a store job with a progress dialog; errors are shown like ``ops.run``."""
    dlg = QProgressDialog(title, "Cancel", 0, 0, parent)
    dlg.setObjectName("jobProgress")
    dlg.setWindowTitle("MedBill Desk")
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(400)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    job = _StoreJob(ctx, fn, args)

    def show(done: int, total: int) -> None:
        dlg.setMaximum(max(total, 1))
        dlg.setValue(min(done, max(total, 1)))

    job.progressed.connect(show)
    dlg.canceled.connect(lambda: setattr(job, "cancelled", True))
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    job.start()
    if not job.isFinished():
        loop.exec()
    job.wait()
    dlg.close()
    dlg.deleteLater()
    err = job.error
    if err is None:
        if changed:
            ctx.changed.emit(changed)
        result: T = job.result
        return result
    if isinstance(err, ValidationError):
        if on_invalid is not None:
            on_invalid(err)
        else:
            QMessageBox.warning(parent, "Please correct", err.message)
    elif isinstance(err, UserFacingError):
        QMessageBox.information(parent, "MedBill Desk", err.message)
    else:
        report_bug(parent, err)
    return Failed(err)


class IndexPreparer(QObject):
    """Builds the ICD-10-CM index in a thread (first use after an install or
    an upgrade of the code set); ``done(ok, message)`` when finished."""

    done = Signal(bool, str)

    def __init__(self, index: Icd10Index, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self._thread: QThread | None = None
        self._error = ""

    def start(self) -> None:
        preparer = self

        class _Build(QThread):
            def run(self) -> None:
                try:
                    preparer.index.ensure()
                except UserFacingError as exc:
                    preparer._error = exc.message
                except Exception as exc:  # reported in the GUI thread
                    preparer._error = (
                        f"The ICD-10-CM code set could not be prepared ({type(exc).__name__})."
                    )

        self._thread = _Build()
        self._thread.finished.connect(self._finished)
        self._thread.start()

    def _finished(self) -> None:
        self.done.emit(not self._error, self._error)

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.wait()
