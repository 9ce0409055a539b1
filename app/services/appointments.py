"""The day's appointment list per provider: book, move, cancel, no-show,
complete. Not a calendar: a list the receptionist runs from the keyboard.
Each row carries the primary policy's coverage state for the visit's day."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, UserFacingError
from app.models.insurance import Payer, Policy
from app.models.ledger import Payment
from app.models.patient import Patient
from app.models.practice import Provider
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.money import ZERO
from app.services import audit, settings
from app.services.auth import Actor, Permission, require
from app.services.coverage import CoverageState, latest_checks, state_from
from app.services.patients_search import display_name
from app.services.typed_fields import DateText, date_field
from app.services.verification import copay_from
from app.validation import Checker, format_phone

VISIT_TYPES = (
    "Office visit",
    "New patient visit",
    "Follow-up",
    "Annual physical",
    "Procedure",
    "Nurse visit",
    "Telehealth",
)
STATUS_LABELS = {
    AppointmentStatus.SCHEDULED: "Scheduled",
    AppointmentStatus.CHECKED_IN: "Checked in",
    AppointmentStatus.COMPLETED: "Completed",
    AppointmentStatus.NO_SHOW: "No-show",
    AppointmentStatus.CANCELLED: "Cancelled",
}

_TIME = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*([ap])?\.?m?\.?$", re.IGNORECASE)


def parse_time(text: str) -> time:
    """``9:30``, ``0930``, ``930``, ``9:30 am``, ``2:15pm``, ``14:15``, ``2pm``."""
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(text)
    h, mnt, ap = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if ap:
        if not 1 <= h <= 12:
            raise ValueError(text)
        h = h % 12 + (12 if ap == "p" else 0)
    return time(h, mnt)  # ValueError when out of range


@dataclass
class AppointmentInput:
    patient_id: int | None = None
    provider_id: int | None = None
    day: DateText = None
    start: str | time = ""
    minutes: int | str = 15
    reason: str = ""
    visit_type: str = VISIT_TYPES[0]
    self_pay: bool = False


def _check(s: Session, data: AppointmentInput, today: date, *, new: bool = True) -> dict[str, Any]:
    c = Checker()
    patient = s.get(Patient, data.patient_id) if data.patient_id else None
    if patient is None:
        c.add("patient_id", "Patient is required: find the patient first")
    elif patient.merged_into_id:
        c.add("patient_id", "That record was merged into another patient; book that one")
    elif patient.date_of_death:
        c.add("patient_id", "That patient's date of death is on file")
    provider = s.get(Provider, data.provider_id) if data.provider_id else None
    if provider is None or not provider.active:
        c.add("provider_id", "Provider is required: choose one from the list")
    day = date_field(c, "day", data.day, "Date", past=False)
    if day is None and "day" not in {p.field for p in c.problems}:
        c.add("day", "Date is required")
    if day is not None and new and day < today:
        c.add("day", "An appointment cannot be booked in the past")
    start: time | None = None
    if isinstance(data.start, time):
        start = data.start
    elif not data.start.strip():
        c.add("start", "Time is required")
    else:
        try:
            start = parse_time(data.start)
        except ValueError:
            c.add("start", f"Time: '{data.start.strip()}' is not a time (type 9:30 or 2:15pm)")
    try:
        minutes = int(str(data.minutes).strip())
    except ValueError:
        minutes = 0
    if not 5 <= minutes <= 480:
        c.add("minutes", "Length must be from 5 to 480 minutes")
    if len(data.reason.strip()) > 120:
        c.add("reason", "Reason is longer than 120 characters")
    visit_type = data.visit_type.strip() or VISIT_TYPES[0]
    if len(visit_type) > 40:
        c.add("visit_type", "Visit type is longer than 40 characters")
    c.raise_if_any()
    return dict(
        patient_id=data.patient_id,
        provider_id=data.provider_id,
        day=day,
        start=start,
        minutes=minutes,
        reason=data.reason.strip(),
        visit_type=visit_type,
        self_pay=data.self_pay,
    )


def _appointment(s: Session, appointment_id: int) -> Appointment:
    a = s.get(Appointment, appointment_id)
    if a is None:
        raise NotFound("That appointment is not on the list.")
    return a


def _record(s: Session, actor: Actor, action: str, a: Appointment, **details: Any) -> None:
    audit.record(
        s,
        actor,
        action,
        entity="appointment",
        entity_id=a.id,
        patient_id=a.patient_id,
        details={"day": a.day.isoformat(), "start": a.start.strftime("%H:%M"), **details},
    )


@dataclass(frozen=True)
class Conflict:
    """Another visit in the way of a booking."""

    appointment_id: int
    kind: str  # "provider": overlaps the provider's visit; "patient": same patient, same day
    text: str


class ScheduleConflicts(UserFacingError):
    """The provider is already booked at that time, or the patient already
    has a visit that day: the receptionist may book anyway."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        lines = "\n".join(f"- {c.text}" for c in conflicts)
        double = any(c.kind == "provider" for c in conflicts)
        super().__init__(
            ("Double-book?" if double else "Book another visit the same day?") + "\n" + lines
        )
        self.conflicts = conflicts


# Visits that hold their time: not cancelled, not a no-show.
HOLDING = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


def conflicts(
    s: Session, values: dict[str, Any], *, exclude_id: int | None = None
) -> list[Conflict]:
    """Visits that overlap this one for the same provider, and the patient's
    other visits that day (any provider)."""
    day, start, minutes = values["day"], values["start"], values["minutes"]
    begin = start.hour * 60 + start.minute
    end = begin + minutes
    rows = s.execute(
        select(Appointment, Patient, Provider)
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(Provider, Provider.id == Appointment.provider_id)
        .where(
            Appointment.day == day,
            Appointment.status.in_(HOLDING),
            (Appointment.provider_id == values["provider_id"])
            | (Appointment.patient_id == values["patient_id"]),
        )
        .order_by(Appointment.start, Appointment.id)
    ).all()
    out = []
    for a, p, prov in rows:
        if a.id == exclude_id:
            continue
        a_begin = a.start.hour * 60 + a.start.minute
        a_end = a_begin + a.minutes
        when = f"{_clock(a_begin)}-{_clock(a_end)}"
        doctor = display_name(prov.last_name, prov.first_name)
        if a.patient_id == values["patient_id"]:
            out.append(
                Conflict(
                    a.id,
                    "patient",
                    f"{p.display_name} is already booked on {day:%m/%d/%Y} at {when} with {doctor}.",
                )
            )
        elif a_begin < end and begin < a_end:
            out.append(
                Conflict(a.id, "provider", f"{doctor} already has {p.display_name} at {when}.")
            )
    out.sort(key=lambda c: c.kind != "provider")
    return out


def _clock(minutes: int) -> str:
    return time(minutes // 60 % 24, minutes % 60).strftime("%I:%M %p").lstrip("0")


def book(
    s: Session,
    actor: Actor,
    data: AppointmentInput,
    *,
    today: date | None = None,
    allow_conflicts: bool = False,
) -> int:
    """Put a visit on the list. Returns the appointment id. Raises
    ``ScheduleConflicts`` when the provider is booked at that time or the
    patient already has a visit that day, unless ``allow_conflicts`` (the
    receptionist said yes: audited as a double booking)."""
    require(actor, Permission.SCHEDULE)
    values = _check(s, data, today or date.today())
    found = conflicts(s, values)
    if found and not allow_conflicts:
        raise ScheduleConflicts(found)
    a = Appointment(status=AppointmentStatus.SCHEDULED, **values)
    s.add(a)
    s.flush()
    _record(
        s,
        actor,
        "appointment_booked",
        a,
        provider_id=a.provider_id,
        visit_type=a.visit_type,
        self_pay=a.self_pay,
        **_accepted(found),
    )
    return a.id


def _accepted(found: list[Conflict]) -> dict[str, Any]:
    """What the audit row says about conflicts the receptionist accepted."""
    if not found:
        return {}
    return {
        "double_booked": [c.appointment_id for c in found if c.kind == "provider"],
        "same_day": [c.appointment_id for c in found if c.kind == "patient"],
    }


def _must_be(a: Appointment, *allowed: AppointmentStatus) -> None:
    if a.status not in allowed:
        raise UserFacingError(
            f"This appointment is {STATUS_LABELS[a.status].lower()}; "
            f"only {' or '.join(STATUS_LABELS[x].lower() for x in allowed)} ones can do that."
        )


def move(
    s: Session,
    actor: Actor,
    appointment_id: int,
    data: AppointmentInput,
    *,
    today: date | None = None,
    allow_conflicts: bool = False,
) -> None:
    """Change a scheduled visit's day, time, provider, reason or type (audited
    with old and new values). A new time that overlaps the provider's other
    visits, or a day the patient is already booked, raises
    ``ScheduleConflicts`` unless ``allow_conflicts``."""
    require(actor, Permission.SCHEDULE)
    a = _appointment(s, appointment_id)
    _must_be(a, AppointmentStatus.SCHEDULED)
    data.patient_id = a.patient_id
    values = _check(s, data, today or date.today())
    when = (a.day, a.start, a.minutes, a.provider_id)
    moved = when != (values["day"], values["start"], values["minutes"], values["provider_id"])
    found = conflicts(s, values, exclude_id=a.id) if moved else []
    if found and not allow_conflicts:
        raise ScheduleConflicts(found)
    before = _snap(a)
    for k, v in values.items():
        setattr(a, k, v)
    diff = audit.changes(before, _snap(a))
    if diff:
        s.flush()
        _record(s, actor, "appointment_moved", a, changes=diff, **_accepted(found))


def _snap(a: Appointment) -> dict[str, Any]:
    return {
        "day": a.day.isoformat(),
        "start": a.start.strftime("%H:%M"),
        "minutes": a.minutes,
        "provider_id": a.provider_id,
        "reason": a.reason,
        "visit_type": a.visit_type,
        "self_pay": a.self_pay,
    }


def cancel(s: Session, actor: Actor, appointment_id: int, reason: str = "") -> None:
    require(actor, Permission.SCHEDULE)
    a = _appointment(s, appointment_id)
    _must_be(a, AppointmentStatus.SCHEDULED)
    a.status = AppointmentStatus.CANCELLED
    _record(s, actor, "appointment_cancelled", a, reason=reason.strip())


def no_show(s: Session, actor: Actor, appointment_id: int, *, today: date | None = None) -> None:
    require(actor, Permission.SCHEDULE)
    a = _appointment(s, appointment_id)
    _must_be(a, AppointmentStatus.SCHEDULED)
    if a.day > (today or date.today()):
        raise UserFacingError("A visit that has not come yet cannot be a no-show.")
    a.status = AppointmentStatus.NO_SHOW
    _record(s, actor, "appointment_no_show", a)


def complete(s: Session, actor: Actor, appointment_id: int) -> None:
    """The visit is over (it then waits on the coding worklist)."""
    require(actor, Permission.SCHEDULE)
    a = _appointment(s, appointment_id)
    _must_be(a, AppointmentStatus.CHECKED_IN)
    a.status = AppointmentStatus.COMPLETED
    _record(s, actor, "appointment_completed", a)


def appointment_input(s: Session, actor: Actor, appointment_id: int) -> AppointmentInput:
    require(actor, Permission.PATIENT_VIEW)
    a = _appointment(s, appointment_id)
    return AppointmentInput(
        a.patient_id, a.provider_id, a.day, a.start, a.minutes, a.reason, a.visit_type, a.self_pay
    )


# ------------------------------------------------------------------ coverage per patient


@dataclass(frozen=True)
class PrimaryCoverage:
    policy_id: int
    payer: str
    member_id: str
    state: CoverageState
    reason: str
    copay: Decimal | None


def primary_coverage(
    s: Session, patient_ids: Iterable[int], on: date, window_days: int
) -> dict[int, PrimaryCoverage]:
    """Each patient's primary policy and its coverage state on ``on`` (in
    three queries however many patients)."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    pols = s.execute(
        select(Policy, Payer.name)
        .join(Payer, Payer.id == Policy.payer_id)
        .where(Policy.patient_id.in_(ids), Policy.rank == 1)
    ).all()
    if not pols:
        return {}
    checks = latest_checks(s, [p.id for p, _ in pols], on)
    out = {}
    for pol, payer in pols:
        last = checks.get(pol.id)
        state, reason = state_from(pol, last, on, window_days)
        out[pol.patient_id] = PrimaryCoverage(
            pol.id, payer, pol.member_id, state, reason, copay_from(pol, last)
        )
    return out


# ------------------------------------------------------------------ the day's list


@dataclass(frozen=True)
class AppointmentRow:
    id: int
    day: date
    start: time
    minutes: int
    patient_id: int
    patient: str
    account_no: str
    dob: date
    phone: str
    provider_id: int
    provider: str
    reason: str
    visit_type: str
    self_pay: bool
    status: AppointmentStatus
    gate_outcome: GateOutcome | None
    payer: str
    coverage: CoverageState | None  # None: self-pay or no primary policy
    coverage_reason: str
    copay_due: Decimal | None
    paid: Decimal

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        if self.self_pay:
            return "Self-pay"
        if self.coverage is None:
            return "No insurance"
        return self.coverage.label

    @property
    def time_text(self) -> str:
        return self.start.strftime("%I:%M %p").lstrip("0")


def _rows(s: Session, where: list[Any], window: int) -> list[AppointmentRow]:
    rows = s.execute(
        select(Appointment, Patient, Provider.first_name, Provider.last_name, Provider.credentials)
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(Provider, Provider.id == Appointment.provider_id)
        .where(*where)
        .order_by(Appointment.day, Appointment.start, Provider.last_name, Appointment.id)
    ).all()
    days = {a.day for a, *_ in rows}
    cov: dict[tuple[int, date], PrimaryCoverage] = {}
    for d in days:
        ids = [a.patient_id for a, *_ in rows if a.day == d]
        for pid, found in primary_coverage(s, ids, d, window).items():
            cov[(pid, d)] = found
    paid: dict[int, Decimal] = {}
    appt_ids = [a.id for a, *_ in rows]
    if appt_ids:
        for aid, amount in s.execute(
            select(Payment.appointment_id, Payment.amount).where(
                Payment.appointment_id.in_(appt_ids)
            )
        ):
            if aid is not None:
                paid[aid] = paid.get(aid, ZERO) + amount
    out = []
    for a, p, pf, pl, cred in rows:
        pc: PrimaryCoverage | None = cov.get((a.patient_id, a.day))
        out.append(
            AppointmentRow(
                id=a.id,
                day=a.day,
                start=a.start,
                minutes=a.minutes,
                patient_id=p.id,
                patient=p.display_name,
                account_no=p.account_no,
                dob=p.dob,
                phone=format_phone(p.phone_mobile or p.phone_home),
                provider_id=a.provider_id,
                provider=f"{pf} {pl}" + (f", {cred}" if cred else ""),
                reason=a.reason,
                visit_type=a.visit_type,
                self_pay=a.self_pay,
                status=a.status,
                gate_outcome=a.gate_outcome,
                payer="" if pc is None else pc.payer,
                coverage=None if pc is None else pc.state,
                coverage_reason="No primary policy on file." if pc is None else pc.reason,
                copay_due=None if (pc is None or a.self_pay) else pc.copay,
                paid=paid.get(a.id, ZERO),
            )
        )
    return out


def window_days(s: Session) -> int:
    return int(settings.get(s, "verification_window_days"))


def day_list(
    s: Session,
    actor: Actor,
    day: date,
    provider_id: int | None = None,
    *,
    include_cancelled: bool = True,
) -> list[AppointmentRow]:
    """The day's appointments in time order (one provider or all)."""
    require(actor, Permission.PATIENT_VIEW)
    where: list[Any] = [Appointment.day == day]
    if provider_id is not None:
        where.append(Appointment.provider_id == provider_id)
    if not include_cancelled:
        where.append(Appointment.status != AppointmentStatus.CANCELLED)
    return _rows(s, where, window_days(s))


def appointment_row(s: Session, actor: Actor, appointment_id: int) -> AppointmentRow:
    require(actor, Permission.PATIENT_VIEW)
    rows = _rows(s, [Appointment.id == appointment_id], window_days(s))
    if not rows:
        raise NotFound("That appointment is not on the list.")
    return rows[0]


def patient_appointments(
    s: Session, actor: Actor, patient_id: int, *, from_day: date | None = None
) -> list[AppointmentRow]:
    require(actor, Permission.PATIENT_VIEW)
    where: list[Any] = [Appointment.patient_id == patient_id]
    if from_day is not None:
        where.append(Appointment.day >= from_day)
    return _rows(s, where, window_days(s))


def rows_between(s: Session, where: list[Any], first: date, last: date) -> list[AppointmentRow]:
    """Rows for other lists (check-in lists) over a range of days."""
    return _rows(s, [Appointment.day >= first, Appointment.day <= last, *where], window_days(s))


def next_office_day(d: date) -> date:
    """The next weekday after ``d`` (Friday -> Monday)."""
    d += timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def providers(s: Session, actor: Actor) -> list[tuple[int, str]]:
    require(actor, Permission.PATIENT_VIEW)
    return [
        (
            p.id,
            display_name(p.last_name, p.first_name)
            + (f", {p.credentials}" if p.credentials else ""),
        )
        for p in s.execute(
            select(Provider).where(Provider.active.is_(True)).order_by(Provider.last_name)
        ).scalars()
    ]
