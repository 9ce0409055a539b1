"""Years of office history: appointments, coded visits, claims, payer and
patient payments with adjustments and transfers, all written in bulk and
following the ledger's sign rules (see ``app.models.ledger``)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.demo import OfficeSize
from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.coding import (
    Encounter,
    EncounterDiagnosis,
    EncounterStatus,
    FeeItem,
    ServiceLine,
)
from app.models.insurance import Policy
from app.models.ledger import (
    AdjustmentType,
    EntryKind,
    LedgerEntry,
    Party,
    Payment,
    PaymentMethod,
    PaymentSource,
)
from app.models.patient import Patient
from app.models.practice import Provider
from app.models.schedule import Appointment, AppointmentStatus
from app.models.staff import User
from app.money import CENT, ZERO

# Codes the synthetic office bills, with its prices (the office's own figures).
FEES: dict[str, tuple[str, str]] = {
    "99202": ("New patient visit, straightforward", "95.00"),
    "99203": ("New patient visit, low complexity", "140.00"),
    "99204": ("New patient visit, moderate complexity", "210.00"),
    "99212": ("Established visit, straightforward", "75.00"),
    "99213": ("Established visit, low complexity", "115.00"),
    "99214": ("Established visit, moderate complexity", "165.00"),
    "99215": ("Established visit, high complexity", "230.00"),
    "99396": ("Preventive visit, established, 40-64", "220.00"),
    "36415": ("Blood draw by venipuncture", "15.00"),
    "81002": ("Urinalysis, non-automated, no microscopy", "12.00"),
    "85025": ("Complete blood count with differential", "28.00"),
    "80053": ("Comprehensive metabolic panel", "35.00"),
    "93000": ("Electrocardiogram with report", "60.00"),
    "87880": ("Rapid strep test", "25.00"),
    "90471": ("Immunization administration, one vaccine", "25.00"),
    "90686": ("Influenza vaccine, quadrivalent, preservative-free", "40.00"),
}
EM_ESTABLISHED = ("99212", "99213", "99213", "99213", "99214", "99214", "99215")
EM_NEW = ("99202", "99203", "99203", "99204")
EXTRAS = ("36415", "81002", "85025", "80053", "93000", "87880", "90471")
DIAGNOSES = [
    "I10",
    "E11.9",
    "E78.5",
    "J06.9",
    "M54.50",
    "Z00.00",
    "Z00.01",
    "R05.9",
    "J02.9",
    "N39.0",
    "K21.9",
    "F41.1",
    "Z23",
    "M25.561",
    "R51.9",
    "E66.9",
    "L30.9",
    "H10.9",
    "J45.909",
    "E03.9",
    "R10.9",
    "B34.9",
    "J20.9",
    "G43.909",
    "R53.83",
    "Z71.3",
]
REASONS = (
    "Follow-up",
    "Annual physical",
    "Cough",
    "Back pain",
    "Blood pressure check",
    "Diabetes follow-up",
    "Sore throat",
    "Medication review",
    "Flu shot",
    "Rash",
)


def _money(s: str) -> Decimal:
    return Decimal(s).quantize(CENT)


def populate(s: Session, rng: random.Random, size: OfficeSize) -> None:
    today = size.today
    fee_ids: dict[str, int] = {}
    for i, (code, (desc, price)) in enumerate(FEES.items(), start=1):
        s.execute(
            insert(FeeItem),
            [dict(id=i, code=code, description=desc, price=_money(price), active=True)],
        )
        fee_ids[code] = i
    providers = list(s.execute(select(Provider.id).order_by(Provider.id)).scalars())
    user_ids = list(s.execute(select(User.id).order_by(User.id)).scalars())
    patients = list(s.execute(select(Patient.id, Patient.created_at).order_by(Patient.id)))
    pols: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pol_id, pat_id, payer_id, _rank in s.execute(
        select(Policy.id, Policy.patient_id, Policy.payer_id, Policy.rank).order_by(
            Policy.patient_id, Policy.rank
        )
    ):
        pols[pat_id].append((pol_id, payer_id))
    if not patients or not providers:
        return

    w = _Writer(rng)
    start = today - timedelta(days=365 * size.years)
    n_visits = size.visits_per_year * size.years
    if size.patients < 1000:  # demo: a calmer office
        n_visits = min(n_visits, size.patients * 6 * size.years)
    seen: set[int] = set()
    days = (today - start).days
    visits = sorted(
        (start + timedelta(days=rng.randrange(days)), rng.choice(patients)[0])
        for _ in range(n_visits)
    )
    for dos, pat_id in visits:
        if dos.weekday() >= 5:
            dos -= timedelta(days=dos.weekday() - 4)
        new_patient = pat_id not in seen
        seen.add(pat_id)
        provider_id = providers[0] if rng.random() < 0.8 or len(providers) == 1 else providers[1]
        policies = pols.get(pat_id, [])
        w.visit(dos, pat_id, provider_id, policies, new_patient, today, user_ids)

    # The schedule: today and the next three working days, plus the past week.
    appt_rows = []
    for offset in range(-7, 5):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for slot in range(min(18, max(4, size.patients // 15))):
            pat_id = rng.choice(patients)[0]
            status = (
                AppointmentStatus.SCHEDULED
                if offset >= 0
                else rng.choice(
                    (
                        AppointmentStatus.COMPLETED,
                        AppointmentStatus.COMPLETED,
                        AppointmentStatus.COMPLETED,
                        AppointmentStatus.NO_SHOW,
                    )
                )
            )
            appt_rows.append(
                dict(
                    patient_id=pat_id,
                    provider_id=rng.choice(providers),
                    day=day,
                    start=time(8 + slot // 3, (slot % 3) * 20),
                    minutes=20,
                    reason=rng.choice(REASONS),
                    visit_type="Office visit",
                    self_pay=not pols.get(pat_id),
                    status=status,
                    created_at=datetime.now(UTC),
                )
            )
    w.flush(s, appt_rows)


class _Writer:
    """Collects rows with explicit ids, then writes them in bulk."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: dict[type, list[dict[str, object]]] = defaultdict(list)
        self.ids: dict[type, int] = defaultdict(int)
        self.weekly_payments: dict[tuple[int, date], int] = {}

    def _id(self, model: type) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def _txn(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def entry(self, **kw: object) -> None:
        kw.setdefault("service_line_id", None)
        kw.setdefault("claim_id", None)
        kw.setdefault("payment_id", None)
        kw.setdefault("policy_id", None)
        kw.setdefault("payer_id", None)
        kw.setdefault("adjustment_type", None)
        kw.setdefault("carc_group", "")
        kw.setdefault("carc_code", "")
        kw.setdefault("rarc", "")
        kw.setdefault("reverses_id", None)
        kw.setdefault("memo", "")
        d = kw["entry_date"]
        assert isinstance(d, date)
        kw.setdefault("posted_at", datetime.combine(d, time(17), tzinfo=UTC))
        kw["id"] = self._id(LedgerEntry)
        self.rows[LedgerEntry].append(kw)

    def payer_payment(self, payer_id: int, paid_on: date, user_id: int) -> int:
        week = paid_on - timedelta(days=paid_on.weekday())
        key = (payer_id, week)
        if key not in self.weekly_payments:
            pid = self._id(Payment)
            self.weekly_payments[key] = pid
            self.rows[Payment].append(
                dict(
                    id=pid,
                    received_date=week + timedelta(days=2),
                    source=PaymentSource.PAYER,
                    payer_id=payer_id,
                    patient_id=None,
                    method=PaymentMethod.EFT,
                    reference=f"EFT{self.rng.randrange(10**8, 10**9)}",
                    card_last4="",
                    amount=ZERO,
                    appointment_id=None,
                    memo="",
                    user_id=user_id,
                    posted_at=datetime.combine(week + timedelta(days=2), time(10), tzinfo=UTC),
                )
            )
        return self.weekly_payments[key]

    def visit(
        self,
        dos: date,
        pat_id: int,
        provider_id: int,
        policies: list[tuple[int, int]],
        new_patient: bool,
        today: date,
        user_ids: list[int],
    ) -> None:
        rng = self.rng
        user = rng.choice(user_ids)
        enc_id = self._id(Encounter)
        primary = policies[0] if policies else None
        self.rows[Encounter].append(
            dict(
                id=enc_id,
                patient_id=pat_id,
                appointment_id=None,
                date_of_service=dos,
                provider_id=provider_id,
                referring_name="",
                referring_npi="",
                referring_qualifier="",
                place_of_service="11",
                prior_auth="",
                policy_id=primary[0] if primary else None,
                illness_date=None,
                illness_qualifier="431",
                related_employment=False,
                related_auto=False,
                auto_state="",
                related_other=False,
                status=EncounterStatus.CODED,
                coded_at=datetime.combine(dos, time(18), tzinfo=UTC),
                coded_by=user,
                notes="",
                created_at=datetime.combine(dos, time(9), tzinfo=UTC),
            )
        )
        dx = rng.sample(DIAGNOSES, rng.choice((1, 1, 2, 2, 3)))
        for pos, code in enumerate(dx, start=1):
            self.rows[EncounterDiagnosis].append(
                dict(id=self._id(EncounterDiagnosis), encounter_id=enc_id, position=pos, code=code)
            )
        codes = [rng.choice(EM_NEW if new_patient else EM_ESTABLISHED)]
        if rng.random() < 0.45:
            codes.append(rng.choice(EXTRAS))
        if codes[-1] == "90471":
            codes.append("90686")
        lines = []
        for n, code in enumerate(codes, start=1):
            line_id = self._id(ServiceLine)
            charge = _money(FEES[code][1])
            lines.append((line_id, code, charge))
            self.rows[ServiceLine].append(
                dict(
                    id=line_id,
                    encounter_id=enc_id,
                    line_no=n,
                    code=code,
                    modifier1="",
                    modifier2="",
                    modifier3="",
                    modifier4="",
                    pointers="".join("ABC"[: min(len(dx), 2 if n == 1 else 1)]),
                    units=1,
                    charge=charge,
                    from_date=dos,
                    to_date=dos,
                    ndc="",
                    ndc_unit="",
                    ndc_quantity="",
                    provider_id=None,
                    emergency=False,
                    epsdt="",
                )
            )
        txn = self._txn()
        party = Party.INSURANCE if primary else Party.PATIENT
        for line_id, _, charge in lines:
            self.entry(
                entry_date=dos,
                kind=EntryKind.CHARGE,
                amount=charge,
                patient_id=pat_id,
                service_line_id=line_id,
                party=party,
                policy_id=primary[0] if primary else None,
                payer_id=primary[1] if primary else None,
                provider_id=provider_id,
                txn=txn,
                user_id=user,
            )
        if primary is None:
            self.patient_pays(
                pat_id,
                provider_id,
                lines,
                [(lid, ch) for lid, _, ch in lines],
                dos + timedelta(days=rng.randrange(0, 60)),
                today,
                user,
            )
            return
        claim_id = self._id(Claim)
        total = sum((c for _, _, c in lines), ZERO)
        self.rows[Claim].append(
            dict(
                id=claim_id,
                claim_no=f"{dos:%y}{claim_id:07d}",
                encounter_id=enc_id,
                patient_id=pat_id,
                policy_id=primary[0],
                payer_id=primary[1],
                provider_id=provider_id,
                date_of_service=dos,
                rank=1,
                frequency="1",
                original_claim_id=None,
                primary_claim_id=None,
                payer_claim_ref="",
                status=ClaimStatus.PRINTED,
                total_charge=total,
                amount_paid=ZERO,
                snapshot={"generated": True},
                created_at=datetime.combine(dos, time(19), tzinfo=UTC),
                created_by=user,
            )
        )
        for n, (line_id, code, charge) in enumerate(lines, start=1):
            self.rows[ClaimLine].append(
                dict(
                    id=self._id(ClaimLine),
                    claim_id=claim_id,
                    service_line_id=line_id,
                    line_no=n,
                    code=code,
                    charge=charge,
                )
            )
        self.claim_event(claim_id, dos, ClaimStatus.PRINTED, user)
        paid_on = dos + timedelta(days=rng.randrange(12, 50))
        if paid_on >= today:
            return
        if rng.random() < 0.06:
            # Denied: the balance stays with the payer to be worked.
            pay_id = self.payer_payment(primary[1], paid_on, user)
            txn = self._txn()
            for line_id, _, _ in lines:
                self.entry(
                    entry_date=paid_on,
                    kind=EntryKind.INSURANCE_PAYMENT,
                    amount=ZERO,
                    patient_id=pat_id,
                    service_line_id=line_id,
                    claim_id=claim_id,
                    payment_id=pay_id,
                    party=Party.INSURANCE,
                    policy_id=primary[0],
                    payer_id=primary[1],
                    provider_id=provider_id,
                    carc_group="CO",
                    carc_code=rng.choice(("16", "197", "50")),
                    txn=txn,
                    user_id=user,
                )
            self.set_claim(claim_id, ClaimStatus.DENIED, ZERO, paid_on, user)
            return
        pay_id = self.payer_payment(primary[1], paid_on, user)
        txn = self._txn()
        factor = Decimal(rng.randrange(55, 86)) / 100
        coins = Decimal(rng.choice((0, 10, 20, 20, 30))) / 100
        to_next: list[tuple[int, Decimal]] = []
        claim_paid = ZERO
        for line_id, _, charge in lines:
            allowed = (charge * factor).quantize(CENT)
            patient_part = (allowed * coins).quantize(CENT)
            paid = allowed - patient_part
            claim_paid += paid
            common = dict(
                patient_id=pat_id,
                service_line_id=line_id,
                claim_id=claim_id,
                policy_id=primary[0],
                payer_id=primary[1],
                provider_id=provider_id,
                txn=txn,
                user_id=user,
            )
            self.entry(
                entry_date=paid_on,
                kind=EntryKind.INSURANCE_PAYMENT,
                amount=-paid,
                payment_id=pay_id,
                party=Party.INSURANCE,
                **common,
            )
            self.entry(
                entry_date=paid_on,
                kind=EntryKind.ADJUSTMENT,
                amount=-(charge - allowed),
                party=Party.INSURANCE,
                adjustment_type=AdjustmentType.CONTRACTUAL,
                carc_group="CO",
                carc_code="45",
                **common,
            )
            if patient_part:
                to_next.append((line_id, patient_part))
        self.bump_payment(pay_id, claim_paid)
        self.set_claim(claim_id, ClaimStatus.PAID, claim_paid, paid_on, user)
        if not to_next:
            return
        second = policies[1] if len(policies) > 1 else None
        txn = self._txn()
        for line_id, amount in to_next:
            common = dict(
                patient_id=pat_id,
                service_line_id=line_id,
                claim_id=claim_id,
                provider_id=provider_id,
                txn=txn,
                user_id=user,
            )
            self.entry(
                entry_date=paid_on,
                kind=EntryKind.TRANSFER,
                amount=-amount,
                party=Party.INSURANCE,
                policy_id=primary[0],
                payer_id=primary[1],
                carc_group="PR",
                carc_code="2",
                **common,
            )
            if second:
                self.entry(
                    entry_date=paid_on,
                    kind=EntryKind.TRANSFER,
                    amount=amount,
                    party=Party.INSURANCE,
                    policy_id=second[0],
                    payer_id=second[1],
                    **common,
                )
            else:
                self.entry(
                    entry_date=paid_on,
                    kind=EntryKind.TRANSFER,
                    amount=amount,
                    party=Party.PATIENT,
                    **common,
                )
        if second:
            paid2_on = paid_on + timedelta(days=rng.randrange(10, 40))
            if paid2_on >= today:
                return
            pay2 = self.payer_payment(second[1], paid2_on, user)
            txn = self._txn()
            remaining: list[tuple[int, Decimal]] = []
            total2 = ZERO
            for line_id, amount in to_next:
                paid2 = (amount * Decimal("0.8")).quantize(CENT)
                total2 += paid2
                self.entry(
                    entry_date=paid2_on,
                    kind=EntryKind.INSURANCE_PAYMENT,
                    amount=-paid2,
                    patient_id=pat_id,
                    service_line_id=line_id,
                    payment_id=pay2,
                    party=Party.INSURANCE,
                    policy_id=second[0],
                    payer_id=second[1],
                    provider_id=provider_id,
                    txn=txn,
                    user_id=user,
                )
                rest = amount - paid2
                if rest:
                    self.entry(
                        entry_date=paid2_on,
                        kind=EntryKind.TRANSFER,
                        amount=-rest,
                        patient_id=pat_id,
                        service_line_id=line_id,
                        party=Party.INSURANCE,
                        policy_id=second[0],
                        payer_id=second[1],
                        provider_id=provider_id,
                        carc_group="PR",
                        carc_code="2",
                        txn=txn,
                        user_id=user,
                    )
                    self.entry(
                        entry_date=paid2_on,
                        kind=EntryKind.TRANSFER,
                        amount=rest,
                        patient_id=pat_id,
                        service_line_id=line_id,
                        party=Party.PATIENT,
                        provider_id=provider_id,
                        txn=txn,
                        user_id=user,
                    )
                    remaining.append((line_id, rest))
            self.bump_payment(pay2, total2)
            to_next, paid_on = remaining, paid2_on
        if to_next:
            self.patient_pays(
                pat_id,
                provider_id,
                lines,
                to_next,
                paid_on + timedelta(days=rng.randrange(15, 90)),
                today,
                user,
            )

    def patient_pays(
        self,
        pat_id: int,
        provider_id: int,
        lines: object,
        owed: list[tuple[int, Decimal]],
        on: date,
        today: date,
        user: int,
    ) -> None:
        if on >= today or self.rng.random() < 0.12:
            return  # still owed
        total = sum((a for _, a in owed), ZERO)
        pay_id = self._id(Payment)
        method = self.rng.choice((PaymentMethod.CASH, PaymentMethod.CHECK, PaymentMethod.CARD))
        self.rows[Payment].append(
            dict(
                id=pay_id,
                received_date=on,
                source=PaymentSource.PATIENT,
                payer_id=None,
                patient_id=pat_id,
                method=method,
                reference=f"{self.rng.randrange(1000, 9999)}"
                if method is PaymentMethod.CHECK
                else "",
                card_last4=f"{self.rng.randrange(10000):04d}"
                if method is PaymentMethod.CARD
                else "",
                amount=total,
                appointment_id=None,
                memo="",
                user_id=user,
                posted_at=datetime.combine(on, time(11), tzinfo=UTC),
            )
        )
        txn = self._txn()
        for line_id, amount in owed:
            self.entry(
                entry_date=on,
                kind=EntryKind.PATIENT_PAYMENT,
                amount=-amount,
                patient_id=pat_id,
                service_line_id=line_id,
                payment_id=pay_id,
                party=Party.PATIENT,
                provider_id=provider_id,
                txn=txn,
                user_id=user,
            )

    def bump_payment(self, pay_id: int, amount: Decimal) -> None:
        # Weekly payer payments are appended in order; the newest is near the end.
        for row in reversed(self.rows[Payment]):
            if row["id"] == pay_id:
                row["amount"] = row["amount"] + amount  # type: ignore[operator]
                return

    def claim_event(self, claim_id: int, on: date, status: ClaimStatus, user: int) -> None:
        self.rows[ClaimEvent].append(
            dict(
                id=self._id(ClaimEvent),
                claim_id=claim_id,
                at=datetime.combine(on, time(19), tzinfo=UTC),
                user_id=user,
                status=status,
                note="",
            )
        )

    def set_claim(
        self, claim_id: int, status: ClaimStatus, paid: Decimal, on: date, user: int
    ) -> None:
        row = self.rows[Claim][-1]
        assert row["id"] == claim_id
        row["status"] = status
        row["amount_paid"] = paid
        self.claim_event(claim_id, on, status, user)

    def flush(self, s: Session, appointments: list[dict[str, object]]) -> None:
        order = (
            Encounter,
            EncounterDiagnosis,
            ServiceLine,
            Claim,
            ClaimLine,
            ClaimEvent,
            Payment,
            LedgerEntry,
        )
        for model in order:
            rows = self.rows.get(model, [])
            for i in range(0, len(rows), 5000):
                s.execute(insert(model), rows[i : i + 5000])
        for i in range(0, len(appointments), 5000):
            s.execute(insert(Appointment), appointments[i : i + 5000])
