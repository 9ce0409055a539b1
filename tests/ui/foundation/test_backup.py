"""File > Back up... and File > Restore... as the office manager does them."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QProgressDialog, QPushButton

from app.models.patient import Patient
from app.services import audit, maintenance
from app.store.backup import BACKUP_SUFFIX
from app.ui.backup import BackupDialog, RestoreDialog
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.startup import OfficeSession
from tests import factories
from tests.ui.foundation.modals import Modals


@pytest.fixture
def window(qtbot, office, paths) -> MainWindow:
    w = MainWindow(UiContext(office.store, paths, office.manager), "Maple Street")
    qtbot.addWidget(w)
    w.show()
    return w


def fill(w, name: str, text: str) -> None:
    e = w.findChild(QLineEdit, name)
    assert e is not None, name
    e.clear()
    e.insert(text)


def click(w, name: str) -> None:
    b = w.findChild(QPushButton, name)
    assert b is not None, name
    b.click()


def problem(w, name: str) -> str:
    label = w.findChild(QLabel, name + "_problem")
    return label.text() if label is not None and not label.isHidden() else ""


def test_back_up_to_the_suggested_file(qtbot, office, window, paths, modals: Modals) -> None:
    with office.store.unit_of_work() as s:
        factories.patient(s, "Quillfeather", "Marta")
    seen = {}

    def choose(d: BackupDialog) -> None:
        seen["file"] = d.file.text()
        click(d, "startBackup")

    def done(box: QMessageBox) -> None:
        seen["text"] = box.text()
        box.accept()

    modals.expect(BackupDialog, choose)
    modals.expect("backupDone", done)
    window.act_backup.trigger()
    modals.check()
    name = seen["file"].rsplit("/", 1)[-1]
    assert seen["file"].startswith(str(paths.backups))
    assert re.fullmatch(r"medbill-\d{4}-\d{2}-\d{2}-\d{4}\.medbill-backup", name)
    assert "Quillfeather" not in name
    written = paths.backups / name
    assert written.exists()
    assert "written and checked" in seen["text"] and str(written) in seen["text"]
    rows = int(re.search(r"([\d,]+) rows", seen["text"]).group(1).replace(",", ""))
    info = maintenance.open_backup(written, store_key=office.store.key)
    assert info.summary.rows == rows and info.counts["patient"] == 1
    with office.store.session() as s:
        made = audit.search(s, office.manager, action="backup_made")
    assert made[0].details["file"] == str(written)


def test_back_up_with_a_passphrase_checks_what_is_typed(
    qtbot, office, window, paths, modals: Modals
) -> None:
    target = paths.data_dir / "usb" / "friday"
    seen = {}

    def choose(d: BackupDialog) -> None:
        fill(d, "backup.file", str(target))
        d.use_passphrase.setChecked(True)
        fill(d, "backup.passphrase", "off-site copy 2026")
        fill(d, "backup.passphrase_again", "off-site copy 2062")
        qtbot.keyClick(d.findChild(QLineEdit, "backup.passphrase_again"), Qt.Key.Key_Return)
        seen["problem"] = problem(d, "backup.passphrase_again")
        fill(d, "backup.passphrase_again", "off-site copy 2026")
        qtbot.keyClick(d.findChild(QLineEdit, "backup.passphrase_again"), Qt.Key.Key_Return)

    modals.expect(BackupDialog, choose)
    modals.expect("backupDone", lambda box: box.accept())
    window.act_backup.trigger()
    modals.check()
    assert seen["problem"] == "The two passphrases are not the same"
    written = target.with_name("friday" + BACKUP_SUFFIX)
    info = maintenance.open_backup(written, store_key=None, secret="off-site copy 2026")
    assert info.keyed_with == "backup passphrase"

    # The same name again is refused in the form, before anything is written.
    def again(d: BackupDialog) -> None:
        fill(d, "backup.file", str(written))
        click(d, "startBackup")
        seen["exists"] = problem(d, "backup.file")
        d.done(0)

    modals.start()
    modals.expect(BackupDialog, again)
    window.act_backup.trigger()
    modals.check()
    assert "already exists" in seen["exists"]


def test_restore_shows_the_backup_asks_and_replaces_the_store(
    qtbot, office, paths, modals: Modals
) -> None:
    backup = paths.backups / "friday.medbill-backup"
    maintenance.back_up_in_own_session(
        office.store, office.manager, backup, passphrase="off-site copy 2026"
    )
    with office.store.unit_of_work() as s:
        factories.patient(s, "Entered", "Later")
    session = OfficeSession(office.store, paths, office.manager, "Maple Street")
    session.start()
    seen = {}

    def pick(d: RestoreDialog) -> None:
        fill(d, "restoreFile", str(backup))
        click(d, "openBackup")
        seen["asks"] = (d.passphrase.isVisible(), d.message.text())
        assert not d.restore_button.isEnabled()
        fill(d, "restorePassphrase", "wrong passphrase!")
        click(d, "openBackup")
        seen["wrong"] = d.message.text()
        fill(d, "restorePassphrase", "off-site copy 2026")
        click(d, "openBackup")
        seen["summary"] = d.summary.text()
        click(d, "restoreBackup")

    modals.expect(RestoreDialog, pick)
    modals.answer("Replace the office store", QMessageBox.StandardButton.Yes)
    modals.ok("Log in again to continue")
    session.window.act_restore.trigger()
    modals.check()
    assert seen["asks"][0] and "type its passphrase" in seen["asks"][1]
    assert "does not open this backup" in seen["wrong"]
    assert "Maple Street Family Medicine" in seen["summary"]
    assert re.search(r"Patients</td><td align='right'>0</td><td align='right'>1<", seen["summary"])
    assert session.outcome == "restored"
    restored = session.store
    assert restored is not office.store
    with restored.session() as s:
        assert s.query(Patient).count() == 0
        assert [r.action for r in audit.search(s, office.manager)] == ["store_restored"]
    kept = [p for p in paths.backups.iterdir() if p.name.startswith("replaced-")]
    assert len(kept) == 1
    restored.close()


def test_a_receptionist_cannot_back_up(qtbot, office, paths) -> None:
    w = MainWindow(UiContext(office.store, paths, office.receptionist), "Maple Street")
    qtbot.addWidget(w)
    assert not w.act_backup.isEnabled() and not w.act_restore.isEnabled()


def test_progress_dialog_shows_while_the_copy_is_written(
    qtbot, office, window, paths, modals: Modals, monkeypatch
) -> None:
    seen = []

    def choose(d: BackupDialog) -> None:
        click(d, "startBackup")

    modals.expect(BackupDialog, choose)
    modals.expect("backupDone", lambda box: box.accept())
    orig = QProgressDialog.show

    def spy(self) -> None:
        seen.append((self.windowTitle(), self.labelText(), self.findChild(QPushButton) is not None))
        orig(self)

    monkeypatch.setattr(QProgressDialog, "show", spy)
    window.act_backup.trigger()
    modals.check()
    assert seen[0][0] == "Back up"
    assert seen[0][1] == "Writing the encrypted copy..."
    assert seen[0][2]  # it has a Cancel button
