"""Monthly totals: what the office charged, collected and adjusted in a month,
its accounts receivable (A/R) at the start and the end of the month with the
roll-forward check, visits, new patients, claims, and the expenses it paid;
broken down by provider, payer and procedure code; beside the previous month
and the same month last year; and the 12 months that end with it.

Figures follow the ledger's signs (``app.models.ledger``) turned into the
words of a report: charges, payments, adjustments and refunds are shown as
positive amounts, so the roll-forward reads

    A/R at start + charges - payments - adjustments + refunds (+ transfers) = A/R at end

Transfers move a balance from one party to the next and net to zero; they are
shown so that a broken pair would be seen. Amounts are dated by the ledger's
accounting date (``entry_date``); claims by when they were made and when their
status changed (in the office's local time); expenses by the day they were paid.
A patient is new in the month of their first visit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.errors import Problem, ValidationError
from app.models.claims import Claim, ClaimEvent, ClaimStatus
from app.models.coding import Encounter, FeeItem, HcpcsCode, ServiceLine
from app.models.insurance import Payer, Policy
from app.models.ledger import AdjustmentType, EntryKind, LedgerEntry
from app.models.payables import Bill, BillPayment, ExpenseCategory
from app.models.practice import Practice, Provider
from app.money import ZERO, round_money, sum_money
from app.services.auth import Actor, Permission, require
from app.services.ledger import month_key, month_label

__all__ = [
    "FIGURES",
    "Figure",
    "FigureRow",
    "MonthReport",
    "MonthTotals",
    "PayerRow",
    "ProcedureRow",
    "ProviderRow",
    "compare",
    "figure_values",
    "month_bounds",
    "month_label",
    "month_report",
    "month_totals",
    "months_totals",
    "parse_month",
    "series",
    "shift_month",
]

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

WRITE_OFF_TYPES = {AdjustmentType.BAD_DEBT, AdjustmentType.SMALL_BALANCE, AdjustmentType.COURTESY}
PAYMENT_KINDS = (EntryKind.INSURANCE_PAYMENT, EntryKind.PATIENT_PAYMENT)


# ------------------------------------------------------------------ months


def parse_month(text: str, field_name: str = "month") -> str:
    """``"2025-05"`` (or ``"5/2025"``, ``"05/2025"``) -> ``"2025-05"``; a
    ``ValidationError`` naming ``field_name`` otherwise."""
    t = text.strip()
    m = re.match(r"^(\d{1,2})/(\d{4})$", t)
    if m:
        t = f"{m.group(2)}-{int(m.group(1)):02d}"
    if not _MONTH_RE.match(t) or t < "1900-01":
        raise ValidationError([Problem(field_name, "Month must look like 2025-05 (year-month)")])
    return t


def month_bounds(key: str) -> tuple[date, date]:
    """The first day of the month and the first day of the next one."""
    y, m = int(key[:4]), int(key[5:7])
    first = date(y, m, 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt


def shift_month(key: str, n: int) -> str:
    """The month ``n`` months after (negative: before) ``key``."""
    y, m = int(key[:4]), int(key[5:7])
    i = y * 12 + (m - 1) + n
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def months_from(first: str, last: str) -> list[str]:
    out = [first]
    while out[-1] < last:
        out.append(shift_month(out[-1], 1))
    return out


def check_day_range(
    start: date | None, end: date | None, *, max_days: int, too_long: str
) -> tuple[date, date]:
    """A range of days as a person chose it: both days given, in order, not
    longer than ``max_days``. Every problem at once, by field."""
    # The range bar shows these in one message box, so each names the field
    # as the screen labels it (From, To).
    problems = []
    if start is None:
        problems.append(Problem("start", "From: choose the first day"))
    if end is None:
        problems.append(Problem("end", "To: choose the last day"))
    if start and end:
        if end < start:
            problems.append(
                Problem(
                    "end",
                    f"To ({end:%m/%d/%Y}) is before From ({start:%m/%d/%Y}): "
                    "choose a last day on or after the first",
                )
            )
        elif (end - start).days >= max_days:
            problems.append(Problem("end", too_long))
    if problems or start is None or end is None:
        raise ValidationError(problems)
    return start, end


def _local_midnight_utc(d: date) -> datetime:
    """The office's local midnight starting ``d``, as an aware UTC time."""
    return datetime.combine(d, time()).astimezone().astimezone(UTC)


# ------------------------------------------------------------------ totals


@dataclass(frozen=True)
class MonthTotals:
    """One month's totals. Money as shown on a report (payments positive)."""

    month: str
    charges: Decimal = ZERO
    insurance_payments: Decimal = ZERO
    patient_payments: Decimal = ZERO
    contractual: Decimal = ZERO
    write_offs: Decimal = ZERO
    other_adjustments: Decimal = ZERO
    refunds: Decimal = ZERO
    transfers: Decimal = ZERO  # net; zero when every transfer is a pair
    ar_start: Decimal = ZERO
    ar_end: Decimal = ZERO
    visits: int = 0
    new_patients: int = 0
    claims_made: int = 0
    claims_paid: int = 0
    claims_denied: int = 0
    # Paid to vendors, by ``ExpenseCategory`` value; every category present.
    expenses: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def payments(self) -> Decimal:
        return self.insurance_payments + self.patient_payments

    @property
    def adjustments(self) -> Decimal:
        return self.contractual + self.write_offs + self.other_adjustments

    @property
    def net_collections(self) -> Decimal:
        return self.payments - self.refunds

    @property
    def expenses_total(self) -> Decimal:
        return sum(self.expenses.values(), ZERO)

    @property
    def net(self) -> Decimal:
        """Net collections less the expenses paid."""
        return self.net_collections - self.expenses_total

    @property
    def ar_rolled_forward(self) -> Decimal:
        """A/R at start + charges - payments - adjustments + refunds + transfers."""
        return (
            self.ar_start
            + self.charges
            - self.payments
            - self.adjustments
            + self.refunds
            + self.transfers
        )

    @property
    def balanced(self) -> bool:
        """The roll-forward reaches the A/R at the end of the month to the cent."""
        return self.ar_rolled_forward == self.ar_end


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    money: bool = True


FIGURES: tuple[Figure, ...] = (
    Figure("charges", "Charges"),
    Figure("insurance_payments", "Insurance payments"),
    Figure("patient_payments", "Patient payments"),
    Figure("payments", "Total payments"),
    Figure("contractual", "Contractual adjustments"),
    Figure("write_offs", "Write-offs"),
    Figure("other_adjustments", "Other adjustments"),
    Figure("adjustments", "Total adjustments"),
    Figure("refunds", "Refunds"),
    Figure("transfers", "Transfers (net)"),
    Figure("net_collections", "Net collections"),
    Figure("ar_start", "A/R at start of month"),
    Figure("ar_end", "A/R at end of month"),
    Figure("ar_rolled_forward", "A/R rolled forward"),
    Figure("visits", "Visits", money=False),
    Figure("new_patients", "New patients", money=False),
    Figure("claims_made", "Claims made", money=False),
    Figure("claims_paid", "Claims paid", money=False),
    Figure("claims_denied", "Claims denied", money=False),
    *(Figure(f"expenses.{c.value}", f"Expenses paid: {c.label}") for c in ExpenseCategory),
    Figure("expenses_total", "Expenses paid"),
    Figure("net", "Net (collections less expenses)"),
)


def figure_values(t: MonthTotals) -> dict[str, Decimal | int]:
    """Every figure of ``FIGURES`` for ``t``, by key."""
    out: dict[str, Decimal | int] = {}
    for f in FIGURES:
        if f.key.startswith("expenses."):
            out[f.key] = t.expenses.get(f.key.split(".", 1)[1], ZERO)
        else:
            out[f.key] = getattr(t, f.key)
    return out


@dataclass(frozen=True)
class FigureRow:
    """One line of the totals table: this month beside the previous month and
    the same month last year, with the change from each."""

    key: str
    label: str
    money: bool
    value: Decimal | int
    # None: that month is before the office's data starts ("no data", not 0.00).
    previous: Decimal | int | None
    change_from_previous: Decimal | int | None
    last_year: Decimal | int | None
    change_from_last_year: Decimal | int | None


def compare(
    t: MonthTotals,
    previous: MonthTotals,
    last_year: MonthTotals,
    *,
    data_from: str | None = None,
) -> list[FigureRow]:
    """This month's figures beside the previous month and the same month last
    year; a month before ``data_from`` (the office's first month with a ledger
    entry or a bill paid) has no figures rather than zeros."""
    a = figure_values(t)
    p = figure_values(previous) if has_data(previous.month, data_from) else None
    y = figure_values(last_year) if has_data(last_year.month, data_from) else None
    return [
        FigureRow(
            f.key,
            f.label,
            f.money,
            a[f.key],
            None if p is None else p[f.key],
            None if p is None else a[f.key] - p[f.key],
            None if y is None else y[f.key],
            None if y is None else a[f.key] - y[f.key],
        )
        for f in FIGURES
    ]


def has_data(month: str, data_from: str | None) -> bool:
    """Whether ``month`` is on or after the office's first month of data
    (``None``: the office has no data at all)."""
    return data_from is not None and month >= data_from


def first_month(s: Session) -> str | None:
    """The office's first month with a ledger entry or a bill paid, or None."""
    firsts = s.execute(
        select(
            select(func.min(LedgerEntry.entry_date)).scalar_subquery(),
            select(func.min(BillPayment.paid_date)).scalar_subquery(),
        )
    ).one()
    known = [d for d in firsts if d is not None]
    return month_key(min(known)) if known else None


class _Acc:
    """A month's figures while they are being added up."""

    def __init__(self, month: str) -> None:
        self.month = month
        self.money: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.all_entries = ZERO
        self.counts: dict[str, int] = defaultdict(int)
        self.expenses: dict[str, Decimal] = {c.value: ZERO for c in ExpenseCategory}


def _bucket(kind: EntryKind, adjustment_type: AdjustmentType | None) -> tuple[str, int] | None:
    """Which figure a ledger entry adds to, and the sign that turns its ledger
    amount into the report's amount. None: a kind this report does not know
    (it then shows as a roll-forward that does not balance)."""
    if kind is EntryKind.CHARGE:
        return "charges", 1
    if kind is EntryKind.INSURANCE_PAYMENT:
        return "insurance_payments", -1
    if kind is EntryKind.PATIENT_PAYMENT:
        return "patient_payments", -1
    if kind is EntryKind.REFUND:
        return "refunds", 1
    if kind is EntryKind.TRANSFER:
        return "transfers", 1
    if kind is EntryKind.WRITE_OFF:
        return "write_offs", -1
    if kind is EntryKind.ADJUSTMENT:
        if adjustment_type is AdjustmentType.CONTRACTUAL:
            return "contractual", -1
        if adjustment_type in WRITE_OFF_TYPES:
            return "write_offs", -1
        return "other_adjustments", -1
    return None


def months_totals(s: Session, first: str, last: str) -> list[MonthTotals]:
    """Totals for every month from ``first`` to ``last`` (inclusive), computed
    together: one pass per table over the span, plus one over the ledger
    before it for the opening A/R."""
    months = months_from(first, last)
    start, _ = month_bounds(first)
    _, end = month_bounds(last)
    acc = {m: _Acc(m) for m in months}

    le = LedgerEntry

    def ar_before(d: date) -> Any:
        return select(func.sum(le.amount)).where(le.entry_date < d).scalar_subquery()

    # Two range sums over the ledger's report index: the A/R at the start of
    # the span and, independently, at its end.
    ar_open, ar_close = s.execute(select(ar_before(start), ar_before(end))).one()
    ar_open, ar_close = sum_money(ar_open), sum_money(ar_close)

    rows = s.execute(
        select(le.entry_date, le.kind, le.adjustment_type, func.sum(le.amount))
        .where(le.entry_date >= start, le.entry_date < end)
        .group_by(le.entry_date, le.kind, le.adjustment_type)
    )
    for day, kind, adj_type, amount in rows:
        a = acc[month_key(day)]
        amount = sum_money(amount)
        a.all_entries += amount
        b = _bucket(kind, adj_type)
        if b is not None:
            a.money[b[0]] += amount * b[1]

    for day, n in s.execute(
        select(Encounter.date_of_service, func.count())
        .where(Encounter.date_of_service >= start, Encounter.date_of_service < end)
        .group_by(Encounter.date_of_service)
    ):
        acc[month_key(day)].counts["visits"] += n

    first_visit = func.min(Encounter.date_of_service)
    for (day,) in s.execute(
        select(first_visit)
        .where(Encounter.date_of_service < end)
        .group_by(Encounter.patient_id)
        .having(first_visit >= start)
    ):
        acc[month_key(day)].counts["new_patients"] += 1

    # Claims are counted by the office's local month: each month's edges as
    # UTC times, and the month found by the store (no per-claim Python work).
    edges = [_local_midnight_utc(month_bounds(m)[0]) for m in months]
    edges.append(_local_midnight_utc(end))

    def month_of(col: Any) -> Any:
        return case(*((col < edge, i) for i, edge in enumerate(edges[1:])))

    made = month_of(Claim.created_at)
    for i, n in s.execute(
        select(made, func.count())
        .where(Claim.created_at >= edges[0], Claim.created_at < edges[-1])
        .group_by(made)
    ):
        acc[months[i]].counts["claims_made"] = n
    changed = month_of(ClaimEvent.at)
    denied = ClaimEvent.status == ClaimStatus.DENIED
    for i, was_denied, n in s.execute(
        select(changed, denied, func.count(func.distinct(ClaimEvent.claim_id)))
        .where(
            ClaimEvent.at >= edges[0],
            ClaimEvent.at < edges[-1],
            ClaimEvent.status.in_((ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.DENIED)),
        )
        .group_by(changed, denied)
    ):
        acc[months[i]].counts["claims_denied" if was_denied else "claims_paid"] = n

    for day, category, amount in s.execute(
        select(BillPayment.paid_date, Bill.category, func.sum(BillPayment.amount))
        .join(Bill, Bill.id == BillPayment.bill_id)
        .where(BillPayment.paid_date >= start, BillPayment.paid_date < end)
        .group_by(BillPayment.paid_date, Bill.category)
    ):
        acc[month_key(day)].expenses[category.value] += sum_money(amount)

    out: list[MonthTotals] = []
    ar = ar_open
    for i, m in enumerate(months):
        a = acc[m]
        ar_end = ar + a.all_entries
        if i == len(months) - 1:
            # The closing A/R as summed by the store, not by this chain: a
            # mismatch shows as a roll-forward that does not balance.
            ar_end = ar_close
        out.append(
            MonthTotals(
                month=m,
                ar_start=ar,
                ar_end=ar_end,
                charges=a.money["charges"],
                insurance_payments=a.money["insurance_payments"],
                patient_payments=a.money["patient_payments"],
                contractual=a.money["contractual"],
                write_offs=a.money["write_offs"],
                other_adjustments=a.money["other_adjustments"],
                refunds=a.money["refunds"],
                transfers=a.money["transfers"],
                visits=a.counts["visits"],
                new_patients=a.counts["new_patients"],
                claims_made=a.counts["claims_made"],
                claims_paid=a.counts["claims_paid"],
                claims_denied=a.counts["claims_denied"],
                expenses=dict(a.expenses),
            )
        )
        ar = ar_end
    return out


def month_totals(s: Session, month: str) -> MonthTotals:
    """The totals of one month."""
    return months_totals(s, month, month)[0]


def series(s: Session, last: str, n: int = 12) -> list[MonthTotals]:
    """The ``n`` months that end with ``last`` (for the chart)."""
    return months_totals(s, shift_month(last, -(n - 1)), last)


# ------------------------------------------------------------------ breakdowns


@dataclass(frozen=True)
class ProviderRow:
    provider_id: int | None
    provider: str
    visits: int
    charges: Decimal
    payments: Decimal
    adjustments: Decimal
    refunds: Decimal

    @property
    def net_collections(self) -> Decimal:
        return self.payments - self.refunds


@dataclass(frozen=True)
class PayerRow:
    """``payer_id`` None is the patients' own share (self-pay, copays,
    coinsurance and deductibles moved to the patient)."""

    payer_id: int | None
    payer: str
    charges: Decimal
    payments: Decimal
    adjustments: Decimal
    transfers: Decimal
    refunds: Decimal

    @property
    def net_collections(self) -> Decimal:
        return self.payments - self.refunds


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    description: str
    units: int  # charged in the month (reversed charges subtract)
    charges: Decimal
    payments: Decimal  # received in the month on lines of this code
    paid_units: int  # units of the lines those payments were for

    @property
    def average_paid_per_unit(self) -> Decimal | None:
        if self.paid_units == 0:
            return None
        return round_money(self.payments / self.paid_units)


NO_PROVIDER = "No provider (unapplied credits)"
PATIENTS = "Patients (self-pay and patient share)"


class _Sums:
    def __init__(self) -> None:
        self.money: dict[str, Decimal] = defaultdict(lambda: ZERO)

    def add(self, kind: EntryKind, adj: AdjustmentType | None, amount: Decimal) -> None:
        b = _bucket(kind, adj)
        if b is None:
            return
        name, sign = b
        group = {
            "insurance_payments": "payments",
            "patient_payments": "payments",
            "contractual": "adjustments",
            "write_offs": "adjustments",
            "other_adjustments": "adjustments",
        }.get(name, name)
        self.money[group] += amount * sign


def by_provider_and_payer(
    s: Session, start: date, end: date
) -> tuple[list[ProviderRow], list[PayerRow]]:
    le = LedgerEntry
    payer = func.coalesce(
        le.payer_id,
        select(Policy.payer_id).where(Policy.id == le.policy_id).scalar_subquery(),
    )
    by_prov: dict[int | None, _Sums] = defaultdict(_Sums)
    by_payer: dict[int | None, _Sums] = defaultdict(_Sums)
    for prov_id, payer_id, kind, adj, amount in s.execute(
        select(le.provider_id, payer, le.kind, le.adjustment_type, func.sum(le.amount))
        .where(le.entry_date >= start, le.entry_date < end)
        .group_by(le.provider_id, payer, le.kind, le.adjustment_type)
    ):
        amount = sum_money(amount)
        by_prov[prov_id].add(kind, adj, amount)
        by_payer[payer_id].add(kind, adj, amount)
    visits: dict[int | None, int] = dict(
        s.execute(
            select(Encounter.provider_id, func.count())
            .where(Encounter.date_of_service >= start, Encounter.date_of_service < end)
            .group_by(Encounter.provider_id)
        ).all()
    )
    providers = {p.id: p.display_name for p in s.execute(select(Provider)).scalars()}
    payers = dict(s.execute(select(Payer.id, Payer.name)).all())

    prov_rows = [
        ProviderRow(
            pid,
            providers.get(pid, NO_PROVIDER) if pid is not None else NO_PROVIDER,
            visits.get(pid, 0),
            sums.money["charges"],
            sums.money["payments"],
            sums.money["adjustments"],
            sums.money["refunds"],
        )
        for pid, sums in _with_keys(by_prov, visits)
    ]
    # A credit applied in the month nets to zero on "no provider": not a row.
    prov_rows = [
        r
        for r in prov_rows
        if r.provider_id is not None
        or r.visits
        or any((r.charges, r.payments, r.adjustments, r.refunds))
    ]
    prov_rows.sort(key=lambda r: (r.provider_id is None, r.provider))
    payer_rows = [
        PayerRow(
            pid,
            payers.get(pid, f"Payer {pid}") if pid is not None else PATIENTS,
            sums.money["charges"],
            sums.money["payments"],
            sums.money["adjustments"],
            sums.money["transfers"],
            sums.money["refunds"],
        )
        for pid, sums in by_payer.items()
    ]
    payer_rows.sort(key=lambda r: (r.payer_id is None, r.payer))
    return prov_rows, payer_rows


def _with_keys(
    sums: dict[int | None, _Sums], extra: Iterable[int | None]
) -> list[tuple[int | None, _Sums]]:
    for k in extra:
        sums.setdefault(k, _Sums())
    return list(sums.items())


def code_descriptions(s: Session, codes: Iterable[str]) -> dict[str, str]:
    """The office's own description of each code (fee schedule), else HCPCS."""
    wanted = set(codes)
    out = dict(
        s.execute(
            select(HcpcsCode.code, HcpcsCode.short_description).where(HcpcsCode.code.in_(wanted))
        ).all()
    )
    out.update(
        s.execute(select(FeeItem.code, FeeItem.description).where(FeeItem.code.in_(wanted))).all()
    )
    return out


def by_procedure(s: Session, start: date, end: date) -> list[ProcedureRow]:
    """Per procedure code: units and charges posted, payments received and the
    units they paid for, in [start, end)."""
    le, sl = LedgerEntry, ServiceLine
    in_range = and_(le.entry_date >= start, le.entry_date < end)
    units_charged = func.sum(
        case(
            (and_(le.kind == EntryKind.CHARGE, le.amount < ZERO), -sl.units),
            (le.kind == EntryKind.CHARGE, sl.units),
            else_=0,
        )
    )
    charges: dict[str, Decimal] = defaultdict(lambda: ZERO)
    payments: dict[str, Decimal] = defaultdict(lambda: ZERO)
    units: dict[str, int] = defaultdict(int)
    paid_units: dict[str, int] = defaultdict(int)
    for code, kind, amount, n in s.execute(
        select(sl.code, le.kind, func.sum(le.amount), units_charged)
        .join(sl, sl.id == le.service_line_id)
        .where(in_range, le.kind.in_((EntryKind.CHARGE, *PAYMENT_KINDS)))
        .group_by(sl.code, le.kind)
    ):
        if kind is EntryKind.CHARGE:
            charges[code] += sum_money(amount)
            units[code] += int(n or 0)
        else:
            payments[code] -= sum_money(amount)
    for code, n, amount in s.execute(
        select(sl.code, sl.units, func.sum(le.amount))
        .join(sl, sl.id == le.service_line_id)
        .where(in_range, le.kind.in_(PAYMENT_KINDS))
        .group_by(le.service_line_id)
    ):
        if sum_money(amount) < ZERO:
            paid_units[code] += n
    codes = set(charges) | set(payments)
    desc = code_descriptions(s, codes)
    rows = [
        ProcedureRow(
            code, desc.get(code, ""), units[code], charges[code], payments[code], paid_units[code]
        )
        for code in codes
    ]
    rows.sort(key=lambda r: (-r.charges, r.code))
    return rows


# ------------------------------------------------------------------ the report


@dataclass(frozen=True)
class MonthReport:
    """Everything the month's review, its PDF and its exports show."""

    practice: str
    month: str
    totals: MonthTotals
    previous: MonthTotals
    last_year: MonthTotals
    by_provider: tuple[ProviderRow, ...]
    by_payer: tuple[PayerRow, ...]
    by_procedure: tuple[ProcedureRow, ...]
    series: tuple[MonthTotals, ...]  # the 12 months ending with this one
    data_from: str | None = None  # the office's first month with data (first_month)

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def figures(self) -> list[FigureRow]:
        return compare(self.totals, self.previous, self.last_year, data_from=self.data_from)


def practice_name(s: Session) -> str:
    return s.execute(select(Practice.name).order_by(Practice.id).limit(1)).scalar() or ""


def month_report(s: Session, actor: Actor, month: str) -> MonthReport:
    """The month's totals with its breakdowns, comparisons and 12-month series."""
    require(actor, Permission.REPORTS)
    month = parse_month(month)
    span = months_totals(s, shift_month(month, -12), month)
    start, end = month_bounds(month)
    providers, payers = by_provider_and_payer(s, start, end)
    return MonthReport(
        practice=practice_name(s),
        month=month,
        totals=span[-1],
        previous=span[-2],
        last_year=span[0],
        by_provider=tuple(providers),
        by_payer=tuple(payers),
        by_procedure=tuple(by_procedure(s, start, end)),
        series=tuple(span[1:]),
        data_from=first_month(s),
    )


def totals_as_json(t: MonthTotals) -> dict[str, str | int]:
    """The figures as JSON values (money as text), for a month-close snapshot."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figure_values(t).items()}


def differences(
    snapshot: Mapping[str, str | int], t: MonthTotals
) -> list[tuple[str, str | int, str | int]]:
    """Figures where ``t`` differs from a snapshot: (label, then, now)."""
    now = totals_as_json(t)
    labels = {f.key: f.label for f in FIGURES}
    out = []
    for key, value in now.items():
        then = snapshot.get(key)
        if then is None or str(then) != str(value):
            out.append((labels[key], "" if then is None else then, value))
    return out
