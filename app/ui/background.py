"""Long work off the GUI thread.

``run_with_progress`` runs a function in a worker thread behind a modal
progress dialog (with Cancel when the work can be cancelled) and returns its
result when done, so the caller reads like straight-line code while the
window keeps painting.

The function gets its own engine or connection (never the GUI thread's
session): ``app.services.maintenance`` functions do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app import APP_NAME
from app.errors import UserFacingError
from app.services.maintenance import Cancel
from app.ui.ops import Failed, report_bug

T = TypeVar("T")


class _Bridge(QObject):
    """Carries a worker's progress and outcome to the GUI thread (queued)."""

    progress = Signal(str)
    done = Signal(object, object)  # result, exception


def run_with_progress(
    parent: QWidget | None,
    title: str,
    fn: Callable[[Callable[[str], None]], T],
    *,
    label: str = "Working...",
    cancel: Cancel | None = None,
    show_errors: bool = True,
) -> T | Failed:
    """Run ``fn(progress)`` in a worker thread; ``progress(text)`` updates the
    dialog's label. Returns the result, or ``Failed`` (after showing a
    ``UserFacingError`` verbatim or reporting a bug) when it raised."""
    bridge = _Bridge()
    dlg = QProgressDialog(label, "Cancel", 0, 0, parent)
    dlg.setObjectName("progressDialog")
    dlg.setWindowTitle(title)
    dlg.setWindowModality(Qt.WindowModality.ApplicationModal)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.setMinimumDuration(0)
    dlg.setMinimumWidth(380)
    if cancel is None:
        dlg.setCancelButton(None)  # type: ignore[arg-type]
    else:

        def on_cancel() -> None:
            dlg.setLabelText("Cancelling...")
            dlg.show()
            cancel.cancel()

        dlg.canceled.connect(on_cancel)
    # The worker writes its outcome here and then wakes the loop; read after
    # join(), so an event loop ended early (the program asked to stop) still
    # gets the outcome once the work is done.
    outcome: dict[str, Any] = {"result": None, "error": None}
    loop = QEventLoop()
    bridge.progress.connect(dlg.setLabelText)
    bridge.done.connect(loop.quit)

    def work() -> None:
        try:
            outcome["result"] = fn(bridge.progress.emit)
        except BaseException as exc:
            outcome["error"] = exc
        bridge.done.emit(None, None)

    worker = threading.Thread(target=work, name="medbill-work", daemon=True)
    worker.start()
    dlg.show()
    loop.exec()
    worker.join()
    dlg.close()
    dlg.deleteLater()
    error = outcome.get("error")
    if error is not None:
        if show_errors:
            if isinstance(error, UserFacingError):
                QMessageBox.warning(parent, APP_NAME, error.message)
            else:
                report_bug(parent, error)
        return Failed(error)
    result: T = outcome["result"]
    return result
