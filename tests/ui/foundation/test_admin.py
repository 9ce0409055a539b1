"""Admin: staff accounts, office settings and providers, the audit log."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

from app.errors import PermissionDenied
from app.models.practice import Practice, Provider
from app.models.staff import Role, User
from app.services import audit, auth, settings
from app.ui.admin import AdminPage
from app.ui.admin.staff import AddUserDialog, ChangeRoleDialog, ResetPasswordDialog
from app.ui.context import UiContext
from app.ui.login import ChangePasswordDialog, LoginDialog
from tests import factories
from tests.factories import NPI_OTHER, PASSWORD
from tests.ui.foundation.modals import Modals, show_active


@pytest.fixture
def admin(qtbot, office, paths) -> AdminPage:
    ctx = UiContext(office.store, paths, office.manager)
    page = AdminPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def rows(office, **filters):
    with office.store.session() as s:
        return audit.search(s, office.manager, **filters)


def user(office, username: str) -> User:
    with office.store.session() as s:
        return s.query(User).filter_by(username=username).one()


def table_texts(view, column: int) -> list[str]:
    m = view.model()
    return [m.index(r, column).data() for r in range(m.rowCount())]


def fill(w, values: dict[str, str]) -> None:
    for name, value in values.items():
        e = w.findChild(QLineEdit, name)
        assert e is not None, name
        e.clear()
        e.insert(value)


def problem(w, name: str) -> str:
    label = w.findChild(QLabel, name + "_problem")
    return label.text() if label is not None and not label.isHidden() else ""


def select_user_row(admin: AdminPage, username: str) -> None:
    names = table_texts(admin.staff.table, 0)
    admin.staff.table.selectRow(names.index(username))


def test_add_an_account_and_the_new_person_chooses_a_password(
    qtbot, office, admin, modals: Modals
) -> None:
    seen = {}

    def add(d: AddUserDialog) -> None:
        fill(d, {"full_name": "Lee Park", "username": "lee", "password": "short"})
        d.role.setCurrentIndex(d.role.findText("Biller"))
        qtbot.keyClick(d.findChild(QLineEdit, "password_again"), Qt.Key.Key_Return)
        seen["problems"] = (problem(d, "password"), problem(d, "password_again"))
        fill(d, {"password": "temporary-pass-1", "password_again": "temporary-pass-1"})
        qtbot.keyClick(d.findChild(QLineEdit, "password_again"), Qt.Key.Key_Return)

    modals.expect(AddUserDialog, add)
    qtbot.mouseClick(admin.staff.add_button, Qt.MouseButton.LeftButton)
    modals.check()
    assert "at least 10 characters" in seen["problems"][0]
    assert "not the same" in seen["problems"][1]
    assert "lee" in table_texts(admin.staff.table, 0)
    assert admin.staff.selected().username == "lee"
    assert admin.staff.selected().status == "Must change password"
    lee = user(office, "lee")
    assert (lee.full_name, lee.role, lee.must_change_password) == ("Lee Park", Role.BILLER, True)
    assert rows(office, action="user_added")[0].details == {"username": "lee", "role": "biller"}

    # Lee's first log-in asks for a password of Lee's own.
    def choose(d: ChangePasswordDialog) -> None:
        fill(d, {"newPassword": "lees-own-password", "newPasswordAgain": "lees-own-password"})
        qtbot.keyClick(d.again, Qt.Key.Key_Return)

    login = LoginDialog(office.store, "Maple Street")
    qtbot.addWidget(login)
    fill(login, {"username": "lee", "password": "temporary-pass-1"})
    modals.start()
    modals.expect(ChangePasswordDialog, choose)
    login.try_login()
    modals.check()
    assert login.actor is not None and login.actor.username == "lee"
    assert not user(office, "lee").must_change_password
    with office.store.session() as s, s.begin():
        assert isinstance(auth.login(s, "lee", "lees-own-password"), auth.Actor)
    assert [r.action for r in rows(office, username="lee")] == [
        "login",
        "password_changed",
        "login",
    ]


def last_logins(admin: AdminPage) -> dict[str, str]:
    names, last = table_texts(admin.staff.table, 0), table_texts(admin.staff.table, 3)
    return dict(zip(names, last, strict=True))


def test_staff_list_shows_when_each_person_last_logged_in(qtbot, office, admin) -> None:
    """The manager spots accounts nobody uses (to disable them)."""
    header = admin.staff.table.model().headerData(3, Qt.Orientation.Horizontal)
    assert header == "Last log-in"
    last = last_logins(admin)
    assert last["biller"] == "never"
    with office.store.session() as s, s.begin():
        assert isinstance(auth.login(s, "biller", PASSWORD), auth.Actor)
    at = user(office, "biller").last_login_at
    assert at is not None
    admin.staff.reload()
    last = last_logins(admin)
    assert last["biller"] == at.astimezone().strftime("%m/%d/%Y %H:%M")
    # On one line: the column is as wide as the date and time.
    table = admin.staff.table
    shown = table.fontMetrics().horizontalAdvance(last["biller"])
    assert table.columnWidth(3) > shown
    assert last["reception"] == "never"


def test_disable_enable_change_role_and_reset(qtbot, office, admin, modals: Modals) -> None:
    select_user_row(admin, "reception")
    assert admin.staff.active_button.text() == "&Disable"
    modals.answer("Disable the account of", QMessageBox.StandardButton.Yes)
    admin.staff.active_button.click()
    modals.check()
    assert not user(office, "reception").active
    assert admin.staff.selected().status == "Disabled"
    assert admin.staff.active_button.text() == "&Enable"
    with office.store.session() as s, s.begin():
        refused = auth.login(s, "reception", PASSWORD)
    assert isinstance(refused, auth.LoginRefused)
    admin.staff.active_button.click()  # enable: no question
    assert user(office, "reception").active

    def to_biller(d: ChangeRoleDialog) -> None:
        d.role.setCurrentIndex(d.role.findText("Biller"))
        d.save()

    modals.start()
    modals.expect(ChangeRoleDialog, to_biller)
    admin.staff.role_button.click()
    modals.check()
    assert user(office, "reception").role is Role.BILLER
    assert rows(office, action="user_role_changed")[0].details == {
        "username": "reception",
        "old": "receptionist",
        "new": "biller",
    }

    def reset(d: ResetPasswordDialog) -> None:
        fill(d, {"password": "temporary-pass-2", "password_again": "temporary-pass-2"})
        d.save()

    modals.start()
    modals.expect(ResetPasswordDialog, reset)
    admin.staff.reset_button.click()
    modals.check()
    u = user(office, "reception")
    assert u.must_change_password and u.failed_logins == 0
    assert [r.action for r in rows(office)][:5] == [
        "password_reset",
        "user_role_changed",
        "user_enabled",
        "login_failed",
        "user_disabled",
    ]


def test_the_last_manager_and_yourself_cannot_be_disabled(
    qtbot, office, admin, modals: Modals
) -> None:
    select_user_row(admin, "manager")
    modals.answer("Disable the account of", QMessageBox.StandardButton.Yes)
    modals.ok("You cannot disable your own account.")
    admin.staff.active_button.click()
    modals.check()
    assert user(office, "manager").active


def test_office_settings_change_the_idle_lock(qtbot, office, admin) -> None:
    show_active(qtbot, admin)
    admin.setCurrentWidget(admin.office)
    page = admin.office
    assert page.idle.value() == 10
    # Keyboard: Alt+L to the field, type the minutes, Enter saves.
    qtbot.keyClick(admin, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page.idle
    qtbot.keyClick(page.idle, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(page.idle, "1")
    assert page.idle.text() == "1 minute"
    qtbot.keyClicks(page.idle, "5")
    assert page.settings_saved.text() == ""
    qtbot.keyClick(page.idle, Qt.Key.Key_Return)
    assert page.settings_saved.text() == "Saved."  # the person sees it happened
    with office.store.session() as s:
        assert settings.get(s, "idle_lock_minutes") == 15
        assert settings.get(s, "verification_window_days") == 30
    changed = rows(office, action="setting_changed")
    assert len(changed) == 1 and changed[0].details == {"old": 10, "new": 15}
    assert changed[0].entity_id == "idle_lock_minutes"
    page.idle.setValue(20)  # changed again, not saved yet: no "Saved."
    assert page.settings_saved.text() == ""


def test_practice_details_are_checked_and_saved(qtbot, office, admin) -> None:
    page = admin.office
    assert page.practice.text("name") == "Maple Street Family Medicine"
    assert page.practice.text("phone") == "(217) 555-0100"
    assert page.practice.text("ein") == "37-1234567"  # as typed and on the IRS letter
    fill(page, {"practice.billing_npi": "1234567890", "practice.city": "Chatham"})
    page.save_practice_button.click()
    assert "check digit" in problem(page, "practice.billing_npi")
    with office.store.session() as s:
        assert s.get(Practice, 1).city == "Springfield"
    fill(page, {"practice.billing_npi": factories.NPI_PRACTICE})
    qtbot.keyClick(page.findChild(QLineEdit, "practice.billing_npi"), Qt.Key.Key_Return)
    assert problem(page, "practice.billing_npi") == ""
    assert page.practice_saved.text() == "Saved."
    with office.store.session() as s:
        assert s.get(Practice, 1).city == "Chatham"
        assert s.get(Practice, 1).ein == "371234567"  # stored as digits
    assert rows(office, action="practice_changed")[0].details == {
        "city": ["Springfield", "Chatham"]
    }


def test_a_claim_check_sends_the_person_to_fix_a_provider_npi(qtbot, office, admin) -> None:
    show_active(qtbot, admin)
    admin.setCurrentWidget(admin.staff)
    assert admin.open_record("provider", office.provider_id)
    page = admin.office
    assert admin.currentWidget() is page
    npi = page.findChild(QLineEdit, "provider.npi")
    assert QApplication.focusWidget() is npi
    assert npi.text() == factories.NPI_PROVIDER and npi.selectedText() == npi.text()
    fill(page, {"provider.npi": "1245319590"})  # a typo: fails the check digit
    page.save_provider_button.click()
    assert "check digit" in problem(page, "provider.npi")
    fill(page, {"provider.npi": NPI_OTHER})
    qtbot.keyClick(npi, Qt.Key.Key_Return)
    assert page.provider_saved.text() == "Saved."
    with office.store.session() as s:
        assert s.get(Provider, office.provider_id).npi == NPI_OTHER
    assert rows(office, action="provider_changed")[0].details == {
        "npi": [factories.NPI_PROVIDER, NPI_OTHER]
    }
    # Deactivate: still listed, marked.
    page.active.setChecked(False)
    page.save_provider_button.click()
    assert table_texts(page.table, 3) == ["No"]
    # A new provider.
    page.new_button.click()
    fill(
        page,
        {
            "provider.last_name": "Brandt",
            "provider.first_name": "Lena",
            "provider.npi": "1679576722",
        },
    )
    page.save_provider_button.click()
    assert "already exists" in problem(page, "provider.npi")
    fill(page, {"provider.npi": factories.NPI_PROVIDER})
    page.save_provider_button.click()
    assert sorted(table_texts(page.table, 1)) == sorted([NPI_OTHER, factories.NPI_PROVIDER])


def test_open_record_user_selects_the_account(qtbot, office, admin) -> None:
    assert admin.open_record("user", office.biller.user_id)
    assert admin.staff.selected().username == "biller"
    assert not admin.open_record("user", 9999)


def test_the_audit_log_shows_what_happened_since_it_was_last_shown(qtbot, office, admin) -> None:
    page = admin.audit
    admin.setCurrentWidget(page)
    before = len(page.table.rows)
    admin.setCurrentWidget(admin.staff)
    with office.store.session() as s, s.begin():
        auth.login(s, "biller", "a wrong password")
    admin.setCurrentWidget(page)  # back to the log: the failed log-in is there
    assert len(page.table.rows) == before + 1
    assert table_texts(page.table, 3)[0] == "login failed"
    assert page.status.text() == f"{before + 1} row{'s' if before else ''}"


def make_history(office):
    """Log-ins, a setting change and views of two patients' records."""
    with office.store.unit_of_work() as s:
        smith = factories.patient(s, "Smith", "John")
        # As registration stores names: upper case, accents removed.
        nunez = factories.patient(s, "Núñez", "Ana", search_last="NUNEZ", search_first="ANA")
        auth.login(s, "biller", PASSWORD)
        audit.record(
            s,
            office.biller,
            "patient_viewed",
            entity="patient",
            entity_id=smith.id,
            patient_id=smith.id,
        )
        audit.record(
            s,
            office.receptionist,
            "patient_changed",
            entity="patient",
            entity_id=nunez.id,
            patient_id=nunez.id,
            details={"phone_home": ["2175550101", "2175550199"]},
        )
        settings.put(s, office.manager, "verification_window_days", 45)
        return smith.account_no, nunez.account_no


def test_audit_log_filters_details_and_verify(qtbot, office, admin) -> None:
    smith_acct, nunez_acct = make_history(office)
    page = admin.audit
    admin.setCurrentWidget(page)
    assert page.loaded
    actions = table_texts(page.table, 3)
    assert actions == ["setting changed", "patient changed", "patient viewed", "login"]
    # Details of the selected (newest) row: old and new values.
    assert "verification_window_days" in page.details.toPlainText()
    assert "30" in page.details.toPlainText() and "45" in page.details.toPlainText()

    page.user.setCurrentIndex(page.user.findText("biller"))
    page.search_button.click()
    assert table_texts(page.table, 3) == ["patient viewed", "login"]

    page.user.setCurrentIndex(0)
    page.patient.insert("nunez")
    qtbot.keyClick(page.patient, Qt.Key.Key_Return)
    assert table_texts(page.table, 3) == ["patient changed"]
    assert table_texts(page.table, 5) == [f"Núñez, Ana ({nunez_acct})"]
    text = page.details.toPlainText()
    assert "phone_home" in text and "2175550101" in text and "2175550199" in text
    page.patient.clear()
    page.patient.insert(smith_acct)
    page.search_button.click()
    assert table_texts(page.table, 3) == ["patient viewed"]
    # Searching by patient is itself recorded.
    assert [r.details["patient"] for r in rows(office, action="audit_searched")] == [
        smith_acct,
        "nunez",
    ]
    page.patient.clear()
    page.action.setCurrentIndex(page.action.findText("login"))
    page.search_button.click()
    assert table_texts(page.table, 2) == ["biller"]

    page.verify_button.click()
    assert page.chain.text().startswith("Chain verified: All")


def test_verify_chain_points_at_an_edited_row(qtbot, office, admin) -> None:
    make_history(office)
    with office.store.engine.begin() as c:
        c.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        c.exec_driver_sql("UPDATE audit_event SET username = 'nobody' WHERE id = 2")
    page = admin.audit
    admin.setCurrentWidget(page)
    page.verify_button.click()
    assert "tampered" in page.chain.text()
    assert "First broken link: row 2" in page.chain.text()
    assert page.selected().id == 2
    assert page.selected().username == "nobody"


def test_ctrl_6_puts_the_keyboard_in_the_staff_list(qtbot, office, paths) -> None:
    """From the keyboard alone: Ctrl+6, arrows to a person, then Alt+R, Alt+D or
    Alt+P act on them (before, the keyboard stayed in the list of areas and no
    row was selected, so those buttons were disabled)."""
    from app.ui.main_window import MainWindow

    w = MainWindow(UiContext(office.store, paths, office.manager), "Maple Street")
    qtbot.addWidget(w)
    show_active(qtbot, w)
    qtbot.keyClick(w, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    admin = w.open_area("admin")
    assert isinstance(admin, AdminPage)
    assert QApplication.focusWidget() is admin.staff.table
    assert admin.staff.selected() is not None and admin.staff.reset_button.isEnabled()
    names = table_texts(admin.staff.table, 0)
    qtbot.keyClick(admin.staff.table, Qt.Key.Key_Down)
    assert admin.staff.selected().username == names[1]


def test_the_admin_area_is_the_managers(qtbot, office, paths) -> None:
    from app.ui.main_window import MainWindow

    w = MainWindow(UiContext(office.store, paths, office.biller), "Maple Street")
    qtbot.addWidget(w)
    assert w.open_area("admin") is None
    assert not w.act_backup.isEnabled() and not w.act_restore.isEnabled()
    with pytest.raises(PermissionDenied, match="may not"), office.store.session() as s:
        audit.search(s, office.biller)
