"""Screenshots of start-up's first windows while the store opens behind them:
the log-in window (typing, "Log in" waiting, Enter kept) and the office
passphrase window (the keyring looked at first). Run under Xvfb
(``make screenshots``); writes docs/screenshots/startup-*.png."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import shots
from PySide6.QtCore import QEvent
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.config import Paths
from app.ui.login import LoginDialog
from app.ui.recovery import PassphraseDialog


def press_enter(w) -> None:
    from PySide6.QtCore import Qt

    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(
            w, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
        )


def main() -> None:
    shots.app()
    login = LoginDialog(None)  # as at start-up: the store is still opening
    login.move(60, 60)
    login.show()
    login.username.setText("dana")
    login.password.setText("maple-street-2026")
    login.password.setFocus()
    shots.save(login, "startup-login-opening")
    press_enter(login.password)  # Enter before the store is open: kept
    shots.save(login, "startup-login-enter-kept")
    login.done(0)

    with tempfile.TemporaryDirectory(prefix="medbill-shots-") as d:
        passphrase = PassphraseDialog(Paths(Path(d)))
        passphrase.wait()
        passphrase.move(60, 60)
        passphrase.show()
        passphrase.passphrase.setText("blue heron at dawn")
        passphrase.passphrase.setFocus()
        shots.save(passphrase, "startup-passphrase-keyring-check")
        passphrase.done(0)


if __name__ == "__main__":
    main()
