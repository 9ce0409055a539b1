"""The recovery key as a person meets it: shown large, printed on a sheet
(or saved as a PDF), and typed back (its last group) to show it was taken down.
Used by the set-up wizard and after a recovery puts a new key in place.

Also the start-up's key windows (office passphrase, key problems, recovery
key). The passphrase window can be the program's first window, so the store
(SQLAlchemy), the keys (keyring), reportlab, ``app.ui.forms`` and PySide6's
``Qt`` namespace (12-15 ms on first use) are imported where used.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.config import Paths, private_temp_file
from app.errors import Problem, StoreError
from app.ui.login import WhenReady, note_line

if TYPE_CHECKING:
    from app.store.engine import Store


def send_pdf_to_printer(pdf: Path, printer_name: str, copies: int = 1) -> None:
    """Hand a PDF to the operating system's print spooler (CUPS ``lp`` on
    Linux and macOS; the default PDF handler's "print" verb on Windows)."""
    import subprocess

    if sys.platform == "win32":
        os.startfile(str(pdf), "print")  # type: ignore[attr-defined]
        return
    lp = shutil.which("lp")
    if lp is None:
        raise OSError("no print spooler (lp) on this computer")
    cmd = [lp, "-n", str(max(1, copies))]
    if printer_name:
        cmd += ["-d", printer_name]
    subprocess.run([*cmd, str(pdf)], check=True, capture_output=True, timeout=60)


def print_pdf_with_dialog(parent: QWidget | None, pdf: Path) -> bool:
    """Qt's print dialog, then the PDF to the chosen printer (or, for "print
    to file", the PDF copied where the person chose). True when printed."""
    import subprocess

    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dlg = QPrintDialog(printer, parent)
    dlg.setWindowTitle("Print the recovery key")
    if dlg.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    target = printer.outputFileName()
    try:
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and target:
            shutil.copyfile(pdf, target)
        else:
            send_pdf_to_printer(pdf, printer.printerName(), printer.copyCount())
    except (OSError, subprocess.SubprocessError) as exc:
        QMessageBox.warning(
            parent,
            APP_NAME,
            f"The sheet could not be printed ({exc}). Save it as a PDF and print that, "
            "or write the key down by hand.",
        )
        return False
    return True


def monospace_font(points: int) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(points)
    font.setBold(True)
    return font


class RecoveryKeyPanel(QWidget):
    """Shows ``code``; Print / Save as PDF make the sheet; ``confirmed`` once
    the person typed the last group back."""

    confirmed_changed = Signal(bool)

    def __init__(
        self,
        paths: Paths,
        code: str,
        practice_name: Callable[[], str],
        parent: QWidget | None = None,
        *,
        intro: str = "",
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.code = code
        self._practice_name = practice_name
        self.printed = False
        self.saved_to: Path | None = None
        # Replaced in tests; (parent, pdf) -> printed?
        self.print_pdf: Callable[[QWidget | None, Path], bool] = print_pdf_with_dialog
        self.ask_save_path: Callable[[], str] = self._ask_save_path

        lay = QVBoxLayout(self)
        text = QLabel(
            intro
            or "This recovery key opens the office store when nothing else does: a new "
            "computer, a lost keyring, a forgotten office passphrase. Print it (or write it "
            "down) now and keep it locked away from the computer. It is shown only now."
        )
        text.setWordWrap(True)
        lay.addWidget(text)
        groups = code.split("-")
        shown = "\n".join("  ".join(groups[i : i + 4]) for i in range(0, len(groups), 4))
        self.code_label = QLabel(shown)
        self.code_label.setObjectName("recoveryCode")
        self.code_label.setFont(monospace_font(20))
        from PySide6.QtCore import Qt

        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setStyleSheet(
            "QLabel { background: #f4f4f4; border: 2px solid #333; padding: 14px; color: #000; }"
        )
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        lay.addWidget(self.code_label)

        row = QHBoxLayout()
        self.print_button = QPushButton("&Print...")
        self.print_button.setObjectName("printRecovery")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_sheet)
        self.save_button = QPushButton("Save as P&DF...")
        self.save_button.setObjectName("saveRecovery")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_sheet)
        self.sheet_status = QLabel()
        self.sheet_status.setObjectName("sheetStatus")
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(self.sheet_status, 1)
        lay.addLayout(row)

        ask = QLabel(
            "To show you have it, type the <b>last group</b> of the key (its last five characters):"
        )
        ask.setWordWrap(True)
        lay.addWidget(ask)
        self.last_group = QLineEdit()
        self.last_group.setObjectName("lastGroup")
        self.last_group.setMaxLength(8)
        self.last_group.setFont(monospace_font(14))
        self.last_group.setMaximumWidth(160)
        self.last_group.textChanged.connect(self._typed)
        ask.setBuddy(self.last_group)
        lay.addWidget(self.last_group)
        self.check_label = QLabel()
        self.check_label.setObjectName("lastGroupCheck")
        lay.addWidget(self.check_label)
        lay.addStretch(1)

    def confirmed(self) -> bool:
        from app.store.keys import typed_matches_last_group

        return typed_matches_last_group(self.code, self.last_group.text())

    def _typed(self, text: str) -> None:
        ok = self.confirmed()
        if ok:
            self.check_label.setText("That matches.")
            self.check_label.setStyleSheet("color: #2e7d32;")
        elif len(text.strip()) >= 5:
            self.check_label.setText("That is not the last group. Look at the key again.")
            self.check_label.setStyleSheet("color: #c62828;")
        else:
            self.check_label.clear()
        self.confirmed_changed.emit(ok)

    def _sheet(self) -> Path:
        from app.reports.recovery_sheet import write_recovery_sheet

        pdf = private_temp_file(self.paths, ".pdf")
        write_recovery_sheet(
            pdf,
            practice_name=self._practice_name(),
            code=self.code,
            issued=date.today(),
            store_location=str(self.paths.store),
        )
        return pdf

    def print_sheet(self) -> None:
        pdf = self._sheet()
        try:
            if self.print_pdf(self, pdf):
                self.printed = True
                self.sheet_status.setText("Sent to the printer.")
        finally:
            pdf.unlink(missing_ok=True)

    def _ask_save_path(self) -> str:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Save the recovery key sheet",
            str(Path.home() / "medbill-recovery-key.pdf"),
            "PDF files (*.pdf)",
        )
        return name

    def save_sheet(self) -> None:
        target = self.ask_save_path()
        if not target:
            return
        pdf = self._sheet()
        try:
            shutil.copyfile(pdf, target)
        except OSError as exc:
            QMessageBox.warning(self, APP_NAME, f"The sheet could not be saved: {exc}")
            return
        finally:
            pdf.unlink(missing_ok=True)
        self.saved_to = Path(target)
        self.printed = True
        self.sheet_status.setText(f"Saved to {target}. Print it, then delete the file.")


# ------------------------------------------------------- start-up dialogs


RESTORE_BACKUP = 3  # a dialog's result: the person chose "Restore a backup..."
STORE_DAMAGED = 4  # a dialog's result: the key was right but the store is damaged


KEYRING_CHECK = "Checking this computer's keyring first..."
KEYRING_CHECK_QUEUED = "Checking this computer's keyring first... the store opens right after."


class PassphraseDialog(QDialog):
    """Start-up in passphrase mode: the office passphrase unwraps the key in the
    key file. "Use recovery key" ends with ``USE_RECOVERY``. ``store`` after accept.

    As the first window it shows while the keyring is still being looked at
    (``wait()``): its buttons wait for ``ready()``, Enter meanwhile is kept."""

    USE_RECOVERY = 2

    def __init__(self, paths: Paths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.store: Store | None = None
        self.failures = 0
        self.setObjectName("PassphraseDialog")
        self.setWindowTitle(f"{APP_NAME}: open the office store")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<h2>{APP_NAME}</h2>"))
        intro = QLabel(
            "The office store is protected with the office passphrase. Type it to open "
            "the store; then each person logs in with their own password."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("officePassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Office &passphrase", self.passphrase)
        lay.addLayout(form)
        self.message = note_line("message", problem=True)
        lay.addWidget(self.message)
        self.note = note_line("keyringStatus")
        lay.addWidget(self.note)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton("&Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setObjectName("openStore")
        self.open_button.setDefault(True)
        self.recovery_button = buttons.addButton(
            "Use &recovery key...", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.recovery_button.setObjectName("useRecoveryKey")
        self.recovery_button.setAutoDefault(False)
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.try_open)
        self.recovery_button.clicked.connect(lambda: self.done(self.USE_RECOVERY))
        quit_button.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(440)
        self.gate = WhenReady(
            self.open_button,
            self.note,
            self.try_open,
            [self.passphrase],
            waiting_text=KEYRING_CHECK,
            queued_text=KEYRING_CHECK_QUEUED,
        )

    def wait(self) -> None:
        self.gate.wait()
        self.recovery_button.setEnabled(False)

    def ready(self) -> None:
        self.recovery_button.setEnabled(True)
        self.gate.ready()

    def try_open(self) -> None:
        from app.store.engine import DAMAGED_MESSAGE, WRONG_KEY_MESSAGE, open_store
        from app.store.keys import read_key_file

        text = self.passphrase.text()
        if not text:
            self.message.setText("Type the office passphrase.")
            return
        from PySide6.QtCore import Qt

        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            key = read_key_file(self.paths.key_file, text)
            self.store = open_store(self.paths.store, key, backup_dir=self.paths.backups)
        except StoreError as exc:
            if exc.message == DAMAGED_MESSAGE:
                self.done(STORE_DAMAGED)
                return
            self.failures += 1
            self.passphrase.clear()
            if exc.message == WRONG_KEY_MESSAGE:
                self.message.setText(KEY_FILE_DOES_NOT_OPEN)
            else:
                self.message.setText(exc.message)
            return
        finally:
            self.unsetCursor()
        self.accept()


KEYRING_ENTRY_MISSING = (
    "MedBill Desk could not find the key of the office store in this computer's keyring. "
    "This happens on a new computer, with a new user profile, or after the keyring was "
    "reset. Open the store with your printed recovery key; MedBill Desk then puts a new "
    "key in place."
)
NO_SECURE_KEYRING = (
    "This computer has no secure keyring and there is no office passphrase file next to "
    "the store, so the key of the office store cannot be found. Open the store with your "
    "printed recovery key; you then choose an office passphrase for the new key."
)
KEYRING_KEY_DOES_NOT_OPEN = (
    "The key in this computer's keyring does not open the office store: the store file "
    "may have been replaced by one from another computer, or it is damaged. Open it with "
    "the recovery key that belongs to this store, or restore a backup."
)
KEY_FILE_DOES_NOT_OPEN = (
    "The passphrase is right, but the key it protects does not open the office store: "
    "the store file may have been replaced, or it is damaged. Use the recovery key that "
    "belongs to this store, or restore a backup."
)


class KeyProblemDialog(QDialog):
    """Says why the store did not open; offers the recovery key or a backup."""

    def __init__(
        self, problem: str, parent: QWidget | None = None, *, offer_recovery: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("KeyProblemDialog")
        self.setWindowTitle(f"{APP_NAME}: open the office store")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<h2>{APP_NAME}</h2>"))
        self.problem = QLabel(problem)
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        lay.addWidget(self.problem)
        buttons = QDialogButtonBox()
        recover = buttons.addButton("Use &recovery key...", QDialogButtonBox.ButtonRole.AcceptRole)
        recover.setObjectName("useRecoveryKey")
        recover.setDefault(True)
        restore = buttons.addButton("Restore a &backup...", QDialogButtonBox.ButtonRole.ActionRole)
        restore.setObjectName("restoreBackup")
        restore.setAutoDefault(False)
        restore.clicked.connect(lambda: self.done(RESTORE_BACKUP))
        if not offer_recovery:  # a damaged store: no key helps, a backup does
            recover.hide()
            restore.setDefault(True)
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        recover.clicked.connect(self.accept)
        quit_button.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(480)


class RecoveryDialog(QDialog):
    """The person types the recovery key; ``store`` and ``key`` after accept."""

    def __init__(self, paths: Paths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.store: Store | None = None
        self.key: bytes | None = None
        self.attempts = 0
        self.setObjectName("RecoveryDialog")
        self.setWindowTitle(f"{APP_NAME}: use the recovery key")
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Type the recovery key from the printed sheet: 11 groups of 5 letters and "
            "digits. Dashes, spaces and upper or lower case do not matter."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.code = QLineEdit()
        self.code.setObjectName("recoveryCodeInput")
        self.code.setFont(monospace_font(13))
        self.code.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-...")
        self.code.setMinimumWidth(640)
        lay.addWidget(self.code)
        self.message = note_line("message", problem=True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Open the store")
        ok.setObjectName("openWithRecovery")
        self.restore_button = buttons.addButton(
            "Restore a &backup...", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.setAutoDefault(False)
        self.restore_button.hide()  # offered once a right key does not open the store
        self.restore_button.clicked.connect(lambda: self.done(RESTORE_BACKUP))
        buttons.accepted.connect(self.try_open)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def try_open(self) -> None:
        from app.store.engine import WRONG_KEY_MESSAGE, open_store
        from app.store.keys import key_from_recovery

        try:
            key = key_from_recovery(self.code.text())
        except StoreError as exc:
            self.message.setText(exc.message)
            return
        self.attempts += 1
        from PySide6.QtCore import Qt

        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            self.store = open_store(self.paths.store, key, backup_dir=self.paths.backups)
        except StoreError as exc:
            self.message.setText(
                RECOVERY_DOES_NOT_OPEN if exc.message == WRONG_KEY_MESSAGE else exc.message
            )
            self.restore_button.show()
            return
        finally:
            self.unsetCursor()
        self.key = key
        self.accept()


RECOVERY_DOES_NOT_OPEN = (
    "This recovery key is written correctly, but it does not open this office store. "
    "It may belong to an older key (look at the date on the sheet: a newer sheet "
    "replaces it) or to another office, or the store file is damaged. If no sheet opens "
    "it, restore the newest backup."
)


class NewKeyDialog(QDialog):
    """After a recovery: shows the store's new recovery key (print + type back)
    and, in passphrase mode, asks for the office passphrase that protects the
    new key. Accepting does not change anything yet: the caller puts the key
    in place."""

    def __init__(
        self,
        paths: Paths,
        code: str,
        practice_name: str,
        *,
        ask_passphrase: bool,
        intro: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("NewKeyDialog")
        self.setWindowTitle(f"{APP_NAME}: a new key for the office store")
        self.ask_passphrase = ask_passphrase
        lay = QVBoxLayout(self)
        self.panel = RecoveryKeyPanel(
            paths,
            code,
            lambda: practice_name,
            intro=intro
            or "The store opened with the recovery key. MedBill Desk now puts a new key "
            "in place, with this new recovery key. The old recovery key stops working when "
            "you press the button below: print this one (or write it down) first.",
        )
        lay.addWidget(self.panel)
        form = QFormLayout()
        from app.ui.forms import FieldForm

        summary = QLabel()
        self.fields = FieldForm(form, summary, name_prefix="newkey.")
        if ask_passphrase:
            note = QLabel(
                "The new key is protected with the office passphrase. Choose it now "
                "(it may be the same as before), at least 12 characters."
            )
            note.setWordWrap(True)
            lay.addWidget(note)
            self.fields.line("passphrase", "Office pass&phrase", password=True)
            self.fields.line("passphrase_again", "Passphrase a&gain", password=True)
        lay.addLayout(form)
        lay.addWidget(summary)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Put the &new key in place")
        self.ok.setObjectName("putNewKey")
        self.ok.setEnabled(False)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.panel.confirmed_changed.connect(self.ok.setEnabled)
        self.panel.last_group.setFocus()  # typing goes there, not to Print
        self.resize(640, 560)

    def passphrase(self) -> str:
        return self.fields.text("passphrase") if self.ask_passphrase else ""

    def try_accept(self) -> None:
        if not self.panel.confirmed():
            return
        if self.ask_passphrase:
            text, again = self.fields.text("passphrase"), self.fields.text("passphrase_again")
            problems = []
            if len(text) < 12:
                problems.append(
                    Problem("passphrase", "The office passphrase must be at least 12 characters")
                )
            if text != again:
                problems.append(Problem("passphrase_again", "The two passphrases are not the same"))
            if not self.fields.show(problems):
                return
        self.accept()

    def reject(self) -> None:
        from app.ui.forms import ask

        if ask(
            self,
            "Quit without putting a new key in place? Nothing changes: next time the store "
            "again needs the recovery key.",
        ):
            super().reject()
