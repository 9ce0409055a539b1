"""Patients (with their guarantor) as registered at the front desk."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, StrEnumType, UTCDateTime, utcnow


class Sex(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


class Patient(Base):
    """One person treated at the office. Every CMS-1500 patient item lives here.

    The guarantor (the person who gets the statement) is the patient, another
    registered patient (``guarantor_patient_id``), or a person described by
    the ``guarantor_*`` fields.
    """

    __tablename__ = "patient"
    __table_args__ = (
        Index("ix_patient_search_name", "search_last", "search_first"),
        Index("ix_patient_search_first", "search_first", "search_last"),
        Index("ix_patient_dob", "dob"),
        Index("ix_patient_last_dob", "search_last", "dob"),
        Index("ix_patient_phone", "phone_home"),
        Index("ix_patient_mobile", "phone_mobile"),
        Index("ix_patient_work", "phone_work"),
        # Opening a patient lists the records merged into it.
        Index("ix_patient_merged_into", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_no: Mapped[str] = mapped_column(String(12), unique=True)
    last_name: Mapped[str] = mapped_column(String(60))
    first_name: Mapped[str] = mapped_column(String(60))
    middle_name: Mapped[str] = mapped_column(String(60), default="")
    suffix: Mapped[str] = mapped_column(String(10), default="")
    # Upper-case, accent-free copies of the names, for prefix search.
    search_last: Mapped[str] = mapped_column(String(60))
    search_first: Mapped[str] = mapped_column(String(60))
    dob: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(StrEnumType(Sex, 1))
    address1: Mapped[str] = mapped_column(String(120))
    address2: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    # Phones are stored as 10 digits.
    phone_home: Mapped[str] = mapped_column(String(10), default="")
    phone_mobile: Mapped[str] = mapped_column(String(10), default="")
    phone_work: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    marital_status: Mapped[str] = mapped_column(String(20), default="")
    employment_status: Mapped[str] = mapped_column(String(20), default="")
    ssn: Mapped[str] = mapped_column(String(9), default="")
    preferred_language: Mapped[str] = mapped_column(String(40), default="")
    emergency_name: Mapped[str] = mapped_column(String(120), default="")
    emergency_relationship: Mapped[str] = mapped_column(String(40), default="")
    emergency_phone: Mapped[str] = mapped_column(String(10), default="")

    guarantor_is_patient: Mapped[bool] = mapped_column(Boolean, default=True)
    guarantor_patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient.id"), nullable=True, index=True
    )
    guarantor_last_name: Mapped[str] = mapped_column(String(60), default="")
    guarantor_first_name: Mapped[str] = mapped_column(String(60), default="")
    guarantor_relationship: Mapped[str] = mapped_column(String(40), default="")
    guarantor_address1: Mapped[str] = mapped_column(String(120), default="")
    guarantor_address2: Mapped[str] = mapped_column(String(120), default="")
    guarantor_city: Mapped[str] = mapped_column(String(60), default="")
    guarantor_state: Mapped[str] = mapped_column(String(2), default="")
    guarantor_zip: Mapped[str] = mapped_column(String(10), default="")
    guarantor_phone: Mapped[str] = mapped_column(String(10), default="")

    signature_on_file: Mapped[date | None] = mapped_column(Date, nullable=True)  # item 12
    insured_signature_on_file: Mapped[date | None] = mapped_column(Date, nullable=True)  # item 13
    privacy_notice_ack: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_of_death: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        mid = f" {self.middle_name[0]}." if self.middle_name else ""
        suf = f" {self.suffix}" if self.suffix else ""
        return f"{self.last_name}{suf}, {self.first_name}{mid}"
