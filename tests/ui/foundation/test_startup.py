"""Start-up: finding the key, the recovery key, a damaged store, a second copy,
and a whole first start -> log out -> log in -> quit."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from app.__main__ import parse_args
from app.models.staff import Role
from app.services import audit
from app.store.engine import Store, key_pragma, open_store
from app.store.keys import (
    key_opens_store,
    last_group,
    load_key_from_keyring,
    new_key,
    read_key_file,
    recovery_code,
    save_key_in_keyring,
    write_key_file,
)
from app.store.lock import InstanceLock
from app.ui.login import LoginDialog
from app.ui.main_window import MainWindow
from app.ui.recovery import KeyProblemDialog, NewKeyDialog, PassphraseDialog, RecoveryDialog
from app.ui.setup_wizard import SetupWizard
from app.ui.startup import open_office_store, run
from tests import factories
from tests.factories import NPI_PRACTICE, NPI_PROVIDER


def make_office(paths, key: bytes) -> None:
    st = open_store(paths.store, key, create=True)
    with st.unit_of_work() as s:
        factories.practice(s)
        factories.provider(s)
        factories.user(s, Role.MANAGER, "manager")
    st.close()


def actions(store: Store) -> list[str]:
    with store.session() as s:
        return [r.action for r in reversed(audit.search(s, _manager(s)))]


def _manager(s):
    from app.models.staff import User
    from app.services.auth import actor_for

    return actor_for(s.query(User).filter_by(username="manager").one())


def details(store: Store, action: str) -> dict:
    with store.session() as s:
        return next(r.details for r in audit.search(s, _manager(s), action=action))


def click(w, name: str) -> None:
    b = w.findChild(QPushButton, name)
    assert b is not None, name
    b.click()


def type_into(w, name: str, text: str) -> None:
    e = w.findChild(QLineEdit, name)
    assert e is not None, name
    e.clear()
    e.insert(text)


def confirm_new_key(printed: list[str], passphrase: str = ""):
    def act(d: NewKeyDialog) -> None:
        # Typing goes to the typed-back group, not to the Print button.
        assert d.focusWidget() is d.panel.last_group
        d.panel.print_pdf = lambda _p, pdf: printed.append(pdf.read_bytes()[:4].decode()) or True
        d.panel.print_button.click()
        assert not d.ok.isEnabled()
        if passphrase:
            type_into(d, "newkey.passphrase", passphrase)
            type_into(d, "newkey.passphrase_again", passphrase)
        type_into(d, "lastGroup", last_group(d.panel.code))
        assert d.ok.isEnabled()
        d.ok.click()

    return act


def test_the_keyring_key_opens_the_store(qtbot, paths) -> None:
    key = new_key()
    make_office(paths, key)
    save_key_in_keyring(paths.store, key)
    store = open_office_store(paths)
    assert store is not None
    assert actions(store) == ["store_opened"]
    assert details(store, "store_opened") == {"key": "keyring"}
    store.close()


def test_missing_keyring_entry_recovery_key_then_a_new_key(qtbot, paths, modals) -> None:
    key = new_key()
    make_office(paths, key)
    code = recovery_code(key)
    typo = code[:3] + ("A" if code[3] != "A" else "B") + code[4:]
    printed: list[str] = []

    def problem(d: KeyProblemDialog) -> None:
        assert "could not find the key" in d.problem.text()
        click(d, "useRecoveryKey")

    def recovery(d: RecoveryDialog) -> None:
        type_into(d, "recoveryCodeInput", typo)
        click(d, "openWithRecovery")
        assert "typing mistake" in d.message.text()
        type_into(d, "recoveryCodeInput", code.lower().replace("-", " "))
        click(d, "openWithRecovery")

    modals.expect(KeyProblemDialog, problem)
    modals.expect(RecoveryDialog, recovery)
    modals.expect(NewKeyDialog, confirm_new_key(printed))
    store = open_office_store(paths)
    modals.check()
    assert store is not None
    assert printed == ["%PDF"]
    new = load_key_from_keyring(paths.store)
    assert new is not None and new != key and store.key == new
    assert actions(store) == ["recovery_key_used", "store_rekeyed"]
    assert details(store, "recovery_key_used") == {"keyring_key": "missing", "recovery_attempts": 1}
    assert details(store, "store_rekeyed") == {
        "key_kept_in": "keyring",
        "recovery_key_printed": True,
    }
    store.close()
    assert not key_opens_store(paths.store, key)  # the old recovery key is spent
    assert key_opens_store(paths.store, new)


def test_office_passphrase_wrong_then_right(qtbot, paths, modals, monkeypatch) -> None:
    key = new_key()
    make_office(paths, key)
    write_key_file(paths.key_file, key, "blue heron at dawn", n=2**12)

    def type_passphrase(d: PassphraseDialog) -> None:
        type_into(d, "officePassphrase", "blue heron at dusk")
        click(d, "openStore")
        assert d.message.text().startswith("That office passphrase is not correct.")
        type_into(d, "officePassphrase", "blue heron at dawn")
        click(d, "openStore")

    modals.expect(PassphraseDialog, type_passphrase)
    store = open_office_store(paths)
    modals.check()
    assert store is not None and store.key == key
    assert details(store, "store_opened") == {"key": "office passphrase", "wrong_passphrases": 1}
    store.close()


def test_forgotten_passphrase_recovery_asks_for_a_new_passphrase(qtbot, paths, modals) -> None:
    key = new_key()
    make_office(paths, key)
    write_key_file(paths.key_file, key, "blue heron at dawn", n=2**12)
    modals.expect(PassphraseDialog, lambda d: click(d, "useRecoveryKey"))

    def recovery(d: RecoveryDialog) -> None:
        type_into(d, "recoveryCodeInput", recovery_code(key))
        click(d, "openWithRecovery")

    modals.expect(RecoveryDialog, recovery)
    modals.expect(NewKeyDialog, confirm_new_key([], passphrase="grey owl at midnight"))
    store = open_office_store(paths)
    modals.check()
    assert store is not None
    new = read_key_file(paths.key_file, "grey owl at midnight")
    assert new == store.key != key
    assert load_key_from_keyring(paths.store) is None  # still passphrase mode
    assert details(store, "store_rekeyed")["key_kept_in"] == "passphrase"
    store.close()


def test_a_keyring_key_that_does_not_open_the_store_says_what_to_do(qtbot, paths, modals) -> None:
    make_office(paths, new_key())
    save_key_in_keyring(paths.store, new_key())

    def look(d: KeyProblemDialog) -> None:
        assert "does not open the office store" in d.problem.text()
        assert "restore a backup" in d.problem.text()
        d.reject()

    modals.expect(KeyProblemDialog, look)
    assert open_office_store(paths) is None
    modals.check()


def flip_a_byte_in_table(path: Path, key: bytes, table: str) -> None:
    conn = sqlcipher3.connect(str(path))
    conn.execute(f'PRAGMA key = "{key_pragma(key)}"')
    page = int(
        conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    )
    size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    conn.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * size + 200] ^= 0x5A
    path.write_bytes(bytes(data))


def test_a_damaged_store_offers_a_backup_not_a_key(qtbot, paths, modals) -> None:
    key = new_key()
    make_office(paths, key)
    save_key_in_keyring(paths.store, key)
    flip_a_byte_in_table(paths.store, key, "vendor")  # the key is right; a page is not
    seen = {}

    def look(d: KeyProblemDialog) -> None:
        seen["text"] = d.problem.text()
        seen["recovery"] = d.findChild(QPushButton, "useRecoveryKey").isVisible()
        seen["restore"] = d.findChild(QPushButton, "restoreBackup").isDefault()
        d.reject()

    modals.expect(KeyProblemDialog, look)
    assert open_office_store(paths) is None
    modals.check()
    assert "damaged" in seen["text"] and "Restore" in seen["text"]
    assert seen["recovery"] is False and seen["restore"] is True


def test_the_recovery_key_on_a_damaged_store_leads_to_a_backup(qtbot, paths, modals) -> None:
    from app.ui.backup import RestoreDialog

    key = new_key()
    make_office(paths, key)
    flip_a_byte_in_table(paths.store, key, "vendor")
    seen = {}

    def recovery(d: RecoveryDialog) -> None:
        type_into(d, "recoveryCodeInput", recovery_code(key))
        click(d, "openWithRecovery")
        seen["message"] = d.message.text()
        assert d.restore_button.isVisible()
        d.restore_button.click()

    modals.expect(KeyProblemDialog, lambda d: click(d, "useRecoveryKey"))
    modals.expect(RecoveryDialog, recovery)
    modals.expect(RestoreDialog, lambda d: d.reject())
    assert open_office_store(paths) is None
    modals.check()
    assert "damaged" in seen["message"]


@pytest.fixture
def app_quits_itself():
    app = QApplication.instance()
    yield
    app.setQuitOnLastWindowClosed(True)


def test_a_second_copy_is_refused(qtbot, paths, modals, app_quits_itself) -> None:
    make_office(paths, new_key())
    held = InstanceLock(paths.store).acquire()
    try:
        modals.ok("MedBill Desk is already open on this computer")
        assert run(parse_args(["--data-dir", str(paths.data_dir)])) == 1
        modals.check()
    finally:
        held.release()


def test_first_start_log_out_log_in_quit(qtbot, tmp_path, modals, app_quits_itself) -> None:
    data = tmp_path / "fresh"

    def wizard(w: SetupWizard) -> None:
        for name, value in [
            ("practice.name", "Maple Street Family Medicine"),
            ("practice.address1", "120 Maple Street"),
            ("practice.city", "Springfield"),
            ("practice.state", "IL"),
            ("practice.zip", "62701"),
            ("practice.phone", "2175550100"),
            ("practice.ein", "371234567"),
            ("practice.billing_npi", NPI_PRACTICE),
            ("practice.taxonomy", "207Q00000X"),
        ]:
            type_into(w, name, value)
        w.next()
        for name, value in [
            ("provider.last_name", "Okafor"),
            ("provider.first_name", "Adaeze"),
            ("provider.npi", NPI_PROVIDER),
        ]:
            type_into(w, name, value)
        w.next()
        for name, value in [
            ("manager.full_name", "Dana Whitfield"),
            ("manager.username", "dana"),
            ("manager.password", "maple-street-2026"),
            ("manager.password_again", "maple-street-2026"),
        ]:
            type_into(w, name, value)
        w.next()
        w.next()
        assert w.currentPage() is w.recovery_page
        type_into(w, "lastGroup", last_group(w.code))
        w.button(w.WizardButton.FinishButton).click()

    def first_session(win: MainWindow) -> None:
        assert "Dana Whitfield" in win.user_label.text()
        assert "Office manager" in win.user_label.text()
        win.act_logout.trigger()

    def log_in(d: LoginDialog) -> None:
        assert "Maple Street Family Medicine" in d.findChild(QLabel, "heading").text()
        type_into(d, "username", "dana")
        type_into(d, "password", "maple-street-2026")
        qtbot.keyClick(d.password, Qt.Key.Key_Return)

    def second_session(win: MainWindow) -> None:
        assert "Dana Whitfield" in win.user_label.text()
        win.act_quit.trigger()

    modals.expect(SetupWizard, wizard)
    modals.expect_window(MainWindow, first_session)
    modals.expect(LoginDialog, log_in)
    modals.expect_window(MainWindow, second_session)
    assert run(parse_args(["--data-dir", str(data)])) == 0
    modals.check()
    assert not (data / "tmp").exists()
    key = load_key_from_keyring(data / "office.medbill")
    assert key is not None
    st = open_store(data / "office.medbill", key)
    with st.session() as s:
        from app.models.staff import User
        from app.services.auth import actor_for

        dana = actor_for(s.query(User).filter_by(username="dana").one())
        got = [r.action for r in reversed(audit.search(s, dana))]
    assert got == ["office_set_up", "login", "logout", "login", "logout"]
    st.close()


def test_when_nothing_opens_the_store_a_backup_is_restored_under_a_new_key(
    qtbot, paths, modals
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.services import maintenance
    from app.ui.backup import RestoreDialog

    key = new_key()
    make_office(paths, key)
    st = open_store(paths.store, key)
    with st.session() as s:
        manager = _manager(s)
    backup = paths.backups / "friday.medbill-backup"
    maintenance.back_up_in_own_session(st, manager, backup, passphrase="off-site copy 2026")
    st.close()
    save_key_in_keyring(paths.store, key)
    data = bytearray(paths.store.read_bytes())
    data[100] ^= 0xFF  # the first page: nothing opens the store now
    paths.store.write_bytes(bytes(data))
    printed: list[str] = []

    def problem(d: KeyProblemDialog) -> None:
        assert "does not open the office store" in d.problem.text()
        click(d, "restoreBackup")

    def pick(d: RestoreDialog) -> None:
        assert d.passphrase.isVisible()  # no store key to try first
        type_into(d, "restoreFile", str(backup))
        type_into(d, "restorePassphrase", "off-site copy 2026")
        click(d, "openBackup")
        assert "Maple Street Family Medicine" in d.summary.text()
        assert "In the store now" not in d.summary.text()
        click(d, "restoreBackup")

    modals.expect(KeyProblemDialog, problem)
    modals.expect(RestoreDialog, pick)
    modals.answer("Put the backup friday.medbill-backup in place", QMessageBox.StandardButton.Yes)
    modals.expect(NewKeyDialog, confirm_new_key(printed))
    store = open_office_store(paths)
    modals.check()
    assert store is not None
    new = load_key_from_keyring(paths.store)
    assert new is not None and new != key and store.key == new
    assert printed == ["%PDF"]
    got = details(store, "store_restored")
    assert got["when"] == "at start-up, before anyone logged in"
    assert got["keyring_key"] == "does not open the store"
    kept = Path(got["replaced_store_kept_at"])
    assert kept.exists() and kept.parent == paths.backups
    store.close()
