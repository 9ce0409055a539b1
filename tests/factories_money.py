"""Builders for the money tests: coded visits with their service lines and
charge entries, and claims, written straight through the ORM (the coding and
claims areas make these in the program)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.coding import Encounter, EncounterStatus, ServiceLine
from app.models.insurance import Policy
from app.models.ledger import EntryKind, LedgerEntry, Party
from app.models.patient import Patient
from app.money import money
from app.services import ledger

_claim_seq = itertools.count(1)

DESCRIPTIONS = {
    "99213": "Established visit, low complexity",
    "99214": "Established visit, moderate complexity",
    "36415": "Blood draw by venipuncture",
    "85025": "Complete blood count with differential",
}


@dataclass(frozen=True)
class Visit:
    encounter_id: int
    patient_id: int
    dos: date
    line_ids: list[int]
    charges: list[Decimal]


def visit(
    s: Session,
    pat: Patient,
    provider_id: int,
    dos: date,
    lines: list[tuple[str, str]] | None = None,
    policy: Policy | None = None,
) -> Visit:
    """A coded visit; each line's charge goes to ``policy`` (or the patient)."""
    lines = lines or [("99213", "115.00")]
    enc = Encounter(
        patient_id=pat.id,
        date_of_service=dos,
        provider_id=provider_id,
        policy_id=policy.id if policy else None,
        status=EncounterStatus.CODED,
    )
    s.add(enc)
    s.flush()
    ids, charges = [], []
    entries = []
    txn = ledger.new_txn()
    for n, (code, charge) in enumerate(lines, start=1):
        sl = ServiceLine(
            encounter_id=enc.id,
            line_no=n,
            code=code,
            pointers="A",
            units=1,
            charge=money(charge),
            from_date=dos,
            to_date=dos,
        )
        s.add(sl)
        s.flush()
        ids.append(sl.id)
        charges.append(money(charge))
        entries.append(
            LedgerEntry(
                entry_date=dos,
                kind=EntryKind.CHARGE,
                amount=money(charge),
                patient_id=pat.id,
                service_line_id=sl.id,
                party=Party.INSURANCE if policy else Party.PATIENT,
                policy_id=policy.id if policy else None,
                payer_id=policy.payer_id if policy else None,
                provider_id=provider_id,
                txn=txn,
            )
        )
    s.add_all(entries)
    s.flush()
    return Visit(enc.id, pat.id, dos, ids, charges)


def claim(
    s: Session,
    v: Visit,
    policy: Policy,
    *,
    rank: int = 1,
    status: ClaimStatus = ClaimStatus.PRINTED,
    claim_no: str | None = None,
    primary: Claim | None = None,
) -> Claim:
    """A claim of the visit's lines billed to ``policy``."""
    c = Claim(
        claim_no=claim_no or f"26{next(_claim_seq):07d}",
        encounter_id=v.encounter_id,
        patient_id=v.patient_id,
        policy_id=policy.id,
        payer_id=policy.payer_id,
        provider_id=s.get(Encounter, v.encounter_id).provider_id,  # type: ignore[union-attr]
        date_of_service=v.dos,
        rank=rank,
        primary_claim_id=primary.id if primary else None,
        status=status,
        total_charge=sum(v.charges, Decimal("0.00")),
        snapshot={"test": True},
    )
    s.add(c)
    s.flush()
    for n, (lid, charge) in enumerate(zip(v.line_ids, v.charges, strict=True), start=1):
        sl = s.get(ServiceLine, lid)
        assert sl is not None
        s.add(ClaimLine(claim_id=c.id, service_line_id=lid, line_no=n, code=sl.code, charge=charge))
    s.add(ClaimEvent(claim_id=c.id, status=status, note="test claim"))
    s.flush()
    return c


def payer_check(
    s: Session,
    actor: object,
    payer_id: int,
    amount: str,
    ref: str = "CHK1001",
    received: date = date(2026, 4, 6),
) -> int:
    """Record a payer's check through the posting service; returns its id."""
    from app.models.ledger import PaymentMethod
    from app.services import posting

    row = posting.record_payer_payment(
        s,
        actor,  # type: ignore[arg-type]
        payer_id=payer_id,
        amount=money(amount),
        method=PaymentMethod.CHECK,
        reference=ref,
        received=received,
    )
    return row.payment_id
