"""Screenshots of the Payments area (``make screenshots``): an EOB being
posted with its preview, a patient payment, the statements batch, the aging,
the patient ledger and the office's bills; and the first page of a printed
statement (docs/money-statement-pdf.png, rendered with pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shots import OUT, app, demo_store, main_window, save, settle
from sqlalchemy import select

from app.models.claims import Claim, ClaimStatus
from app.models.coding import ServiceLine
from app.models.insurance import Payer
from app.models.ledger import PaymentMethod
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
    settle()
    save(w, "money-eob")

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

    page.tabs.setCurrentWidget(page.aging)
    page.aging.run()
    save(w, "money-aging")

    page.show_ledger(pat.id)
    save(w, "money-ledger")

    w2 = main_window(store, paths, "manager")
    p2 = w2.open_area("payments")
    p2.tabs.setCurrentWidget(p2.payables)
    p2.payables.show_paid.setChecked(False)
    p2.payables.tabs.setCurrentIndex(4)
    save(w2, "money-payables")

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
