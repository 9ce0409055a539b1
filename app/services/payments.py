"""Patient payments (at the desk, by mail, on a statement), applying credits,
voiding a payment that bounced, and refunding credits.

A payment is recorded once and applied to the account's lines, oldest date
of service first unless the person picks lines. Nothing is saved unless the
whole amount is applied or the rest is explicitly left as a credit on the
account (``leave_credit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, ValidationError
from app.models.ledger import LedgerEntry, Party, Payment, PaymentMethod, PaymentSource
from app.models.patient import Patient
from app.money import ZERO, fmt, sum_money
from app.services import audit, ledger
from app.services.auth import Actor, Permission, require


@dataclass(frozen=True)
class AccountLine:
    """A line the account's patients owe on, for the payment screen."""

    service_line_id: int
    patient_id: int
    patient_name: str
    dos: date
    code: str
    owed: Decimal


@dataclass(frozen=True)
class Account:
    """A guarantor's account as the payment screen shows it."""

    guarantor_id: int
    patient_ids: list[int]
    lines: list[AccountLine]
    credit: Decimal  # unapplied patient money held on the account

    @property
    def owed(self) -> Decimal:
        return sum((ln.owed for ln in self.lines), ZERO)

    @property
    def due(self) -> Decimal:
        return self.owed - self.credit


@dataclass(frozen=True)
class PaymentResult:
    payment_id: int
    amount: Decimal
    applied: Decimal
    credit: Decimal


def _group_for(s: Session, patient_id: int) -> tuple[int, list[int]]:
    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("That patient does not exist.")
    g = ledger.guarantor_of(p)
    group = ledger.guarantor_group(s, g)
    if patient_id not in group:
        group.append(patient_id)
    return g, group


def account(s: Session, actor: Actor, patient_id: int) -> Account:
    """What the patient's guarantor account owes, line by line (audited view)."""
    require(actor, Permission.PAYMENT_PATIENT)
    g, group = _group_for(s, patient_id)
    names = dict(
        s.execute(
            select(Patient.id, Patient.last_name + ", " + Patient.first_name).where(
                Patient.id.in_(group)
            )
        ).all()
    )
    lines = [
        AccountLine(
            ln.service_line_id, ln.patient_id, names[ln.patient_id], ln.dos, ln.code, ln.owed
        )
        for ln in ledger.patient_lines_owing(s, group)
    ]
    credit = sum((c.amount for c in ledger.credits(s, group, Party.PATIENT)), ZERO)
    audit.record(s, actor, "account_viewed", entity="patient", entity_id=g, patient_id=g)
    return Account(g, group, lines, credit)


def oldest_first(lines: Sequence[AccountLine], amount: Decimal) -> list[ledger.Allocation]:
    """Spread ``amount`` over the lines, oldest date of service first."""
    out = []
    left = amount
    for ln in sorted(lines, key=lambda ln: (ln.dos, ln.service_line_id)):
        if left <= ZERO:
            break
        x = min(left, ln.owed)
        if x > ZERO:
            out.append(ledger.Allocation(ln.service_line_id, x))
            left -= x
    return out


def take_patient_payment(
    s: Session,
    actor: Actor,
    *,
    patient_id: int,
    amount: Decimal,
    method: PaymentMethod,
    received: date,
    reference: str = "",
    card_last4: str = "",
    memo: str = "",
    lines: Sequence[ledger.Allocation] | None = None,
    leave_credit: bool = False,
    appointment_id: int | None = None,
) -> PaymentResult:
    """Record a patient's payment and apply it (oldest first, or to ``lines``).

    The rest must be explicitly left as a credit (``leave_credit``), else
    nothing is saved and the amount field says what is unapplied.
    """
    require(actor, Permission.PAYMENT_PATIENT)
    _, group = _group_for(s, patient_id)
    owing = [
        AccountLine(ln.service_line_id, ln.patient_id, "", ln.dos, ln.code, ln.owed)
        for ln in ledger.patient_lines_owing(s, group)
    ]
    if lines is None:
        allocs = oldest_first(owing, amount) if amount > ZERO else []
    else:
        allocs = [a for a in lines if a.amount != ZERO]
    applied = sum((a.amount for a in allocs), ZERO)
    problems: list[Problem] = []
    owed = {ln.service_line_id: ln.owed for ln in owing}
    for a in allocs:
        if a.service_line_id not in owed:
            problems.append(Problem("lines", "A picked line is not owed by this account"))
        elif a.amount > owed[a.service_line_id]:
            problems.append(
                Problem(
                    "lines",
                    f"{fmt(a.amount)} is more than the {fmt(owed[a.service_line_id])} owed on a picked line",
                )
            )
        elif a.amount < ZERO:
            problems.append(Problem("lines", "Amounts applied must be more than 0.00"))
    if amount > ZERO and applied > amount:
        problems.append(
            Problem(
                "amount",
                f"The lines picked take {fmt(applied)}, more than the {fmt(amount)} received",
            )
        )
    rest = amount - applied
    if amount > ZERO and rest > ZERO and not leave_credit:
        problems.append(
            Problem(
                "amount",
                f"{fmt(rest)} of the {fmt(amount)} is not applied: apply it to lines "
                "or leave it as a credit on the account",
            )
        )
    try:
        pay = ledger.record_patient_payment(
            s,
            actor,
            patient_id=patient_id,
            amount=amount,
            method=method,
            received=received,
            reference=reference,
            card_last4=card_last4,
            appointment_id=appointment_id,
            memo=memo,
        )
    except ValidationError as exc:
        raise ValidationError(exc.problems + problems) from None
    if problems:
        raise ValidationError(problems)
    if allocs:
        ledger.apply_credit(s, actor, pay.id, allocs, on=received, memo=memo)
    return PaymentResult(pay.id, amount, applied, rest)


def apply_account_credit(s: Session, actor: Actor, patient_id: int, *, on: date) -> Decimal:
    """Apply the account's unapplied patient credits to what it owes, oldest
    first (e.g. a copay taken at check-in once the EOB moved the copay to the
    patient). Returns the amount applied."""
    require(actor, Permission.PAYMENT_PATIENT)
    _, group = _group_for(s, patient_id)
    owing = [
        AccountLine(ln.service_line_id, ln.patient_id, "", ln.dos, ln.code, ln.owed)
        for ln in ledger.patient_lines_owing(s, group)
    ]
    total = ZERO
    for c in ledger.credits(s, group, Party.PATIENT):
        allocs = oldest_first(owing, c.amount)
        if not allocs:
            break
        ledger.apply_credit(s, actor, c.payment_id, allocs, on=on, memo="credit applied")
        took = {a.service_line_id: a.amount for a in allocs}
        owing = [
            AccountLine(
                ln.service_line_id,
                ln.patient_id,
                ln.patient_name,
                ln.dos,
                ln.code,
                ln.owed - took.get(ln.service_line_id, ZERO),
            )
            for ln in owing
        ]
        total += sum(took.values(), ZERO)
    return total


def void_payment(s: Session, actor: Actor, payment_id: int, *, on: date, reason: str) -> None:
    """Undo a payment received (a bounced check, a payment keyed twice): every
    entry of it is reversed and the lines it paid are owed again."""
    pay = s.get(Payment, payment_id)
    if pay is None:
        raise NotFound("That payment does not exist.")
    require(
        actor,
        Permission.PAYMENT_PATIENT
        if pay.source is PaymentSource.PATIENT
        else Permission.PAYMENT_INSURANCE,
    )
    if not reason.strip():
        raise ValidationError([Problem("reason", "Say why the payment is voided")])
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    ids = list(
        s.execute(
            select(LedgerEntry.id).where(
                LedgerEntry.payment_id == payment_id,
                LedgerEntry.reverses_id.is_(None),
                LedgerEntry.kind != ledger.EntryKind.REFUND,
                ~LedgerEntry.id.in_(reversed_ids),
            )
        ).scalars()
    )
    if not ids:
        raise NotFound("That payment has nothing left to void.")
    ledger.reverse(s, actor, ids, on=on, memo=f"payment voided: {reason}")


@dataclass(frozen=True)
class PaymentRow:
    payment_id: int
    received: date
    source: PaymentSource
    who: str
    method: PaymentMethod
    reference: str
    amount: Decimal
    on_lines: Decimal
    credit: Decimal


def patient_payments(s: Session, actor: Actor, patient_id: int) -> list[PaymentRow]:
    """The account's patient payments, newest first, with what is still unapplied."""
    require(actor, Permission.PAYMENT_PATIENT)
    _, group = _group_for(s, patient_id)
    rows = s.execute(
        select(Payment, Patient.last_name + ", " + Patient.first_name)
        .join(Patient, Patient.id == Payment.patient_id)
        .where(Payment.patient_id.in_(group), Payment.source == PaymentSource.PATIENT)
        .order_by(Payment.received_date.desc(), Payment.id.desc())
    ).all()
    ids = [p.id for p, _ in rows]
    sums: dict[tuple[int, bool], Decimal] = {}
    if ids:
        for pid, lineless, total in s.execute(
            select(
                LedgerEntry.payment_id,
                LedgerEntry.service_line_id.is_(None),
                func.sum(LedgerEntry.amount),
            )
            .where(LedgerEntry.payment_id.in_(ids))
            .group_by(LedgerEntry.payment_id, LedgerEntry.service_line_id.is_(None))
        ):
            if pid is not None:
                sums[(pid, bool(lineless))] = -sum_money(total)
    return [
        PaymentRow(
            p.id,
            p.received_date,
            p.source,
            name,
            p.method,
            p.reference,
            p.amount,
            sums.get((p.id, False), ZERO),
            sums.get((p.id, True), ZERO),
        )
        for p, name in rows
    ]
