"""The day's appointments and check-in (with the coverage gate's outcome)."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, StrEnumType, UTCDateTime, utcnow


class AppointmentStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class GateOutcome(enum.StrEnum):
    """How an insured visit got past the coverage gate at check-in."""

    VERIFIED = "verified"
    SELF_PAY = "self_pay"
    OVERRIDE = "override"


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_day", "day", "provider_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[time] = mapped_column(Time)
    minutes: Mapped[int] = mapped_column(Integer, default=15)
    reason: Mapped[str] = mapped_column(String(120), default="")
    visit_type: Mapped[str] = mapped_column(String(40), default="Office visit")
    self_pay: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[AppointmentStatus] = mapped_column(
        StrEnumType(AppointmentStatus), default=AppointmentStatus.SCHEDULED
    )
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    gate_outcome: Mapped[GateOutcome | None] = mapped_column(
        StrEnumType(GateOutcome), nullable=True
    )
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"), nullable=True)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    override_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
