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
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, ValidationError
from app.models.ledger import EntryKind, LedgerEntry, Party, Payment, PaymentMethod, PaymentSource
from app.models.patient import Patient
from app.money import ZERO, fmt, sum_money
from app.reports.patient_ledger import LedgerRow, LedgerView, render_ledger
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
    name: str
    account_no: str
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
    gp = s.get(Patient, g)
    assert gp is not None
    return Account(g, gp.display_name, gp.account_no, group, lines, credit)


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
    owed = {ln.service_line_id: ln for ln in owing}
    for a in allocs:
        if a.service_line_id not in owed:
            problems.append(Problem("lines", "A picked line is not owed by this account"))
        elif a.amount > owed[a.service_line_id].owed:
            ln = owed[a.service_line_id]
            problems.append(
                Problem(
                    "lines",
                    f"{fmt(a.amount)} is more than the {fmt(ln.owed)} owed on the "
                    f"{ln.dos:%m/%d/%Y} {ln.code} line",
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
    if pay.source is PaymentSource.PAYER:
        require(actor, Permission.PAYMENT_INSURANCE)
    else:
        # Whoever took the money may void it the same day (keyed twice, wrong
        # amount). Otherwise a bounced check or a disputed card payment is
        # the biller's to void, and cash only the office manager's, so cash
        # taken at the desk cannot quietly disappear from the books.
        require(actor, Permission.PAYMENT_PATIENT)
        own_today = (
            pay.user_id == actor.user_id and pay.posted_at.astimezone().date() == date.today()
        )
        if not own_today:
            require(
                actor,
                Permission.WRITE_OFF
                if pay.method is PaymentMethod.CASH
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
    ledger.reverse(s, actor, ids, on=on, memo=f"payment voided: {reason}", settle=True)


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


# ------------------------------------------------------------------ finding patients


@dataclass(frozen=True)
class PatientHit:
    patient_id: int
    name: str
    account_no: str
    dob: date
    phone: str


def find_patients(s: Session, actor: Actor, text: str, *, limit: int = 40) -> list[PatientHit]:
    """Patients by "last", "last, first", account number or phone digits."""
    require(actor, Permission.PAYMENT_PATIENT)
    from app.services.patients_search import search_key
    from app.validation import digits

    t = text.strip()
    if not t:
        return []
    last, _, first = t.partition(",")
    cond = Patient.search_last.startswith(search_key(last))
    if first.strip():
        cond = cond & Patient.search_first.startswith(search_key(first))
    conds = [cond, Patient.account_no == t]
    d = digits(t)
    if len(d) >= 7 and d == t.replace("-", "").replace(" ", "").replace("(", "").replace(")", ""):
        conds.append(Patient.phone_home.endswith(d))
        conds.append(Patient.phone_mobile.endswith(d))
    from sqlalchemy import or_

    q = (
        select(Patient)
        .where(or_(*conds), Patient.merged_into_id.is_(None))
        .order_by(Patient.search_last, Patient.search_first, Patient.id)
        .limit(limit)
    )
    return [
        PatientHit(p.id, p.display_name, p.account_no, p.dob, p.phone_home or p.phone_mobile)
        for p in s.execute(q).scalars()
    ]


# ------------------------------------------------------------------ the patient's ledger

KIND_LABELS = {
    EntryKind.CHARGE: "Charge",
    EntryKind.INSURANCE_PAYMENT: "Insurance payment",
    EntryKind.PATIENT_PAYMENT: "Patient payment",
    EntryKind.ADJUSTMENT: "Adjustment",
    EntryKind.WRITE_OFF: "Write-off",
    EntryKind.TRANSFER: "Transfer",
    EntryKind.REFUND: "Refund",
}


def patient_ledger(s: Session, actor: Actor, patient_id: int) -> LedgerView:
    """Every entry of the patient's account, oldest first, with the running
    balance (audited view)."""
    require(actor, Permission.PAYMENT_PATIENT)
    view = _ledger_view(s, actor, patient_id)
    audit.record(
        s, actor, "ledger_viewed", entity="patient", entity_id=patient_id, patient_id=patient_id
    )
    return view


def _ledger_view(s: Session, actor: Actor, patient_id: int) -> LedgerView:
    require(actor, Permission.PAYMENT_PATIENT)
    from app.models.coding import ServiceLine
    from app.models.insurance import Payer

    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("That patient does not exist.")
    payers = dict(s.execute(select(Payer.id, Payer.name)).all())
    rows = s.execute(
        select(LedgerEntry, ServiceLine.from_date, ServiceLine.code, Payment)
        .outerjoin(ServiceLine, ServiceLine.id == LedgerEntry.service_line_id)
        .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
        .where(LedgerEntry.patient_id == patient_id)
        .order_by(LedgerEntry.entry_date, LedgerEntry.id)
    ).all()
    out = []
    running = ZERO
    ins = pat = ZERO
    for e, dos, code, pay in rows:
        running += e.amount
        if e.party is Party.PATIENT:
            pat += e.amount
        else:
            ins += e.amount
        bits = []
        if pay is not None:
            bits.append(f"{pay.method.value.upper()} {pay.reference}".strip())
        if e.carc_code:
            bits.append(f"{e.carc_group}-{e.carc_code}")
        if e.rarc:
            bits.append(e.rarc)
        if e.adjustment_type is not None and e.kind is not EntryKind.ADJUSTMENT:
            bits.append(e.adjustment_type.value.replace("_", " "))
        if e.service_line_id is None and e.kind in ledger.PAYMENT_KINDS:
            bits.append("credit" if e.amount < ZERO else "applied from credit")
        if e.memo:
            bits.append(e.memo)
        out.append(
            LedgerRow(
                e.id,
                e.entry_date,
                KIND_LABELS[e.kind] + (" (reversal)" if e.reverses_id else ""),
                f"{dos:%m/%d/%Y} {code}" if dos is not None else "",
                "Patient" if e.party is Party.PATIENT else payers.get(e.payer_id or 0, "Insurance"),
                "; ".join(b for b in bits if b),
                e.amount,
                running,
                e.txn,
                e.reverses_id is not None,
            )
        )
    return LedgerView(p.id, p.display_name, p.account_no, out, pat, ins)


def ledger_pdf(s: Session, actor: Actor, patient_id: int, path: Path) -> LedgerView:
    """The patient's ledger as a PDF at ``path``, for printing or saving (the
    print or the copy is audited when it happens: ``ledger_printed``,
    ``record_saved_copy``)."""
    from app.services import office as office_service

    view = _ledger_view(s, actor, patient_id)
    render_ledger(view, office_service.practice(s).name, path)
    return view


def ledger_printed(s: Session, actor: Actor, patient_id: int) -> None:
    """Audit the patient's ledger sent to the printer."""
    require(actor, Permission.PAYMENT_PATIENT)
    audit.record(
        s, actor, "ledger_printed", entity="patient", entity_id=patient_id, patient_id=patient_id
    )


def print_patient_ledger(s: Session, actor: Actor, patient_id: int, path: Path) -> LedgerView:
    """The patient's ledger as a PDF at ``path`` (audited print)."""
    view = ledger_pdf(s, actor, patient_id, path)
    ledger_printed(s, actor, patient_id)
    return view


def record_saved_copy(
    s: Session, actor: Actor, what: str, patient_id: int | None, filename: str
) -> None:
    """Audit a "Save a copy" of a statement, receipt or ledger the person chose."""
    require(actor, Permission.EXPORT)
    audit.record(
        s,
        actor,
        "file_saved",
        entity="export",
        entity_id=what,
        patient_id=patient_id,
        details={"what": what, "file": filename},
    )


# ------------------------------------------------------------------ who owes each line

RANK_NAMES = {1: "Primary", 2: "Secondary", 3: "Tertiary"}


@dataclass(frozen=True)
class PartyPart:
    """A responsible party of a line and what it owes there."""

    resp: ledger.Resp
    label: str
    amount: Decimal


@dataclass(frozen=True)
class LineParties:
    """A service line with its balance split by who owes it, and the parties
    a balance may move to (the patient, and the patient's policies in force
    on the date of service or already on the line)."""

    service_line_id: int
    patient_id: int
    dos: date
    code: str
    parts: list[PartyPart]
    targets: list[PartyPart]

    @property
    def balance(self) -> Decimal:
        return sum((p.amount for p in self.parts), ZERO)


def line_parties(s: Session, actor: Actor, patient_id: int) -> list[LineParties]:
    """The patient's lines with a balance, oldest first, split by party."""
    require(actor, Permission.PAYMENT_PATIENT)
    from app.models.insurance import Payer, Policy

    if s.get(Patient, patient_id) is None:
        raise NotFound("That patient does not exist.")
    line_ids = [
        int(lid)
        for lid, total in s.execute(
            select(LedgerEntry.service_line_id, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.patient_id == patient_id, LedgerEntry.service_line_id.is_not(None))
            .group_by(LedgerEntry.service_line_id)
        )
        if lid is not None and sum_money(total) != ZERO
    ]
    if not line_ids:
        return []
    facts = ledger.line_facts(s, line_ids)
    parts = ledger.portions(s, line_ids)
    policies = list(
        s.execute(
            select(Policy, Payer.name)
            .join(Payer, Payer.id == Policy.payer_id)
            .where(Policy.patient_id == patient_id)
            .order_by(Policy.rank.is_(None), Policy.rank, Policy.id)
        )
    )
    by_policy = {pol.id: (pol, name) for pol, name in policies}

    def label(r: ledger.Resp) -> str:
        if r.is_patient:
            return "Patient"
        pol, name = by_policy.get(r.policy_id or 0, (None, None))
        if pol is None:
            payer = s.get(Payer, r.payer_id) if r.payer_id else None
            return payer.name if payer else "Insurance"
        return f"{RANK_NAMES.get(pol.rank or 0, 'Out of order')}: {name}"

    out = []
    for lid in sorted(line_ids, key=lambda i: (facts[i].dos, i)):
        f = facts[lid]
        here = parts[lid]
        targets = [ledger.PATIENT] + [
            ledger.Resp(Party.INSURANCE, pol.id, pol.payer_id)
            for pol, _ in policies
            if (pol.effective_date is None or pol.effective_date <= f.dos)
            and (pol.end_date is None or f.dos <= pol.end_date)
        ]
        targets += [r for r in here if r not in targets]
        out.append(
            LineParties(
                lid,
                f.patient_id,
                f.dos,
                f.code,
                [
                    PartyPart(r, label(r), v)
                    for r, v in sorted(here.items(), key=lambda kv: kv[0].sort_key)
                ],
                [PartyPart(r, label(r), here.get(r, ZERO)) for r in targets],
            )
        )
    return out


def move_balance(
    s: Session,
    actor: Actor,
    service_line_id: int,
    source: ledger.Resp,
    target: ledger.Resp,
    amount: Decimal,
    *,
    on: date,
    reason: str,
) -> list[ledger.LedgerEntry]:
    """Move part of a line's balance by hand from one responsible party to
    another (to the patient, to the secondary, back to a payer), with the
    reason on the entries (a transfer pair through ``ledger.transfer``)."""
    require(actor, Permission.PAYMENT_INSURANCE)
    facts = ledger.line_facts(s, [service_line_id])[service_line_id]
    allowed = {
        p.resp
        for ln in line_parties(s, actor, facts.patient_id)
        if ln.service_line_id == service_line_id
        for p in ln.targets
    }
    problems = []
    if not reason.strip():
        problems.append(Problem("reason", "Say why the balance moves"))
    if target not in allowed:
        problems.append(
            Problem("target", "Move it to the patient or to one of the patient's policies")
        )
    if amount <= ZERO:
        problems.append(Problem("amount", "Amount must be more than 0.00"))
    if problems:
        raise ValidationError(problems)
    try:
        return ledger.transfer(
            s,
            actor,
            [ledger.Move(service_line_id, source, target, amount)],
            on=on,
            memo=reason.strip(),
        )
    except ValidationError as exc:  # the line's problems belong to the amount field
        raise ValidationError(
            [
                Problem("amount" if p.field.startswith("line:") else p.field, p.message)
                for p in exc.problems
            ]
        ) from None
