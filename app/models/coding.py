"""The fee schedule, HCPCS reference codes, and encounters (the coded visit)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, StrEnumType, UTCDateTime, utcnow


class FeeItem(Base):
    """One CPT/HCPCS code the office bills, with its price."""

    __tablename__ = "fee_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)
    description: Mapped[str] = mapped_column(String(120))
    price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PayerAllowed(Base):
    """What a payer allows for a code (the office's contract figure)."""

    __tablename__ = "payer_allowed"
    __table_args__ = (UniqueConstraint("fee_item_id", "payer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_item.id"))
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"))
    allowed: Mapped[Decimal] = mapped_column(Money)


class HcpcsCode(Base):
    """HCPCS Level II reference, imported from CMS's public fixed-width file."""

    __tablename__ = "hcpcs_code"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    short_description: Mapped[str] = mapped_column(String(28))
    long_description: Mapped[str] = mapped_column(Text)


class EncounterStatus(enum.StrEnum):
    OPEN = "open"
    CODED = "coded"


class Encounter(Base):
    """A visit being coded (the superbill). Items 10, 14, 17, 23, 24 come from here."""

    __tablename__ = "encounter"
    __table_args__ = (
        Index("ix_encounter_patient_dos", "patient_id", "date_of_service"),
        Index("ix_encounter_dos", "date_of_service"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id"), nullable=True, unique=True
    )
    date_of_service: Mapped[date] = mapped_column(Date)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    referring_name: Mapped[str] = mapped_column(String(80), default="")
    referring_npi: Mapped[str] = mapped_column(String(10), default="")
    referring_qualifier: Mapped[str] = mapped_column(String(2), default="")  # DN / DK / DQ
    place_of_service: Mapped[str] = mapped_column(String(2), default="11")
    prior_auth: Mapped[str] = mapped_column(String(40), default="")
    # The policy it bills; None means self-pay.
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"), nullable=True)
    illness_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    illness_qualifier: Mapped[str] = mapped_column(String(3), default="431")
    related_employment: Mapped[bool] = mapped_column(Boolean, default=False)
    related_auto: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_state: Mapped[str] = mapped_column(String(2), default="")
    related_other: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[EncounterStatus] = mapped_column(
        StrEnumType(EncounterStatus), default=EncounterStatus.OPEN
    )
    coded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    coded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EncounterDiagnosis(Base):
    """Diagnosis ``position`` 1..12 is letter A..L on the claim (item 21)."""

    __tablename__ = "encounter_diagnosis"
    __table_args__ = (UniqueConstraint("encounter_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounter.id"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))  # with the dot, e.g. E11.9


class ServiceLine(Base):
    """One procedure on the encounter (a line of item 24)."""

    __tablename__ = "service_line"
    __table_args__ = (
        UniqueConstraint("encounter_id", "line_no"),
        Index("ix_service_line_code", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounter.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5), default="")
    modifier1: Mapped[str] = mapped_column(String(2), default="")
    modifier2: Mapped[str] = mapped_column(String(2), default="")
    modifier3: Mapped[str] = mapped_column(String(2), default="")
    modifier4: Mapped[str] = mapped_column(String(2), default="")
    pointers: Mapped[str] = mapped_column(String(4), default="")  # e.g. "AB"
    units: Mapped[int] = mapped_column(Integer, default=1)
    charge: Mapped[Decimal] = mapped_column(Money)
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    ndc: Mapped[str] = mapped_column(String(11), default="")
    ndc_unit: Mapped[str] = mapped_column(String(2), default="")  # UN ML GR F2 ME
    ndc_quantity: Mapped[str] = mapped_column(String(12), default="")
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    epsdt: Mapped[str] = mapped_column(String(2), default="")
    # A line taken off a reopened encounter after its charge was posted keeps
    # its row (the ledger and any voided claim point at it) but leaves the
    # visit: ``removed`` is set and ``line_no`` becomes minus its id.
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def modifiers(self) -> list[str]:
        return [m for m in (self.modifier1, self.modifier2, self.modifier3, self.modifier4) if m]
