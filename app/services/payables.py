"""Accounts payable: the office's own vendors, bills and what it paid them.

Office manager only. A vendor's invoice number is unique (a bill entered
twice is refused with a message that names the first one); payments may be
partial and never exceed what is open; a recurring bill (the rent) makes its
next bill when it comes due.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.ledger import PaymentMethod
from app.models.payables import Bill, BillPayment, ExpenseCategory, RecurringBill, Vendor
from app.money import ZERO, fmt, sum_money
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.validation import digits, phone_problem, state_problem, zip_problem

AP_BUCKETS = ("Not yet due", "1-30 late", "31-60 late", "61-90 late", "Over 90 late")


# ------------------------------------------------------------------ vendors


@dataclass(frozen=True)
class VendorInput:
    name: str
    address1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    default_category: ExpenseCategory = ExpenseCategory.OTHER


@dataclass(frozen=True)
class VendorRow:
    vendor_id: int
    name: str
    phone: str
    default_category: ExpenseCategory
    open_balance: Decimal
    active: bool
    address1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""

    def as_input(self) -> VendorInput:
        """The vendor's values, ready for the edit form."""
        return VendorInput(
            self.name,
            self.address1,
            self.city,
            self.state,
            self.zip,
            self.phone,
            self.default_category,
        )


def _check_vendor(s: Session, data: VendorInput, vendor_id: int | None) -> None:
    problems: list[Problem] = []
    name = data.name.strip()
    if not name:
        problems.append(Problem("name", "Vendor name is required"))
    elif len(name) > 120:
        problems.append(Problem("name", "Vendor name is at most 120 characters"))
    else:
        dup = s.execute(select(Vendor.id).where(func.lower(Vendor.name) == name.lower())).scalar()
        if dup is not None and dup != vendor_id:
            problems.append(Problem("name", f"A vendor named {name} already exists"))
    if data.state and (msg := state_problem(data.state)):
        problems.append(Problem("state", f"State {msg}"))
    if data.zip and (msg := zip_problem(data.zip)):
        problems.append(Problem("zip", f"ZIP {msg}"))
    if msg := phone_problem(data.phone):
        problems.append(Problem("phone", f"Phone {msg}"))
    if problems:
        raise ValidationError(problems)


def add_vendor(s: Session, actor: Actor, data: VendorInput) -> int:
    require(actor, Permission.PAYABLES)
    _check_vendor(s, data, None)
    v = Vendor(
        name=data.name.strip(),
        address1=data.address1.strip(),
        city=data.city.strip(),
        state=data.state.strip().upper(),
        zip=data.zip.strip(),
        phone=digits(data.phone)[-10:],
        default_category=data.default_category,
    )
    s.add(v)
    s.flush()
    audit.record(
        s, actor, "vendor_added", entity="vendor", entity_id=v.id, details={"name": v.name}
    )
    return v.id


def _vendor_values(v: Vendor) -> dict[str, str]:
    return {
        "name": v.name,
        "address1": v.address1,
        "city": v.city,
        "state": v.state,
        "zip": v.zip,
        "phone": v.phone,
        "category": v.default_category.value,
    }


def update_vendor(s: Session, actor: Actor, vendor_id: int, data: VendorInput) -> None:
    """Change a vendor's name, address, phone or usual category (audited with
    old and new values; nothing is written when nothing changed)."""
    require(actor, Permission.PAYABLES)
    v = s.get(Vendor, vendor_id)
    if v is None:
        raise NotFound("That vendor does not exist.")
    _check_vendor(s, data, vendor_id)
    before = _vendor_values(v)
    v.name, v.address1, v.city = data.name.strip(), data.address1.strip(), data.city.strip()
    v.state, v.zip = data.state.strip().upper(), data.zip.strip()
    v.phone = digits(data.phone)[-10:]
    v.default_category = data.default_category
    diff = audit.changes(before, _vendor_values(v))
    if diff:
        audit.record(
            s, actor, "vendor_changed", entity="vendor", entity_id=v.id, details={"changes": diff}
        )


def vendors(s: Session, actor: Actor, *, active_only: bool = True) -> list[VendorRow]:
    require(actor, Permission.PAYABLES)
    open_by = _open_by_vendor(s)
    q = select(Vendor).order_by(Vendor.name)
    if active_only:
        q = q.where(Vendor.active.is_(True))
    return [
        VendorRow(
            v.id,
            v.name,
            v.phone,
            v.default_category,
            open_by.get(v.id, ZERO),
            v.active,
            v.address1,
            v.city,
            v.state,
            v.zip,
        )
        for v in s.execute(q).scalars()
    ]


def _paid_by_bill(s: Session, bill_ids: list[int] | None = None) -> dict[int, Decimal]:
    q = select(BillPayment.bill_id, func.sum(BillPayment.amount)).group_by(BillPayment.bill_id)
    if bill_ids is not None:
        q = q.where(BillPayment.bill_id.in_(bill_ids))
    return {bid: sum_money(total) for bid, total in s.execute(q)}


def _open_by_vendor(s: Session) -> dict[int, Decimal]:
    paid = _paid_by_bill(s)
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for bid, vid, amount in s.execute(
        select(Bill.id, Bill.vendor_id, Bill.amount).where(Bill.voided.is_(False))
    ):
        out[vid] += amount - paid.get(bid, ZERO)
    return dict(out)


# ------------------------------------------------------------------ bills


@dataclass(frozen=True)
class BillInput:
    vendor_id: int
    invoice_no: str
    bill_date: date
    due_date: date
    amount: Decimal
    category: ExpenseCategory
    memo: str = ""


@dataclass(frozen=True)
class BillRow:
    bill_id: int
    vendor_id: int
    vendor: str
    invoice_no: str
    bill_date: date
    due_date: date
    amount: Decimal
    paid: Decimal
    category: ExpenseCategory
    recurring: bool
    voided: bool
    days_late: int  # 0 when not yet due or paid

    @property
    def open(self) -> Decimal:
        return ZERO if self.voided else self.amount - self.paid

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


def _check_bill(s: Session, data: BillInput) -> list[Problem]:
    problems: list[Problem] = []
    vendor = s.get(Vendor, data.vendor_id)
    if vendor is None:
        problems.append(Problem("vendor", "Pick the vendor"))
    inv = data.invoice_no.strip()
    if not inv:
        problems.append(Problem("invoice_no", "Invoice number is required"))
    elif len(inv) > 40:
        problems.append(Problem("invoice_no", "Invoice number is at most 40 characters"))
    elif vendor is not None:
        dup = s.execute(
            select(Bill.bill_date, Bill.amount).where(
                Bill.vendor_id == data.vendor_id, func.upper(Bill.invoice_no) == inv.upper()
            )
        ).first()
        if dup is not None:
            problems.append(
                Problem(
                    "invoice_no",
                    f"{vendor.name} invoice {inv} is already entered "
                    f"(dated {dup[0]:%m/%d/%Y}, {fmt(dup[1])})",
                )
            )
    if data.amount <= ZERO:
        problems.append(Problem("amount", "Amount must be more than 0.00"))
    if data.due_date < data.bill_date:
        problems.append(Problem("due_date", "The due date cannot be before the bill date"))
    return problems


def add_bill(s: Session, actor: Actor, data: BillInput, *, recurring_id: int | None = None) -> int:
    """Enter a vendor's bill. The same invoice number from the same vendor is refused."""
    require(actor, Permission.PAYABLES)
    problems = _check_bill(s, data)
    if problems:
        raise ValidationError(problems)
    b = Bill(
        vendor_id=data.vendor_id,
        invoice_no=data.invoice_no.strip(),
        bill_date=data.bill_date,
        due_date=data.due_date,
        amount=data.amount,
        category=data.category,
        memo=data.memo,
        recurring_id=recurring_id,
        created_by=actor.user_id,
    )
    s.add(b)
    s.flush()
    audit.record(
        s,
        actor,
        "bill_added",
        entity="bill",
        entity_id=b.id,
        details={"vendor_id": b.vendor_id, "invoice": b.invoice_no, "amount": fmt(b.amount)},
    )
    return b.id


def void_bill(s: Session, actor: Actor, bill_id: int, reason: str) -> None:
    """Void a bill entered by mistake (only while nothing is paid on it)."""
    require(actor, Permission.PAYABLES)
    b = s.get(Bill, bill_id)
    if b is None:
        raise NotFound("That bill does not exist.")
    problems = []
    if b.voided:
        problems.append(Problem("bill", "That bill is already voided"))
    elif _paid_by_bill(s, [bill_id]).get(bill_id, ZERO) != ZERO:
        problems.append(
            Problem("bill", "A bill with payments cannot be voided (it was paid, at least in part)")
        )
    if not reason.strip():
        problems.append(Problem("reason", "Say why the bill is voided"))
    if problems:
        raise ValidationError(problems)
    b.voided = True
    audit.record(
        s,
        actor,
        "bill_voided",
        entity="bill",
        entity_id=b.id,
        details={
            "reason": reason.strip(),
            "vendor_id": b.vendor_id,
            "invoice": b.invoice_no,
            "amount": fmt(b.amount),
        },
    )


def pay_bill(
    s: Session,
    actor: Actor,
    bill_id: int,
    *,
    amount: Decimal,
    paid_date: date,
    method: PaymentMethod,
    check_no: str = "",
    memo: str = "",
) -> int:
    """Pay all or part of a bill; never more than is open."""
    require(actor, Permission.PAYABLES)
    b = s.get(Bill, bill_id)
    if b is None:
        raise NotFound("That bill does not exist.")
    paid = _paid_by_bill(s, [bill_id]).get(bill_id, ZERO)
    left = b.amount - paid
    problems: list[Problem] = []
    if b.voided:
        problems.append(Problem("bill", "That bill is voided"))
    if amount <= ZERO:
        problems.append(Problem("amount", "Amount must be more than 0.00"))
    elif amount > left:
        problems.append(
            Problem("amount", f"Only {fmt(left)} of this bill is open; {fmt(amount)} is too much")
        )
    if method is PaymentMethod.CHECK and not check_no.strip():
        problems.append(Problem("check_no", "Check number is required for a check"))
    if len(check_no.strip()) > 20:
        problems.append(Problem("check_no", "Check number is at most 20 characters"))
    if paid_date < b.bill_date:
        problems.append(Problem("paid_date", "The payment date cannot be before the bill date"))
    if problems:
        raise ValidationError(problems)
    p = BillPayment(
        bill_id=bill_id,
        paid_date=paid_date,
        amount=amount,
        method=method,
        check_no=check_no.strip(),
        memo=memo,
        created_by=actor.user_id,
    )
    s.add(p)
    s.flush()
    audit.record(
        s,
        actor,
        "bill_paid",
        entity="bill",
        entity_id=bill_id,
        details={"amount": fmt(amount), "method": method.value, "check_no": p.check_no},
    )
    return p.id


def bills(
    s: Session,
    actor: Actor,
    as_of: date,
    *,
    open_only: bool = True,
    vendor_id: int | None = None,
    bill_ids: list[int] | None = None,
) -> list[BillRow]:
    """Bills by due date (open ones only unless asked), overdue marked."""
    require(actor, Permission.PAYABLES)
    q = (
        select(Bill, Vendor.name)
        .join(Vendor, Vendor.id == Bill.vendor_id)
        .order_by(Bill.due_date, Vendor.name, Bill.id)
    )
    if vendor_id is not None:
        q = q.where(Bill.vendor_id == vendor_id)
    if bill_ids is not None:
        q = q.where(Bill.id.in_(bill_ids))
    if open_only:
        q = q.where(Bill.voided.is_(False))
    rows = s.execute(q).all()
    paid = _paid_by_bill(s, [b.id for b, _ in rows] if len(rows) < 500 else None)
    out = []
    for b, name in rows:
        p = paid.get(b.id, ZERO)
        if open_only and b.amount - p <= ZERO:
            continue
        late = (as_of - b.due_date).days if b.amount - p > ZERO and not b.voided else 0
        out.append(
            BillRow(
                b.id,
                b.vendor_id,
                name,
                b.invoice_no,
                b.bill_date,
                b.due_date,
                b.amount,
                p,
                b.category,
                b.recurring_id is not None,
                b.voided,
                max(0, late),
            )
        )
    return out


@dataclass(frozen=True)
class BillPaymentRow:
    payment_id: int
    paid_date: date
    amount: Decimal
    method: PaymentMethod
    check_no: str
    memo: str


def bill_payments(s: Session, actor: Actor, bill_id: int) -> list[BillPaymentRow]:
    require(actor, Permission.PAYABLES)
    return [
        BillPaymentRow(p.id, p.paid_date, p.amount, p.method, p.check_no, p.memo)
        for p in s.execute(
            select(BillPayment).where(BillPayment.bill_id == bill_id).order_by(BillPayment.id)
        ).scalars()
    ]


@dataclass(frozen=True)
class ApAgingRow:
    vendor_id: int | None
    vendor: str
    buckets: tuple[Decimal, Decimal, Decimal, Decimal, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


def ap_aging(s: Session, actor: Actor, as_of: date) -> list[ApAgingRow]:
    """What the office owes each vendor, by how late it is; the last row is the total."""
    rows = bills(s, actor, as_of)
    by: dict[tuple[int, str], list[Decimal]] = defaultdict(lambda: [ZERO] * 5)
    for r in rows:
        d = r.days_late
        i = 0 if d <= 0 else 1 if d <= 30 else 2 if d <= 60 else 3 if d <= 90 else 4
        by[(r.vendor_id, r.vendor)][i] += r.open
    out = [
        ApAgingRow(vid, name, (b[0], b[1], b[2], b[3], b[4]))
        for (vid, name), b in sorted(by.items(), key=lambda kv: kv[0][1])
    ]
    tot = [sum((r.buckets[i] for r in out), ZERO) for i in range(5)]
    out.append(ApAgingRow(None, "Total", (tot[0], tot[1], tot[2], tot[3], tot[4])))
    return out


def paid_by_category(
    s: Session, actor: Actor, month: date
) -> list[tuple[ExpenseCategory, Decimal]]:
    """What was paid in ``month`` by expense category (every category listed)."""
    require(actor, Permission.PAYABLES)
    first = month.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    got = dict(
        (cat, sum_money(total))
        for cat, total in s.execute(
            select(Bill.category, func.sum(BillPayment.amount))
            .join(Bill, Bill.id == BillPayment.bill_id)
            .where(BillPayment.paid_date >= first, BillPayment.paid_date <= last)
            .group_by(Bill.category)
        )
    )
    return [(c, got.get(c, ZERO)) for c in ExpenseCategory]


# ------------------------------------------------------------------ recurring


@dataclass(frozen=True)
class RecurringInput:
    vendor_id: int
    amount: Decimal
    category: ExpenseCategory
    next_date: date
    day_of_month: int = 1
    due_days: int = 15
    memo: str = ""


@dataclass(frozen=True)
class RecurringRow:
    recurring_id: int
    vendor: str
    amount: Decimal
    category: ExpenseCategory
    day_of_month: int
    due_days: int
    next_date: date
    active: bool


def add_recurring(s: Session, actor: Actor, data: RecurringInput) -> int:
    require(actor, Permission.PAYABLES)
    problems: list[Problem] = []
    if s.get(Vendor, data.vendor_id) is None:
        problems.append(Problem("vendor", "Pick the vendor"))
    if data.amount <= ZERO:
        problems.append(Problem("amount", "Amount must be more than 0.00"))
    if not 1 <= data.day_of_month <= 31:
        problems.append(Problem("day_of_month", "Day of the month is 1 to 31"))
    if not 0 <= data.due_days <= 120:
        problems.append(Problem("due_days", "Days until due is 0 to 120"))
    if problems:
        raise ValidationError(problems)
    r = RecurringBill(
        vendor_id=data.vendor_id,
        amount=data.amount,
        category=data.category,
        day_of_month=data.day_of_month,
        due_days=data.due_days,
        next_date=data.next_date,
        memo=data.memo,
    )
    s.add(r)
    s.flush()
    audit.record(
        s,
        actor,
        "recurring_bill_added",
        entity="recurring_bill",
        entity_id=r.id,
        details={"vendor_id": r.vendor_id, "amount": fmt(r.amount)},
    )
    return r.id


def stop_recurring(s: Session, actor: Actor, recurring_id: int) -> None:
    """No more bills from it (the lease ended); bills already made stay."""
    require(actor, Permission.PAYABLES)
    r = s.get(RecurringBill, recurring_id)
    if r is None:
        raise NotFound("That recurring bill does not exist.")
    if not r.active:
        raise UserFacingError("That recurring bill is already stopped.")
    r.active = False
    audit.record(s, actor, "recurring_bill_stopped", entity="recurring_bill", entity_id=r.id)


def next_occurrence(on_or_after: date, day: int) -> date:
    """The first ``day`` of a month (its last day if shorter) on or after the date."""
    here = date(
        on_or_after.year,
        on_or_after.month,
        min(day, calendar.monthrange(on_or_after.year, on_or_after.month)[1]),
    )
    return here if here >= on_or_after else next_month(here, day)


def restart_recurring(
    s: Session, actor: Actor, recurring_id: int, next_date: date, *, today: date | None = None
) -> None:
    """Start a stopped recurring bill again from ``next_date`` (today or
    later: the months it was stopped are not billed)."""
    require(actor, Permission.PAYABLES)
    r = s.get(RecurringBill, recurring_id)
    if r is None:
        raise NotFound("That recurring bill does not exist.")
    if r.active:
        raise UserFacingError("That recurring bill is running; there is nothing to restart.")
    if next_date < (today or date.today()):
        raise ValidationError(
            [
                Problem(
                    "next_date",
                    "The next bill is dated today or later (stopped months are not billed)",
                )
            ]
        )
    before = r.next_date
    r.active, r.next_date = True, next_date
    audit.record(
        s,
        actor,
        "recurring_bill_restarted",
        entity="recurring_bill",
        entity_id=r.id,
        details={"next_date": [before.isoformat(), next_date.isoformat()]},
    )


def recurring(s: Session, actor: Actor) -> list[RecurringRow]:
    require(actor, Permission.PAYABLES)
    return [
        RecurringRow(
            r.id, name, r.amount, r.category, r.day_of_month, r.due_days, r.next_date, r.active
        )
        for r, name in s.execute(
            select(RecurringBill, Vendor.name)
            .join(Vendor, Vendor.id == RecurringBill.vendor_id)
            .order_by(RecurringBill.next_date)
        )
    ]


def next_month(d: date, day: int) -> date:
    """The same ``day`` of the following month (the month's last day if shorter)."""
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return date(y, m, min(day, calendar.monthrange(y, m)[1]))


def create_due_bills(s: Session, actor: Actor, today: date) -> list[int]:
    """Make every recurring bill that has come due (catching up missed
    months); each gets invoice number ``<recurring id>-<YYYY-MM>``."""
    require(actor, Permission.PAYABLES)
    made = []
    for r in s.execute(
        select(RecurringBill)
        .where(RecurringBill.active.is_(True), RecurringBill.next_date <= today)
        .order_by(RecurringBill.id)
    ).scalars():
        while r.next_date <= today:
            inv = f"R{r.id}-{r.next_date:%Y-%m}"
            exists = s.execute(
                select(Bill.id).where(Bill.vendor_id == r.vendor_id, Bill.invoice_no == inv)
            ).scalar()
            if exists is None:
                made.append(
                    add_bill(
                        s,
                        actor,
                        BillInput(
                            r.vendor_id,
                            inv,
                            r.next_date,
                            r.next_date + timedelta(days=r.due_days),
                            r.amount,
                            r.category,
                            r.memo,
                        ),
                        recurring_id=r.id,
                    )
                )
            r.next_date = next_month(r.next_date, r.day_of_month)
    return made
