"""Claims: a frozen copy of what one encounter bills to one policy, with a
dated status history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONText, Money, StrEnumType, UTCDateTime, utcnow


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"
    READY = "ready"
    PRINTED = "printed"
    EXPORTED = "exported"
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    DENIED = "denied"
    APPEALED = "appealed"
    CORRECTED = "corrected"
    VOIDED = "voided"
    CLOSED = "closed"


class Claim(Base):
    __tablename__ = "claim"
    __table_args__ = (
        Index("ix_claim_status", "status", "date_of_service"),
        Index("ix_claim_payer", "payer_id", "date_of_service"),
        Index("ix_claim_patient", "patient_id", "date_of_service"),
        # The claims list: newest service first, whatever the filter.
        Index("ix_claim_dos", "date_of_service", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_no: Mapped[str] = mapped_column(String(20), unique=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounter.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    date_of_service: Mapped[date] = mapped_column(Date)  # copied from the encounter, for filters
    rank: Mapped[int] = mapped_column(Integer, default=1)  # 1 primary, 2 secondary, 3 tertiary
    frequency: Mapped[str] = mapped_column(String(1), default="1")  # 1 original, 7 replace, 8 void
    original_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), nullable=True)
    primary_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), nullable=True)
    payer_claim_ref: Mapped[str] = mapped_column(String(40), default="")  # payer's control no.
    status: Mapped[ClaimStatus] = mapped_column(StrEnumType(ClaimStatus), default=ClaimStatus.DRAFT)
    total_charge: Mapped[Decimal] = mapped_column(Money)
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))  # item 29
    # Everything the claim bills, as of creation: patient, subscriber, other
    # insured, provider, practice, diagnoses, lines. The CMS-1500 field map
    # reads only this, so later edits to the patient never change a claim.
    snapshot: Mapped[Any] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class ClaimLine(Base):
    __tablename__ = "claim_line"
    __table_args__ = (UniqueConstraint("claim_id", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    service_line_id: Mapped[int] = mapped_column(ForeignKey("service_line.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5))
    charge: Mapped[Decimal] = mapped_column(Money)


class ClaimEvent(Base):
    """One step of a claim's history (status change, print, export, note)."""

    __tablename__ = "claim_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    status: Mapped[ClaimStatus] = mapped_column(StrEnumType(ClaimStatus))
    note: Mapped[str] = mapped_column(Text, default="")
