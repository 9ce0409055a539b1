"""Screenshots of the Payments area (``make screenshots``): an EOB being
posted with its preview, a patient payment, the statements batch, the aging,
the patient ledger with a balance being moved and a payer's balance written
off, and the office's bills (reports, a vendor being edited, a recurring bill
stopped); and the first page of a printed statement
(docs/money-statement-pdf.png, rendered with pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QEventLoop
from shots import OUT, app, demo_store, main_window, save, settle
from sqlalchemy import func, select

from app.models.claims import Claim, ClaimStatus
from app.models.coding import ServiceLine
from app.models.insurance import Payer
from app.models.ledger import LedgerEntry, Party, PaymentMethod
from app.models.patient import Patient
from app.money import money
from app.services import statements

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    app()
    store, paths = demo_store(300)
    w = main_window(store, paths, "biller")
    page = w.open_area("payments")
    eob = page.eob

    # An EOB for a claim still waiting on its payer: record the check, find
    # the claim, type the first line, and show the preview.
    with store.read_session() as s, s.begin():
        claim = s.execute(
            select(Claim)
            .where(Claim.status == ClaimStatus.PRINTED)
            .order_by(Claim.date_of_service.desc())
            .limit(1)
        ).scalar_one()
        payer = s.get(Payer, claim.payer_id)
        charge = (
            s.execute(
                select(ServiceLine.charge)
                .join(Claim, Claim.encounter_id == ServiceLine.encounter_id)
                .where(Claim.id == claim.id)
                .order_by(ServiceLine.line_no)
            )
            .scalars()
            .first()
        )
        assert payer is not None and charge is not None
    allowed = (charge * money("0.70")).quantize(money("0.01"))
    coins = (allowed * money("0.20")).quantize(money("0.01"))
    eob.payer_combo.setCurrentIndex(eob.payer_combo.findText(payer.name))
    eob.check_no.setText("EFT-440921")
    eob.method_combo.setCurrentIndex(1)
    eob.check_amount.setText(str(allowed - coins + money("212.40")))
    eob.record_check()
    eob.claim_search.setText(claim.claim_no)
    eob.find_claims()
    eob.grid.item(0, 5).setText(str(allowed))
    eob.grid.item(0, 6).setText(str(allowed - coins))
    eob.grid.item(0, 8).setText(str(coins))
    # The payer forwarded the claim to the supplemental insurer: the remark
    # code's meaning shows under the grid.
    eob.grid.item(0, 12).setText("MA18")
    eob.grid.setCurrentCell(0, 12)
    settle()
    save(w, "money-eob")
    # A slip of the finger in the coinsurance: named before saving.
    eob.grid.item(0, 8).setText(str((coins / 10).quantize(money("0.01"))))
    eob.grid.setCurrentCell(0, 8)
    settle()
    save(w, "money-eob-check")

    # A patient payment at the desk.
    with store.read_session() as s, s.begin():
        owing = statements.candidates(s, w.ctx.actor)
        pat = s.get(Patient, owing[0].guarantor_id)
        assert pat is not None
    pp = page.patient
    page.tabs.setCurrentWidget(pp)
    pp.load(pat.id)
    pp.amount.setText(str(owing[0].balance + money("10.00")))
    pp._amount_changed()
    pp.method.setCurrentIndex(pp.method.findData(PaymentMethod.CHECK))
    pp.reference.setText("2291")
    save(w, "money-patient-payment")

    # The statements batch preview.
    sp = page.statements
    page.tabs.setCurrentWidget(sp)
    sp.find()
    save(w, "money-statements")

    # The aging is computed in its own thread: wait for it.
    page.tabs.setCurrentWidget(page.aging)
    loop = QEventLoop()
    page.aging.computed.connect(loop.quit)
    page.aging.run()
    loop.exec()
    save(w, "money-aging")

    # The patient ledger as the office manager sees it (every button), and
    # the two hand corrections: a balance moved, a payer's balance written off.
    with store.read_session() as s, s.begin():
        insured = s.execute(
            select(LedgerEntry.patient_id)
            .where(LedgerEntry.party == Party.INSURANCE, LedgerEntry.service_line_id.is_not(None))
            .group_by(LedgerEntry.patient_id)
            .having(func.sum(LedgerEntry.amount) > money("0.00"))
            .order_by(LedgerEntry.patient_id)
            .limit(1)
        ).scalar_one()
    w2 = main_window(store, paths, "manager")
    p2 = w2.open_area("payments")
    p2.show_ledger(insured)
    save(w2, "money-ledger")
    lp = p2.ledger
    lp.move_balance()
    dlg = lp.move_dialog
    dlg.lines.select_where(lambda r: any(not p.resp.is_patient for p in r.parts))
    dlg.target.setCurrentIndex(max(0, dlg.target.count() - 1))
    dlg.reason.setText("Plan ended before this visit (payer letter); patient owes it")
    settle(300)
    dlg.grab().save(str(OUT / "money-move-balance.png"))
    print("saved money-move-balance")
    dlg.reject()
    lp.write_off()
    wo = lp.wo_dialog
    wo.memo.setText("Payer denied as untimely; office error")
    settle(300)
    wo.grab().save(str(OUT / "money-write-off.png"))
    print("saved money-write-off")
    wo.reject()

    p2.tabs.setCurrentWidget(p2.payables)
    pg = p2.payables
    pg.show_paid.setChecked(False)
    pg.tabs.setCurrentIndex(4)
    save(w2, "money-payables")
    pg.tabs.setCurrentIndex(2)
    pg.vendor_list.selectRow(0)
    pg.edit_vendor()
    save(w2, "money-payables-vendor")
    pg.new_vendor()
    pg.tabs.setCurrentIndex(3)
    if pg.rec_list.rows():
        pg.rec_list.selectRow(0)
        pg.stop_recurring()
        pg.rec_list.selectRow(0)
    save(w2, "money-payables-recurring")

    # The printed statement, as the guarantor would see it.
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "statement.pdf"
            with store.read_session() as s, s.begin():
                statements.make_pdf(s, w.ctx.actor, [owing[0].guarantor_id], date.today(), pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(Path(tmp) / "page"),
                ],
                check=True,
            )
            shutil.copyfile(Path(tmp) / "page.png", DOCS / "money-statement-pdf.png")
            print(f"saved {DOCS / 'money-statement-pdf.png'}")
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
