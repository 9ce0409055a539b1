"""Accounts payable: vendors, bills, partial payments, recurring bills, lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.demo import OfficeSize, build_office
from app.errors import PermissionDenied, UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.ledger import PaymentMethod
from app.models.payables import Bill, ExpenseCategory, RecurringBill, Vendor
from app.models.staff import Role, User
from app.money import ZERO, money
from app.services import payables as ap
from app.services.auth import actor_for

D = date(2026, 6, 1)


def _vendor(s, actor, name="Oakridge Properties LLC", cat=ExpenseCategory.RENT):
    return ap.add_vendor(
        s, actor, ap.VendorInput(name, "1 Main St", "Springfield", "IL", "62704", "2175550140", cat)
    )


def _bill(s, actor, vid, inv="INV-100", amount="1200.00", bill_date=D, due=None, cat=None):
    return ap.add_bill(
        s,
        actor,
        ap.BillInput(
            vid,
            inv,
            bill_date,
            due or bill_date + timedelta(days=30),
            money(amount),
            cat or ExpenseCategory.SUPPLIES,
        ),
    )


def test_bills_partial_payments_and_lists(office) -> None:
    mgr = office.manager
    with office.store.unit_of_work() as s:
        rent = _vendor(s, mgr)
        sup = _vendor(s, mgr, "Midwest Medical Supply", ExpenseCategory.SUPPLIES)
        b1 = _bill(s, mgr, sup, "MMS-1", "480.00", date(2026, 3, 2), date(2026, 4, 1))
        b2 = _bill(s, mgr, rent, "JUNE", "3200.00", D, date(2026, 6, 10), ExpenseCategory.RENT)
        b3 = _bill(s, mgr, sup, "MMS-2", "75.10", date(2026, 6, 20), date(2026, 7, 20))
        ap.pay_bill(
            s,
            mgr,
            b1,
            amount=money("200.00"),
            paid_date=date(2026, 6, 3),
            method=PaymentMethod.CHECK,
            check_no="4101",
        )
        ap.pay_bill(
            s,
            mgr,
            b2,
            amount=money("3200.00"),
            paid_date=date(2026, 6, 5),
            method=PaymentMethod.EFT,
        )
        rows = ap.bills(s, mgr, date(2026, 6, 30))
        assert [(r.invoice_no, r.open, r.days_late) for r in rows] == [
            ("MMS-1", money("280.00"), 90),
            ("MMS-2", money("75.10"), 0),
        ]
        assert rows[0].overdue and not rows[1].overdue
        with pytest.raises(ValidationError, match=r"Only 280\.00 of this bill is open"):
            ap.pay_bill(
                s,
                mgr,
                b1,
                amount=money("300.00"),
                paid_date=date(2026, 6, 30),
                method=PaymentMethod.CASH,
            )
        with pytest.raises(ValidationError) as exc:
            ap.pay_bill(
                s,
                mgr,
                b1,
                amount=money("0.00"),
                paid_date=date(2026, 1, 1),
                method=PaymentMethod.CHECK,
            )
        assert {p.field for p in exc.value.problems} == {"amount", "check_no", "paid_date"}
        aging = ap.ap_aging(s, mgr, date(2026, 6, 30))
        assert [(r.vendor, r.buckets) for r in aging] == [
            ("Midwest Medical Supply", (money("75.10"), ZERO, ZERO, money("280.00"), ZERO)),
            ("Total", (money("75.10"), ZERO, ZERO, money("280.00"), ZERO)),
        ]
        by_cat = dict(ap.paid_by_category(s, mgr, date(2026, 6, 15)))
        assert by_cat[ExpenseCategory.RENT] == money("3200.00")
        assert by_cat[ExpenseCategory.SUPPLIES] == money("200.00")
        assert by_cat[ExpenseCategory.UTILITIES] == ZERO
        assert [p.check_no for p in ap.bill_payments(s, mgr, b1)] == ["4101"]
        assert {v.name: v.open_balance for v in ap.vendors(s, mgr)} == {
            "Midwest Medical Supply": money("355.10"),
            "Oakridge Properties LLC": ZERO,
        }
        ap.void_bill(s, mgr, b3, "entered twice")
        with pytest.raises(ValidationError, match="cannot be voided"):
            ap.void_bill(s, mgr, b1, "oops")


def test_duplicate_vendor_invoice_is_refused(office) -> None:
    mgr = office.manager
    with office.store.unit_of_work() as s:
        sup = _vendor(s, mgr, "Midwest Medical Supply", ExpenseCategory.SUPPLIES)
        other = _vendor(s, mgr, "Another Supplier", ExpenseCategory.SUPPLIES)
        _bill(s, mgr, sup, "MMS-77", "50.00")
        with pytest.raises(ValidationError) as exc:
            _bill(s, mgr, sup, "mms-77", "51.00")
        assert exc.value.problems[0].field == "invoice_no"
        assert "Midwest Medical Supply invoice mms-77 is already entered" in str(exc.value)
        _bill(s, mgr, other, "MMS-77", "50.00")  # another vendor's number may repeat
        with pytest.raises(ValidationError, match="already exists"):
            _vendor(s, mgr, "midwest medical supply")
        assert s.execute(select(func.count()).select_from(Bill)).scalar() == 2


def test_recurring_rent_makes_the_next_bills(office) -> None:
    mgr = office.manager
    with office.store.unit_of_work() as s:
        rent = _vendor(s, mgr)
        rid = ap.add_recurring(
            s,
            mgr,
            ap.RecurringInput(
                rent,
                money("3200.00"),
                ExpenseCategory.RENT,
                date(2026, 1, 31),
                day_of_month=31,
                due_days=10,
            ),
        )
        made = ap.create_due_bills(s, mgr, date(2026, 3, 5))
        rows = ap.bills(s, mgr, date(2026, 3, 5), bill_ids=made)
        assert [(r.invoice_no, r.bill_date, r.due_date, r.recurring) for r in rows] == [
            (f"R{rid}-2026-01", date(2026, 1, 31), date(2026, 2, 10), True),
            (f"R{rid}-2026-02", date(2026, 2, 28), date(2026, 3, 10), True),
        ]
        assert ap.create_due_bills(s, mgr, date(2026, 3, 5)) == []
        assert ap.recurring(s, mgr)[0].next_date == date(2026, 3, 31)
        ap.stop_recurring(s, mgr, rid)
        assert ap.create_due_bills(s, mgr, date(2026, 5, 1)) == []


def test_payables_are_the_managers(office) -> None:
    with office.store.unit_of_work() as s:
        for who in (office.biller, office.receptionist):
            with pytest.raises(PermissionDenied):
                _vendor(s, who)
            with pytest.raises(PermissionDenied):
                ap.bills(s, who, D)


def test_demo_office_has_years_of_bills(store) -> None:
    with store.unit_of_work() as s:
        build_office(s, OfficeSize(patients=30, years=2))
    with store.unit_of_work() as s:
        mgr = actor_for(s.execute(select(User).where(User.role == Role.MANAGER)).scalars().first())
        assert s.execute(select(func.count()).select_from(Vendor)).scalar() == 6
        assert s.execute(select(func.count()).select_from(Bill)).scalar() > 150
        today = date.today()
        open_rows = ap.bills(s, mgr, today)
        assert open_rows  # the last weeks' bills are open
        total = ap.ap_aging(s, mgr, today)[-1]
        assert total.total == sum((r.open for r in open_rows), ZERO)
        # The rent's next bill comes from the recurring bill.
        made = ap.create_due_bills(s, mgr, today + timedelta(days=40))
        assert len(made) >= 1


def test_void_edit_stop_and_restart_are_checked_and_audited(office) -> None:
    mgr = office.manager
    today = date(2026, 5, 20)
    with office.store.unit_of_work() as s:
        vid = ap.add_vendor(s, mgr, ap.VendorInput("Lakeview Realty", phone="2175550123"))
        bill = ap.add_bill(
            s,
            mgr,
            ap.BillInput(vid, "LR-9", today, today, money("1800.00"), ExpenseCategory.RENT),
        )
        ap.void_bill(s, mgr, bill, "entered twice")
        with pytest.raises(ValidationError, match="already voided"):
            ap.void_bill(s, mgr, bill, "again")
        # Saving a vendor unchanged writes nothing; a change writes old and new.
        row = next(v for v in ap.vendors(s, mgr) if v.vendor_id == vid)
        ap.update_vendor(s, mgr, vid, row.as_input())
        ap.update_vendor(
            s,
            mgr,
            vid,
            ap.VendorInput(
                "Lakeview Realty", "9 Lake St", "Springfield", "il", "62701", "2175550123"
            ),
        )
        assert s.get(Vendor, vid).state == "IL"
        changed = (
            s.execute(select(AuditEvent).where(AuditEvent.action == "vendor_changed"))
            .scalars()
            .all()
        )
        assert len(changed) == 1
        assert changed[0].details["changes"]["address1"] == ["", "9 Lake St"]
        rid = ap.add_recurring(
            s,
            mgr,
            ap.RecurringInput(vid, money("1800.00"), ExpenseCategory.RENT, date(2026, 1, 1)),
        )
        with pytest.raises(UserFacingError, match="nothing to restart"):
            ap.restart_recurring(s, mgr, rid, today, today=today)
        ap.stop_recurring(s, mgr, rid)
        with pytest.raises(UserFacingError, match="already stopped"):
            ap.stop_recurring(s, mgr, rid)
        with pytest.raises(ValidationError, match="today or later"):
            ap.restart_recurring(s, mgr, rid, date(2026, 2, 1), today=today)
        assert ap.next_occurrence(today, 1) == date(2026, 6, 1)
        assert ap.next_occurrence(date(2026, 2, 1), 31) == date(2026, 2, 28)
        ap.restart_recurring(s, mgr, rid, date(2026, 6, 1), today=today)
        # The months it was stopped are not billed: the next bill is June's.
        made = ap.create_due_bills(s, mgr, date(2026, 6, 2))
        assert len(made) == 1
        assert s.get(RecurringBill, rid).next_date == date(2026, 7, 1)
