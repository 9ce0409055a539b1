"""File > Back up... and File > Restore... (office manager).

Back up writes an encrypted copy (keyed with the store key or a backup
passphrase) in a worker thread behind a progress dialog with Cancel, checks
it, audits it and says how many rows it holds. Restore opens a backup (with
the store key, or the passphrase it was made with), shows what it holds,
asks, and then replaces the store; the replaced store is kept aside.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
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
from app.config import Paths
from app.errors import Problem, StoreError, UserFacingError
from app.services import maintenance
from app.services.auth import Permission
from app.services.maintenance import BackupInfo, BackupReport, Cancel, RestoreOutcome
from app.store.backup import BACKUP_SUFFIX, BackupKeyError, default_backup_name
from app.ui import ops
from app.ui.background import run_with_progress
from app.ui.context import UiContext
from app.ui.forms import FieldForm, ask, message_line
from app.ui.ops import Failed, report_bug

ROW_LABELS = (
    ("patient", "Patients"),
    ("policy", "Insurance policies"),
    ("encounter", "Visits"),
    ("claim", "Claims"),
    ("payment", "Payments"),
    ("ledger_entry", "Ledger entries"),
    ("app_user", "Staff accounts"),
    ("audit_event", "Audit log rows"),
)


def _file_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(edit, 1)
    lay.addWidget(button)
    return box


class BackupDialog(QDialog):
    """Where to write the backup and whether it gets its own passphrase."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("BackupDialog")
        self.setWindowTitle("Back up the office store")
        lay = QVBoxLayout(self)
        intro = QLabel(
            "The backup is an encrypted copy of the whole office store. Keep backups on a "
            "USB drive or another disk too: a copy on this computer's own disk is lost with it."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        summary = QLabel()
        self.fields = FieldForm(form, summary, name_prefix="backup.")
        self.file = QLineEdit(str(ctx.paths.backups / default_backup_name()))
        self.file.setMinimumWidth(460)
        choose = QPushButton("C&hoose...")
        choose.setAutoDefault(False)
        choose.clicked.connect(self.choose)
        self.fields.add("file", "&File", self.file, beside=choose)
        self.use_passphrase = QCheckBox("Protect this backup with its own &passphrase")
        self.use_passphrase.setObjectName("usePassphrase")
        form.addRow("", self.use_passphrase)
        note = QLabel(
            "Without one, the backup opens with this store's key (the recovery key opens "
            "it too). With one, it opens with the passphrase: use that for a copy that "
            "leaves the office."
        )
        note.setWordWrap(True)
        form.addRow("", note)
        self.fields.line("passphrase", "Back&up passphrase", password=True)
        self.fields.line("passphrase_again", "Passphrase &again", password=True)
        lay.addLayout(form)
        lay.addWidget(summary)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Back up")
        ok.setObjectName("startBackup")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.use_passphrase.toggled.connect(self._toggled)
        self._toggled(False)

    def _toggled(self, on: bool) -> None:
        for key in ("passphrase", "passphrase_again"):
            self.fields.inputs[key].setEnabled(on)

    def choose(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Back up to", self.file.text(), f"MedBill Desk backups (*{BACKUP_SUFFIX})"
        )
        if name:
            self.file.setText(name)

    def destination(self) -> Path:
        text = self.file.text().strip()
        path = Path(text).expanduser()
        if text and not path.name.endswith(BACKUP_SUFFIX):
            path = path.with_name(path.name + BACKUP_SUFFIX)
        return path

    def passphrase(self) -> str | None:
        return self.fields.text("passphrase") if self.use_passphrase.isChecked() else None

    def try_accept(self) -> None:
        problems: list[Problem] = []
        dest = self.destination()
        if not self.file.text().strip():
            problems.append(Problem("file", "Choose where to write the backup"))
        elif dest.exists():
            problems.append(Problem("file", f"{dest.name} already exists; choose another name"))
        elif dest.parent.exists() and not dest.parent.is_dir():
            problems.append(Problem("file", f"{dest.parent} is not a folder"))
        if self.use_passphrase.isChecked():
            problems += [
                Problem(f, m)
                for f, m in maintenance.check_backup_passphrase(
                    self.fields.text("passphrase"), self.fields.text("passphrase_again")
                )
            ]
        if self.fields.show(problems):
            self.accept()


def backup_flow(parent: QWidget | None, ctx: UiContext) -> BackupReport | None:
    """File > Back up...: ask, write in the background, report."""
    if not ctx.can(Permission.BACKUP):
        QMessageBox.information(parent, APP_NAME, "Only the office manager makes backups.")
        return None
    dlg = BackupDialog(ctx, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    dest, passphrase = dlg.destination(), dlg.passphrase()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        QMessageBox.warning(parent, APP_NAME, f"The folder {dest.parent} cannot be made: {exc}")
        return None
    cancel = Cancel()
    result = run_with_progress(
        parent,
        "Back up",
        lambda progress: maintenance.back_up_in_own_session(
            ctx.store, ctx.actor, dest, passphrase=passphrase, cancel=cancel, progress=progress
        ),
        label="Writing the encrypted copy...",
        cancel=cancel,
    )
    if isinstance(result, Failed):
        return None
    box = QMessageBox(parent)
    box.setObjectName("backupDone")
    box.setWindowTitle("Backup written")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(
        f"The backup was written and checked:\n{result.path}\n\n"
        f"{result.rows:,} rows in {result.tables} tables copied"
        + (", protected with its own passphrase." if result.with_passphrase else ".")
    )
    box.exec()
    return result


class RestoreDialog(QDialog):
    """Pick a backup, open it (asking for its passphrase when the store key
    does not open it), and show what it holds. ``backup`` after accept."""

    def __init__(
        self,
        paths: Paths,
        store_key: bytes | None,
        current_counts: dict[str, int],
        parent: QWidget | None = None,
    ) -> None:
        """``store_key`` None: the store cannot be opened (a restore at start-up),
        so the backup's passphrase or recovery key is asked for at once."""
        super().__init__(parent)
        self.paths = paths
        self.store_key = store_key
        self.current_counts = current_counts
        self.backup: BackupInfo | None = None
        self.setObjectName("RestoreDialog")
        self.setWindowTitle("Restore the office store from a backup")
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Restoring replaces the office store with the backup: everything entered since "
            "the backup was made is no longer in the store. The store it replaces is kept "
            f"in {paths.backups}, not deleted."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.file = QLineEdit()
        self.file.setObjectName("restoreFile")
        self.file.setMinimumWidth(460)
        self.file.textChanged.connect(self._forget)
        choose = QPushButton("C&hoose...")
        choose.setAutoDefault(False)
        choose.clicked.connect(self.choose)
        form.addRow("&Backup file", _file_row(self.file, choose))
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("restorePassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_label = QLabel("Its &passphrase\nor recovery key")
        self.passphrase_label.setBuddy(self.passphrase)
        form.addRow(self.passphrase_label, self.passphrase)
        lay.addLayout(form)
        self.message = message_line()
        lay.addWidget(self.message)
        self.summary = QLabel()
        self.summary.setObjectName("backupSummary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton("&Open backup", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("openBackup")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_backup)
        self.restore_button = buttons.addButton(
            "&Restore this backup...", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.accept)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).clicked.connect(self.reject)
        lay.addWidget(buttons)
        self._show_passphrase(store_key is None)
        self.resize(620, 420)

    def _show_passphrase(self, on: bool) -> None:
        self.passphrase.setVisible(on)
        self.passphrase_label.setVisible(on)

    def _forget(self) -> None:
        self.backup = None
        self.summary.clear()
        self.restore_button.setEnabled(False)
        self.open_button.setDefault(True)

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Choose a backup",
            str(self.paths.backups),
            f"MedBill Desk backups (*{BACKUP_SUFFIX} *.medbill);;All files (*)",
        )
        if name:
            self.file.setText(name)

    def open_backup(self) -> None:
        self._forget()
        self.message.clear()
        text = self.file.text().strip()
        if not text:
            self.message.setText("Choose the backup file first.")
            return
        secret = self.passphrase.text() if self.passphrase.isVisible() else None
        try:
            info = maintenance.open_backup(
                Path(text).expanduser(), store_key=self.store_key, secret=secret or None
            )
        except BackupKeyError as exc:
            self._show_passphrase(True)
            self.passphrase.clear()
            self.passphrase.setFocus()
            self.message.setText(exc.message)
            return
        except StoreError as exc:
            self.message.setText(exc.message)
            return
        self.backup = info
        self.summary.setText(describe_backup(info, self.current_counts))
        self.restore_button.setEnabled(True)
        self.restore_button.setDefault(True)
        self.restore_button.setFocus()


def describe_backup(info: BackupInfo, now: dict[str, int]) -> str:
    """What the person sees before confirming a restore (no patient data)."""
    s = info.summary
    when = s.newest_activity.astimezone().strftime("%m/%d/%Y %H:%M") if s.newest_activity else "-"
    written = info.file_time.astimezone().strftime("%m/%d/%Y %H:%M")
    rows = "".join(
        f"<tr><td>{label}</td><td align='right'>{s.counts.get(t, 0):,}</td>"
        + (f"<td align='right'>{now.get(t, 0):,}</td>" if now else "")
        + "</tr>"
        for t, label in ROW_LABELS
    )
    now_head = "<th align='right'>In the store now</th>" if now else ""
    return (
        f"<b>{_esc(s.practice_name) or 'A MedBill Desk office'}</b><br>"
        f"Last activity recorded in the backup: {when}<br>"
        f"File written: {written} ({info.size / 1_048_576:.1f} MB), opened with the "
        f"{info.keyed_with}<br><br>"
        "<table cellspacing='0' cellpadding='2'>"
        f"<tr><th align='left'></th><th align='right'>In the backup</th>{now_head}</tr>"
        f"{rows}</table>"
        f"<br>{s.rows:,} rows in {len(s.counts)} tables."
    )


def restore_flow(parent: QWidget | None, ctx: UiContext) -> RestoreOutcome | None:
    """File > Restore...: pick, check, confirm, restore. None when nothing was
    done; otherwise the outcome, whose ``store`` is open (restored, or the
    untouched live store reopened)."""
    if not ctx.can(Permission.BACKUP):
        QMessageBox.information(parent, APP_NAME, "Only the office manager restores backups.")
        return None
    dlg = RestoreDialog(ctx.paths, ctx.store.key, ctx.store.table_counts(), parent)
    if dlg.exec() != QDialog.DialogCode.Accepted or dlg.backup is None:
        return None
    info = dlg.backup
    if not ask(
        parent,
        f"Replace the office store with the backup {info.path.name}?\n\n"
        "Everything entered after the backup was made will no longer be in the store. "
        f"The current store is kept in {ctx.paths.backups}. Everyone logs in again "
        "afterwards.",
    ):
        return None
    key, live, backups = ctx.store.key, ctx.store.path, ctx.paths.backups
    if isinstance(ops.run(parent, ctx, maintenance.start_restore, info), ops.Failed):
        return None
    ctx.store.close()
    moved = run_with_progress(
        parent,
        "Restore",
        lambda _p: maintenance.restore_files(info, live, key, backups),
        label="Checking the backup and writing the restored store...",
        show_errors=False,
    )
    if isinstance(moved, Failed):
        error = moved.error
        if not isinstance(error, UserFacingError):
            report_bug(parent, error)
            error = StoreError("the restore stopped on an unexpected error.")
        return maintenance.finish_restore(live, key, ctx.actor, info, error, backups)
    return maintenance.finish_restore(live, key, ctx.actor, info, moved, backups)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
