"""Payers, a patient's insurance policies, card images and coverage verifications."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, StrEnumType, UTCDateTime, utcnow
from app.models.patient import Sex


class Program(enum.StrEnum):
    """CMS-1500 item 1."""

    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    TRICARE = "tricare"
    CHAMPVA = "champva"
    GROUP = "group"
    FECA = "feca"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "medicare": "Medicare",
            "medicaid": "Medicaid",
            "tricare": "TRICARE",
            "champva": "CHAMPVA",
            "group": "Group health plan",
            "feca": "FECA black lung",
            "other": "Other",
        }[self.value]


class Relationship(enum.StrEnum):
    """Patient's relationship to the insured (item 6)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


class Payer(Base):
    __tablename__ = "payer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    payer_code: Mapped[str] = mapped_column(String(20), default="")  # electronic payer ID
    address1: Mapped[str] = mapped_column(String(120), default="")
    address2: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(10), default="")
    program: Mapped[Program] = mapped_column(StrEnumType(Program))
    timely_filing_days: Mapped[int] = mapped_column(Integer, default=365)
    needs_referring_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Policy(Base):
    """A patient's coverage with one payer. ``rank`` 1/2/3 = primary/secondary/
    tertiary; a policy taken out of the order keeps its history with rank None."""

    __tablename__ = "policy"
    __table_args__ = (
        Index("ix_policy_patient_rank", "patient_id", "rank"),
        Index("ix_policy_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"), index=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    member_id: Mapped[str] = mapped_column(String(40))
    group_number: Mapped[str] = mapped_column(String(40), default="")
    plan_name: Mapped[str] = mapped_column(String(80), default="")
    relationship: Mapped[Relationship] = mapped_column(StrEnumType(Relationship))
    # The subscriber (insured). For relationship SELF these copy the patient.
    subscriber_last_name: Mapped[str] = mapped_column(String(60), default="")
    subscriber_first_name: Mapped[str] = mapped_column(String(60), default="")
    subscriber_middle_name: Mapped[str] = mapped_column(String(60), default="")
    subscriber_dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    subscriber_sex: Mapped[Sex | None] = mapped_column(StrEnumType(Sex, 1), nullable=True)
    subscriber_address1: Mapped[str] = mapped_column(String(120), default="")
    subscriber_city: Mapped[str] = mapped_column(String(60), default="")
    subscriber_state: Mapped[str] = mapped_column(String(2), default="")
    subscriber_zip: Mapped[str] = mapped_column(String(10), default="")
    subscriber_phone: Mapped[str] = mapped_column(String(10), default="")
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    copay: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    deductible: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    coinsurance_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CardSide(enum.StrEnum):
    FRONT = "front"
    BACK = "back"


class CardImage(Base):
    """A scanned insurance card, kept inside the encrypted store."""

    __tablename__ = "card_image"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    side: Mapped[CardSide] = mapped_column(StrEnumType(CardSide, 5))
    mime_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VerifyMethod(enum.StrEnum):
    PHONE = "phone"
    PORTAL = "portal"
    CARD_ONLY = "card_only"
    ELIGIBILITY_FILE = "eligibility_file"


class VerifyResult(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    NOT_FOUND = "not_found"


class Verification(Base):
    """One check of a policy with the payer, by the logged-in user."""

    __tablename__ = "verification"
    __table_args__ = (Index("ix_verification_policy_at", "policy_id", "verified_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    method: Mapped[VerifyMethod] = mapped_column(StrEnumType(VerifyMethod))
    representative: Mapped[str] = mapped_column(String(80), default="")
    reference_no: Mapped[str] = mapped_column(String(60), default="")
    result: Mapped[VerifyResult] = mapped_column(StrEnumType(VerifyResult))
    coverage_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    coverage_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    copay: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    deductible: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    deductible_met: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    out_of_pocket_remaining: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    coinsurance_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
