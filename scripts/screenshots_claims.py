"""Screenshots of the claims area (``make screenshots``): the list with this
morning's new claims, the check with its Fix buttons, a paid claim's history
and ledger, the correction dialog, the red-form alignment dialog, and the
batch progress dialog."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("MEDBILL_REFERENCE_DIR", str(HERE.parent / "bench" / "out" / "reference"))
sys.path.insert(0, str(HERE))

import shots  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.models.claims import Claim, ClaimStatus  # noqa: E402
from app.models.coding import (  # noqa: E402
    Encounter,
    EncounterDiagnosis,
    EncounterStatus,
    ServiceLine,
)
from app.models.insurance import Policy, Verification, VerifyMethod, VerifyResult  # noqa: E402
from app.models.practice import Provider  # noqa: E402
from app.models.staff import User  # noqa: E402
from app.ui.claims.dialogs import AlignmentDialog, CorrectionDialog  # noqa: E402
from app.ui.claims.page import ClaimsPage  # noqa: E402
from app.ui.claims.printing import BatchRunner, PdfSink  # noqa: E402

VISITS = [
    # (codes with charge and pointers, diagnoses, referring provider?)
    (
        [("99214", "165.00", "AB"), ("36415", "15.00", "A"), ("85025", "28.00", "A")],
        ["E11.9", "I10"],
    ),
    ([("99213", "115.00", "A")], ["J02.9"]),
    (
        [("99396", "220.00", "A"), ("90471", "25.00", "B"), ("90686", "40.00", "B")],
        ["Z00.00", "Z23"],
    ),
    ([("99213", "115.00", ""), ("87880", "25.00", "A")], ["J02.9"]),  # a line without a pointer
    ([("99212", "75.00", "A")], ["E11"]),  # a category, not a billable code
]


def todays_visits(store) -> None:  # type: ignore[no-untyped-def]
    """Coded visits from today with no claim yet (what the biller finds in the morning)."""
    today = date.today() - timedelta(days=1)
    with store.unit_of_work() as s:
        biller = s.execute(select(User).where(User.username == "biller")).scalar_one()
        provider = s.execute(select(Provider).order_by(Provider.id)).scalars().first()
        policies = list(
            s.execute(
                select(Policy).where(Policy.rank == 1).order_by(Policy.id).limit(40)
            ).scalars()
        )
        from app.models.insurance import Payer

        chosen = [p for p in policies if not s.get(Payer, p.payer_id).needs_referring_provider][:5]
        for pol, (lines, dx) in zip(chosen, VISITS, strict=False):
            s.add(
                Verification(
                    policy_id=pol.id,
                    verified_at=datetime.combine(today, time(8), tzinfo=UTC),
                    verified_by=biller.id,
                    method=VerifyMethod.PORTAL,
                    result=VerifyResult.ACTIVE,
                )
            )
            enc = Encounter(
                patient_id=pol.patient_id,
                date_of_service=today,
                provider_id=provider.id,
                place_of_service="11",
                policy_id=pol.id,
                status=EncounterStatus.CODED,
                coded_at=datetime.combine(today, time(17), tzinfo=UTC),
                coded_by=biller.id,
            )
            s.add(enc)
            s.flush()
            for pos, code in enumerate(dx, start=1):
                s.add(EncounterDiagnosis(encounter_id=enc.id, position=pos, code=code))
            for n, (code, charge, ptr) in enumerate(lines, start=1):
                s.add(
                    ServiceLine(
                        encounter_id=enc.id,
                        line_no=n,
                        code=code,
                        pointers=ptr,
                        units=1,
                        charge=Decimal(charge),
                        from_date=today,
                        to_date=today,
                    )
                )


def main() -> None:
    shots.app()
    store, paths = shots.demo_store(300)
    todays_visits(store)
    w = shots.main_window(store, paths, "biller")
    page = w.open_area("claims")
    assert isinstance(page, ClaimsPage)
    page.make_new_claims()
    page.reload()
    shots.settle()
    # The list: this morning's claims, ready and draft, newest first.
    for r in range(page.proxy.rowCount()):
        if page.proxy.data(page.proxy.index(r, 0), shots_row_role()).status is ClaimStatus.READY:
            page.table.selectRow(r)
            break
    page.detail.tabs.setCurrentIndex(1)
    shots.save(w, "claims-list")

    # The check of a draft: what to fix, and the Fix buttons.
    for r in range(page.proxy.rowCount()):
        row = page.proxy.data(page.proxy.index(r, 0), shots_row_role())
        if row.status is ClaimStatus.DRAFT:
            page.table.selectRow(r)
            break
    page.check_current()
    shots.settle()
    shots.save(w, "claims-check")

    # A paid claim from the history: its dated history and its ledger entries.
    with store.read_session() as s, s.begin():
        paid = s.execute(
            select(Claim.id)
            .where(Claim.status == ClaimStatus.PAID)
            .order_by(Claim.date_of_service.desc())
            .limit(1)
        ).scalar_one()
    page.open_record("claim", paid)
    page.detail.tabs.setCurrentIndex(2)
    shots.save(w, "claims-history")
    page.detail.tabs.setCurrentIndex(3)
    shots.save(w, "claims-ledger")

    d = page.detail.detail
    dlg = CorrectionDialog("replace", d.claim_no, "", page)
    dlg.ref.setText("PHP25073000412")
    dlg.note_edit.setPlainText("Line 2 billed 85025; the lab drew 85027.")
    dlg.show()
    shots.settle()
    shots.OUT.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(shots.OUT / "claims-correction.png"))
    print(f"saved {shots.OUT / 'claims-correction.png'}")
    dlg.note_edit.clear()  # closing with a typed note would ask first
    dlg.reject()

    align = AlignmentDialog(page.ctx, page)
    align.printer.setCurrentText("Front desk LaserJet")
    align.dx.setValue(1.5)
    align.dy.setValue(-2.0)
    align.show()
    shots.settle()
    align.grab().save(str(shots.OUT / "claims-alignment.png"))
    print(f"saved {shots.OUT / 'claims-alignment.png'}")
    align.reject()

    # The batch progress dialog over the page (a batch of the printed claims).
    page.status.setCurrentIndex(page.status.findData("printed"))
    page.reload()
    ids = [
        page.proxy.data(page.proxy.index(r, 0), shots_row_role()).id
        for r in range(min(400, page.proxy.rowCount()))
    ]
    import tempfile

    out = Path(tempfile.mkdtemp()) / "batch.pdf"
    runner = BatchRunner(page, store, page.ctx.actor, ids, PdfSink(out, "data"), "PDF file")
    runner.worker.progress.connect(_slow)  # let the dialog be seen mid-batch
    runner.start()
    shots.settle(600)
    runner.dialog.grab().save(str(shots.OUT / "claims-printing.png"))
    print(f"saved {shots.OUT / 'claims-printing.png'}")
    runner.worker.cancel()
    while runner.result is None:
        shots.settle(100)


def _slow(done: int, total: int) -> None:
    import time as _t

    _t.sleep(0.02)


def shots_row_role() -> int:
    from app.ui.widgets import ROW_ROLE

    return int(ROW_ROLE)


if __name__ == "__main__":
    main()
