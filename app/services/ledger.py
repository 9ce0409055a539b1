"""The ledger core: every money event goes through ``post``.

``post`` is the only writer of ledger entries. It refuses entries dated in a
closed month, stamps the user and a transaction id, checks that transfers
balance, and writes one audit row for the whole posting. Mistakes are undone
by ``reverse`` (entries with the opposite amount), never by edits.
The sign convention is documented in ``app.models.ledger``.

On top of ``post`` this module keeps the ledger's promises:

- a line's balance is split between its responsible parties (the policies
  that billed it and the patient); no party's part of a line ever goes below
  zero: money beyond what is owed is held as an explicit lineless credit
  tied to the payment it came from (``portions``, ``credits``);
- credits are applied to lines and taken off again in pairs
  (``apply_credit``, ``unapply``); balances move to the next responsible
  party by transfer pairs (``transfer``); write-offs are the office
  manager's (``write_off``); credits are paid back by ``refund``;
- ``reverse`` undoes entries and, when that would leave a party's part of a
  line below zero (a charge reversed after it was paid), moves the payments
  on that line back to their credit instead of inventing a negative balance.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.claims import ClaimLine
from app.models.coding import Encounter, ServiceLine
from app.models.ledger import (
    AdjustmentType,
    EntryKind,
    LedgerEntry,
    MonthCloseEvent,
    Party,
    Payment,
    PaymentMethod,
    PaymentSource,
    Refund,
)
from app.models.patient import Patient
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
    s: Session,
    actor: Actor,
    entry_ids: Sequence[int],
    *,
    on: date,
    memo: str,
    settle: bool = False,
) -> list[LedgerEntry]:
    """Post the opposite of each entry, dated ``on`` (an open month).

    Without ``settle`` this is the plain mirror of the entries. With it (what
    ``reverse_txn`` and the screens use): when undoing the entries would leave
    a party's part of a line below zero (a charge or transfer reversed after
    the line was paid), the payments on that line go back to their payment's
    credit in the same transaction; when it would leave a payment's credit
    below zero (a payment reversed after it was applied), the payment comes
    off its lines. Anything else that would go below zero (a reversed charge
    that was adjusted) is refused.
    """
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
    extra = _settle(s, rev, on=on, memo=memo) if settle else []
    return post(s, actor, rev + extra, action="ledger_reversed", details={"memo": memo})


def reverse_txn(s: Session, actor: Actor, txn: str, *, on: date, memo: str) -> list[LedgerEntry]:
    """Undo one posting (every entry of ``txn`` not yet reversed)."""
    require(actor, Permission.PAYMENT_INSURANCE)
    if not memo.strip():
        raise ValidationError([Problem("memo", "Say why the posting is reversed")])
    ids = list(
        s.execute(
            select(LedgerEntry.id).where(
                LedgerEntry.txn == txn,
                LedgerEntry.reverses_id.is_(None),
                ~LedgerEntry.id.in_(
                    select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
                ),
            )
        ).scalars()
    )
    if not ids:
        raise NotFound("That posting has nothing left to reverse.")
    # Undoing a write-off or a refund is the same decision as making one.
    kinds = set(s.execute(select(LedgerEntry.kind).where(LedgerEntry.id.in_(ids))).scalars())
    if EntryKind.WRITE_OFF in kinds:
        require(actor, Permission.WRITE_OFF)
    if EntryKind.REFUND in kinds:
        require(actor, Permission.REFUND)
    return reverse(s, actor, ids, on=on, memo=memo, settle=True)


def _settle(
    s: Session, pending: Sequence[LedgerEntry], *, on: date, memo: str
) -> list[LedgerEntry]:
    """Unapply entries that keep every party's part of a line, and every
    payment's credit, at zero or above once ``pending`` is posted."""
    lines = {e.service_line_id for e in pending if e.service_line_id is not None}
    pays = {e.payment_id for e in pending if e.payment_id is not None}
    if not lines and not pays:
        return []
    cond = []
    if lines:
        cond.append(LedgerEntry.service_line_id.in_(lines))
    if pays:
        cond.append(LedgerEntry.payment_id.in_(pays))
    existing = list(s.execute(select(LedgerEntry).where(or_(*cond))).scalars())
    seen: set[int] = set()
    book: list[LedgerEntry] = []
    for e in existing:
        if e.id not in seen:
            seen.add(e.id)
            book.append(e)
    book += list(pending)
    out: list[LedgerEntry] = []

    def portion(line: int, r: Resp) -> Decimal:
        return sum_entries(e for e in book + out if e.service_line_id == line and resp_of(e) == r)

    def applied(line: int, r: Resp) -> list[tuple[int, EntryKind, Decimal]]:
        """Payments of ``r`` on ``line``, newest first, with what they applied."""
        by: dict[int, Decimal] = defaultdict(lambda: ZERO)
        kinds: dict[int, EntryKind] = {}
        for e in book + out:
            if (
                e.service_line_id == line
                and e.payment_id is not None
                and resp_of(e) == r
                and e.kind in PAYMENT_KINDS
            ):
                by[e.payment_id] += e.amount
                kinds[e.payment_id] = e.kind
        return [(p, kinds[p], -v) for p, v in sorted(by.items(), reverse=True) if v < ZERO]

    def unapply_pair(template: LedgerEntry, pay_id: int, kind: EntryKind, x: Decimal) -> None:
        for line_id, amount in ((template.service_line_id, x), (None, -x)):
            out.append(
                LedgerEntry(
                    entry_date=on,
                    kind=kind,
                    amount=amount,
                    patient_id=template.patient_id
                    if line_id
                    else _payment_patient(s, pay_id, template),
                    service_line_id=line_id,
                    claim_id=template.claim_id if line_id else None,
                    payment_id=pay_id,
                    party=template.party,
                    policy_id=template.policy_id,
                    payer_id=template.payer_id,
                    provider_id=template.provider_id,
                    memo=f"moved to credit: {memo}",
                )
            )

    problems: list[Problem] = []
    keys = {(e.service_line_id, resp_of(e)) for e in pending if e.service_line_id is not None}
    for line, r in sorted(keys, key=lambda k: (k[0] or 0, k[1].sort_key)):
        assert line is not None
        short = -portion(line, r)
        if short <= ZERO:
            continue
        for pay_id, kind, amount in applied(line, r):
            x = min(short, amount)
            tmpl = next(e for e in book if e.service_line_id == line and e.payment_id == pay_id)
            unapply_pair(tmpl, pay_id, kind, x)
            short -= x
            if short == ZERO:
                break
        if short > ZERO:
            problems.append(
                Problem(
                    "entries",
                    f"Undoing this would leave {fmt(short)} below zero on a service line "
                    f"({r.label}); reverse its adjustments first",
                )
            )
    for pay_id in sorted(pays):
        credit = -sum_entries(
            e for e in book + out if e.payment_id == pay_id and e.service_line_id is None
        )
        if credit >= ZERO:
            continue
        short = -credit
        on_lines: dict[tuple[int, Resp], Decimal] = defaultdict(lambda: ZERO)
        tmpl_of: dict[tuple[int, Resp], LedgerEntry] = {}
        for e in book + out:
            if e.payment_id == pay_id and e.service_line_id is not None and e.kind in PAYMENT_KINDS:
                k = (e.service_line_id, resp_of(e))
                on_lines[k] += e.amount
                tmpl_of.setdefault(k, e)
        for k in sorted(on_lines, key=lambda k: -k[0]):
            have = -on_lines[k]
            if have <= ZERO:
                continue
            x = min(short, have)
            unapply_pair(tmpl_of[k], pay_id, tmpl_of[k].kind, x)
            short -= x
            if short == ZERO:
                break
        if short > ZERO:
            problems.append(
                Problem(
                    "entries",
                    f"{fmt(short)} of this payment was already refunded; reverse the refund first",
                )
            )
    if problems:
        raise ValidationError(problems)
    return out


def _payment_patient(s: Session, payment_id: int, template: LedgerEntry) -> int:
    """Whose account holds a payment's credit: the paying patient, or for a
    payer's check the patient of the line the money came off."""
    pat = s.execute(select(Payment.patient_id).where(Payment.id == payment_id)).scalar()
    return int(pat) if pat is not None else template.patient_id


# ------------------------------------------------------------------ parties


PAYMENT_KINDS = frozenset({EntryKind.INSURANCE_PAYMENT, EntryKind.PATIENT_PAYMENT})


@dataclass(frozen=True)
class Resp:
    """A responsible party for (part of) a line: the patient, or one policy."""

    party: Party
    policy_id: int | None = None
    payer_id: int | None = None

    @property
    def is_patient(self) -> bool:
        return self.party is Party.PATIENT

    @property
    def label(self) -> str:
        return "patient" if self.is_patient else f"policy {self.policy_id}"

    @property
    def sort_key(self) -> tuple[int, int]:
        return (1, 0) if self.is_patient else (0, self.policy_id or 0)


PATIENT = Resp(Party.PATIENT)


def resp_of(e: LedgerEntry) -> Resp:
    if e.party is Party.PATIENT:
        return PATIENT
    return Resp(Party.INSURANCE, e.policy_id, e.payer_id)


def sum_entries(entries: Iterable[LedgerEntry]) -> Decimal:
    total = ZERO
    for e in entries:
        total += e.amount
    return total


def portions(s: Session, line_ids: Iterable[int]) -> dict[int, dict[Resp, Decimal]]:
    """Each line's balance split by responsible party (zero parts left out)."""
    ids = list(set(line_ids))
    out: dict[int, dict[Resp, Decimal]] = {i: {} for i in ids}
    for chunk in _chunks(ids):
        rows = s.execute(
            select(
                LedgerEntry.service_line_id,
                LedgerEntry.party,
                LedgerEntry.policy_id,
                LedgerEntry.payer_id,
                func.sum(LedgerEntry.amount),
            )
            .where(LedgerEntry.service_line_id.in_(chunk))
            .group_by(
                LedgerEntry.service_line_id,
                LedgerEntry.party,
                LedgerEntry.policy_id,
                LedgerEntry.payer_id,
            )
        )
        for line, party, policy, payer, total in rows:
            v = sum_money(total)
            if v != ZERO and line is not None:
                r = PATIENT if party is Party.PATIENT else Resp(Party.INSURANCE, policy, payer)
                out[line][r] = v
    return out


def portion(s: Session, line_id: int, r: Resp) -> Decimal:
    return portions(s, [line_id])[line_id].get(r, ZERO)


def _chunks(ids: Sequence[int], n: int = 500) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


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


def patient_balance_by_party(s: Session, patient_id: int) -> dict[Party, Decimal]:
    """The patient's balance split by who owes it now, in one pass over the ledger."""
    rows = s.execute(
        select(LedgerEntry.party, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.patient_id == patient_id)
        .group_by(LedgerEntry.party)
    )
    out = {party: ZERO for party in Party}
    for party, total in rows:
        out[party] = _cents_sum(total)
    return out


def claim_balance(s: Session, claim_id: int, r: Resp | None = None) -> Decimal:
    """What is owed on the claim's service lines (by everyone, or by ``r``)."""
    q = select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.service_line_id.in_(
            select(ClaimLine.service_line_id).where(ClaimLine.claim_id == claim_id)
        )
    )
    if r is not None:
        q = q.where(LedgerEntry.party == r.party)
        if not r.is_patient:
            q = q.where(LedgerEntry.policy_id == r.policy_id)
    return _cents_sum(s.execute(q).scalar())


def payer_balance(s: Session, payer_id: int) -> Decimal:
    """What a payer owes the office across every patient (its credits included)."""
    q = select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.party == Party.INSURANCE, LedgerEntry.payer_id == payer_id
    )
    return _cents_sum(s.execute(q).scalar())


def guarantor_of(p: Patient) -> int:
    """The account a patient's statements go to (see ``Statement.guarantor_id``)."""
    return p.guarantor_patient_id or p.id


def guarantor_group(s: Session, guarantor_id: int) -> list[int]:
    """The patients whose statements go to ``guarantor_id``."""
    return list(
        s.execute(
            select(Patient.id)
            .where(
                (Patient.guarantor_patient_id == guarantor_id)
                | ((Patient.id == guarantor_id) & Patient.guarantor_patient_id.is_(None))
            )
            .order_by(Patient.id)
        ).scalars()
    )


def guarantor_balance(s: Session, guarantor_id: int, party: Party | None = None) -> Decimal:
    """What the guarantor's whole account (every patient on it) owes."""
    q = select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.patient_id.in_(guarantor_group(s, guarantor_id))
    )
    if party is not None:
        q = q.where(LedgerEntry.party == party)
    return _cents_sum(s.execute(q).scalar())


def _cents_sum(v: object) -> Decimal:
    return sum_money(v)


# ------------------------------------------------------------------ credits


@dataclass(frozen=True)
class Credit:
    """Money held without a line: what is left of one payment for one account."""

    payment_id: int
    patient_id: int
    party: Party
    payer_id: int | None
    amount: Decimal  # positive: money the office holds
    received: date


def credits(
    s: Session,
    patient_ids: Iterable[int],
    party: Party | None = None,
    payer_id: int | None = None,
) -> list[Credit]:
    """Unapplied credits of these patients, oldest payment first."""
    q = (
        select(
            LedgerEntry.payment_id,
            LedgerEntry.patient_id,
            LedgerEntry.party,
            LedgerEntry.payer_id,
            func.sum(LedgerEntry.amount),
            Payment.received_date,
        )
        .join(Payment, Payment.id == LedgerEntry.payment_id)
        .where(
            LedgerEntry.service_line_id.is_(None),
            LedgerEntry.patient_id.in_(list(patient_ids)),
        )
        .group_by(
            LedgerEntry.payment_id,
            LedgerEntry.patient_id,
            LedgerEntry.party,
            LedgerEntry.payer_id,
            Payment.received_date,
        )
        .order_by(Payment.received_date, LedgerEntry.payment_id)
    )
    if party is not None:
        q = q.where(LedgerEntry.party == party)
    if payer_id is not None:
        q = q.where(LedgerEntry.payer_id == payer_id)
    out = []
    for pay, pat, pty, payer, total, received in s.execute(q):
        v = -sum_money(total)
        if v > ZERO and pay is not None:
            out.append(Credit(pay, pat, pty, payer, v, received))
    return out


def payment_posted(s: Session, payment_id: int) -> tuple[Decimal, Decimal]:
    """(on lines, held as credit) for a payment, as positive amounts."""
    rows = s.execute(
        select(LedgerEntry.service_line_id.is_(None), func.sum(LedgerEntry.amount))
        .where(LedgerEntry.payment_id == payment_id)
        .group_by(LedgerEntry.service_line_id.is_(None))
    )
    on_lines = credit = ZERO
    for lineless, total in rows:
        if lineless:
            credit = -sum_money(total)
        else:
            on_lines = -sum_money(total)
    return on_lines, credit


# ------------------------------------------------------------------ moving money


@dataclass(frozen=True)
class Allocation:
    """Put ``amount`` on ``service_line_id``."""

    service_line_id: int
    amount: Decimal


class LineFacts(NamedTuple):
    patient_id: int
    provider_id: int | None  # the line's, else the encounter's
    dos: date
    line_no: int
    code: str


def _line_facts(s: Session, line_ids: Iterable[int]) -> dict[int, LineFacts]:
    """What the ledger needs to know about service lines, by line id."""
    ids = list(set(line_ids))
    out: dict[int, LineFacts] = {}
    for chunk in _chunks(ids):
        for lid, pat, prov, lprov, dos, no, code in s.execute(
            select(
                ServiceLine.id,
                Encounter.patient_id,
                Encounter.provider_id,
                ServiceLine.provider_id,
                ServiceLine.from_date,
                ServiceLine.line_no,
                ServiceLine.code,
            )
            .join(Encounter, Encounter.id == ServiceLine.encounter_id)
            .where(ServiceLine.id.in_(chunk))
        ):
            out[lid] = LineFacts(pat, lprov or prov, dos, no, code)
    missing = set(ids) - set(out)
    if missing:
        raise NotFound("Some of those service lines do not exist.")
    return out


def line_facts(s: Session, line_ids: Iterable[int]) -> dict[int, LineFacts]:
    """Patient, provider, date of service, line number and code of service lines."""
    return _line_facts(s, line_ids)


def apply_credit(
    s: Session,
    actor: Actor,
    payment_id: int,
    allocations: Sequence[Allocation],
    *,
    on: date,
    memo: str = "",
) -> list[LedgerEntry]:
    """Apply a payment's unapplied credit to lines (pairs: +X credit, -X line).

    A patient's money pays the patient's part of a line; a payer's credit pays
    that payer's part. Every problem is reported at once; nothing is posted
    unless all of it fits.
    """
    pay = s.get(Payment, payment_id)
    if pay is None:
        raise NotFound("That payment does not exist.")
    is_patient = pay.source is PaymentSource.PATIENT
    require(actor, Permission.PAYMENT_PATIENT if is_patient else Permission.PAYMENT_INSURANCE)
    allocs = [a for a in allocations if a.amount != ZERO]
    problems: list[Problem] = []
    if any(a.amount < ZERO for a in allocs):
        problems.append(Problem("amount", "Amounts applied must be more than 0.00"))
    held = {c.patient_id: c for c in credits_of_payment(s, payment_id)}
    total_held = sum((c.amount for c in held.values()), ZERO)
    want = sum((a.amount for a in allocs), ZERO)
    if want > total_held:
        problems.append(
            Problem(
                "amount",
                f"Only {fmt(total_held)} of this payment is unapplied; {fmt(want)} was asked",
            )
        )
    facts = _line_facts(s, [a.service_line_id for a in allocs])
    parts = portions(s, facts)
    entries: list[LedgerEntry] = []
    pool = sorted(held.values(), key=lambda c: c.patient_id)
    left = {c.patient_id: c.amount for c in pool}
    for a in allocs:
        pat, prov, dos, *_ = facts[a.service_line_id]
        r = _resp_for_payment(pay, parts[a.service_line_id])
        owed = parts[a.service_line_id].get(r, ZERO) if r else ZERO
        if a.amount > owed:
            problems.append(
                Problem(
                    f"line:{a.service_line_id}",
                    f"The line of {dos:%m/%d/%Y} owes {fmt(owed)} "
                    f"{'from the patient' if is_patient else 'from this payer'}; "
                    f"{fmt(a.amount)} cannot be applied to it",
                )
            )
            continue
        assert r is not None
        parts[a.service_line_id][r] = owed - a.amount
        x = a.amount
        for c in pool:
            take = min(x, left[c.patient_id])
            if take <= ZERO:
                continue
            left[c.patient_id] -= take
            x -= take
            kind = EntryKind.PATIENT_PAYMENT if is_patient else EntryKind.INSURANCE_PAYMENT
            common = dict(
                entry_date=on,
                kind=kind,
                payment_id=payment_id,
                party=r.party,
                policy_id=r.policy_id,
                payer_id=r.payer_id if not is_patient else None,
                memo=memo,
            )
            entries.append(LedgerEntry(amount=take, patient_id=c.patient_id, **common))
            entries.append(
                LedgerEntry(
                    amount=-take,
                    patient_id=pat,
                    service_line_id=a.service_line_id,
                    provider_id=prov,
                    **common,
                )
            )
            if x == ZERO:
                break
    if problems:
        raise ValidationError(problems)
    return post(
        s,
        actor,
        entries,
        action="credit_applied",
        details={"payment_id": payment_id, "amount": fmt(want)},
    )


def _resp_for_payment(pay: Payment, parts: dict[Resp, Decimal]) -> Resp | None:
    if pay.source is PaymentSource.PATIENT:
        return PATIENT
    for r in sorted(parts, key=lambda r: r.sort_key):
        if not r.is_patient and r.payer_id == pay.payer_id:
            return r
    return None


def credits_of_payment(s: Session, payment_id: int) -> list[Credit]:
    rows = s.execute(
        select(
            LedgerEntry.patient_id,
            LedgerEntry.party,
            LedgerEntry.payer_id,
            func.sum(LedgerEntry.amount),
        )
        .where(LedgerEntry.payment_id == payment_id, LedgerEntry.service_line_id.is_(None))
        .group_by(LedgerEntry.patient_id, LedgerEntry.party, LedgerEntry.payer_id)
    )
    received = s.execute(select(Payment.received_date).where(Payment.id == payment_id)).scalar_one()
    out = []
    for pat, party, payer, total in rows:
        v = -sum_money(total)
        if v > ZERO:
            out.append(Credit(payment_id, pat, party, payer, v, received))
    return out


@dataclass(frozen=True)
class Move:
    """Move ``amount`` of a line from one responsible party to another."""

    service_line_id: int
    source: Resp
    target: Resp
    amount: Decimal
    carc_group: str = ""
    carc_code: str = ""


def transfer_entries(
    moves: Sequence[Move],
    facts: dict[int, LineFacts],
    *,
    on: date,
    claim_id: int | None = None,
    memo: str = "",
) -> list[LedgerEntry]:
    """The entry pairs for ``moves`` (not posted; the caller checked them)."""
    out: list[LedgerEntry] = []
    for m in moves:
        pat, prov, *_ = facts[m.service_line_id]
        for r, amount, grp, code in (
            (m.source, -m.amount, m.carc_group, m.carc_code),
            (m.target, m.amount, "", ""),
        ):
            out.append(
                LedgerEntry(
                    entry_date=on,
                    kind=EntryKind.TRANSFER,
                    amount=amount,
                    patient_id=pat,
                    service_line_id=m.service_line_id,
                    claim_id=claim_id,
                    party=r.party,
                    policy_id=r.policy_id,
                    payer_id=r.payer_id,
                    provider_id=prov,
                    carc_group=grp,
                    carc_code=code,
                    memo=memo,
                )
            )
    return out


def transfer(
    s: Session, actor: Actor, moves: Sequence[Move], *, on: date, memo: str = ""
) -> list[LedgerEntry]:
    """Move balances to the next responsible party (primary -> secondary ->
    patient, or back when a payer is billed after all)."""
    require(actor, Permission.PAYMENT_INSURANCE)
    facts = _line_facts(s, [m.service_line_id for m in moves])
    parts = portions(s, facts)
    problems: list[Problem] = []
    for m in moves:
        field = f"line:{m.service_line_id}"
        if m.amount <= ZERO:
            problems.append(Problem(field, "An amount to move must be more than 0.00"))
            continue
        if m.source == m.target:
            problems.append(Problem(field, "Pick a different party to move the balance to"))
            continue
        owed = parts[m.service_line_id].get(m.source, ZERO)
        if m.amount > owed:
            problems.append(
                Problem(
                    field,
                    f"Only {fmt(owed)} of that line is with the {m.source.label}; "
                    f"{fmt(m.amount)} cannot be moved",
                )
            )
            continue
        parts[m.service_line_id][m.source] = owed - m.amount
    if problems:
        raise ValidationError(problems)
    return post(
        s,
        actor,
        transfer_entries(moves, facts, on=on, memo=memo),
        action="balance_transferred",
        details={"lines": len(moves), "memo": memo},
    )


WRITE_OFF_TYPES = (AdjustmentType.BAD_DEBT, AdjustmentType.SMALL_BALANCE, AdjustmentType.COURTESY)


def party_name(s: Session, r: Resp) -> str:
    """A responsible party in plain words: "the patient", or the payer."""
    if r.is_patient:
        return "the patient"
    from app.models.insurance import Payer

    name = s.execute(select(Payer.name).where(Payer.id == r.payer_id)).scalar()
    return str(name) if name else "the payer"


def write_off(
    s: Session,
    actor: Actor,
    patient_id: int,
    amount: Decimal,
    kind: AdjustmentType,
    *,
    on: date,
    memo: str = "",
    lines: Sequence[int] | None = None,
    party: Resp = PATIENT,
) -> list[LedgerEntry]:
    """Write off ``amount`` of one party's part of the patient's lines (the
    patient's by default, or a policy's), oldest line first (or only
    ``lines``). Bad debt, small balance or courtesy; office manager only."""
    require(actor, Permission.WRITE_OFF)
    problems: list[Problem] = []
    if kind not in WRITE_OFF_TYPES:
        problems.append(Problem("kind", "Pick bad debt, small balance or courtesy"))
    if amount <= ZERO:
        problems.append(Problem("amount", "Amount must be more than 0.00"))
    if kind is AdjustmentType.BAD_DEBT and not memo.strip():
        problems.append(Problem("memo", "Say why the balance is bad debt"))
    open_lines = lines_owing_to(s, [patient_id], party)
    if lines is not None:
        open_lines = [ln for ln in open_lines if ln.service_line_id in set(lines)]
    owed = sum((ln.owed for ln in open_lines), ZERO)
    if amount > owed:
        who = party_name(s, party)
        problems.append(
            Problem(
                "amount",
                f"{who[0].upper()}{who[1:]} owes {fmt(owed)} on those lines; "
                f"cannot write off {fmt(amount)}",
            )
        )
    if problems:
        raise ValidationError(problems)
    entries = []
    left = amount
    for ln in open_lines:
        x = min(left, ln.owed)
        if x <= ZERO:
            continue
        entries.append(
            LedgerEntry(
                entry_date=on,
                kind=EntryKind.WRITE_OFF,
                amount=-x,
                patient_id=ln.patient_id,
                service_line_id=ln.service_line_id,
                party=party.party,
                policy_id=party.policy_id,
                payer_id=party.payer_id,
                provider_id=ln.provider_id,
                adjustment_type=kind,
                memo=memo,
            )
        )
        left -= x
        if left == ZERO:
            break
    return post(
        s,
        actor,
        entries,
        action="written_off",
        details={
            "kind": kind.value,
            "amount": fmt(amount),
            "memo": memo,
            "party": "patient" if party.is_patient else "insurance",
            "policy_id": party.policy_id,
            "payer_id": party.payer_id,
        },
    )


@dataclass(frozen=True)
class OwingLine:
    """A line on which the patient owes something."""

    service_line_id: int
    patient_id: int
    provider_id: int | None
    dos: date
    line_no: int
    code: str
    owed: Decimal


def patient_lines_owing(s: Session, patient_ids: Sequence[int]) -> list[OwingLine]:
    """Lines where the patient's part is above zero, oldest first."""
    return _lines_owing(s, patient_ids, [LedgerEntry.party == Party.PATIENT])


def lines_owing_to(s: Session, patient_ids: Sequence[int], r: Resp) -> list[OwingLine]:
    """Lines where party ``r`` (the patient, or one policy) owes something,
    oldest first."""
    if r.is_patient:
        return patient_lines_owing(s, patient_ids)
    e = LedgerEntry
    return _lines_owing(
        s,
        patient_ids,
        [
            e.party == Party.INSURANCE,
            e.policy_id.is_(None) if r.policy_id is None else e.policy_id == r.policy_id,
            e.payer_id.is_(None) if r.payer_id is None else e.payer_id == r.payer_id,
        ],
    )


def _lines_owing(
    s: Session, patient_ids: Sequence[int], party_is: Sequence[ColumnElement[bool]]
) -> list[OwingLine]:
    rows = s.execute(
        select(LedgerEntry.service_line_id, func.sum(LedgerEntry.amount))
        .where(
            LedgerEntry.patient_id.in_(list(patient_ids)),
            LedgerEntry.service_line_id.is_not(None),
            *party_is,
        )
        .group_by(LedgerEntry.service_line_id)
    ).all()
    owing = {int(lid): sum_money(v) for lid, v in rows if lid is not None and sum_money(v) > ZERO}
    if not owing:
        return []
    out = [
        OwingLine(lid, f.patient_id, f.provider_id, f.dos, f.line_no, f.code, owing[lid])
        for lid, f in _line_facts(s, owing).items()
    ]
    out.sort(key=lambda ln: (ln.dos, ln.service_line_id))
    return out


def refund(
    s: Session,
    actor: Actor,
    patient_id: int,
    amount: Decimal,
    *,
    to: PaymentSource,
    method: PaymentMethod,
    on: date,
    reference: str = "",
    reason: str = "",
    payer_id: int | None = None,
    offset_payment_id: int | None = None,
) -> Refund:
    """Pay back ``amount`` of a credit on the patient's account, to the
    patient or to the payer whose credit it is (oldest credit first).

    ``offset_payment_id``: the payer kept the money out of that later check (a
    recoupment) instead of being sent a refund check.
    """
    require(actor, Permission.REFUND)
    problems: list[Problem] = []
    if amount <= ZERO:
        problems.append(Problem("amount", "Amount must be more than 0.00"))
    if to is PaymentSource.PAYER and payer_id is None:
        problems.append(Problem("payer", "Pick the payer to refund"))
    if method is PaymentMethod.CHECK and not reference.strip():
        problems.append(Problem("reference", "Check number is required for a refund by check"))
    if offset_payment_id is not None and to is not PaymentSource.PAYER:
        problems.append(Problem("to", "Only a payer recoups a credit from a check"))
    party = Party.PATIENT if to is PaymentSource.PATIENT else Party.INSURANCE
    held = credits(s, [patient_id], party, payer_id if party is Party.INSURANCE else None)
    total = sum((c.amount for c in held), ZERO)
    if amount > total:
        who = "the patient" if party is Party.PATIENT else "that payer"
        problems.append(
            Problem(
                "amount",
                f"The account holds {fmt(total)} of credit for {who}; cannot refund {fmt(amount)}",
            )
        )
    if problems:
        raise ValidationError(problems)
    entries = []
    left = amount
    for c in held:
        x = min(left, c.amount)
        entries.append(
            LedgerEntry(
                entry_date=on,
                kind=EntryKind.REFUND,
                amount=x,
                patient_id=patient_id,
                payment_id=c.payment_id,
                party=party,
                payer_id=c.payer_id,
                memo=reason,
            )
        )
        left -= x
        if left == ZERO:
            break
    posted = post(
        s,
        actor,
        entries,
        action="refund_issued",
        details={"amount": fmt(amount), "to": to.value, "method": method.value},
    )
    r = Refund(
        refund_date=on,
        to=to,
        patient_id=patient_id,
        payer_id=payer_id if party is Party.INSURANCE else None,
        method=method,
        reference=reference.strip(),
        amount=amount,
        reason=reason,
        txn=posted[0].txn,
        offset_payment_id=offset_payment_id,
        user_id=actor.user_id,
    )
    s.add(r)
    s.flush()
    return r


# ------------------------------------------------------------------ payments


def patient_payment_problems(
    amount: Decimal | None, method: PaymentMethod, reference: str, card_last4: str
) -> list[Problem]:
    """Every problem with a patient payment as typed. ``amount`` None: the
    caller could not read the amount and reports that itself."""
    problems: list[Problem] = []
    if amount is not None and amount <= ZERO:
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
    return problems


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
    problems = patient_payment_problems(amount, method, reference, card_last4)
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
