"""Start-up probes for benchmarks and packaging checks (hidden options).

``--exit-when-shown``: run the normal start-up and, as soon as its first
window (the log-in window, or a message) is shown, print one line naming it
and close it, so the program ends the way it ends when a person presses Esc.
``bench/bench_startup.py`` times this.

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

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

_T0 = time.perf_counter()


class _ExitWhenShown(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(obj, QWidget)
            and obj.isWindow()
            and not getattr(self, "_done", False)
            and (isinstance(obj, QDialog) or obj.inherits("QMainWindow"))
        ):
            self._done = True
            name = obj.objectName() or type(obj).__name__
            ms = (time.perf_counter() - _T0) * 1000
            print(f"medbill-shown {name} {ms:.0f} ms", flush=True)
            QTimer.singleShot(0, obj.reject if isinstance(obj, QDialog) else obj.close)
        return False


def install_exit_when_shown() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    flt = _ExitWhenShown(app)
    app.installEventFilter(flt)
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
