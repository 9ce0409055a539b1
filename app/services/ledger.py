"""The ledger core: every money event goes through ``post``.

``post`` is the only writer of ledger entries. It refuses entries dated in a
closed month, stamps the user and a transaction id, checks that transfers
balance, and writes one audit row for the whole posting. Mistakes are undone
by ``reverse`` (entries with the opposite amount), never by edits.
The sign convention is documented in ``app.models.ledger``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.ledger import (
    EntryKind,
    LedgerEntry,
    MonthCloseEvent,
    Party,
    Payment,
    PaymentMethod,
    PaymentSource,
)
from app.money import ZERO, fmt, sum_money
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.validation import digits

MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class ClosedMonthError(UserFacingError):
    pass


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_label(key: str) -> str:
    y, m = key.split("-")
    return f"{MONTH_NAMES[int(m) - 1]} {y}"


def closed_months(s: Session) -> set[str]:
    """Months whose latest close/reopen event is a close."""
    latest = (
        select(MonthCloseEvent.month, func.max(MonthCloseEvent.id).label("last_id"))
        .group_by(MonthCloseEvent.month)
        .subquery()
    )
    rows = s.execute(
        select(MonthCloseEvent.month)
        .join(latest, MonthCloseEvent.id == latest.c.last_id)
        .where(MonthCloseEvent.action == "close")
    ).scalars()
    return set(rows)


def is_closed(s: Session, d: date) -> bool:
    return month_key(d) in closed_months(s)


def check_open(s: Session, d: date, field: str = "date") -> None:
    """Refuse a date inside a closed month, with a message that says what to do."""
    if is_closed(s, d):
        raise ClosedMonthError(
            f"{month_label(month_key(d))} is closed: no entry can be dated {d:%m/%d/%Y}. "
            "Date it in an open month (late corrections post in the current month), "
            "or ask the office manager to reopen the month."
        )


def new_txn() -> str:
    return uuid.uuid4().hex


def post(
    s: Session,
    actor: Actor,
    entries: Sequence[LedgerEntry],
    *,
    action: str = "ledger_posted",
    details: dict[str, object] | None = None,
) -> list[LedgerEntry]:
    """Write ``entries`` as one transaction of the ledger (one audit row).

    Every entry must be dated in an open month; transfer entries in the
    posting must sum to zero. Returns the entries with their ids.
    """
    if not entries:
        return []
    txn = new_txn()
    checked: set[date] = set()
    transfer_total = ZERO
    for e in entries:
        if e.entry_date is None:
            raise ValueError("ledger entry without a date")
        if e.entry_date not in checked:
            check_open(s, e.entry_date)
            checked.add(e.entry_date)
        if e.amount is None or not isinstance(e.amount, Decimal):
            raise TypeError("ledger amounts are Decimal")
        if e.party is Party.INSURANCE and e.policy_id is None and e.payer_id is None:
            raise ValueError("an insurance entry names its policy or payer")
        if e.kind is EntryKind.TRANSFER:
            transfer_total += e.amount
        e.txn = txn
        e.user_id = actor.user_id
    if transfer_total != ZERO:
        raise ValueError("transfers in one posting must sum to zero")
    s.add_all(entries)
    s.flush()
    patients = {e.patient_id for e in entries}
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        by_kind[e.kind.value] += e.amount
    audit.record(
        s,
        actor,
        action,
        entity="ledger",
        entity_id=txn,
        patient_id=next(iter(patients)) if len(patients) == 1 else None,
        details={"entries": len(entries), "by_kind": {k: fmt(v) for k, v in by_kind.items()}}
        | (details or {}),
    )
    return list(entries)


def reverse(
    s: Session, actor: Actor, entry_ids: Sequence[int], *, on: date, memo: str
) -> list[LedgerEntry]:
    """Post the opposite of each entry, dated ``on`` (an open month)."""
    originals = list(s.execute(select(LedgerEntry).where(LedgerEntry.id.in_(entry_ids))).scalars())
    if len(originals) != len(set(entry_ids)):
        raise NotFound("Some of those ledger entries do not exist.")
    already = set(
        s.execute(
            select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(entry_ids))
        ).scalars()
    )
    problems = [
        Problem("entries", f"Entry {e.id} has already been reversed")
        for e in originals
        if e.id in already
    ] + [
        Problem("entries", f"Entry {e.id} is itself a reversal") for e in originals if e.reverses_id
    ]
    if problems:
        raise ValidationError(problems)
    rev = [
        LedgerEntry(
            entry_date=on,
            kind=e.kind,
            amount=-e.amount,
            patient_id=e.patient_id,
            service_line_id=e.service_line_id,
            claim_id=e.claim_id,
            payment_id=e.payment_id,
            party=e.party,
            policy_id=e.policy_id,
            payer_id=e.payer_id,
            provider_id=e.provider_id,
            adjustment_type=e.adjustment_type,
            carc_group=e.carc_group,
            carc_code=e.carc_code,
            rarc=e.rarc,
            reverses_id=e.id,
            memo=memo,
        )
        for e in originals
    ]
    return post(s, actor, rev, action="ledger_reversed", details={"memo": memo})


# ------------------------------------------------------------------ balances


def line_balance(s: Session, service_line_id: int) -> Decimal:
    v = s.execute(
        select(func.sum(LedgerEntry.amount)).where(LedgerEntry.service_line_id == service_line_id)
    ).scalar()
    return _cents_sum(v)


def patient_balance(s: Session, patient_id: int, party: Party | None = None) -> Decimal:
    """What the patient's account owes (credits included); ``party`` narrows it."""
    q = select(func.sum(LedgerEntry.amount)).where(LedgerEntry.patient_id == patient_id)
    if party is not None:
        q = q.where(LedgerEntry.party == party)
    return _cents_sum(s.execute(q).scalar())


def _cents_sum(v: object) -> Decimal:
    return sum_money(v)


# ------------------------------------------------------------------ payments


def record_patient_payment(
    s: Session,
    actor: Actor,
    *,
    patient_id: int,
    amount: Decimal,
    method: PaymentMethod,
    received: date,
    reference: str = "",
    card_last4: str = "",
    appointment_id: int | None = None,
    memo: str = "",
) -> Payment:
    """Money from a patient, recorded once and held as the patient's credit
    until it is applied to lines (a copay taken before the visit is coded)."""
    require(actor, Permission.PAYMENT_PATIENT)
    problems: list[Problem] = []
    if amount <= ZERO:
        problems.append(Problem("amount", "Amount must be more than 0.00"))
    if method is PaymentMethod.CHECK and not reference.strip():
        problems.append(Problem("reference", "Check number is required for a check"))
    if method is PaymentMethod.CARD:
        d = digits(card_last4)
        if len(d) != 4 or d != card_last4.strip():
            problems.append(Problem("card_last4", "Card: type only the last four digits"))
    elif card_last4:
        problems.append(Problem("card_last4", "Last four digits are only for card payments"))
    if len(digits(reference)) >= 13:
        problems.append(Problem("reference", "That looks like a card number; never store one"))
    if problems:
        raise ValidationError(problems)
    check_open(s, received, "received")
    pay = Payment(
        received_date=received,
        source=PaymentSource.PATIENT,
        patient_id=patient_id,
        method=method,
        reference=reference.strip(),
        card_last4=card_last4.strip(),
        amount=amount,
        appointment_id=appointment_id,
        memo=memo,
        user_id=actor.user_id,
    )
    s.add(pay)
    s.flush()
    post(
        s,
        actor,
        [
            LedgerEntry(
                entry_date=received,
                kind=EntryKind.PATIENT_PAYMENT,
                amount=-amount,
                patient_id=patient_id,
                payment_id=pay.id,
                party=Party.PATIENT,
                memo=memo or "unapplied",
            )
        ],
        action="payment_received",
        details={"payment_id": pay.id, "method": method.value, "amount": fmt(amount)},
    )
    return pay
