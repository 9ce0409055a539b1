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


def fee_items(s: Session) -> None:
    """The fee schedule rows for the codes these tests bill."""
    from app.models.coding import FeeItem

    for code, desc in DESCRIPTIONS.items():
        s.add(FeeItem(code=code, description=desc, price=None))
    s.flush()


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


# ---------------------------------------------------------------- a fixed office

FIXED_AS_OF = date(2026, 6, 30)
_FIXED_PATIENTS = [
    # last, first, policies (payer index by rank), guarantor index or None
    ("Abbott", "Lena", (0,), None),
    ("Brooks", "Omar", (1, 2), None),
    ("Castillo", "Ines", (), None),
    ("Dorsey", "Paul", (0,), None),
    ("Dorsey", "Mia", (0,), 3),  # a child on her father's account
    ("Engel", "Ruth", (1,), None),
    ("Fong", "Kevin", (), None),
    ("Garza", "Tomas", (1, 2), None),
    ("Hale", "Nora", (0,), None),
    ("Ibarra", "Luis", (), None),
]
_FIXED_PAYERS = (
    ("Prairie Health Plan", "PHP01"),
    ("Medicare Part B", "MCR01"),
    ("Lakeshore Medigap", "LMG02"),
)
_FIXED_CODES = (("99213", "115.00"), ("99214", "165.00"), ("36415", "15.00"), ("85025", "28.00"))


def fixed_office(store: object, office: object) -> dict[str, int]:
    """A small office with seven months of history (December 2025 to June
    2026), built through the posting services from a fixed seed. Returns
    counts of what was made."""
    import random
    from datetime import timedelta

    from app.models.ledger import PaymentMethod
    from app.models.patient import Patient as PatientModel
    from app.services import payments, posting
    from app.services.posting import EobLine
    from tests import factories

    rng = random.Random(1127)
    made = {"visits": 0, "eobs": 0, "patient_payments": 0}
    with store.unit_of_work() as s:  # type: ignore[attr-defined]
        payers = [factories.payer(s, n, payer_code=c) for n, c in _FIXED_PAYERS]
        pats: list[PatientModel] = []
        pols: list[list[Policy]] = []
        for i, (last, first, ranks, g) in enumerate(_FIXED_PATIENTS):
            kw: dict[str, object] = {"account_no": f"F{1001 + i}"}
            if g is not None:
                kw.update(guarantor_is_patient=False, guarantor_patient_id=pats[g].id)
            p = factories.patient(s, last, first, **kw)
            pats.append(p)
            pols.append(
                [
                    factories.policy(s, p, payers[pi], rank, copay=None)
                    for rank, pi in enumerate(ranks, start=1)
                ]
            )
        provider_id = office.provider_id  # type: ignore[attr-defined]
        biller = office.biller  # type: ignore[attr-defined]
        day = date(2025, 12, 1)
        eobs: dict[tuple[int, date], list[tuple[int, list[EobLine]]]] = {}
        n = 0
        while day <= date(2026, 6, 26):
            if day.weekday() < 5 and rng.random() < 0.55:
                i = rng.randrange(len(pats))
                p, ppols = pats[i], pols[i]
                codes = [_FIXED_CODES[rng.randrange(2)]]
                if rng.random() < 0.4:
                    codes.append(_FIXED_CODES[2 + rng.randrange(2)])
                v = visit(s, p, provider_id, day, codes, ppols[0] if ppols else None)
                made["visits"] += 1
                if ppols:
                    c = claim(s, v, ppols[0], claim_no=f"F{day:%y%m%d}{n:02d}")
                    paid_on = day + timedelta(days=rng.randrange(14, 45))
                    if paid_on <= FIXED_AS_OF - timedelta(days=3):
                        week = paid_on - timedelta(days=paid_on.weekday())
                        lines = []
                        denied = rng.random() < 0.1
                        for lid, ch in zip(v.line_ids, v.charges, strict=True):
                            if denied:
                                lines.append(
                                    EobLine(lid, denial_group="CO", denial_code="16", rarc="N290")
                                )
                                continue
                            allowed = (ch * Decimal("0.7")).quantize(Decimal("0.01"))
                            coins = (allowed * Decimal("0.2")).quantize(Decimal("0.01"))
                            lines.append(
                                EobLine(
                                    lid,
                                    paid=allowed - coins,
                                    allowed=allowed,
                                    coinsurance=coins,
                                    contractual=ch - allowed,
                                )
                            )
                        eobs.setdefault((ppols[0].payer_id, week), []).append((c.id, lines))
                n += 1
            # Each payer's weekly check pays exactly what its EOB lines say.
            for key in sorted(k for k in eobs if k[1] == day):
                payer_id, week = key
                items = eobs.pop(key)
                total = sum((ln.paid for _, lines in items for ln in lines), Decimal("0.00"))
                chk = payer_check(
                    s,
                    biller,
                    payer_id,
                    str(total),
                    ref=f"F{payer_id}-{week:%y%m%d}",
                    received=week,
                )
                for claim_id, lines in items:
                    posting.post_eob(s, biller, chk, claim_id, lines)
                    made["eobs"] += 1
            # Patients pay some of what they owe on a few fixed dates.
            if day in (date(2026, 2, 16), date(2026, 4, 15), date(2026, 6, 15)):
                for p in pats:
                    acct = payments.account(s, biller, p.id)
                    if acct.guarantor_id != p.id or acct.owed <= Decimal("0.00"):
                        continue
                    if rng.random() < 0.5:
                        amt = acct.owed
                        if rng.random() < 0.4:
                            amt = (acct.owed / 2).quantize(Decimal("0.01"))
                        payments.take_patient_payment(
                            s,
                            biller,
                            patient_id=p.id,
                            amount=amt,
                            method=PaymentMethod.CHECK,
                            reference=f"{rng.randrange(1000, 9999)}",
                            received=day,
                        )
                        made["patient_payments"] += 1
            day += timedelta(days=1)
    return made
