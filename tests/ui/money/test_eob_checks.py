"""The EOB screen's checks as the biller meets them while typing: a line
whose numbers do not add up is named in the preview before saving; a denial
or remark code says what it means as it is typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app.config import Paths
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.payments.eob import C_ALLOWED, C_COINS, C_DENIAL, C_PAID, C_RARC
from tests import factories
from tests import factories_money as fm
from tests.ui.money.test_payments_area import DOS, _type_cell


def _eob_with_claim(qtbot, office, tmp_path):
    with office.store.unit_of_work() as s:
        fm.fee_items(s)
        payer = factories.payer(s, "Prairie Health Plan")
        pat = factories.patient(s, "Rivera", "Ana")
        pol = factories.policy(s, pat, payer, copay=None)
        v = fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")], pol)
        fm.claim(s, v, pol, claim_no="260000123")
        chk = fm.payer_check(s, office.biller, payer.id, "64.00")
    w = MainWindow(UiContext(office.store, Paths(tmp_path), office.biller), "Maple Street")
    qtbot.addWidget(w)
    eob = w.open_area("payments").eob
    eob.reload(select_payment=chk)
    eob.claim_search.setText("260000123")
    eob.find_claims()
    assert eob.grid.rowCount() == 1
    return eob


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_line_that_does_not_add_up_is_named_in_the_preview(qtbot, office, tmp_path) -> None:
    eob = _eob_with_claim(qtbot, office, tmp_path)
    _type_cell(qtbot, eob.grid, 0, C_ALLOWED, "80.00")  # contractual 35.00 fills itself
    _type_cell(qtbot, eob.grid, 0, C_PAID, "64.00")
    _type_cell(qtbot, eob.grid, 0, C_COINS, "1.60")  # the EOB says 16.00
    text = eob.preview.text()
    assert "Check the EOB:" in text
    assert (
        f"Line {DOS:%m/%d/%Y} 99213: allowed 80.00 is not paid 64.00 + deductible, "
        "coinsurance and copay 1.60 (14.40 short" in text
    )
    # Corrected: the warning goes away.
    _type_cell(qtbot, eob.grid, 0, C_COINS, "16.00")
    assert "Check the EOB" not in eob.preview.text()
    assert "The claim becomes <b>Paid</b>" in eob.preview.text()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_meaning_of_a_denial_code_shows_as_it_is_typed(qtbot, office, tmp_path) -> None:
    eob = _eob_with_claim(qtbot, office, tmp_path)
    grid = eob.grid
    grid.setCurrentCell(0, C_DENIAL)
    qtbot.keyClick(grid, "C")
    editor = next(e for e in grid.viewport().findChildren(QLineEdit) if e.isVisibleTo(grid))
    qtbot.keyClicks(editor, "O-16")
    # Before Enter: the line under the grid already says what CO-16 means.
    assert eob.code_hint.text() == (
        "CO-16: Claim is missing information or has a billing error (see the remark code) "
        "(the office writes it off)"
    )
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.item(0, C_DENIAL).text() == "CO-16", timeout=2000)
    assert "CO-16: Claim is missing information" in grid.item(0, C_DENIAL).toolTip()

    _type_cell(qtbot, grid, 0, C_RARC, "N290")
    grid.setCurrentCell(0, C_RARC)
    assert eob.code_hint.text().startswith("N290: Rendering provider")

    # A code not in the list: said under the grid and in the preview, not refused.
    _type_cell(qtbot, grid, 0, C_DENIAL, "PR-999")
    grid.setCurrentCell(0, C_DENIAL)
    assert eob.code_hint.text() == (
        "PR-999: not in the list of common reason codes (the patient owes it)"
    )
    assert "reason code 999 is not in the list of common codes" in eob.preview.text()
    assert "The claim becomes" in eob.preview.text()
