"""Check-in, with the coverage gate in front of every insured visit.

The duty: the patient is covered before any procedure starts. Checking in a
visit that bills insurance needs the primary policy verified within the
office's window (setting ``verification_window_days``) and in force on the
visit's day. Otherwise check-in stops with three ways out: verify now (record
a verification, then check in), bill the visit as self-pay, or (office
manager only) override with a typed reason. Every override is audited and
listed on "visits without verified coverage".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.base import utcnow
from app.models.ledger import Payment, PaymentMethod, PaymentSource
from app.models.patient import Patient
from app.models.practice import Practice, Provider
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.models.staff import User
from app.money import fmt
from app.reports.receipt import render_receipt
from app.services import audit, ledger, settings
from app.services.appointments import (
    AppointmentRow,
    _appointment,
    next_office_day,
    primary_coverage,
    rows_between,
)
from app.services.auth import Actor, Permission, can, require
from app.services.coverage import CoverageState
from app.services.typed_fields import MoneyText, money_field
from app.validation import Checker, format_phone

MIN_OVERRIDE_REASON = 10


class Way(enum.StrEnum):
    """How the person wants past the gate."""

    VERIFIED = "verified"  # the normal way: coverage is verified
    SELF_PAY = "self_pay"
    OVERRIDE = "override"


@dataclass(frozen=True)
class GateCheck:
    """What the gate says about one appointment."""

    appointment_id: int
    patient_id: int
    day: date
    insured: bool  # False: a self-pay visit, no gate
    policy_id: int | None
    payer: str
    state: CoverageState | None  # None: no primary policy
    reason: str
    window_days: int
    copay_due: Decimal | None
    can_override: bool

    @property
    def passes(self) -> bool:
        return not self.insured or self.state is CoverageState.VERIFIED

    @property
    def message(self) -> str:
        if self.passes:
            return "Coverage is verified." if self.insured else "Self-pay visit."
        what = (
            "There is no primary policy on file."
            if self.policy_id is None
            else f"The primary policy ({self.payer}) is not verified for "
            f"{self.day:%m/%d/%Y}: {self.reason}"
        )
        ways = "Verify the coverage now, or bill this visit as self-pay"
        if self.policy_id is not None:
            ways += ", or ask the office manager to override with a reason"
        return f"Check-in stopped. {what} {ways}."


class CoverageNotVerified(UserFacingError):
    """Check-in was stopped by the gate; ``check`` says why and what may be done."""

    def __init__(self, check: GateCheck) -> None:
        super().__init__(check.message)
        self.check = check


def gate(s: Session, actor: Actor, appointment_id: int, *, today: date | None = None) -> GateCheck:
    """Run the gate for an appointment without changing anything."""
    require(actor, Permission.PATIENT_VIEW)
    a = _appointment(s, appointment_id)
    window = int(settings.get(s, "verification_window_days"))
    pc = primary_coverage(s, [a.patient_id], a.day, window).get(a.patient_id)
    return GateCheck(
        appointment_id=a.id,
        patient_id=a.patient_id,
        day=a.day,
        insured=not a.self_pay,
        policy_id=pc.policy_id if pc else None,
        payer=pc.payer if pc else "",
        state=pc.state if pc else None,
        reason=pc.reason if pc else "No primary policy on file.",
        window_days=window,
        copay_due=(pc.copay if pc and not a.self_pay else None),
        can_override=can(actor, Permission.GATE_OVERRIDE),
    )


@dataclass(frozen=True)
class CheckedIn:
    appointment_id: int
    patient_id: int
    outcome: GateOutcome | None
    copay_due: Decimal | None


def check_in(
    s: Session,
    actor: Actor,
    appointment_id: int,
    *,
    way: Way = Way.VERIFIED,
    override_reason: str = "",
    today: date | None = None,
) -> CheckedIn:
    """Check the patient in. Raises ``CoverageNotVerified`` when the gate
    stops an insured visit and ``way`` is the normal one."""
    require(actor, Permission.CHECK_IN)
    today = today or date.today()
    a = _appointment(s, appointment_id)
    if a.status is not AppointmentStatus.SCHEDULED:
        raise UserFacingError(
            f"This appointment is already {a.status.value.replace('_', ' ')}; "
            "only a scheduled visit can be checked in."
        )
    if a.day != today:
        raise UserFacingError(
            f"This appointment is on {a.day:%m/%d/%Y}. Move it to today before checking in."
        )
    check = gate(s, actor, appointment_id)
    outcome: GateOutcome | None
    details: dict[str, object] = {
        "coverage": check.state.value if check.state else "no policy",
        "reason": check.reason,
    }
    if way is Way.SELF_PAY:
        outcome = GateOutcome.SELF_PAY if check.insured else None
        a.self_pay = True
        a.policy_id = None
    elif check.passes:
        outcome = GateOutcome.VERIFIED if check.insured else None
        a.policy_id = check.policy_id if check.insured else None
    elif way is Way.OVERRIDE:
        require(actor, Permission.GATE_OVERRIDE)
        reason = " ".join(override_reason.split())
        if len(reason) < MIN_OVERRIDE_REASON:
            raise ValidationError(
                [
                    Problem(
                        "override_reason",
                        "Type the reason for the override (at least "
                        f"{MIN_OVERRIDE_REASON} characters): it goes on the record",
                    )
                ]
            )
        if check.policy_id is None:
            raise UserFacingError(
                "There is no primary policy to bill, so there is nothing to override. "
                "Add the policy, or bill the visit as self-pay."
            )
        outcome = GateOutcome.OVERRIDE
        a.policy_id = check.policy_id
        a.override_reason = reason
        a.override_by = actor.user_id
        details["override_reason"] = reason
        audit.record(
            s,
            actor,
            "coverage_override",
            entity="appointment",
            entity_id=a.id,
            patient_id=a.patient_id,
            details={"policy_id": check.policy_id, **details},
        )
    else:
        raise CoverageNotVerified(check)
    a.gate_outcome = outcome
    a.status = AppointmentStatus.CHECKED_IN
    a.checked_in_at = utcnow()
    a.checked_in_by = actor.user_id
    s.flush()
    audit.record(
        s,
        actor,
        "patient_checked_in",
        entity="appointment",
        entity_id=a.id,
        patient_id=a.patient_id,
        details={"outcome": outcome.value if outcome else "self-pay visit", **details},
    )
    return CheckedIn(a.id, a.patient_id, outcome, None if a.self_pay else check.copay_due)


# ------------------------------------------------------------------ lists


@dataclass(frozen=True)
class OverrideRow:
    """A visit checked in without verified coverage (manager override)."""

    visit: AppointmentRow
    override_reason: str
    override_by: str
    checked_in_at: datetime | None

    @property
    def coverage_now(self) -> str:
        return self.visit.badge


def unverified_visits(s: Session, actor: Actor, first: date, last: date) -> list[OverrideRow]:
    """Visits in ``first``..``last`` checked in by override, with who, why,
    and the coverage state for the visit's day as it stands now."""
    require(actor, Permission.PATIENT_VIEW)
    rows = rows_between(s, [Appointment.gate_outcome == GateOutcome.OVERRIDE], first, last)
    extra = {
        aid: (reason, who, at)
        for aid, reason, who, at in s.execute(
            select(
                Appointment.id,
                Appointment.override_reason,
                User.full_name,
                Appointment.checked_in_at,
            )
            .join(User, User.id == Appointment.override_by, isouter=True)
            .where(Appointment.id.in_([r.id for r in rows]))
        )
    }
    return [OverrideRow(r, extra[r.id][0], extra[r.id][1] or "", extra[r.id][2]) for r in rows]


def verify_tomorrow(
    s: Session, actor: Actor, day: date | None = None, *, today: date | None = None
) -> list[AppointmentRow]:
    """The next office day's scheduled insured visits whose primary coverage
    is missing, stale, never verified or inactive, in time order: the
    receptionist calls these the day before."""
    require(actor, Permission.PATIENT_VIEW)
    day = day or next_office_day(today or date.today())
    rows = rows_between(
        s,
        [Appointment.status == AppointmentStatus.SCHEDULED, Appointment.self_pay.is_(False)],
        day,
        day,
    )
    return [r for r in rows if r.coverage is not CoverageState.VERIFIED]


# ------------------------------------------------------------------ copay


@dataclass(frozen=True)
class CopayTaken:
    payment_id: int
    appointment_id: int
    patient_id: int
    amount: Decimal


def take_copay(
    s: Session,
    actor: Actor,
    appointment_id: int,
    *,
    amount: MoneyText,
    method: PaymentMethod,
    reference: str = "",
    card_last4: str = "",
    received: date | None = None,
) -> CopayTaken:
    """Record the copay (or any amount the patient pays at the desk) against
    this visit. The payment is held as the patient's credit until the visit
    is coded. A card payment keeps the last four digits only. ``amount`` may
    be the text as typed; every problem with the payment is reported at once."""
    require(actor, Permission.PAYMENT_PATIENT)
    a = _appointment(s, appointment_id)
    if a.status not in (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED):
        raise UserFacingError("Check the patient in before taking the copay.")
    c = Checker()
    value = money_field(c, "amount", amount, "Amount")
    if value is None and not c.problems:
        c.add("amount", "Amount: type an amount like 25.00")
    c.problems.extend(ledger.patient_payment_problems(value, method, reference, card_last4))
    c.raise_if_any()
    assert value is not None
    pay = ledger.record_patient_payment(
        s,
        actor,
        patient_id=a.patient_id,
        amount=value,
        method=method,
        received=received or date.today(),
        reference=reference,
        card_last4=card_last4,
        appointment_id=a.id,
        memo=f"copay, visit {a.day:%m/%d/%Y}",
    )
    return CopayTaken(pay.id, a.id, a.patient_id, pay.amount)


@dataclass(frozen=True)
class Receipt:
    """What a receipt for a patient payment shows."""

    receipt_no: str
    practice_name: str
    practice_address: list[str]
    practice_phone: str
    patient_name: str
    account_no: str
    received: date
    amount: Decimal
    method: str
    reference: str
    visit: str
    taken_by: str
    balance_after: Decimal


def receipt(s: Session, actor: Actor, payment_id: int) -> Receipt:
    """The data for a patient payment's receipt."""
    require(actor, Permission.PAYMENT_PATIENT)
    pay = s.get(Payment, payment_id)
    if pay is None or pay.source is not PaymentSource.PATIENT or pay.patient_id is None:
        raise NotFound("That patient payment is not on file.")
    patient = s.get(Patient, pay.patient_id)
    assert patient is not None
    practice = s.get(Practice, 1)
    who = s.get(User, pay.user_id) if pay.user_id else None
    visit = ""
    if pay.appointment_id:
        a = s.get(Appointment, pay.appointment_id)
        if a is not None:
            prov = s.get(Provider, a.provider_id)
            # The time as the day list shows it (9:00 AM, 1:20 PM).
            start = a.start.strftime("%I:%M %p").lstrip("0")
            visit = f"{a.day:%m/%d/%Y} {start}" + (f" with {prov.display_name}" if prov else "")
    method = {
        PaymentMethod.CASH: "Cash",
        PaymentMethod.CHECK: f"Check no. {pay.reference}",
        PaymentMethod.CARD: f"Card ending {pay.card_last4}",
    }.get(pay.method, pay.method.value.title())
    addr = []
    if practice is not None:
        addr = [
            practice.address1,
            practice.address2,
            f"{practice.city}, {practice.state} {practice.zip}",
        ]
    return Receipt(
        receipt_no=f"R{pay.id:07d}",
        practice_name=practice.name if practice else "",
        practice_address=[x for x in addr if x],
        practice_phone=format_phone(practice.phone) if practice else "",
        patient_name=patient.display_name,
        account_no=patient.account_no,
        received=pay.received_date,
        amount=pay.amount,
        method=method,
        reference=pay.reference,
        visit=visit,
        taken_by=who.full_name if who else "",
        balance_after=ledger.patient_balance(s, patient.id),
    )


def receipt_pdf(s: Session, actor: Actor, payment_id: int, target: Path) -> Receipt:
    """Write the receipt PDF to ``target`` for printing (a private temp file
    the caller removes). Not audited here: ``receipt_printed`` records the
    print once the person has confirmed it in the print dialog."""
    r = receipt(s, actor, payment_id)
    render_receipt(r, target)
    return r


def _audit_receipt(
    s: Session, actor: Actor, payment_id: int, r: Receipt, action: str, **details: object
) -> None:
    pay = s.get(Payment, payment_id)
    audit.record(
        s,
        actor,
        action,
        entity="payment",
        entity_id=payment_id,
        patient_id=pay.patient_id if pay else None,
        details={"amount": fmt(r.amount), **details},
    )


def receipt_printed(s: Session, actor: Actor, payment_id: int) -> None:
    """Audit a receipt sent to the printer."""
    _audit_receipt(s, actor, payment_id, receipt(s, actor, payment_id), "receipt_printed")


def print_receipt(s: Session, actor: Actor, payment_id: int, path: Path) -> Receipt:
    """Write the receipt PDF to ``path`` (a private temp file the caller
    prints and removes); audited as a print."""
    r = receipt_pdf(s, actor, payment_id, path)
    _audit_receipt(s, actor, payment_id, r, "receipt_printed")
    return r


def save_receipt_as(s: Session, actor: Actor, payment_id: int, path: Path) -> Receipt:
    """Save the receipt PDF where the person chose: an explicit, audited export."""
    r = receipt_pdf(s, actor, payment_id, path)
    _audit_receipt(s, actor, payment_id, r, "receipt_saved", path=str(path))
    return r
