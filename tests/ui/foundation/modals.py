"""Answering modal dialogs in tests the way a person would.

A screen that calls ``dialog.exec()`` blocks the test until the dialog
closes, so the test queues what the person does in each dialog before it
starts: ``modals.expect(SomeDialog, lambda dlg: ...)``. A timer finds the
active modal window, runs the next step on it, and fails the test (closing
the dialog, so nothing hangs) when the expected window does not come.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget


@dataclass
class Step:
    kind: type[QWidget] | str  # a class, or an objectName
    action: Callable[[QWidget], None]
    text: str = ""  # for message boxes: must be in the text
    modal: bool = True  # False: any visible top-level window (a main window)


class Modals:
    def __init__(self, timeout: float = 10.0) -> None:
        self.steps: list[Step] = []
        self.done: list[str] = []
        self.errors: list[str] = []
        self.timeout = timeout
        self._since = time.monotonic()
        self.running = False
        self.start()

    # Qt never re-enters a timer whose slot is still running, and an action
    # may open a modal dialog of its own (a nested loop) that the next step
    # answers: so each tick is a fresh single-shot timer.
    def start(self) -> None:
        if not self.running:
            self.running = True
            QTimer.singleShot(15, self._tick)

    def stop(self) -> None:
        self.running = False

    def _tick(self) -> None:
        if not self.running:
            return
        QTimer.singleShot(15, self._tick)
        self._poll()

    def expect(
        self, kind: type[QWidget] | str, action: Callable[[QWidget], None], text: str = ""
    ) -> Modals:
        if not self.steps:
            self._since = time.monotonic()
        self.steps.append(Step(kind, action, text))
        return self

    def expect_window(self, kind: type[QWidget], action: Callable[[QWidget], None]) -> Modals:
        """A visible top-level window that is not modal (the main window)."""
        if not self.steps:
            self._since = time.monotonic()
        self.steps.append(Step(kind, action, modal=False))
        return self

    def answer(self, text: str, button: QMessageBox.StandardButton) -> Modals:
        """A message box whose text contains ``text``: press ``button``."""

        def press(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            b = box.button(button)
            assert b is not None, f"no {button} on the message box"
            b.click()

        return self.expect(QMessageBox, press, text)

    def ok(self, text: str) -> Modals:
        return self.answer(text, QMessageBox.StandardButton.Ok)

    def _matches(self, w: QWidget, step: Step) -> bool:
        if isinstance(step.kind, str):
            ok = w.objectName() == step.kind
        else:
            ok = isinstance(w, step.kind)
        if ok and step.text:
            body = w.text() if isinstance(w, QMessageBox) else ""
            if step.text not in body:
                self.errors.append(f"message box says {body!r}, expected {step.text!r}")
                return False
        return ok

    def _poll(self) -> None:
        if not self.steps:
            self._unexpected()
            return
        step = self.steps[0]
        w = QApplication.activeModalWidget()
        if not step.modal and w is None:
            w = next(
                (
                    t
                    for t in QApplication.topLevelWidgets()
                    if t.isVisible() and isinstance(step.kind, type) and isinstance(t, step.kind)
                ),
                None,
            )
        if w is not None and w.isVisible() and self._matches(w, step):
            self.steps.pop(0)
            self._since = time.monotonic()
            # Not guarded against re-entry: an action that opens a modal
            # dialog of its own lets the next step answer it.
            try:
                self.done.append(type(w).__name__)
                step.action(w)
            except BaseException as exc:  # report, and do not leave a dialog hanging
                self.errors.append(f"step on {type(w).__name__} failed: {exc!r}")
                _force_close(w)
                self.steps.clear()
            return
        if time.monotonic() - self._since > self.timeout:
            what = step.kind if isinstance(step.kind, str) else step.kind.__name__
            shown = type(w).__name__ if w else "nothing"
            text = w.text() if isinstance(w, QMessageBox) else ""
            self.errors.append(f"expected {what}, but the modal window is {shown} {text!r}")
            self.steps.clear()
            if w is not None:
                _force_close(w)

    def _unexpected(self) -> None:
        """A modal window nobody expects, open too long: close it and fail."""
        w = QApplication.activeModalWidget()
        if w is None or not w.isVisible():
            self._since = time.monotonic()
            return
        if time.monotonic() - self._since > self.timeout:
            text = w.text() if isinstance(w, QMessageBox) else w.windowTitle()
            self.errors.append(f"unexpected modal {type(w).__name__} {text!r} left open")
            self._since = time.monotonic()
            _force_close(w)

    def check(self) -> None:
        """Fail the test when a step failed or did not happen."""
        self.stop()
        left = [s.kind if isinstance(s.kind, str) else s.kind.__name__ for s in self.steps]
        assert not self.errors, self.errors
        assert not left, f"these windows never came: {left}"


def show_active(qtbot, w: QWidget) -> None:
    """Show a window and wait until it is the active window (keyboard focus)."""
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)


def _force_close(w: QWidget) -> None:
    """Close without asking (``done`` bypasses a ``reject`` that asks first)."""
    if isinstance(w, QDialog):
        w.done(int(QDialog.DialogCode.Rejected))
    else:
        w.close()
