"""A small office built entry by entry for the reports' tests: visits with
service lines, claims with their status history, payer and patient payments
posted through the ledger service, and bills paid to vendors."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session

from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.coding import Encounter, EncounterDiagnosis, EncounterStatus, ServiceLine
from app.models.ledger import (
    AdjustmentType,
    EntryKind,
    LedgerEntry,
    Party,
    Payment,
    PaymentMethod,
    PaymentSource,
)
from app.models.payables import Bill, BillPayment, ExpenseCategory, Vendor
from app.services import ledger
from app.services.auth import Actor

_claim_no = itertools.count(1)
_invoice = itertools.count(1)


def D(text: str) -> Decimal:
    return Decimal(text)


def at(d: date, hour: int = 19) -> datetime:
    """A time on day ``d``, as UTC: 19:00 UTC is early afternoon in the US."""
    return datetime.combine(d, time(hour), tzinfo=UTC)


class Visit:
    def __init__(self, encounter_id: int, lines: list[tuple[int, str, Decimal]]) -> None:
        self.encounter_id = encounter_id
        self.lines = lines  # (service_line_id, code, charge)

    def line(self, code: str) -> int:
        return next(lid for lid, c, _ in self.lines if c == code)


def visit(
    s: Session,
    actor: Actor,
    *,
    patient_id: int,
    provider_id: int,
    on: date,
    lines: list[tuple[str, str]],
    policy_id: int | None = None,
    payer_id: int | None = None,
    diagnoses: tuple[str, ...] = ("I10",),
    post_charges: bool = True,
) -> Visit:
    """A coded visit; its charges posted on the day of service."""
    enc = Encounter(
        patient_id=patient_id,
        date_of_service=on,
        provider_id=provider_id,
        policy_id=policy_id,
        status=EncounterStatus.CODED if post_charges else EncounterStatus.OPEN,
        created_at=at(on, 15),
    )
    s.add(enc)
    s.flush()
    for pos, code in enumerate(diagnoses, start=1):
        s.add(EncounterDiagnosis(encounter_id=enc.id, position=pos, code=code))
    out = []
    for n, (code, charge) in enumerate(lines, start=1):
        sl = ServiceLine(
            encounter_id=enc.id,
            line_no=n,
            code=code,
            pointers="A",
            units=1,
            charge=D(charge),
            from_date=on,
            to_date=on,
        )
        s.add(sl)
        s.flush()
        out.append((sl.id, code, D(charge)))
    v = Visit(enc.id, out)
    if post_charges:
        ledger.post(
            s,
            actor,
            [
                LedgerEntry(
                    entry_date=on,
                    kind=EntryKind.CHARGE,
                    amount=charge,
                    patient_id=patient_id,
                    service_line_id=lid,
                    party=Party.INSURANCE if policy_id else Party.PATIENT,
                    policy_id=policy_id,
                    payer_id=payer_id,
                    provider_id=provider_id,
                )
                for lid, _, charge in out
            ],
        )
    return v


def claim(
    s: Session,
    v: Visit,
    *,
    patient_id: int,
    policy_id: int,
    payer_id: int,
    provider_id: int,
    on: date,
) -> Claim:
    total = sum((c for _, _, c in v.lines), D("0.00"))
    c = Claim(
        claim_no=f"T{next(_claim_no):07d}",
        encounter_id=v.encounter_id,
        patient_id=patient_id,
        policy_id=policy_id,
        payer_id=payer_id,
        provider_id=provider_id,
        date_of_service=on,
        status=ClaimStatus.PRINTED,
        total_charge=total,
        snapshot={"test": True},
        created_at=at(on),
    )
    s.add(c)
    s.flush()
    for n, (lid, code, charge) in enumerate(v.lines, start=1):
        s.add(ClaimLine(claim_id=c.id, service_line_id=lid, line_no=n, code=code, charge=charge))
    s.add(ClaimEvent(claim_id=c.id, at=at(on), status=ClaimStatus.PRINTED))
    s.flush()
    return c


def claim_status(s: Session, c: Claim, status: ClaimStatus, on: date) -> None:
    c.status = status
    s.add(ClaimEvent(claim_id=c.id, at=at(on), status=status))
    s.flush()


def payer_payment(
    s: Session,
    actor: Actor,
    *,
    payer_id: int,
    policy_id: int,
    patient_id: int,
    provider_id: int,
    on: date,
    claim_id: int | None,
    lines: list[tuple[int, str, str, str]],
) -> None:
    """Payer money on lines: (line id, paid, contractual, to the patient)."""
    total = sum((D(p) for _, p, _, _ in lines), D("0.00"))
    pay = Payment(
        received_date=on,
        source=PaymentSource.PAYER,
        payer_id=payer_id,
        method=PaymentMethod.EFT,
        reference="EFT1",
        amount=total,
    )
    s.add(pay)
    s.flush()
    entries: list[LedgerEntry] = []
    common = dict(
        patient_id=patient_id,
        claim_id=claim_id,
        policy_id=policy_id,
        payer_id=payer_id,
        provider_id=provider_id,
        entry_date=on,
    )
    for lid, paid, contractual, to_patient in lines:
        entries.append(
            LedgerEntry(
                kind=EntryKind.INSURANCE_PAYMENT,
                amount=-D(paid),
                service_line_id=lid,
                payment_id=pay.id,
                party=Party.INSURANCE,
                **common,
            )
        )
        if D(contractual):
            entries.append(
                LedgerEntry(
                    kind=EntryKind.ADJUSTMENT,
                    amount=-D(contractual),
                    service_line_id=lid,
                    party=Party.INSURANCE,
                    adjustment_type=AdjustmentType.CONTRACTUAL,
                    carc_group="CO",
                    carc_code="45",
                    **common,
                )
            )
        if D(to_patient):
            entries.append(
                LedgerEntry(
                    kind=EntryKind.TRANSFER,
                    amount=-D(to_patient),
                    service_line_id=lid,
                    party=Party.INSURANCE,
                    carc_group="PR",
                    carc_code="2",
                    **common,
                )
            )
            entries.append(
                LedgerEntry(
                    kind=EntryKind.TRANSFER,
                    amount=D(to_patient),
                    service_line_id=lid,
                    party=Party.PATIENT,
                    patient_id=patient_id,
                    claim_id=claim_id,
                    provider_id=provider_id,
                    entry_date=on,
                )
            )
    ledger.post(s, actor, entries)


def patient_payment_on_lines(
    s: Session,
    actor: Actor,
    *,
    patient_id: int,
    provider_id: int,
    on: date,
    method: PaymentMethod,
    lines: list[tuple[int, str]],
    reference: str = "",
    card_last4: str = "",
) -> Payment:
    """Money from the patient, taken at the desk and applied to lines at once."""
    total = sum((D(a) for _, a in lines), D("0.00"))
    pay = ledger.record_patient_payment(
        s,
        actor,
        patient_id=patient_id,
        amount=total,
        method=method,
        received=on,
        reference=reference,
        card_last4=card_last4,
    )
    apply = [
        LedgerEntry(
            entry_date=on,
            kind=EntryKind.PATIENT_PAYMENT,
            amount=total,
            patient_id=patient_id,
            payment_id=pay.id,
            party=Party.PATIENT,
            memo="applied",
        )
    ] + [
        LedgerEntry(
            entry_date=on,
            kind=EntryKind.PATIENT_PAYMENT,
            amount=-D(a),
            patient_id=patient_id,
            service_line_id=lid,
            payment_id=pay.id,
            party=Party.PATIENT,
            provider_id=provider_id,
        )
        for lid, a in lines
    ]
    ledger.post(s, actor, apply)
    return pay


def entry(
    s: Session,
    actor: Actor,
    *,
    kind: EntryKind,
    amount: str,
    patient_id: int,
    on: date,
    party: Party = Party.PATIENT,
    **kw: object,
) -> None:
    ledger.post(
        s,
        actor,
        [
            LedgerEntry(
                entry_date=on, kind=kind, amount=D(amount), patient_id=patient_id, party=party, **kw
            )
        ],
    )


def bill_paid(
    s: Session,
    vendor: str,
    category: ExpenseCategory,
    amount: str,
    billed: date,
    payments: list[tuple[date, str]],
) -> None:
    v = s.query(Vendor).filter_by(name=vendor).one_or_none()
    if v is None:
        v = Vendor(name=vendor, default_category=category)
        s.add(v)
        s.flush()
    b = Bill(
        vendor_id=v.id,
        invoice_no=f"INV-{next(_invoice)}",
        bill_date=billed,
        due_date=billed,
        amount=D(amount),
        category=category,
    )
    s.add(b)
    s.flush()
    for on, paid in payments:
        s.add(
            BillPayment(
                bill_id=b.id, paid_date=on, amount=D(paid), method=PaymentMethod.CHECK, check_no="1"
            )
        )
    s.flush()
