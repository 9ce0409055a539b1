"""Start-up probes for benchmarks and packaging checks (hidden options).

``--exit-when-shown``: run the normal start-up and, as soon as its first
window (the log-in window, or another dialog) is shown, print one line
naming it and close it, so the program ends the way it ends when a person
presses Esc. ``bench/bench_startup.py`` times this. For the log-in window
the probe types a letter as soon as the window is shown: once the
application's focus widget is the user name field (the window is active and
its event loop runs), it sends the letter there as typed text (an input
method's commit: a key event would need PySide6's ``Qt`` namespace, 12-15 ms
the program itself does not spend) and prints when the letter is in the field:

    medbill-shown LoginDialog 142 ms typed

then, once "Log in" is enabled (the store open and checked behind the
window), how long that took and the longest the window went without
handling its events meanwhile (a 10 ms timer's longest late tick):

    medbill-ready LoginDialog 790 ms paused 21 ms

``--self-check``: what a packaged build needs to prove it works, without a
person: a throwaway encrypted store migrated to every head and filled with a
small synthetic office, its integrity check, an encrypted backup opened
again, the ICD-10-CM data, a PDF drawn with reportlab, and the real log-in
window shown (offscreen where there is no display). Prints one line per step.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton, QWidget

_T0 = time.perf_counter()
TICK_MS = 10


def _ms() -> float:
    return (time.perf_counter() - _T0) * 1000


class _ExitWhenShown(QObject):
    """Looks for the first window at each turn of the event loop (no
    application-wide event filter: one would run Python for every event of
    building the window and slow down what it measures)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.window: QWidget | None = None
        self.typed = False
        self.ready = False
        self._last_tick = 0.0
        self.longest_pause = 0.0
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)

    def look(self) -> None:
        """The first visible dialog or main window, once the event loop runs."""
        shown = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and (isinstance(w, QDialog) or w.inherits("QMainWindow"))
        ]
        if not shown:
            QTimer.singleShot(1, self.look)
            return
        w = QApplication.activeModalWidget() or shown[0]
        self.window = w
        if w.objectName() == "LoginDialog":
            self._type_into(w)
        else:
            print(f"medbill-shown {self._name(w)} {_ms():.0f} ms", flush=True)
            self._close()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Only on the log-in button, once the letter is typed.
        if (
            event.type() == QEvent.Type.EnabledChange
            and isinstance(obj, QPushButton)
            and obj.isEnabled()
        ):
            self._ready()
        return False

    @staticmethod
    def _name(w: QWidget) -> str:
        return w.objectName() or type(w).__name__

    def _type_into(self, dlg: QWidget) -> None:
        """Type a letter the moment the user name field has the keyboard; it
        counts when the letter is in the field."""
        name = dlg.findChild(QLineEdit, "username")
        button = dlg.findChild(QPushButton, "loginButton")
        assert name is not None and button is not None

        def landed(text: str) -> None:
            if self.typed or text != "x":
                return
            self.typed = True
            print(f"medbill-shown {self._name(dlg)} {_ms():.0f} ms typed", flush=True)
            if button.isEnabled():
                self._ready()
            else:
                button.installEventFilter(self)
                self._last_tick = time.perf_counter()
                self._ticker.start()

        def type_when_focused() -> None:
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            if app.focusWidget() is not name:
                QTimer.singleShot(1, type_when_focused)
                return
            letter = QInputMethodEvent()
            letter.setCommitString("x")
            QCoreApplication.postEvent(name, letter)

        name.textChanged.connect(landed)
        type_when_focused()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest_pause = max(self.longest_pause, (now - self._last_tick) * 1000 - TICK_MS)
        self._last_tick = now

    def _ready(self) -> None:
        if self.ready or self.window is None:
            return
        self.ready = True
        self._ticker.stop()
        print(
            f"medbill-ready {self._name(self.window)} {_ms():.0f} ms "
            f"paused {max(0.0, self.longest_pause):.0f} ms",
            flush=True,
        )
        self._close()

    def _close(self) -> None:
        w = self.window
        if w is not None:
            QTimer.singleShot(0, w.reject if isinstance(w, QDialog) else w.close)


def install_exit_when_shown() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    probe = _ExitWhenShown(app)
    QTimer.singleShot(0, probe.look)
    return app


def self_check() -> int:
    """Run the packaged-build checks; 0 when every step passed."""
    from app.config import Paths, private_temp_file
    from app.demo import OfficeSize, build_office
    from app.services import office
    from app.store.backup import make_backup, open_backup_counts
    from app.store.engine import check_integrity, key_pragma, open_store, script_heads
    from app.store.keys import new_key

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="medbill-selfcheck-") as d:
        paths = Paths(Path(d))
        key = new_key()
        store = open_store(paths.store, key, create=True)
        try:
            with store.engine.connect() as c:
                heads = {r[0] for r in c.exec_driver_sql("SELECT version_num FROM alembic_version")}
            assert heads == script_heads(), heads
            print(f"store: created, migrated to {', '.join(sorted(heads))}", flush=True)
            with store.unit_of_work() as s:
                build_office(s, OfficeSize(patients=40, years=1, visits_per_year=150))
            check_integrity(store)
            counts = store.table_counts()
            print(f"store: demo office written, {counts['patient']} patients, integrity ok")
            result = make_backup(
                store.engine, paths.backups / "check.medbill-backup", store_key=key
            )
            assert open_backup_counts(result.path, key_pragma(key)) == result.counts
            print(f"backup: written and verified, {result.rows} rows")
            print(f"sqlcipher: {store.sqlcipher_version()}")

            import simple_icd_10_cm as icd

            assert icd.is_valid_item("E11.9")
            print(f"icd-10-cm: E11.9 {icd.get_description('E11.9')}")

            from reportlab.lib.pagesizes import letter
            from reportlab.pdfgen.canvas import Canvas

            pdf = private_temp_file(paths, ".pdf")
            canvas = Canvas(str(pdf), pagesize=letter)
            canvas.setFont("Courier", 12)
            canvas.drawString(72, 720, "MedBill Desk self-check")
            canvas.save()
            assert pdf.read_bytes().startswith(b"%PDF")
            print(f"reportlab: PDF of {pdf.stat().st_size} bytes")
            pdf.unlink()

            from datetime import date, timedelta

            from sqlalchemy import select

            from app.models.staff import User
            from app.services import month_export
            from app.services.auth import actor_for

            month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
            with store.unit_of_work() as s:
                manager = actor_for(
                    s.execute(select(User).where(User.username == "manager")).scalar_one()
                )
                for fmt in ("pdf", "xlsx"):
                    out = month_export.export_month(s, manager, month, fmt, paths.temp)
                    assert all(f.stat().st_size > 1000 for f in out.files), out.files
                    for f in out.files:
                        f.unlink()
            print(f"reports: {month} monthly totals saved as PDF and XLSX")

            from app.services import fee_schedule

            with store.unit_of_work() as s:
                starter = fee_schedule.load_starter(s, manager)
            print(
                f"resources: starter fee schedule read, {starter.added} codes added "
                f"({starter.skipped_bad} unreadable)"
            )
            assert starter.skipped_bad == 0

            from app.ui.login import LoginDialog

            with store.read_session() as s:
                practice = office.practice(s).name
            dlg = LoginDialog(store, practice)
            dlg.show()
            app.processEvents()
            assert dlg.isVisible()
            print(f"qt: log-in window shown on '{app.platformName()}' for {practice}")
            dlg.close()
        finally:
            store.close()
    print("self-check passed", flush=True)
    return 0
