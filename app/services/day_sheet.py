"""The day sheet: every charge, payment, adjustment and refund dated in a day
(or a range of days), totalled by the user who entered it and by provider,
with the patient payments by method so the front desk can balance the cash
drawer.

Entries are dated by the ledger's accounting date (the day a payment was
received, the day a charge was posted). Transfers between parties move a
balance without money changing hands and are left out; so are 0.00 entries
(a denial recorded as a 0.00 payment). The drawer counts money received
(``payment`` rows), not the ledger entries that later apply it to lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import PermissionDenied
from app.models.coding import ServiceLine
from app.models.ledger import (
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentSource,
)
from app.models.patient import Patient
from app.models.practice import Provider
from app.models.staff import User
from app.money import ZERO
from app.services import audit
from app.services.auth import Actor, Permission, can
from app.services.month_totals import check_day_range

MAX_DAYS = 366

KIND_LABELS = {
    EntryKind.CHARGE: "Charge",
    EntryKind.INSURANCE_PAYMENT: "Insurance payment",
    EntryKind.PATIENT_PAYMENT: "Patient payment",
    EntryKind.ADJUSTMENT: "Adjustment",
    EntryKind.WRITE_OFF: "Write-off",
    EntryKind.REFUND: "Refund",
}
METHOD_LABELS = {
    PaymentMethod.CASH: "Cash",
    PaymentMethod.CHECK: "Check",
    PaymentMethod.CARD: "Card",
    PaymentMethod.EFT: "EFT",
    PaymentMethod.OTHER: "Other",
}
NO_PROVIDER = "No provider"
PROGRAM = "(program)"


@dataclass(frozen=True)
class DaySheetEntry:
    entry_id: int
    entry_date: date
    posted_at: datetime
    user: str
    provider: str
    account_no: str
    patient: str
    kind: str
    code: str  # the procedure code of the line, if any
    detail: str  # CARC group-code, payment method, memo
    charges: Decimal = ZERO
    payments: Decimal = ZERO  # received: positive
    adjustments: Decimal = ZERO  # adjustments and write-offs: positive
    refunds: Decimal = ZERO


@dataclass(frozen=True)
class DaySheetTotal:
    name: str
    entries: int
    charges: Decimal
    payments: Decimal
    adjustments: Decimal
    refunds: Decimal


@dataclass(frozen=True)
class DrawerLine:
    method: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class DaySheet:
    start: date
    end: date  # inclusive
    entries: tuple[DaySheetEntry, ...]
    by_user: tuple[DaySheetTotal, ...]
    by_provider: tuple[DaySheetTotal, ...]
    total: DaySheetTotal
    drawer: tuple[DrawerLine, ...]  # patient payments received, by method

    @property
    def drawer_total(self) -> Decimal:
        return sum((d.amount for d in self.drawer), ZERO)

    @property
    def cash_and_checks(self) -> Decimal:
        """What should be in the drawer (cards settle with the bank)."""
        return sum(
            (d.amount for d in self.drawer if d.method in ("Cash", "Check")),
            ZERO,
        )


def check_range(start: date | None, end: date | None) -> tuple[date, date]:
    return check_day_range(
        start,
        end,
        max_days=MAX_DAYS,
        too_long="To: a day sheet covers at most a year (366 days, From and To included)",
    )


def _split(kind: EntryKind, amount: Decimal) -> dict[str, Decimal]:
    if kind is EntryKind.CHARGE:
        return {"charges": amount}
    if kind in (EntryKind.INSURANCE_PAYMENT, EntryKind.PATIENT_PAYMENT):
        return {"payments": -amount}
    if kind in (EntryKind.ADJUSTMENT, EntryKind.WRITE_OFF):
        return {"adjustments": -amount}
    if kind is EntryKind.REFUND:
        return {"refunds": amount}
    return {}


def day_sheet(s: Session, actor: Actor, start: date | None, end: date | None = None) -> DaySheet:
    """The day sheet of ``start`` (through ``end``, inclusive). The office
    manager and whoever takes patient payments may run it; it is audited
    because it lists patients."""
    if not (can(actor, Permission.REPORTS) or can(actor, Permission.PAYMENT_PATIENT)):
        raise PermissionDenied(
            f"{actor.role.label}s may not run the day sheet. Ask the office manager."
        )
    start, end = check_range(start, end if end is not None else start)
    le = LedgerEntry
    q = (
        select(
            le.id,
            le.entry_date,
            le.posted_at,
            le.kind,
            le.amount,
            le.service_line_id,
            le.carc_group,
            le.carc_code,
            le.memo,
            User.full_name,
            Provider.id,
            Patient.account_no,
            Patient.last_name,
            Patient.first_name,
            ServiceLine.code,
            Payment.method,
        )
        .join(Patient, Patient.id == le.patient_id)
        .outerjoin(User, User.id == le.user_id)
        .outerjoin(Provider, Provider.id == le.provider_id)
        .outerjoin(ServiceLine, ServiceLine.id == le.service_line_id)
        .outerjoin(Payment, Payment.id == le.payment_id)
        .where(
            le.entry_date >= start,
            le.entry_date <= end,
            le.kind != EntryKind.TRANSFER,
            le.amount != ZERO,
        )
        .order_by(le.entry_date, le.posted_at, le.id)
    )
    providers = {p.id: p.display_name for p in s.execute(select(Provider)).scalars()}
    entries: list[DaySheetEntry] = []
    for (
        eid,
        day,
        posted,
        kind,
        amount,
        line_id,
        group,
        carc,
        memo,
        user,
        prov_id,
        account,
        last,
        first,
        code,
        method,
    ) in s.execute(q):
        detail = []
        if group or carc:
            detail.append(f"{group}-{carc}".strip("-"))
        if method is not None and kind is not EntryKind.CHARGE:
            detail.append(METHOD_LABELS[method])
        if kind is EntryKind.PATIENT_PAYMENT and line_id is None:
            detail.append("credit applied" if amount > ZERO else "unapplied")
        if memo and memo not in ("unapplied", "applied"):
            detail.append(memo)
        entries.append(
            DaySheetEntry(
                entry_id=eid,
                entry_date=day,
                posted_at=posted,
                user=user or PROGRAM,
                provider=providers.get(prov_id, NO_PROVIDER) if prov_id else NO_PROVIDER,
                account_no=account,
                patient=f"{last}, {first}",
                kind=KIND_LABELS.get(kind, kind.value),
                code=code or "",
                detail="; ".join(detail),
                **_split(kind, amount),
            )
        )

    drawer_rows: dict[PaymentMethod, list[Decimal]] = defaultdict(list)
    for method, amount in s.execute(
        select(Payment.method, Payment.amount).where(
            Payment.source == PaymentSource.PATIENT,
            Payment.received_date >= start,
            Payment.received_date <= end,
        )
    ):
        drawer_rows[method].append(amount)
    drawer = tuple(
        DrawerLine(METHOD_LABELS[m], len(drawer_rows[m]), sum(drawer_rows[m], ZERO))
        for m in PaymentMethod
        if m is not PaymentMethod.EFT or drawer_rows[m]
    )

    audit.record(
        s,
        actor,
        "day_sheet_viewed",
        entity="day_sheet",
        entity_id=f"{start.isoformat()}..{end.isoformat()}",
        details={"entries": len(entries)},
    )
    return DaySheet(
        start,
        end,
        tuple(entries),
        _totals(entries, lambda e: e.user),
        _totals(entries, lambda e: e.provider),
        _total("Total", entries),
        drawer,
    )


def _total(name: str, entries: list[DaySheetEntry]) -> DaySheetTotal:
    return DaySheetTotal(
        name,
        len(entries),
        sum((e.charges for e in entries), ZERO),
        sum((e.payments for e in entries), ZERO),
        sum((e.adjustments for e in entries), ZERO),
        sum((e.refunds for e in entries), ZERO),
    )


def _totals(
    entries: list[DaySheetEntry], key: Callable[[DaySheetEntry], str]
) -> tuple[DaySheetTotal, ...]:
    groups: dict[str, list[DaySheetEntry]] = defaultdict(list)
    for e in entries:
        groups[key(e)].append(e)
    return tuple(_total(name, groups[name]) for name in sorted(groups))
