"""Screenshots of the foundation: set-up wizard, recovery key, log-in, main
window, lock screen, staff accounts, audit log. Run under Xvfb
(``make screenshots``); writes docs/screenshots/foundation-*.png."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import shots
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from sqlalchemy import select

from app.config import Paths, private_temp_dir
from app.models.patient import Patient
from app.services import audit, auth, maintenance, settings, users
from app.services.office import NewUserInput
from app.store.engine import Store
from app.ui.admin import AdminPage
from app.ui.login import DEMO_PROMPT, LoginDialog
from app.ui.setup_wizard import SetupWizard
from app.ui.startup import OfficeSession


def type_into(w: QWidget, values: dict[str, str]) -> None:
    for name, text in values.items():
        e = w.findChild(QLineEdit, name)
        assert e is not None, name
        e.setText(text)


def grab_screen_around(w: QWidget, name: str, margin: int = 0) -> None:
    """The screen under a window, with every window on top of it (the lock
    prompt is its own window)."""
    shots.settle(300)
    g = w.frameGeometry()
    screen = QApplication.primaryScreen()
    pix = screen.grabWindow(
        0, g.x() - margin, g.y() - margin, g.width() + 2 * margin, g.height() + 2 * margin
    )
    shots.OUT.mkdir(parents=True, exist_ok=True)
    path = shots.OUT / f"{name}.png"
    pix.save(str(path))
    print(f"saved {path}")


def wizard_shots(paths: Paths) -> None:
    w = SetupWizard(paths)
    w.confirm_cancel = False
    w.resize(760, 680)
    w.move(40, 40)
    w.show()
    type_into(
        w,
        {
            "practice.name": "Maple Street Family Medicine",
            "practice.address1": "120 Maple Street",
            "practice.address2": "Suite 4",
            "practice.city": "Springfield",
            "practice.state": "IL",
            "practice.zip": "62701",
            "practice.phone": "(217) 555-0100",
            "practice.ein": "37-123456",
            "practice.billing_npi": "1234567890",
            "practice.taxonomy": "207Q00000X",
        },
    )
    w.next()  # refused: the two problems show next to their fields
    shots.save(w, "foundation-wizard-practice")
    type_into(w, {"practice.ein": "37-1234567", "practice.billing_npi": "1234567893"})
    w.next()
    type_into(
        w,
        {
            "provider.last_name": "Okafor",
            "provider.first_name": "Adaeze",
            "provider.credentials": "MD",
            "provider.npi": "1245319599",
        },
    )
    w.next()
    type_into(
        w,
        {
            "manager.full_name": "Dana Whitfield",
            "manager.username": "dana",
            "manager.password": "maple-street-2026",
            "manager.password_again": "maple-street-2026",
        },
    )
    w.next()
    type_into(
        w, {"key.passphrase": "blue heron at dawn", "key.passphrase_again": "blue heron at dawn"}
    )
    w.next()
    last = w.code.split("-")[-1]
    w.recovery_page.panel.last_group.setText(last)
    w.recovery_page.panel.sheet_status.setText("Sent to the printer.")
    shots.save(w, "foundation-recovery-key")
    w.done(0)


def audit_history(store: Store) -> None:
    """A morning at the desk, as the audit log records it."""
    with store.unit_of_work() as s:
        manager = auth.login(s, "manager", "demo-password")
        biller = auth.login(s, "biller", "demo-password")
        assert isinstance(manager, auth.Actor) and isinstance(biller, auth.Actor)
        auth.login(s, "reception", "wrong password")
        reception = auth.login(s, "reception", "demo-password")
        assert isinstance(reception, auth.Actor)
        pats = list(s.execute(select(Patient).order_by(Patient.id).limit(3)).scalars())
        for p in pats:
            audit.record(
                s, reception, "patient_viewed", entity="patient", entity_id=p.id, patient_id=p.id
            )
        audit.record(
            s,
            reception,
            "patient_changed",
            entity="patient",
            entity_id=pats[0].id,
            patient_id=pats[0].id,
            details={"phone_mobile": ["", "2175550142"], "zip": ["62701", "62704"]},
        )
        users.record_lock(s, biller, "idle")
        users.add_user(
            s,
            manager,
            NewUserInput(
                "lee", "Lee Park", users.Role.BILLER, "temporary-pass-1", "temporary-pass-1"
            ),
        )
        settings.put(s, manager, "idle_lock_minutes", 15)


def main() -> int:
    app = shots.app()
    store, paths = shots.demo_store(300)
    private_temp_dir(paths)
    audit_history(store)
    maintenance.back_up_in_own_session(
        store, _actor(store, "manager"), paths.backups / "friday.medbill-backup"
    )

    wizard_shots(Paths(paths.data_dir / "wizard"))

    login = LoginDialog(store, "Maple Street Family Medicine", prompt=DEMO_PROMPT)
    login.move(60, 60)
    login.show()
    login.username.setText("manager")
    login.password.setFocus()
    shots.save(login, "foundation-login")
    login.done(0)

    session = OfficeSession(
        store, paths, _actor(store, "manager"), "Maple Street Family Medicine", demo=True
    )
    win = session.window
    win.resize(1400, 860)
    win.move(0, 0)
    session.start()
    shots.settle(300)
    shots.save(win, "foundation-main-window")

    admin = win.open_area("admin")
    assert isinstance(admin, AdminPage)
    admin.setCurrentWidget(admin.staff)
    admin.staff.select_user(_actor(store, "lee").user_id)
    shots.save(win, "foundation-admin-users")

    admin.setCurrentWidget(admin.audit)
    admin.audit.search()
    admin.audit.table.resizeColumnsToContents()
    for i, r in enumerate(admin.audit.table.rows):
        if r.action == "patient_changed":
            admin.audit.table.selectRow(i)
    admin.audit.verify()
    shots.save(win, "foundation-audit-log")

    win.open_area("frontdesk")
    session.lock.lock("idle")
    grab_screen_around(win, "foundation-lock")
    session.lock.locked = False
    session.finish("quit")
    store.close()
    del app
    return 0


def _actor(store: Store, username: str) -> auth.Actor:
    return shots.actor(store, username)


if __name__ == "__main__":
    sys.exit(main())
