"""The coding area's other screens: fee schedule editing and import with its
preview, the HCPCS import, record navigation, reopening and copying a visit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox
from sqlalchemy import select

from app.config import Paths
from app.models.coding import FeeItem, HcpcsCode
from app.models.ledger import LedgerEntry
from app.services import encounters as enc
from app.services.encounters import EncounterInput, LineInput
from app.ui.coding.fee_schedule_view import FeeItemDialog, ImportPreviewDialog
from app.ui.coding.page import TAB_FEES, TAB_VISIT, CodingPage
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from tests import factories
from tests.unit.coding.support import add_fees


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes answered without a person; their texts are kept."""
    said: list[str] = []

    def info(_parent, _title, text, *a, **k):  # type: ignore[no-untyped-def]
        said.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "information", info)
    monkeypatch.setattr(QMessageBox, "warning", info)
    return said


def _page(qtbot, office, tmp_path, actor=None) -> tuple[MainWindow, CodingPage]:  # type: ignore[no-untyped-def]
    ctx = UiContext(office.store, Paths(tmp_path), actor or office.biller)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    page = w.open_area("coding")
    assert isinstance(page, CodingPage)
    return w, page


def test_fee_schedule_import_shows_every_bad_row_then_imports_the_good_ones(
    qtbot, office, tmp_path, quiet, monkeypatch
) -> None:
    with office.store.unit_of_work() as s:
        factories.payer(s, "Prairie Health Plan")
        add_fees(s, {"99213": ("Established visit", "110.00")})
    _, page = _page(qtbot, office, tmp_path)
    page.tabs.setCurrentIndex(TAB_FEES)
    fees = page.fees
    assert fees.model.rowCount() == 1
    assert [c.header for c in fees.model.columns][-1] == "Allowed: Prairie Health Plan"
    csv = tmp_path / "fees.csv"
    csv.write_text(
        "code,description,price,allowed: Prairie Health Plan\n"
        "99213,Established visit,115.00,80.00\n"
        "99214,Established visit moderate,165.00,\n"
        "9921,Bad,1.00,\n"
        "99215,High,abc,\n",
        encoding="utf-8",
    )
    seen: list[ImportPreviewDialog] = []

    def accept(self):  # type: ignore[no-untyped-def]
        seen.append(self)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreviewDialog, "exec", accept)
    fees.import_path(csv)
    dlg = seen[0]
    bad = [
        [dlg.bad_model.data(dlg.bad_model.index(r, c)) for c in range(3)]
        for r in range(dlg.bad_model.rowCount())
    ]
    assert [b[0] for b in bad] == ["4", "5"]
    assert "not a CPT or HCPCS code" in bad[0][2]
    assert "'abc' is not an amount" in bad[1][2]
    assert dlg.rows_model.rowCount() == 2 and dlg.apply_btn.isEnabled()
    assert quiet[-1] == "1 codes added, 1 changed; 2 bad rows left out."
    assert fees.model.rowCount() == 2
    row = fees.model.rows[0]
    assert (row.code, row.price, list(row.allowed.values())) == (
        "99213",
        Decimal("115.00"),
        [Decimal("80.00")],
    )


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_fee_item_dialog_shows_problems_by_field_and_saves(qtbot, office, tmp_path) -> None:
    _, page = _page(qtbot, office, tmp_path)
    dlg = FeeItemDialog(page.ctx, None, [], page)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.code.setText("9921")
    dlg.price.setText("-4")
    qtbot.keyClick(dlg.code, Qt.Key.Key_Return)
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.marker.fields["code"][1].text().startswith("'9921' is not a CPT or HCPCS code")
    assert "Description is required" in dlg.marker.fields["description"][1].text()
    assert "Price must be more than 0.00" in dlg.marker.fields["price"][1].text()
    dlg.code.setText("j1100")
    dlg.description.setText("Dexamethasone, per 1 mg")
    dlg.price.setText("4.00")
    qtbot.keyClick(dlg.price, Qt.Key.Key_Return)
    assert dlg.result() == QDialog.DialogCode.Accepted
    with office.store.session() as s:
        item = s.execute(select(FeeItem)).scalar_one()
    assert (item.code, item.price) == ("J1100", Decimal("4.00"))


def test_starter_list_and_hcpcs_file_from_the_screen(qtbot, office, tmp_path, quiet) -> None:
    _, page = _page(qtbot, office, tmp_path, office.manager)
    page.tabs.setCurrentIndex(TAB_FEES)
    page.fees.load_starter()
    assert quiet[-1].startswith("70 starter codes added")
    assert page.fees.model.rowCount() == 70
    path = tmp_path / "HCPC.txt"
    line = (
        "J3420" + "00100" + "3" + f"{'Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg':<80}"
    )
    path.write_text(line + f"{'Vitamin b12 injection':<28}" + "\n", encoding="latin-1")
    page.fees.import_hcpcs_path(path)
    assert quiet[-1].startswith("1 codes added")
    with office.store.session() as s:
        assert s.get(HcpcsCode, "J3420") is not None
    bad = tmp_path / "bad.txt"
    bad.write_text("not an HCPCS file at all\n", encoding="latin-1")
    page.fees.import_hcpcs_path(bad)
    assert "record id" in quiet[-1]


def test_open_record_shows_an_encounter_and_a_fee_item(qtbot, office, tmp_path) -> None:
    with office.store.unit_of_work() as s:
        add_fees(s)
        pat = factories.patient(s)
        eid = enc.start_for_patient(s, office.biller, pat.id, date(2026, 3, 2), office.provider_id)
        fee_id = s.execute(select(FeeItem.id).where(FeeItem.code == "36415")).scalar_one()
    w, page = _page(qtbot, office, tmp_path)
    w.open_area("frontdesk")
    assert w.open_record("encounter", eid)
    assert w.current_area_key() == "coding"
    assert page.tabs.currentIndex() == TAB_VISIT
    assert page.form.view is not None and page.form.view.id == eid
    assert w.open_record("fee_item", fee_id)
    assert page.tabs.currentIndex() == TAB_FEES
    row = page.fees.proxy.data(page.fees.table.currentIndex(), Qt.ItemDataRole.DisplayRole)
    assert row == "36415"


def test_reopen_from_the_screen_reverses_the_charges(
    qtbot, office, tmp_path, quiet, monkeypatch
) -> None:
    with office.store.unit_of_work() as s:
        add_fees(s)
        pat = factories.patient(s)
        eid = enc.start_for_patient(s, office.biller, pat.id, date(2026, 3, 2), office.provider_id)
        enc.mark_coded(
            s,
            office.biller,
            eid,
            EncounterInput(
                date(2026, 3, 2),
                office.provider_id,
                diagnoses=["J02.9"],
                lines=[LineInput("99213", [], "A")],
            ),
        )
    _, page = _page(qtbot, office, tmp_path)
    assert page.open_encounter(eid)
    form = page.form
    assert form.view is not None and form.view.is_coded
    assert form.ledger_model.rowCount() == 1
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("wrong level", True))
    form.reopen()
    assert form.view is not None and not form.view.is_coded
    assert form.ledger_model.rowCount() == 2
    assert form.ledger_model.rows[1].kind == "reversal of charge"
    with office.store.session() as s:
        assert sum(e.amount for e in s.execute(select(LedgerEntry)).scalars()) == Decimal("0.00")
    assert form.dx_search.search.isEnabled()


def test_copy_from_the_last_visit_and_leaving_with_unsaved_changes(
    qtbot, office, tmp_path, monkeypatch
) -> None:
    with office.store.unit_of_work() as s:
        add_fees(s)
        pat = factories.patient(s)
        first = enc.start_for_patient(
            s, office.biller, pat.id, date(2026, 3, 2), office.provider_id
        )
        enc.mark_coded(
            s,
            office.biller,
            first,
            EncounterInput(
                date(2026, 3, 2),
                office.provider_id,
                diagnoses=["E11.9", "I10"],
                lines=[LineInput("99214", ["25"], "AB"), LineInput("36415", [], "A")],
            ),
        )
        second = enc.start_for_patient(
            s, office.biller, pat.id, date(2026, 3, 9), office.provider_id
        )
    _, page = _page(qtbot, office, tmp_path)
    assert page.open_encounter(second)
    form = page.form
    form.copy_last_visit()
    assert form.dx_codes() == ["E11.9", "I10"]
    assert form.lines.rowCount() == 2
    assert form.lines.item(0, 2).text() == "25"
    assert form.dirty
    qtbot.waitUntil(lambda: "Ready to mark coded" in form.summary.text())
    assert form.total.text() == "Total charges: 180.00"
    asked: list[str] = []

    def answer(_p, _t, text, *a, **k):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    form.leave()
    assert asked == ["Save the changes to this visit before leaving?"]
    assert page.tabs.currentIndex() == TAB_VISIT  # Cancel stays
    assert form.save()
    form.leave()
    assert page.tabs.currentIndex() == 0
    with office.store.session() as s:
        assert s.execute(select(LedgerEntry)).scalars().all() != []
        view = enc.load(s, office.biller, second)
    assert view.data.diagnoses == ["E11.9", "I10"]
    assert [ln.code for ln in view.data.lines] == ["99214", "36415"]


def test_receptionist_does_not_see_coding(qtbot, office, tmp_path) -> None:
    ctx = UiContext(office.store, Paths(tmp_path), office.receptionist)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    assert w.open_area("coding") is None


def test_the_code_set_is_prepared_in_the_background_on_first_use(
    qtbot, office, tmp_path, quiet, monkeypatch, icd_dir
) -> None:
    import shutil
    import threading

    from app.codes import icd10

    monkeypatch.delenv("MEDBILL_REFERENCE_DIR")
    gate = threading.Event()

    def slow_build(target, progress=None):  # type: ignore[no-untyped-def]
        assert gate.wait(20)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(icd_dir / icd10.INDEX_FILE, target)

    monkeypatch.setattr(icd10, "build", slow_build)
    with office.store.unit_of_work() as s:
        pat = factories.patient(s)
        eid = enc.start_for_patient(s, office.biller, pat.id, date(2026, 3, 2), office.provider_id)
    _, page = _page(qtbot, office, tmp_path)
    assert page.icd.path == (tmp_path / "reference" / icd10.INDEX_FILE).resolve()
    assert not page.index_note.isHidden()
    assert "Preparing the ICD-10-CM code set" in page.index_note.text()
    assert not page.form.ready and not page.form.dx_search.search.isEnabled()
    assert page.worklist.model.rowCount() == 1  # the worklist works meanwhile
    assert not page.open_encounter(eid)
    assert "still being prepared" in quiet[-1]
    gate.set()
    qtbot.waitUntil(lambda: page.form.ready, timeout=20000)
    assert page.index_note.isHidden()
    assert page.open_encounter(eid)
    assert page.form.dx_search.search.isEnabled()
