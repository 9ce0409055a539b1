"""Long report work off the GUI thread: a service call in its own session on
a ``QThread``, with a progress dialog and Cancel. Failures are handled as
``ops.run`` handles them (known errors shown verbatim, bugs reported)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.errors import UserFacingError, ValidationError
from app.services.month_export import ExportCancelled
from app.ui import ops
from app.ui.context import UiContext

_RUNNING: set[Job] = set()


class Job(QThread):
    """Runs ``fn(session, actor, *args, **kwargs)`` in one transaction."""

    done = Signal(object, object)  # result, error

    def __init__(
        self,
        ctx: UiContext,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        readonly: bool,
        cancellable: bool,
    ) -> None:
        super().__init__()
        self.store = ctx.store
        self.actor = ctx.actor
        self.fn = fn
        self.args = args
        self.kwargs = dict(kwargs)
        self.readonly = readonly
        self.cancel_requested = threading.Event()
        if cancellable:
            self.kwargs["cancelled"] = self.cancel_requested.is_set

    def run(self) -> None:
        try:
            factory = self.store.read_session if self.readonly else self.store.session
            with factory() as s, s.begin():
                result = self.fn(s, self.actor, *self.args, **self.kwargs)
        except BaseException as exc:  # handed to the GUI thread, never lost
            self.done.emit(None, exc)
        else:
            self.done.emit(result, None)
        finally:
            self._close_thread_connection()

    def _close_thread_connection(self) -> None:
        # The store keeps one SQLite connection per thread; this thread's
        # must be closed here, since SQLite refuses a close from another thread.
        with self.store.engine.connect() as conn:
            conn.invalidate()


def run_in_background(
    parent: QWidget,
    ctx: UiContext,
    label: str,
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], None],
    on_failed: Callable[[BaseException], None] | None = None,
    readonly: bool = False,
    cancellable: bool = True,
    changed: str | None = None,
    **kwargs: Any,
) -> Job:
    """Start ``fn`` on a worker thread behind a progress dialog with Cancel."""
    dialog = QProgressDialog(label, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setObjectName("reportProgress")
    dialog.setWindowTitle("MedBill Desk")
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)  # type: ignore[arg-type]
    job = Job(ctx, fn, args, kwargs, readonly=readonly, cancellable=cancellable)
    dialog.canceled.connect(job.cancel_requested.set)
    _RUNNING.add(job)  # keep the thread object alive until it has finished

    def finished(result: Any, error: BaseException | None) -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()
        if error is None:
            if changed:
                ctx.changed.emit(changed)
            on_done(result)
        else:
            show_failure(parent, error)
            if on_failed:
                on_failed(error)

    def cleanup() -> None:
        _RUNNING.discard(job)
        job.deleteLater()

    job.done.connect(finished)
    job.finished.connect(cleanup)
    job.start()
    return job


def show_failure(parent: QWidget, error: BaseException) -> None:
    if isinstance(error, ExportCancelled):
        return  # the person cancelled: nothing to say
    if isinstance(error, ValidationError):
        QMessageBox.warning(parent, "Please correct", error.message)
    elif isinstance(error, UserFacingError):
        QMessageBox.warning(parent, "MedBill Desk", error.message)
    else:
        ops.report_bug(parent, error)
