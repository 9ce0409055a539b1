"""The ledger: append-only money entries, the payments they come from, and
the month-close history.

Sign convention: ``amount`` is the entry's effect on what is owed to the
office (accounts receivable).

==================  =====  =====================================================
kind                sign   meaning
==================  =====  =====================================================
charge              +      a service line's charge (one per line when coded)
insurance_payment   -      payer money applied to a line, or (no line) held as
                           the payer's unapplied credit
patient_payment     -      patient money applied to a line, or (no line) held as
                           the patient's unapplied credit (e.g. a copay taken
                           at check-in before the visit is coded)
adjustment          -      CARC group + reason (CO-45 contractual, PR-1 ...)
write_off           -      bad debt / small balance / courtesy (manager only)
transfer            -/+    a pair in one ``txn``: -X from one party, +X to the
                           next (primary -> secondary -> patient); sums to zero
refund              +      money paid back out of a credit
==================  =====  =====================================================

A reversal is an entry of the same kind with the opposite amount and
``reverses_id`` set; nothing is ever updated or deleted. Balances are sums:
per line (``service_line_id``), per responsible party (``party`` and
``policy_id``), per patient, per payer. Applying an unapplied credit to a line
is a pair of the payment's kind: +X on the lineless credit, -X on the line;
taking it off the line again ("unapply") is the opposite pair.

Besides the entries: ``Refund`` records money paid back out (to whom, how,
check number) and names the ledger ``txn`` of its refund entries;
``RemitLine`` keeps what a payer's EOB said about one service line (allowed,
paid, deductible, coinsurance, copay, contractual, denial codes) next to the
``txn`` that posted it, so the remittance can be shown again as it was read.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONText, Money, StrEnumType, UTCDateTime, utcnow


class EntryKind(enum.StrEnum):
    CHARGE = "charge"
    INSURANCE_PAYMENT = "insurance_payment"
    PATIENT_PAYMENT = "patient_payment"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"
    TRANSFER = "transfer"
    REFUND = "refund"


class Party(enum.StrEnum):
    INSURANCE = "insurance"
    PATIENT = "patient"


class AdjustmentType(enum.StrEnum):
    CONTRACTUAL = "contractual"
    BAD_DEBT = "bad_debt"
    SMALL_BALANCE = "small_balance"
    COURTESY = "courtesy"
    OTHER = "other"


class PaymentSource(enum.StrEnum):
    PAYER = "payer"
    PATIENT = "patient"


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    EFT = "eft"
    OTHER = "other"


class Payment(Base):
    """Money received, recorded once; applied to lines by ledger entries."""

    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_received", "received_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_date: Mapped[date] = mapped_column(Date)
    source: Mapped[PaymentSource] = mapped_column(StrEnumType(PaymentSource))
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"), nullable=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient.id"), nullable=True, index=True
    )
    method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod))
    reference: Mapped[str] = mapped_column(String(40), default="")  # check / EFT number
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), nullable=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_line", "service_line_id"),
        Index("ix_ledger_patient", "patient_id", "entry_date"),
        Index("ix_ledger_date_kind", "entry_date", "kind"),
        Index("ix_ledger_claim", "claim_id"),
        Index("ix_ledger_payment", "payment_id"),
        Index("ix_ledger_payer", "payer_id", "entry_date"),
        # Covers the aging aggregate (an index-only scan in line order).
        Index(
            "ix_ledger_aging",
            "service_line_id",
            "party",
            "payer_id",
            "patient_id",
            "entry_date",
            "amount",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_date: Mapped[date] = mapped_column(Date)  # the accounting date
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[EntryKind] = mapped_column(StrEnumType(EntryKind))
    amount: Mapped[Decimal] = mapped_column(Money)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    service_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_line.id"), nullable=True
    )
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), nullable=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), nullable=True)
    party: Mapped[Party] = mapped_column(StrEnumType(Party, 9))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"), nullable=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"), nullable=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    adjustment_type: Mapped[AdjustmentType | None] = mapped_column(
        StrEnumType(AdjustmentType), nullable=True
    )
    carc_group: Mapped[str] = mapped_column(String(2), default="")  # CO PR OA PI
    carc_code: Mapped[str] = mapped_column(String(5), default="")
    rarc: Mapped[str] = mapped_column(String(7), default="")
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entry.id"), nullable=True, unique=True
    )
    txn: Mapped[str] = mapped_column(String(32))  # entries posted together
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    memo: Mapped[str] = mapped_column(Text, default="")


class Refund(Base):
    """Money paid back out of a credit, to the patient or to a payer."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    refund_date: Mapped[date] = mapped_column(Date)
    to: Mapped[PaymentSource] = mapped_column(StrEnumType(PaymentSource))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"), nullable=True)
    method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod))
    reference: Mapped[str] = mapped_column(String(40), default="")  # check number
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text, default="")
    # A payer that recoups a credit by keeping it out of a later check: that check.
    offset_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment.id"), nullable=True, index=True
    )
    txn: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemitLine(Base):
    """One service line of a payer's EOB as the biller entered it."""

    __tablename__ = "remit_line"
    __table_args__ = (Index("ix_remit_line_claim", "claim_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    service_line_id: Mapped[int] = mapped_column(ForeignKey("service_line.id"))
    allowed: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    paid: Mapped[Decimal] = mapped_column(Money)
    deductible: Mapped[Decimal] = mapped_column(Money)
    coinsurance: Mapped[Decimal] = mapped_column(Money)
    copay: Mapped[Decimal] = mapped_column(Money)
    contractual: Mapped[Decimal] = mapped_column(Money)
    denial_group: Mapped[str] = mapped_column(String(2), default="")
    denial_code: Mapped[str] = mapped_column(String(5), default="")
    rarc: Mapped[str] = mapped_column(String(7), default="")
    txn: Mapped[str] = mapped_column(String(32), index=True)


class MonthCloseEvent(Base):
    """Closing or reopening a month; a month is closed when its latest event is
    a close. ``snapshot`` keeps the month's totals as they were at close."""

    __tablename__ = "month_close_event"
    __table_args__ = (Index("ix_month_close_month", "month", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    action: Mapped[str] = mapped_column(String(6))  # close / reopen
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[Any] = mapped_column(JSONText, nullable=True)
