"""The office's own bills over its years: rent, supplies, payroll service,
utilities, software, cleaning. Written in bulk; the last weeks' bills are
still open (a few overdue) and the rent is a recurring bill."""

from __future__ import annotations

import calendar
import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.demo import OfficeSize
from app.models.ledger import PaymentMethod
from app.models.payables import Bill, BillPayment, ExpenseCategory, RecurringBill, Vendor
from app.models.staff import Role, User
from app.money import CENT

# name, category, city, phone, (low, high) monthly amount, bills per month
VENDORS = (
    ("Oakridge Properties LLC", ExpenseCategory.RENT, "2175550140", ("3200", "3200"), 1),
    ("Midwest Medical Supply", ExpenseCategory.SUPPLIES, "3125550177", ("180", "1250"), 2),
    ("Prairie Payroll Services", ExpenseCategory.PAYROLL_SERVICES, "2175550162", ("145", "185"), 1),
    ("Springfield City Utilities", ExpenseCategory.UTILITIES, "2175550111", ("210", "480"), 1),
    ("Brightline Practice Software", ExpenseCategory.SOFTWARE, "8005550133", ("199", "199"), 1),
    ("Lakeview Cleaning Co.", ExpenseCategory.OTHER, "2175550190", ("320", "320"), 1),
)


def _amount(rng: random.Random, low: str, high: str) -> Decimal:
    lo, hi = int(Decimal(low) * 100), int(Decimal(high) * 100)
    return (Decimal(rng.randint(lo, hi)) / 100).quantize(CENT)


def populate(s: Session, rng: random.Random, size: OfficeSize) -> None:
    today = size.today
    manager = s.execute(select(User.id).where(User.role == Role.MANAGER)).scalars().first()
    start = (today - timedelta(days=365 * size.years)).replace(day=1)
    vendor_rows, bill_rows, pay_rows = [], [], []
    bill_id = pay_id = 0
    for vid, (name, cat, phone, (low, high), per_month) in enumerate(VENDORS, start=1):
        vendor_rows.append(
            dict(
                id=vid,
                name=name,
                address1=f"{100 + vid * 17} Commerce Drive",
                city="Springfield",
                state="IL",
                zip="62704",
                phone=phone,
                default_category=cat,
                active=True,
            )
        )
        month = start
        n = 0
        while month <= today:
            years_in = month.year - start.year
            for k in range(per_month):
                day = 1 if cat is ExpenseCategory.RENT else rng.randint(1, 26)
                bill_date = month.replace(
                    day=min(day, calendar.monthrange(month.year, month.month)[1])
                )
                if bill_date > today:
                    continue
                if cat is ExpenseCategory.RENT:
                    # The lease goes up 3% a year.
                    amount = (Decimal(low) * Decimal("1.03") ** years_in).quantize(CENT)
                else:
                    amount = _amount(rng, low, high)
                n += 1
                bill_id += 1
                due = bill_date + timedelta(days=10 if cat is ExpenseCategory.RENT else 30)
                bill_rows.append(
                    dict(
                        id=bill_id,
                        vendor_id=vid,
                        invoice_no=f"{name[:3].upper()}-{bill_date:%y%m}-{n:04d}{k}",
                        bill_date=bill_date,
                        due_date=due,
                        amount=amount,
                        category=cat,
                        memo="",
                        recurring_id=1 if cat is ExpenseCategory.RENT else None,
                        voided=False,
                        created_at=datetime.combine(bill_date, time(15), tzinfo=UTC),
                        created_by=manager,
                    )
                )
                paid_on = bill_date + timedelta(days=rng.randint(3, 28))
                if paid_on >= today - timedelta(days=3) or rng.random() < 0.01:
                    continue  # still open
                parts = 2 if rng.random() < 0.08 else 1
                left = amount
                for part in range(parts):
                    pay = left if part == parts - 1 else (left / 2).quantize(CENT)
                    left -= pay
                    pay_id += 1
                    method = rng.choice(
                        (PaymentMethod.CHECK, PaymentMethod.CHECK, PaymentMethod.EFT)
                    )
                    when = min(paid_on + timedelta(days=part * 14), today)
                    pay_rows.append(
                        dict(
                            id=pay_id,
                            bill_id=bill_id,
                            paid_date=when,
                            amount=pay,
                            method=method,
                            check_no=f"{4000 + pay_id}" if method is PaymentMethod.CHECK else "",
                            memo="",
                            created_at=datetime.combine(when, time(16), tzinfo=UTC),
                            created_by=manager,
                        )
                    )
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    rent_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    years_in = rent_next.year - start.year
    s.execute(insert(Vendor), vendor_rows)
    s.execute(
        insert(RecurringBill),
        [
            dict(
                id=1,
                vendor_id=1,
                amount=(Decimal(VENDORS[0][3][0]) * Decimal("1.03") ** years_in).quantize(CENT),
                category=ExpenseCategory.RENT,
                day_of_month=1,
                due_days=10,
                next_date=rent_next,
                memo="Office lease, suite 2",
                active=True,
            )
        ],
    )
    for i in range(0, len(bill_rows), 5000):
        s.execute(insert(Bill), bill_rows[i : i + 5000])
    for i in range(0, len(pay_rows), 5000):
        s.execute(insert(BillPayment), pay_rows[i : i + 5000])
