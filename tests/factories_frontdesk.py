"""Builders for front-desk tests: valid inputs a test changes one field of,
and shortcuts that go through the services (so audit rows are written)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.models.schedule import Appointment, AppointmentStatus
from app.services import patients, policies, verification
from app.services.auth import Actor
from app.services.patients import PatientInput
from app.services.policies import PolicyInput
from app.services.verification import VerificationInput


def intake(**kw: Any) -> PatientInput:
    """A complete, valid intake sheet."""
    base = PatientInput(
        last_name="Smith",
        first_name="John",
        middle_name="Edward",
        dob="05/17/1970",
        sex="M",
        address1="12 Oak Lane",
        city="Springfield",
        state="IL",
        zip="62704",
        phone_home="(217) 555-0142",
        email="john.smith@example.com",
        preferred_language="English",
        signature_on_file=date.today(),
        insured_signature_on_file=date.today(),
        privacy_notice_ack=date.today(),
    )
    return replace(base, **kw)


def register(s: Session, actor: Actor, **kw: Any) -> int:
    return patients.register(s, actor, intake(**kw), allow_duplicate=True).id


def policy_input(payer_id: int, **kw: Any) -> PolicyInput:
    base = PolicyInput(
        payer_id=payer_id,
        member_id="XJ1234567",
        group_number="G-100",
        plan_name="PPO Gold",
        relationship="self",
        effective_date="01/01/2020",
        copay="25.00",
        deductible="1000.00",
        coinsurance_pct="20",
    )
    return replace(base, **kw)


def checked(**kw: Any) -> VerificationInput:
    base = VerificationInput(
        method="phone",
        result="active",
        representative="Dana at Prairie",
        reference_no="REF-5521",
        copay="30.00",
    )
    return replace(base, **kw)


def verify(s: Session, actor: Actor, policy_id: int, *, days_ago: int = 0, **kw: Any) -> int:
    """A verification made ``days_ago`` days before now (local calendar)."""
    at = datetime.combine(date.today() - timedelta(days=days_ago), time(10, 0)).astimezone(UTC)
    return verification.record_verification(s, actor, policy_id, checked(**kw), at=at).id


def add_policy(s: Session, actor: Actor, patient_id: int, payer_id: int, **kw: Any) -> int:
    return policies.add_policy(s, actor, patient_id, policy_input(payer_id, **kw))


def appointment(
    s: Session,
    patient_id: int,
    provider_id: int,
    day: date | None = None,
    *,
    start: time = time(9, 0),
    self_pay: bool = False,
    status: AppointmentStatus = AppointmentStatus.SCHEDULED,
) -> int:
    a = Appointment(
        patient_id=patient_id,
        provider_id=provider_id,
        day=day or date.today(),
        start=start,
        minutes=15,
        reason="Cough",
        visit_type="Office visit",
        self_pay=self_pay,
        status=status,
    )
    s.add(a)
    s.flush()
    return a.id
