"""The aging runs off the GUI thread with a busy bar; the screen stays live
while it computes, and shows the same totals as the ledger."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from PySide6.QtCore import QTimer

from app.config import Paths
from app.money import money
from app.services import aging, ledger
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.payments import background
from tests import factories
from tests import factories_money as fm


def test_aging_computes_in_its_own_thread_while_the_screen_stays_live(
    qtbot, office, tmp_path, monkeypatch
) -> None:
    with office.store.unit_of_work() as s:
        payer = factories.payer(s, "Prairie Health Plan")
        ana = factories.patient(s, "Rivera", "Ana")
        pol = factories.policy(s, ana, payer)
        fm.visit(
            s,
            ana,
            office.provider_id,
            date.today() - timedelta(days=45),
            [("99213", "115.00")],
            pol,
        )
        bao = factories.patient(s, "Nguyen", "Bao")
        fm.visit(
            s, bao, office.provider_id, date.today() - timedelta(days=100), [("36415", "15.00")]
        )
    ran_in = []
    real = aging.aging

    def slow(s, actor, as_of, basis=aging.Basis.SERVICE):
        ran_in.append(threading.get_ident())
        time.sleep(0.4)  # ten years of ledger take about this long
        return real(s, actor, as_of, basis)

    monkeypatch.setattr(aging, "aging", slow)
    ctx = UiContext(office.store, Paths(tmp_path), office.biller)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    page = w.open_area("payments")
    ag = page.aging
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(ag.busy.isVisibleTo(ag)))
    timer.start(20)
    with qtbot.waitSignal(ag.computed, timeout=10000):
        ag.run_btn.click()
        assert ag.busy.isVisibleTo(ag) and not ag.run_btn.isEnabled()
        assert ag.totals.text().startswith("Computing the aging as of")
        ag.run()  # a second press while it computes does nothing
    timer.stop()
    assert ran_in and ran_in[0] != threading.get_ident()
    assert len(ran_in) == 1
    assert sum(ticks) >= 5  # the GUI thread kept running while it computed
    assert not ag.busy.isVisibleTo(ag) and ag.run_btn.isEnabled()
    assert "Total A/R 130.00" in ag.totals.text()
    rows = {r.name: r.total for r in ag.payers.rows()}
    assert rows == {"Prairie Health Plan": money("115.00"), "All payers": money("115.00")}
    assert ag.patients.rows()[0].buckets[3] == money("15.00")  # 91-120 days
    with office.store.session() as s:
        assert ledger.payer_balance(s, payer.id) == money("115.00")
    assert background.running() == []


def test_a_failure_in_the_background_is_shown_not_raised(qtbot, office, tmp_path) -> None:
    ctx = UiContext(office.store, Paths(tmp_path), office.receptionist)  # no A/R permission
    from app.ui.payments.ar_pages import AgingPage

    ag = AgingPage(ctx)
    qtbot.addWidget(ag)
    with qtbot.waitSignal(ag.computed, timeout=10000):
        ag.run()
    assert "work accounts receivable" in ag.totals.text()
    assert ag.run_btn.isEnabled()


def test_an_empty_collections_list_says_so(qtbot, office, tmp_path) -> None:
    """No account qualifies: the line under the list says so in words (before:
    "0 account(s)" under an empty table)."""
    with office.store.unit_of_work() as s:
        bao = factories.patient(s, "Nguyen", "Bao")
        # Over 90 days old but never sent a statement: not a collections case.
        fm.visit(
            s, bao, office.provider_id, date.today() - timedelta(days=120), [("36415", "15.00")]
        )
    w = MainWindow(UiContext(office.store, Paths(tmp_path), office.biller), "Maple Street")
    qtbot.addWidget(w)
    page = w.open_area("payments")
    co = page.collections
    page.tabs.setCurrentWidget(co)
    co.run_btn.click()
    assert co.list.rows() == []
    assert co.note.text() == (
        f"No account owes money over 90 days old after a statement, as of {date.today():%m/%d/%Y}."
    )


def test_aging_export_runs_off_the_gui_thread(qtbot, office, tmp_path, monkeypatch) -> None:
    """Export CSV... computes the aging for the file in its own thread, like
    Show (before, the screen froze while it computed), shows what it saved,
    and the file has plain amounts."""
    from PySide6.QtWidgets import QFileDialog

    with office.store.unit_of_work() as s:
        bao = factories.patient(s, "Nguyen", "Bao")
        fm.visit(
            s, bao, office.provider_id, date.today() - timedelta(days=100), [("36415", "15.00")]
        )
    ran_in = []
    real = aging.aging

    def slow(s, actor, as_of, basis=aging.Basis.SERVICE):
        ran_in.append(threading.get_ident())
        time.sleep(0.3)
        return real(s, actor, as_of, basis)

    monkeypatch.setattr(aging, "aging", slow)
    out = tmp_path / "aging.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    w = MainWindow(UiContext(office.store, Paths(tmp_path), office.biller), "Maple Street")
    qtbot.addWidget(w)
    ag = w.open_area("payments").aging
    with qtbot.waitSignal(ag.computed, timeout=10000):
        ag.export_btn.click()
        assert ag.busy.isVisibleTo(ag) and not ag.export_btn.isEnabled()
        assert ag.totals.text().startswith("Saving the aging as of")
    assert ran_in and ran_in[0] != threading.get_ident()
    assert ag.totals.text().endswith(" - saved to aging.csv")
    assert "Total A/R 15.00" in ag.totals.text()
    assert out.read_text().splitlines()[-1] == "Total,Total A/R,0.00,0.00,0.00,15.00,0.00,15.00"
    assert background.running() == []


def test_collections_export_runs_off_the_gui_thread(qtbot, office, tmp_path, monkeypatch) -> None:
    """Export CSV... on the collections list computes and writes the file in
    its own thread with the busy bar, as the aging's export does (before, it
    ran on the GUI thread and the screen froze), and says what it saved."""
    from PySide6.QtWidgets import QFileDialog

    ran_in = []
    real = aging.collections

    def slow(s, actor, as_of):
        ran_in.append(threading.get_ident())
        time.sleep(0.3)
        return real(s, actor, as_of)

    monkeypatch.setattr(aging, "collections", slow)
    out = tmp_path / "collections.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    w = MainWindow(UiContext(office.store, Paths(tmp_path), office.biller), "Maple Street")
    qtbot.addWidget(w)
    co = w.open_area("payments").collections
    with qtbot.waitSignal(co.exported, timeout=10000):
        co.export_btn.click()
        assert co.busy.isVisibleTo(co) and not co.export_btn.isEnabled()
        assert co.note.text().startswith("Saving the collections list as of")
    assert ran_in and ran_in[0] != threading.get_ident()
    assert co.note.text() == "0 account(s) saved to collections.csv"
    assert co.export_btn.isEnabled() and not co.busy.isVisibleTo(co)
    assert out.read_text().splitlines()[0].startswith("Account,Guarantor,Phone,Balance")
    assert background.running() == []
