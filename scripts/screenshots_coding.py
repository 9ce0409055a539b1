"""Screenshots of the coding area (``make screenshots``): the worklist, the
diagnosis search, a visit with its live checks, a drug line with its NDC,
the coded visit with its charges, the fee schedule and an import preview."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The ICD-10-CM index is reference data: share one build between runs.
os.environ.setdefault("MEDBILL_REFERENCE_DIR", str(HERE.parent / "bench" / "out" / "reference"))
sys.path.insert(0, str(HERE))

import shots  # noqa: E402

from app.services import fee_schedule  # noqa: E402
from app.ui.coding.encounter_form import C_NDC, C_NDCQ, C_NDCU, C_PTRS  # noqa: E402
from app.ui.coding.fee_schedule_view import ImportPreviewDialog  # noqa: E402
from app.ui.coding.page import CodingPage  # noqa: E402


def main() -> None:
    shots.app()
    store, paths = shots.demo_store(300)
    w = shots.main_window(store, paths, "biller")
    page = w.open_area("coding")
    assert isinstance(page, CodingPage)
    if page.preparer is not None:
        page.preparer.wait()
        shots.settle(300)
    page.worklist.reload()
    shots.save(w, "coding-worklist")

    page.worklist.table.selectRow(0)
    page.worklist.open_current()
    form = page.form
    shots.settle()
    for code in ("E11.9", "I10", "Z23"):
        form.add_diagnosis(code)
    for code, ptrs in (("99214", "AB"), ("36415", "A"), ("90471", "C"), ("90686", "")):
        form.add_line(code)
        r = form.lines.rowCount() - 1
        form.lines.item(r, C_PTRS).setText(ptrs)
    form.lines.item(0, 2).setText("25")
    form.dx_search.search.setText("diabetes type 2 with")
    form.dx_search.results.setCurrentRow(0)
    form.recheck()
    shots.settle(300)
    shots.save(w, "coding-dx-search")
    form.scroll.ensureWidgetVisible(form.total)
    shots.save(w, "coding-visit-checks")

    # A drug (J-code) line brings the NDC columns; then it goes again.
    form.add_line("J1100")
    r = form.lines.rowCount() - 1
    for col, text in ((C_PTRS, "A"), (C_NDC, "63323-0165-01"), (C_NDCU, "ML"), (C_NDCQ, "1")):
        form.lines.item(r, col).setText(text)
    form.recheck()
    form.scroll.ensureWidgetVisible(form.total)
    shots.save(w, "coding-visit-drug-line")
    form.lines.setCurrentCell(r, C_PTRS)
    form.remove_line()
    form.recheck()

    form.dx_search.search.setText("E11")
    form.dx_search.choose()
    form.scroll.ensureWidgetVisible(form.dx_search)
    shots.save(w, "coding-dx-category")
    form.dx_search.search.clear()

    form.lines.item(3, C_PTRS).setText("C")
    form.recheck()
    form.mark_coded()
    shots.settle(300)
    form.scroll.ensureWidgetVisible(form.ledger)
    shots.save(w, "coding-visit-coded")

    page.tabs.setCurrentIndex(2)
    shots.settle()
    shots.save(w, "coding-fee-schedule")

    with tempfile.TemporaryDirectory() as d:
        csv = Path(d) / "new-fees.csv"
        csv.write_text(
            "code,description,price,active\n"
            "99213,Established visit low,120.00,yes\n"
            "99215,Established visit high,245.00,yes\n"
            "99395,Preventive visit 18-39,210.00,yes\n"
            "9921,Typo in the code,10.00,yes\n"
            "87880,Rapid strep,12.345,yes\n"
            "G0439,,170.00,yes\n"
            "93000,ECG with report,0,maybe\n",
            encoding="utf-8",
        )
        with store.session() as s, s.begin():
            preview = fee_schedule.preview_import(s, w.ctx.actor, csv)
    dlg = ImportPreviewDialog(preview, w)
    dlg.show()
    shots.settle(300)
    shots.save(dlg, "coding-import-preview")
    dlg.close()
    store.close()


if __name__ == "__main__":
    main()
