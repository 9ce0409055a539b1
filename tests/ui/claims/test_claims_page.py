"""A biller's morning in the claims area, driven through the real window."""

from __future__ import annotations

from datetime import date, timedelta

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from app.config import Paths
from app.models.audit import AuditEvent
from app.models.claims import Claim, ClaimStatus
from app.models.practice import Provider
from app.services import office as office_svc
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from tests import factories
from tests import factories_claims as fc
from tests.unit.claims import scenarios


def _window(qtbot, office, tmp_path, actor):
    ctx = UiContext(office.store, Paths(tmp_path), actor)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    return ctx, w


def _visit_with_missing_npi(office) -> tuple[int, int]:
    """A coded visit whose rendering provider has no NPI yet, and its claim."""
    with office.store.unit_of_work() as s:
        s.get(Provider, office.provider_id).npi = ""
        pat = scenarios.patient(s)
        pol = factories.policy(s, pat, scenarios.payer(s), member_id="XJP448120931")
        dos = date.today() - timedelta(days=3)
        fc.verify(s, pol, office.biller, on=dos)
        enc = fc.coded_visit(s, pat.id, office.provider_id, pol, dos=dos)
        return enc.id, pat.id


def _row_texts(page) -> list[list[str]]:
    m = page.table.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_biller_checks_fixes_npi_prints_batch_and_sees_statuses(
    qtbot, office, tmp_path, monkeypatch
) -> None:
    _visit_with_missing_npi(office)
    infos: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: infos.append(a[2]))
    ctx, w = _window(qtbot, office, tmp_path, office.biller)
    page = w.open_area("claims")
    assert page is not None and page.objectName() == "area_claims"

    # New claims from coded visits: the claim is made, checked, and held as a draft.
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert "1 with something to fix" in page.message.text()
    rows = _row_texts(page)
    assert len(rows) == 1 and rows[0][1] == "Draft" and rows[0][3] == "Alvarez, María"

    # Open it and run the check: the missing NPI is listed with a Fix button.
    page.table.selectRow(0)
    qtbot.mouseClick(page.detail.check_button, Qt.MouseButton.LeftButton)
    problems = page.detail.problems
    texts = [p.message for p in problems.problems]
    (npi_i,) = [i for i, t in enumerate(texts) if "Rendering NPI" in t]
    assert "is required" in texts[npi_i]
    assert "to fix before it can print" in problems.summary.text()
    fix = problems.fix_buttons[npi_i]
    assert fix.text() == "Open the provider"
    with qtbot.waitSignal(ctx.open_requested) as sig:
        qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    assert sig.args == ["provider", office.provider_id]
    # The biller's role has no admin area: the window says so instead of opening it.
    assert infos and "role does not include" in infos[0]
    w.open_area("claims")

    # The office manager fixes the NPI (admin area, built elsewhere); re-run the check.
    with office.store.unit_of_work() as s:
        office_svc.update_provider(
            s,
            office.manager,
            office.provider_id,
            office_svc.ProviderInput(
                "Okafor", "Adaeze", "", "MD", factories.NPI_PROVIDER, "207Q00000X"
            ),
        )
    page.table.selectRow(0)
    qtbot.mouseClick(page.detail.check_button, Qt.MouseButton.LeftButton)
    assert not [p for p in page.detail.problems.problems if p.severity == "error"]
    assert "passes the check: ready" in page.detail.problems.summary.text()
    assert _row_texts(page)[0][1] == "Ready"

    # Print the batch of ready claims to a PDF file.
    out = tmp_path / "batch.pdf"
    monkeypatch.setattr(page, "ask_save_path", lambda: out)
    page.act_save_ready.trigger()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=15000)
    assert page.last_result.error == ""
    assert "Saved 1 claim (1 page)" in page.message.text()
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
        assert "ALVAREZ, MARIA, L" in text and factories.NPI_PROVIDER in text

    # The list shows the claim printed; its history says where it went.
    qtbot.waitUntil(lambda: _row_texts(page)[0][1] == "Printed", timeout=5000)
    page.table.selectRow(0)
    history = page.detail.history_model.rows
    assert [h.status for h in history] == [
        ClaimStatus.DRAFT,
        ClaimStatus.READY,
        ClaimStatus.PRINTED,
    ]
    assert history[-1].note == "PDF file batch.pdf"
    with office.store.unit_of_work() as s:
        saved = s.execute(
            select(AuditEvent).where(AuditEvent.action == "claims_saved_pdf")
        ).scalar_one()
        assert saved.details["count"] == 1


def test_filters_and_days_left_columns(qtbot, qtmodeltester, office, tmp_path) -> None:
    built = scenarios.primary_claim(office)
    _ctx, w = _window(qtbot, office, tmp_path, office.biller)
    page = w.open_area("claims")
    qtmodeltester.check(page.model)
    page.select_claim(built.claim_id)
    for model in (page.detail.lines_model, page.detail.history_model, page.detail.ledger_model):
        qtmodeltester.check(model)
    rows = _row_texts(page)
    assert rows[0][0] == f"25{built.claim_id:07d}"
    headers = [page.table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(10)]
    assert headers[-2:] == ["Days since service", "Days left to file"]
    # Days left: 180-day payer, service on 03/14/2025 -> long past by now.
    assert rows[0][-1].startswith("past by ")
    page.status.setCurrentIndex(page.status.findData("printed"))
    assert page.table.model().rowCount() == 0
    assert page.count_label.text() == "0 claims"
    page.status.setCurrentIndex(page.status.findData("open"))
    qtbot.keyClicks(page.search, "alv")
    qtbot.waitUntil(lambda: page.table.model().rowCount() == 1, timeout=3000)
    page.search.clear()
    qtbot.keyClicks(page.search, "zzz")
    qtbot.waitUntil(lambda: page.table.model().rowCount() == 0, timeout=3000)


def test_open_record_shows_a_claim(qtbot, office, tmp_path) -> None:
    a = scenarios.primary_claim(office)
    _ctx, w = _window(qtbot, office, tmp_path, office.biller)
    page = w.open_area("frontdesk") and w.open_area("claims")
    page.search.setText("nobody")
    w.open_area("frontdesk")
    assert w.open_record("claim", a.claim_id)
    assert w.current_area_key() == "claims"
    assert page.detail.detail.id == a.claim_id
    assert "Claim 25" in page.detail.header.text()


def test_replace_from_the_detail(qtbot, office, tmp_path, monkeypatch) -> None:
    built = scenarios.primary_claim(office)
    scenarios.mark_sent(office, built.claim_id)
    _ctx, w = _window(qtbot, office, tmp_path, office.biller)
    page = w.open_area("claims")
    assert page.select_claim(built.claim_id)
    assert page.detail.replace_button.isEnabled()
    from app.ui.claims import page as page_mod

    class FakeDialog:
        def __init__(self, *a) -> None: ...
        def exec(self) -> int:
            return 1

        def reference(self) -> str:
            return "ICN9981"

        def note(self) -> str:
            return "wrong code"

    monkeypatch.setattr(page_mod, "CorrectionDialog", FakeDialog)
    qtbot.mouseClick(page.detail.replace_button, Qt.MouseButton.LeftButton)
    with office.store.unit_of_work() as s:
        new = s.execute(select(Claim).where(Claim.frequency == "7")).scalar_one()
        assert new.snapshot["original_ref"] == "ICN9981"
        assert s.get(Claim, built.claim_id).status is ClaimStatus.CORRECTED
    assert page.detail.detail.id == new.id
    assert "replaces" in page.message.text()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_correction_dialog_keeps_a_reference_item_22_would_cut(qtbot) -> None:
    from app.ui.claims.dialogs import CorrectionDialog

    dlg = CorrectionDialog("replace", "250000001", "", None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.ref.setFocus()
    qtbot.keyClicks(dlg.ref, "PHP-2607-3000412345")
    qtbot.keyClick(dlg.ref, Qt.Key.Key_Return)  # Enter: Make replacement
    assert dlg.isVisible() and dlg.result() == 0  # not accepted
    assert dlg.ref_problem.isVisible()
    assert "item 22 prints 17" in dlg.ref_problem.text()
    dlg.ref.clear()
    qtbot.keyClicks(dlg.ref, "PHP26073000412")
    qtbot.keyClick(dlg.ref, Qt.Key.Key_Return)
    assert dlg.result() == 1 and dlg.reference() == "PHP26073000412"


def test_the_detail_counts_one_day_in_the_singular(qtbot, office, tmp_path) -> None:
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s)
        pol = factories.policy(
            s, pat, scenarios.payer(s, timely_filing_days=2), member_id="XJP448120931"
        )
        dos = date.today() - timedelta(days=1)
        fc.verify(s, pol, office.biller, on=dos)
        enc = fc.coded_visit(s, pat.id, office.provider_id, pol, dos=dos)
        from app.services import claims as claims_svc

        made = claims_svc.make_claim(s, office.biller, enc.id)
    _ctx, w = _window(qtbot, office, tmp_path, office.biller)
    page = w.open_area("claims")
    assert page.select_claim(made.id)
    # Before: "(1 days ago, 1 days left to file)".
    assert "(1 day ago, 1 day left to file)" in page.detail.header.text()
    page.check_current()
    assert page.detail.problems.summary.text().endswith(" 1 day left to file.")


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_tab_leaves_the_claims_list_for_the_check_and_its_fix_buttons(
    qtbot, office, tmp_path, monkeypatch
) -> None:
    _visit_with_missing_npi(office)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    ctx, w = _window(qtbot, office, tmp_path, office.biller)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitActive(w)
    page = w.open_area("claims")
    page.make_new_claims()
    page.table.selectRow(0)
    page.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table)
    qtbot.keyClick(page.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert page.detail.problems.fix_buttons
    qtbot.waitUntil(lambda: page.detail.problems.fix_buttons[0].isVisible())
    seen = []
    for _ in range(8):  # before: Tab walked the list's cells and never left it
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
        if seen[-1] in page.detail.problems.fix_buttons:
            break
    assert seen[0] is page.detail.check_button
    fix = seen[-1]
    assert fix in page.detail.problems.fix_buttons
    with qtbot.waitSignal(ctx.open_requested):
        qtbot.keyClick(fix, Qt.Key.Key_Space)
