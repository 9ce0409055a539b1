"""Builders for claim tests: coded visits, verifications and posted payer
payments, written straight through the ORM (the coding and payments areas
have their own services; these tests only need the rows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session

from app.models.claims import Claim
from app.models.coding import Encounter, EncounterDiagnosis, EncounterStatus, ServiceLine
from app.models.insurance import Policy, Verification, VerifyMethod, VerifyResult
from app.models.ledger import EntryKind, LedgerEntry, Party, Payment, PaymentMethod, PaymentSource
from app.services.auth import Actor

DOS = date(2025, 3, 14)
# (code, charge, pointers, modifiers)
LINE_SETS: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    "one": [("99213", "115.00", "AB", ())],
    "six": [
        ("99214", "165.00", "AB", ("25",)),
        ("36415", "15.00", "A", ()),
        ("85025", "28.00", "A", ()),
        ("80053", "35.00", "B", ()),
        ("93000", "60.00", "C", ()),
        ("81002", "12.00", "C", ()),
    ],
}
LINE_SETS["nine"] = [
    *LINE_SETS["six"],
    ("87880", "25.00", "D", ()),
    ("90471", "25.00", "D", ()),
    ("90686", "40.00", "D", ()),
]


def verify(
    s: Session,
    policy: Policy,
    user: Actor,
    on: date = DOS,
    result: VerifyResult = VerifyResult.ACTIVE,
) -> Verification:
    v = Verification(
        policy_id=policy.id,
        verified_at=datetime.combine(on, time(9), tzinfo=UTC),
        verified_by=user.user_id,
        method=VerifyMethod.PHONE,
        representative="Dana",
        reference_no="REF1",
        result=result,
    )
    s.add(v)
    s.flush()
    return v


def coded_visit(
    s: Session,
    patient_id: int,
    provider_id: int,
    policy: Policy | None,
    *,
    dos: date = DOS,
    lines: Sequence[tuple[str, str, str, tuple[str, ...]]] = LINE_SETS["one"],
    diagnoses: Sequence[str] = ("E11.9", "I10", "E78.5", "Z23"),
    **kw: object,
) -> Encounter:
    enc = Encounter(
        patient_id=patient_id,
        date_of_service=dos,
        provider_id=provider_id,
        place_of_service="11",
        policy_id=policy.id if policy else None,
        status=EncounterStatus.CODED,
        coded_at=datetime.combine(dos, time(17), tzinfo=UTC),
        **kw,
    )
    s.add(enc)
    s.flush()
    for pos, code in enumerate(diagnoses, start=1):
        s.add(EncounterDiagnosis(encounter_id=enc.id, position=pos, code=code))
    for n, (code, charge, pointers, mods) in enumerate(lines, start=1):
        m = [*mods, "", "", "", ""]
        s.add(
            ServiceLine(
                encounter_id=enc.id,
                line_no=n,
                code=code,
                modifier1=m[0],
                modifier2=m[1],
                modifier3=m[2],
                modifier4=m[3],
                pointers=pointers,
                units=1,
                charge=Decimal(charge),
                from_date=dos,
                to_date=dos,
            )
        )
    s.flush()
    return enc


def post_payer_payment(
    s: Session, claim: Claim, user: Actor, paid: dict[int, str], on: date = date(2025, 4, 10)
) -> None:
    """What the payments area does when it posts an EOB: one payment, and
    insurance_payment entries (negative) on the claim's lines."""
    total = sum((Decimal(v) for v in paid.values()), Decimal("0.00"))
    pay = Payment(
        received_date=on,
        source=PaymentSource.PAYER,
        payer_id=claim.payer_id,
        method=PaymentMethod.EFT,
        reference="EFT100200",
        amount=total,
        user_id=user.user_id,
    )
    s.add(pay)
    s.flush()
    for line_id, amount in paid.items():
        s.add(
            LedgerEntry(
                entry_date=on,
                kind=EntryKind.INSURANCE_PAYMENT,
                amount=-Decimal(amount),
                patient_id=claim.patient_id,
                service_line_id=line_id,
                claim_id=claim.id,
                payment_id=pay.id,
                party=Party.INSURANCE,
                policy_id=claim.policy_id,
                payer_id=claim.payer_id,
                txn="t" + str(pay.id),
                user_id=user.user_id,
            )
        )
    s.flush()
