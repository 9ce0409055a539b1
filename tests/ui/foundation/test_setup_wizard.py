"""First start: a person fills the set-up wizard with the keyboard only."""

from __future__ import annotations

import pdfplumber
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWizard
from sqlalchemy import select

from app.models.practice import Practice, Provider
from app.models.staff import Role, User
from app.services import audit
from app.store.engine import open_store
from app.store.keys import last_group, load_key_from_keyring, read_key_file
from app.ui.setup_wizard import SetupWizard
from tests.factories import NPI_OTHER, NPI_PRACTICE, NPI_PROVIDER
from tests.ui.foundation.modals import show_active

PRACTICE = [
    ("practice.name", "Maple Street Family Medicine"),
    ("practice.address1", "120 Maple Street"),
    ("practice.address2", "Suite 4"),
    ("practice.city", "Springfield"),
    ("practice.state", "IL"),
    ("practice.zip", "62701"),
    ("practice.phone", "(217) 555-0100"),
    ("practice.ein", "37-1234567"),
    ("practice.billing_npi", NPI_PRACTICE),
    ("practice.taxonomy", "207Q00000X"),
]


def focused() -> QLineEdit:
    w = QApplication.focusWidget()
    assert isinstance(w, QLineEdit), f"focus is on {w!r}"
    return w


def type_in_order(qtbot, fields: list[tuple[str, str]]) -> None:
    """Type each value, Tab to the next field (checking the focus follows the
    paper order); the focus stays in the last field, ready for Enter."""
    for i, (name, value) in enumerate(fields):
        w = focused()
        assert w.objectName() == name
        w.selectAll()
        qtbot.keyClicks(w, value)
        if i < len(fields) - 1:
            qtbot.keyClick(w, Qt.Key.Key_Tab)


def press_enter(qtbot) -> None:
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


def problem_text(wizard: SetupWizard, name: str) -> str:
    label = wizard.findChild(QLabel, name + "_problem")
    assert label is not None
    return label.text() if label.isVisible() else ""


def open_wizard(qtbot, paths) -> SetupWizard:
    w = SetupWizard(paths)
    qtbot.addWidget(w, before_close_func=lambda w: setattr(w, "confirm_cancel", False))
    show_active(qtbot, w)
    w.findChild(QLineEdit, "practice.name").setFocus()
    return w


def fill_practice(qtbot, w: SetupWizard) -> None:
    type_in_order(qtbot, PRACTICE)
    press_enter(qtbot)
    assert w.currentPage() is w.providers_page


def fill_provider_and_manager(qtbot, w: SetupWizard) -> None:
    w.findChild(QLineEdit, "provider.last_name").setFocus()
    type_in_order(
        qtbot,
        [
            ("provider.last_name", "Okafor"),
            ("provider.first_name", "Adaeze"),
            ("provider.middle_name", ""),
            ("provider.credentials", "MD"),
            ("provider.npi", NPI_PROVIDER),
        ],
    )
    press_enter(qtbot)
    assert w.currentPage() is w.manager_page
    w.findChild(QLineEdit, "manager.full_name").setFocus()
    type_in_order(
        qtbot,
        [
            ("manager.full_name", "Dana Whitfield"),
            ("manager.username", "dana"),
            ("manager.password", "maple-street-2026"),
            ("manager.password_again", "maple-street-2026"),
        ],
    )
    press_enter(qtbot)
    assert w.currentPage() is w.key_page


def test_every_practice_problem_is_shown_next_to_its_field(qtbot, paths) -> None:
    w = open_wizard(qtbot, paths)
    bad = dict(PRACTICE)
    bad["practice.ein"] = "12-345678"  # 8 digits
    bad["practice.billing_npi"] = "1234567890"  # fails the Luhn check
    bad["practice.state"] = "XX"
    type_in_order(qtbot, list(bad.items()))
    press_enter(qtbot)
    assert w.currentPage() is w.practice_page
    assert "must be 9 digits" in problem_text(w, "practice.ein")
    assert "check digit" in problem_text(w, "practice.billing_npi")
    assert "not a US state" in problem_text(w, "practice.state")
    assert problem_text(w, "practice.name") == ""
    summary = w.findChild(QLabel, "practice.summary")
    assert summary.isVisible() and "3 problems" in summary.text()
    assert not paths.store.exists()
    # Correcting the fields moves on.
    for name, value in [("practice.state", "IL"), ("practice.ein", "37-1234567")]:
        e = w.findChild(QLineEdit, name)
        e.clear()
        qtbot.keyClicks(e, value)
    e = w.findChild(QLineEdit, "practice.billing_npi")
    e.clear()
    qtbot.keyClicks(e, NPI_PRACTICE)
    press_enter(qtbot)
    assert w.currentPage() is w.providers_page


def test_wizard_sets_up_the_office_with_the_key_in_the_keyring(
    qtbot, paths, memory_keyring
) -> None:
    w = open_wizard(qtbot, paths)
    fill_practice(qtbot, w)
    # A second provider through "Add another provider".
    w.findChild(QLineEdit, "provider.last_name").setFocus()
    type_in_order(
        qtbot,
        [
            ("provider.last_name", "Brandt"),
            ("provider.first_name", "Lena"),
            ("provider.middle_name", ""),
            ("provider.credentials", "NP"),
            ("provider.npi", NPI_OTHER),
        ],
    )
    qtbot.mouseClick(w.providers_page.add_button, Qt.MouseButton.LeftButton)
    assert w.providers_page.list.count() == 1
    # The list sits under its buttons and label, not adrift in the page's spare room.
    page = w.providers_page
    below_buttons = page.list.y() - (page.add_button.y() + page.add_button.height())
    assert below_buttons <= page.added_label.sizeHint().height() + 20, below_buttons
    assert "Lena Brandt, NP" in w.providers_page.list.item(0).text()
    fill_provider_and_manager(qtbot, w)

    # Keys: the (test) keyring is secure, so it is the choice.
    assert w.key_page.keyring_radio.isChecked()
    note = w.key_page.keyring_note.text()
    assert note.startswith("Found this computer's keyring: MemoryKeyring.")
    assert "tests.memkeyring" not in note  # a name, not a module path
    press_enter(qtbot)
    assert w.currentPage() is w.recovery_page

    panel = w.recovery_page.panel
    finish = w.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    printed: list[str] = []

    def fake_print(_parent, pdf) -> bool:
        with pdfplumber.open(pdf) as doc:
            printed.append(doc.pages[0].extract_text())
        return True

    panel.print_pdf = fake_print
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    assert "Maple Street Family Medicine" in printed[0]
    for group in w.code.split("-"):
        assert group in printed[0]
    assert list(paths.temp.iterdir()) == []  # the print file is gone

    qtbot.keyClicks(panel.last_group, "WRONG")
    assert not finish.isEnabled()
    assert "not the last group" in panel.check_label.text()
    panel.last_group.clear()
    qtbot.keyClicks(panel.last_group, last_group(w.code).lower())
    assert finish.isEnabled()
    press_enter(qtbot)
    assert w.result() == QWizard.DialogCode.Accepted

    # What was stored.
    assert load_key_from_keyring(paths.store) == w.key
    assert not paths.key_file.exists()
    assert w.actor is not None and w.actor.username == "dana"
    assert w.store is not None
    w.store.close()
    st = open_store(paths.store, w.key)
    with st.session() as s:
        p = s.get(Practice, 1)
        assert (p.name, p.ein, p.phone, p.billing_npi) == (
            "Maple Street Family Medicine",
            "371234567",
            "2175550100",
            NPI_PRACTICE,
        )
        assert sorted(x.npi for x in s.scalars(select(Provider))) == sorted(
            [NPI_PROVIDER, NPI_OTHER]
        )
        u = s.scalars(select(User)).one()
        assert (u.username, u.role, u.must_change_password) == ("dana", Role.MANAGER, False)
        rows = audit.search(s, w.actor)
        assert [r.action for r in rows] == ["login", "office_set_up"]
        assert rows[1].details["key_kept_in"] == "keyring"
        assert rows[1].details["recovery_key_printed"] is True
        assert audit.verify(s).ok
    st.close()


def test_without_a_secure_keyring_the_office_passphrase_wraps_the_key(
    qtbot, paths, monkeypatch
) -> None:
    monkeypatch.setattr("app.ui.setup_wizard.secure_keyring_available", lambda: False)
    monkeypatch.setattr("app.services.maintenance.secure_keyring_available", lambda: False)
    w = open_wizard(qtbot, paths)
    fill_practice(qtbot, w)
    fill_provider_and_manager(qtbot, w)
    assert not w.key_page.keyring_radio.isEnabled()
    assert w.key_page.passphrase_radio.isChecked()
    assert "no secure keyring" in w.key_page.keyring_note.text()
    assert focused().objectName() == "key.passphrase"  # typing goes there at once
    type_in_order(qtbot, [("key.passphrase", "too short"), ("key.passphrase_again", "too short")])
    press_enter(qtbot)
    assert w.currentPage() is w.key_page
    assert "at least 12" in problem_text(w, "key.passphrase")
    for name in ("key.passphrase", "key.passphrase_again"):
        e = w.findChild(QLineEdit, name)
        e.clear()
        qtbot.keyClicks(e, "blue heron at dawn")
    press_enter(qtbot)
    assert w.currentPage() is w.recovery_page
    qtbot.keyClicks(w.recovery_page.panel.last_group, last_group(w.code))
    press_enter(qtbot)
    assert w.result() == QWizard.DialogCode.Accepted
    assert w.store is not None
    w.store.close()
    assert paths.key_file.exists()
    assert read_key_file(paths.key_file, "blue heron at dawn") == w.key
    assert load_key_from_keyring(paths.store) is None


def test_escape_asks_before_throwing_away_what_was_typed(qtbot, paths, modals) -> None:
    from PySide6.QtWidgets import QMessageBox

    w = open_wizard(qtbot, paths)
    name = focused()
    qtbot.keyClicks(name, "Maple")
    modals.answer("Stop setting up", QMessageBox.StandardButton.No)
    qtbot.keyClick(name, Qt.Key.Key_Escape)
    modals.check()
    assert w.isVisible() and name.text() == "Maple"
    modals.start()
    modals.answer("Stop setting up", QMessageBox.StandardButton.Yes)
    qtbot.keyClick(name, Qt.Key.Key_Escape)
    modals.check()
    assert w.result() == QWizard.DialogCode.Rejected
    assert not paths.store.exists()


def test_each_page_opens_with_the_keyboard_in_its_first_field(qtbot, paths, memory_keyring) -> None:
    """A person who only types: every page's typing lands in its first field,
    the recovery key's typed-back group included (not on its Print button)."""
    w = open_wizard(qtbot, paths)
    fill_practice(qtbot, w)
    assert focused().objectName() == "provider.last_name"
    fill_provider_and_manager(qtbot, w)
    press_enter(qtbot)
    assert w.currentPage() is w.recovery_page
    box = focused()
    assert box is w.recovery_page.panel.last_group
    qtbot.keyClicks(box, last_group(w.code))
    assert w.button(QWizard.WizardButton.FinishButton).isEnabled()
    press_enter(qtbot)
    assert w.result() == QWizard.DialogCode.Accepted
    assert w.store is not None
    w.store.close()
