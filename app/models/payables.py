"""Accounts payable: the office's own vendors, bills and what it paid them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, StrEnumType, UTCDateTime, utcnow
from app.models.ledger import PaymentMethod


class ExpenseCategory(enum.StrEnum):
    RENT = "rent"
    SUPPLIES = "supplies"
    PAYROLL_SERVICES = "payroll_services"
    UTILITIES = "utilities"
    SOFTWARE = "software"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Vendor(Base):
    __tablename__ = "vendor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address1: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(10), default="")
    default_category: Mapped[ExpenseCategory] = mapped_column(
        StrEnumType(ExpenseCategory), default=ExpenseCategory.OTHER
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Bill(Base):
    """A vendor's invoice to the office. A vendor's invoice number is unique."""

    __tablename__ = "bill"
    __table_args__ = (
        UniqueConstraint("vendor_id", "invoice_no"),
        Index("ix_bill_due", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    invoice_no: Mapped[str] = mapped_column(String(40))
    bill_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    category: Mapped[ExpenseCategory] = mapped_column(StrEnumType(ExpenseCategory))
    memo: Mapped[str] = mapped_column(Text, default="")
    recurring_id: Mapped[int | None] = mapped_column(ForeignKey("recurring_bill.id"), nullable=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class BillPayment(Base):
    """Money the office paid against a bill (partial payments allowed)."""

    __tablename__ = "bill_payment"
    __table_args__ = (Index("ix_bill_payment_date", "paid_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), index=True)
    paid_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod))
    check_no: Mapped[str] = mapped_column(String(20), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class RecurringBill(Base):
    """A bill that comes every month (rent): makes the next bill when due."""

    __tablename__ = "recurring_bill"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    category: Mapped[ExpenseCategory] = mapped_column(StrEnumType(ExpenseCategory))
    day_of_month: Mapped[int] = mapped_column(Integer, default=1)
    due_days: Mapped[int] = mapped_column(Integer, default=15)
    next_date: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
