"""Registering, editing, opening and merging patients.

Every view (opening a patient) and every change writes an audit row; a change
row carries the old and new value of each field that changed (the SSN only
as its last four digits). The SSN is shown whole only to roles that may see
it. Registration refuses likely duplicates unless the person confirms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Integer, cast, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.coding import Encounter
from app.models.insurance import Policy
from app.models.ledger import Party
from app.models.patient import Patient, Sex
from app.models.practice import Provider
from app.models.schedule import Appointment
from app.money import ZERO
from app.services import audit, ledger
from app.services.auth import Actor, Permission, can, require
from app.services.patients_search import display_name, not_merged, parse_typed_date, search_key
from app.services.typed_fields import DateText, date_field
from app.validation import (
    Checker,
    digits,
    email_problem,
    format_phone,
    normalize_phone,
    phone_problem,
    state_problem,
    zip_problem,
)

MAX_AGE_YEARS = 120
FIRST_ACCOUNT_NO = 100001

MARITAL = ("", "Single", "Married", "Divorced", "Separated", "Widowed", "Other")
EMPLOYMENT = (
    "",
    "Employed",
    "Self-employed",
    "Full-time student",
    "Part-time student",
    "Retired",
    "Unemployed",
)
SEX_LABELS = {Sex.FEMALE: "Female", Sex.MALE: "Male", Sex.UNKNOWN: "Unknown"}


@dataclass
class PatientInput:
    """The intake sheet, as typed. Dates may be ``date`` objects or typed text
    (checked here, so a bad date is one more problem in the same list).
    ``ssn`` None keeps the stored number (a masked form sends None)."""

    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    suffix: str = ""
    dob: DateText = None
    sex: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone_home: str = ""
    phone_mobile: str = ""
    phone_work: str = ""
    email: str = ""
    marital_status: str = ""
    employment_status: str = ""
    ssn: str | None = ""
    preferred_language: str = ""
    emergency_name: str = ""
    emergency_relationship: str = ""
    emergency_phone: str = ""
    guarantor_is_patient: bool = True
    # Another registered patient who gets the statements (their own name and
    # address are used; the fields below stay empty).
    guarantor_patient_id: int | None = None
    guarantor_last_name: str = ""
    guarantor_first_name: str = ""
    guarantor_relationship: str = ""
    guarantor_address1: str = ""
    guarantor_address2: str = ""
    guarantor_city: str = ""
    guarantor_state: str = ""
    guarantor_zip: str = ""
    guarantor_phone: str = ""
    signature_on_file: DateText = None
    insured_signature_on_file: DateText = None
    privacy_notice_ack: DateText = None
    date_of_death: DateText = None
    notes: str = ""


DATE_FIELDS = ("dob", "signature_on_file", "insured_signature_on_file", "privacy_notice_ack")
PHONE_FIELDS = ("phone_home", "phone_mobile", "phone_work", "emergency_phone", "guarantor_phone")
TRACKED = [f.name for f in fields(PatientInput)]


def mask_ssn(ssn: str) -> str:
    return f"***-**-{ssn[-4:]}" if ssn else ""


def format_ssn(ssn: str) -> str:
    return f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}" if len(ssn) == 9 else ssn


def ssn_for(actor: Actor, ssn: str) -> str:
    """The SSN as this user may see it: whole for the office manager, masked otherwise."""
    return format_ssn(ssn) if can(actor, Permission.SSN_VIEW) else mask_ssn(ssn)


# ------------------------------------------------------------------ checking


@dataclass
class _Clean:
    """The input after checking: typed values ready for the row."""

    values: dict[str, Any]
    dob: date | None


def check_patient(data: PatientInput, *, today: date | None = None) -> _Clean:
    """Every problem at once (``ValidationError``), or the cleaned values."""
    today = today or date.today()
    c = Checker()
    c.require("last_name", data.last_name, "Last name")
    c.require("first_name", data.first_name, "First name")
    for name, label, size in (
        ("last_name", "Last name", 60),
        ("first_name", "First name", 60),
        ("middle_name", "Middle name", 60),
        ("suffix", "Suffix", 10),
        ("address1", "Street address", 120),
        ("address2", "Address line 2", 120),
        ("city", "City", 60),
        ("email", "E-mail", 120),
    ):
        if len(getattr(data, name).strip()) > size:
            c.add(name, f"{label} is longer than {size} characters")
    if data.last_name.strip() and not search_key(data.last_name):
        c.add("last_name", "Last name must contain letters")
    if data.first_name.strip() and not search_key(data.first_name):
        c.add("first_name", "First name must contain letters")

    dob = date_field(c, "dob", data.dob, "Date of birth")
    if dob is None and "dob" not in {p.field for p in c.problems}:
        c.add("dob", "Date of birth is required")
    elif dob is not None:
        if dob > today:
            c.add("dob", "Date of birth cannot be in the future")
        elif dob < _years_before(today, MAX_AGE_YEARS):
            c.add("dob", f"Date of birth is more than {MAX_AGE_YEARS} years ago; check the year")
    try:
        sex = Sex(data.sex.strip().upper()) if data.sex.strip() else None
    except ValueError:
        sex = None
        c.add("sex", "Sex must be M, F or U")
    if sex is None and not data.sex.strip():
        c.add("sex", "Sex is required")

    c.require("address1", data.address1, "Street address")
    c.require("city", data.city, "City")
    c.check("state", state_problem(data.state.strip()), "State")
    c.check("zip", zip_problem(data.zip.strip()), "ZIP")
    labels = {
        "phone_home": "Home phone",
        "phone_mobile": "Mobile phone",
        "phone_work": "Work phone",
        "emergency_phone": "Emergency contact phone",
        "guarantor_phone": "Guarantor phone",
    }
    for name in PHONE_FIELDS:
        c.check(name, phone_problem(getattr(data, name).strip()), labels[name])
    c.check("email", email_problem(data.email.strip()), "E-mail")
    if data.marital_status not in MARITAL:
        c.add("marital_status", "Marital status: choose one from the list")
    if data.employment_status not in EMPLOYMENT:
        c.add("employment_status", "Employment status: choose one from the list")
    ssn = None
    if data.ssn is not None and data.ssn.strip():
        ssn = digits(data.ssn)
        if len(ssn) != 9 or ssn != data.ssn.strip().replace("-", "").replace(" ", ""):
            c.add("ssn", "SSN must be 9 digits (123-45-6789)")
        elif ssn.startswith(("000", "666", "9")) or ssn[3:5] == "00" or ssn[5:] == "0000":
            c.add("ssn", "SSN is not a number the Social Security Administration issues")

    registered = not data.guarantor_is_patient and data.guarantor_patient_id is not None
    if not data.guarantor_is_patient:
        c.require("guarantor_relationship", data.guarantor_relationship, "Guarantor relationship")
    if not data.guarantor_is_patient and not registered:
        c.require("guarantor_last_name", data.guarantor_last_name, "Guarantor last name")
        c.require("guarantor_first_name", data.guarantor_first_name, "Guarantor first name")
        c.require("guarantor_address1", data.guarantor_address1, "Guarantor street address")
        c.require("guarantor_city", data.guarantor_city, "Guarantor city")
        c.check("guarantor_state", state_problem(data.guarantor_state.strip()), "Guarantor state")
        c.check("guarantor_zip", zip_problem(data.guarantor_zip.strip()), "Guarantor ZIP")

    dates: dict[str, date | None] = {"dob": dob}
    for name, label in (
        ("signature_on_file", "Signature on file (item 12)"),
        ("insured_signature_on_file", "Insured's signature on file (item 13)"),
        ("privacy_notice_ack", "Privacy notice acknowledged"),
        ("date_of_death", "Date of death"),
    ):
        d = date_field(c, name, getattr(data, name), label)
        c.date_not_future(name, d, label, today)
        dates[name] = d
    death = dates["date_of_death"]
    if death and dob and death < dob:
        c.add("date_of_death", "Date of death is before the date of birth")
    c.raise_if_any()

    values: dict[str, Any] = {
        "last_name": data.last_name.strip(),
        "first_name": data.first_name.strip(),
        "middle_name": data.middle_name.strip(),
        "suffix": data.suffix.strip(),
        "sex": sex,
        "address1": data.address1.strip(),
        "address2": data.address2.strip(),
        "city": data.city.strip(),
        "state": data.state.strip().upper(),
        "zip": data.zip.strip(),
        "email": data.email.strip(),
        "marital_status": data.marital_status,
        "employment_status": data.employment_status,
        "preferred_language": data.preferred_language.strip(),
        "emergency_name": data.emergency_name.strip(),
        "emergency_relationship": data.emergency_relationship.strip(),
        "guarantor_is_patient": data.guarantor_is_patient,
        "notes": data.notes.strip(),
    }
    for name in PHONE_FIELDS:
        values[name] = normalize_phone(getattr(data, name))
    # A registered guarantor's name, address and phone are on their own record.
    person = not data.guarantor_is_patient and not registered
    for name in (
        "guarantor_last_name",
        "guarantor_first_name",
        "guarantor_address1",
        "guarantor_address2",
        "guarantor_city",
        "guarantor_zip",
    ):
        values[name] = getattr(data, name).strip() if person else ""
    values["guarantor_state"] = data.guarantor_state.strip().upper() if person else ""
    values["guarantor_relationship"] = (
        "" if data.guarantor_is_patient else data.guarantor_relationship.strip()
    )
    values["guarantor_patient_id"] = data.guarantor_patient_id if registered else None
    if not person:
        values["guarantor_phone"] = ""
    values.update(dates)
    if data.ssn is not None:
        values["ssn"] = ssn or ""
    return _Clean(values, dob)


def guarantor_problems(
    s: Session, data: PatientInput, patient_id: int | None = None
) -> list[Problem]:
    """A registered guarantor must be on file, someone else, and get their
    own statements (statements go one level up, never along a chain)."""
    gid = data.guarantor_patient_id
    field_ = "guarantor_patient_id"
    if data.guarantor_is_patient or gid is None:
        return []
    g = s.get(Patient, gid)
    if g is None:
        return [Problem(field_, "Guarantor: that patient is not on file; find them again")]
    if g.merged_into_id:
        return [Problem(field_, "Guarantor: that record was merged into another patient")]
    if gid == patient_id:
        return [Problem(field_, "Guarantor: pick another patient, or tick 'the patient'")]
    if g.guarantor_patient_id is not None:
        up = s.get(Patient, g.guarantor_patient_id)
        who = f"{up.display_name} ({up.account_no})" if up else "another patient"
        return [
            Problem(
                field_,
                f"Guarantor: {g.display_name}'s statements go to {who}; pick {who} instead",
            )
        ]
    if patient_id is not None:
        on_account = s.execute(
            select(func.count()).where(
                Patient.guarantor_patient_id == patient_id, Patient.id != patient_id
            )
        ).scalar_one()
        if on_account:
            return [
                Problem(
                    field_,
                    f"Guarantor: this patient is the guarantor of {on_account} other "
                    "patient(s), so gets their own statements",
                )
            ]
    return []


def _checked(s: Session, data: PatientInput, patient_id: int | None, today: date | None) -> _Clean:
    """``check_patient`` and the guarantor rules, every problem in one list."""
    extra = guarantor_problems(s, data, patient_id)
    try:
        clean = check_patient(data, today=today)
    except ValidationError as exc:
        raise ValidationError(exc.problems + extra) from None
    if extra:
        raise ValidationError(extra)
    return clean


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


# ------------------------------------------------------------------ duplicates


@dataclass(frozen=True)
class DuplicateMatch:
    id: int
    account_no: str
    name: str
    dob: date
    phone: str
    reasons: tuple[str, ...]


class DuplicatesFound(UserFacingError):
    """Registration found likely duplicates; the person picks one or confirms."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        n = len(matches)
        super().__init__(
            f"{n} patient{'s' if n != 1 else ''} on file may be this person. "
            "Open one of them, or save as a new patient if none is."
        )
        self.matches = matches


def one_digit_apart(a: date, b: date) -> bool:
    """Dates whose MM/DD/YYYY forms differ in exactly one digit (a typing slip)."""
    x, y = a.strftime("%m%d%Y"), b.strftime("%m%d%Y")
    return sum(1 for i, j in zip(x, y, strict=True) if i != j) == 1


def find_duplicates(
    s: Session, actor: Actor, data: PatientInput, *, exclude_id: int | None = None
) -> list[DuplicateMatch]:
    """Patients on file that are likely the same person: the same last name
    and birth date; the same first and last name with a birth date one digit
    apart; or a phone in common (home, mobile or work, in any of them)."""
    require(actor, Permission.PATIENT_VIEW)
    last, first = search_key(data.last_name), search_key(data.first_name)
    try:
        dob = data.dob if isinstance(data.dob, date) else parse_typed_date(data.dob or "")
    except ValueError:
        dob = None
    phones = {normalize_phone(p) for p in (data.phone_home, data.phone_mobile, data.phone_work)}
    phones = {p for p in phones if len(p) == 10}
    conds: list[ColumnElement[bool]] = []
    if last and dob:
        conds.append((Patient.search_last == last) & (Patient.dob == dob))
    if last and first and dob:
        conds.append((Patient.search_last == last) & (Patient.search_first == first))
    if phones:
        conds.append(Patient.phone_home.in_(phones))
        conds.append(Patient.phone_mobile.in_(phones))
        conds.append(Patient.phone_work.in_(phones))
    if not conds:
        return []
    q = select(Patient).where(or_(*conds), not_merged())
    if exclude_id is not None:
        q = q.where(Patient.id != exclude_id)
    out: list[DuplicateMatch] = []
    for p in s.execute(q.order_by(Patient.search_last, Patient.search_first)).scalars():
        reasons = []
        if dob and p.search_last == last and p.dob == dob:
            reasons.append("same last name and date of birth")
        if (
            dob
            and p.search_last == last
            and p.search_first == first
            and one_digit_apart(p.dob, dob)
        ):
            reasons.append("same name, date of birth one digit apart")
        shared = phones & {p.phone_home, p.phone_mobile, p.phone_work}
        if shared:
            reasons.append(f"same phone {format_phone(next(iter(shared)))}")
        if reasons:
            out.append(
                DuplicateMatch(
                    p.id,
                    p.account_no,
                    p.display_name,
                    p.dob,
                    format_phone(p.phone_home or p.phone_mobile),
                    tuple(reasons),
                )
            )
    return out


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class PatientDetails:
    """A patient as a form shows it (phones formatted, SSN as the role may see it)."""

    id: int
    account_no: str
    data: PatientInput  # the values, ready to put back into the form
    ssn_shown: str
    has_ssn: bool
    active: bool
    merged_into_account: str
    merged_into_id: int | None
    # A registered guarantor as the screens show them ("" otherwise).
    guarantor_text: str = ""

    @property
    def name(self) -> str:
        d = self.data
        return display_name(d.last_name, d.first_name, d.middle_name, d.suffix)

    @property
    def header(self) -> str:
        dob = self.data.dob
        dob_text = dob.strftime("%m/%d/%Y") if isinstance(dob, date) else ""
        return f"{self.name}   Account {self.account_no}   DOB {dob_text}"


def guarantor_text(s: Session, guarantor_id: int | None) -> str:
    """A registered guarantor as the screens show them: name, account, birth date."""
    g = s.get(Patient, guarantor_id) if guarantor_id else None
    if g is None:
        return ""
    return f"{g.display_name}   Account {g.account_no}   DOB {g.dob:%m/%d/%Y}"


def _details(s: Session, actor: Actor, p: Patient, merged_into_account: str = "") -> PatientDetails:
    values: dict[str, Any] = {k: getattr(p, k) for k in TRACKED}
    values.update({k: format_phone(getattr(p, k)) for k in PHONE_FIELDS})
    values.update(sex=p.sex.value, ssn=None)
    data = PatientInput(**values)
    return PatientDetails(
        id=p.id,
        account_no=p.account_no,
        data=data,
        ssn_shown=ssn_for(actor, p.ssn),
        has_ssn=bool(p.ssn),
        active=p.active,
        merged_into_account=merged_into_account,
        merged_into_id=p.merged_into_id,
        guarantor_text=guarantor_text(s, p.guarantor_patient_id),
    )


def _get(s: Session, patient_id: int) -> Patient:
    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("That patient is not on file (the record may have been removed).")
    return p


def details(s: Session, actor: Actor, patient_id: int) -> PatientDetails:
    """The patient's fields (for a form already opened and audited)."""
    require(actor, Permission.PATIENT_VIEW)
    p = _get(s, patient_id)
    into = s.get(Patient, p.merged_into_id).account_no if p.merged_into_id else ""  # type: ignore[union-attr]
    return _details(s, actor, p, into)


@dataclass(frozen=True)
class PatientBanner:
    """The line shown at the top of every patient screen."""

    id: int
    account_no: str
    name: str
    dob: date

    @property
    def text(self) -> str:
        return f"{self.name}   Account {self.account_no}   DOB {self.dob:%m/%d/%Y}"


def banner(s: Session, actor: Actor, patient_id: int) -> PatientBanner:
    require(actor, Permission.PATIENT_VIEW)
    p = _get(s, patient_id)
    return PatientBanner(p.id, p.account_no, p.display_name, p.dob)


@dataclass(slots=True)
class VisitRow:
    """An appointment, or a coded visit that had no appointment."""

    kind: str  # "appointment" / "encounter"
    id: int
    day: date
    start: str
    provider: str
    what: str
    status: str


@dataclass(frozen=True)
class MergedRecord:
    """A record that was merged into this patient."""

    id: int
    account_no: str
    name: str
    dob: date
    merged_at: datetime | None
    merged_by: str
    moved: dict[str, int]
    reason: str = ""


@dataclass(frozen=True)
class PatientRecord:
    """Everything the patient screen shows when it opens."""

    details: PatientDetails
    policies: list[Any]  # app.services.policies.PolicySummary
    visits: list[VisitRow]
    balance: Decimal
    merged: list[MergedRecord] = field(default_factory=list)
    # The balance split by who owes it now (sums of the ledger, never stored):
    # the patient's part (a credit below zero) and what insurance has yet to pay.
    patient_part: Decimal = ZERO
    insurance_part: Decimal = ZERO


def open_patient(
    s: Session, actor: Actor, patient_id: int, *, today: date | None = None
) -> PatientRecord:
    """Open a patient (audited as a view): the form's values, the policies
    with their coverage state, the visits, the balance and merge history."""
    record = patient_record(s, actor, patient_id, today=today)
    audit.record(
        s, actor, "patient_viewed", entity="patient", entity_id=patient_id, patient_id=patient_id
    )
    return record


def patient_record(
    s: Session, actor: Actor, patient_id: int, *, today: date | None = None
) -> PatientRecord:
    """The patient screen's content (a refresh of a screen already opened)."""
    from app.services import policies  # policies builds on patients' reading

    require(actor, Permission.PATIENT_VIEW)
    parts = ledger.patient_balance_by_party(s, patient_id)
    return PatientRecord(
        details=details(s, actor, patient_id),
        policies=policies.summaries(s, patient_id, today=today),
        visits=visits(s, patient_id),
        balance=sum(parts.values(), ZERO),
        merged=merged_records(s, patient_id),
        patient_part=parts[Party.PATIENT],
        insurance_part=parts[Party.INSURANCE],
    )


def visits(s: Session, patient_id: int) -> list[VisitRow]:
    """Appointments and coded visits, newest first."""
    providers = {
        pid: f"{first} {last}"
        for pid, first, last in s.execute(
            select(Provider.id, Provider.first_name, Provider.last_name)
        )
    }
    rows: list[VisitRow] = []
    for a in s.execute(
        select(
            Appointment.id,
            Appointment.day,
            Appointment.start,
            Appointment.provider_id,
            Appointment.reason,
            Appointment.visit_type,
            Appointment.status,
        ).where(Appointment.patient_id == patient_id)
    ):
        what = f"{a.visit_type}: {a.reason}" if a.reason else a.visit_type
        rows.append(
            VisitRow(
                "appointment",
                a.id,
                a.day,
                f"{a.start.hour:02d}:{a.start.minute:02d}",
                providers.get(a.provider_id, ""),
                what,
                a.status.value.replace("_", " "),
            )
        )
    for e in s.execute(
        select(
            Encounter.id, Encounter.date_of_service, Encounter.provider_id, Encounter.status
        ).where(Encounter.patient_id == patient_id, Encounter.appointment_id.is_(None))
    ):
        rows.append(
            VisitRow(
                "encounter",
                e.id,
                e.date_of_service,
                "",
                providers.get(e.provider_id, ""),
                "Visit",
                e.status.value,
            )
        )
    rows.sort(key=lambda r: (r.day, r.start), reverse=True)
    return rows


def merged_records(s: Session, patient_id: int) -> list[MergedRecord]:
    out = []
    for p in s.execute(
        select(Patient).where(Patient.merged_into_id == patient_id).order_by(Patient.id)
    ).scalars():
        ev = s.execute(
            select(AuditEvent)
            .where(
                AuditEvent.action == "patient_merged",
                AuditEvent.patient_id == patient_id,
                AuditEvent.entity_id == str(p.id),
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        out.append(
            MergedRecord(
                p.id,
                p.account_no,
                p.display_name,
                p.dob,
                ev.at if ev else None,
                ev.username if ev else "",
                dict((ev.details or {}).get("moved", {})) if ev else {},
                str((ev.details or {}).get("reason", "")) if ev else "",
            )
        )
    return out


# ------------------------------------------------------------------ changing


def _snapshot(p: Patient) -> dict[str, Any]:
    """Field values for the audit row (dates as text, the SSN masked)."""
    out: dict[str, Any] = {}
    for k in TRACKED:
        v = getattr(p, k)
        if k == "ssn":
            v = mask_ssn(v)
        elif isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, Sex):
            v = v.value
        out[k] = v
    return out


def next_account_no(s: Session) -> str:
    """One more than the highest account number on file."""
    top = s.execute(select(func.max(cast(Patient.account_no, Integer)))).scalar()
    return str(max(int(top or 0) + 1, FIRST_ACCOUNT_NO))


def register(
    s: Session,
    actor: Actor,
    data: PatientInput,
    *,
    allow_duplicate: bool = False,
    today: date | None = None,
) -> PatientDetails:
    """Register a new patient and assign the account number. Raises
    ``ValidationError`` (every problem) or ``DuplicatesFound`` (unless
    ``allow_duplicate``: the person looked at the matches and said no)."""
    require(actor, Permission.PATIENT_EDIT)
    clean = _checked(s, data, None, today)
    if not allow_duplicate:
        matches = find_duplicates(s, actor, data)
        if matches:
            raise DuplicatesFound(matches)
    values = clean.values
    p = Patient(
        account_no=next_account_no(s),
        search_last=search_key(values["last_name"]),
        search_first=search_key(values["first_name"]),
        **values,
    )
    if "ssn" not in values:
        p.ssn = ""
    s.add(p)
    s.flush()
    audit.record(
        s,
        actor,
        "patient_registered",
        entity="patient",
        entity_id=p.id,
        patient_id=p.id,
        details={"account_no": p.account_no, "new": _snapshot(p)},
    )
    return _details(s, actor, p)


def update(
    s: Session,
    actor: Actor,
    patient_id: int,
    data: PatientInput,
    *,
    allow_duplicate: bool = False,
    today: date | None = None,
) -> PatientDetails:
    """Save changes to a patient; the audit row holds old and new values of
    each changed field. A change of name, birth date or phone is checked for
    duplicates like a registration."""
    require(actor, Permission.PATIENT_EDIT)
    p = _get(s, patient_id)
    if p.merged_into_id:
        raise UserFacingError("This record was merged into another patient; make changes there.")
    clean = _checked(s, data, p.id, today)
    before = _snapshot(p)
    identity = (p.search_last, p.search_first, p.dob, p.phone_home, p.phone_mobile, p.phone_work)
    values = clean.values
    new_identity = (
        search_key(values["last_name"]),
        search_key(values["first_name"]),
        values["dob"],
        values["phone_home"],
        values["phone_mobile"],
        values["phone_work"],
    )
    if not allow_duplicate and new_identity != identity:
        matches = find_duplicates(s, actor, data, exclude_id=p.id)
        if matches:
            raise DuplicatesFound(matches)
    for k, v in values.items():
        setattr(p, k, v)
    p.search_last, p.search_first = new_identity[0], new_identity[1]
    after = _snapshot(p)
    diff = audit.changes(before, after)
    if diff:
        s.flush()
        audit.record(
            s,
            actor,
            "patient_changed",
            entity="patient",
            entity_id=p.id,
            patient_id=p.id,
            details={"changes": diff},
        )
    return _details(s, actor, p)


# ------------------------------------------------------------------ merging


@dataclass(frozen=True)
class MergeResult:
    kept_id: int
    kept_account: str
    merged_id: int
    merged_account: str
    moved: dict[str, int]


def _patient_references() -> list[tuple[str, str]]:
    """Every (table, column) that points at a patient, in every area's tables
    (so a table added later is moved too). The merge marker is left alone."""
    refs = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            for fk in col.foreign_keys:
                points_at_patient = (fk.column.table.name, fk.column.name) == ("patient", "id")
                if points_at_patient and (table.name, col.name) != ("patient", "merged_into_id"):
                    refs.append((table.name, col.name))
    return refs


def merge(
    s: Session,
    actor: Actor,
    keep_id: int,
    merge_id: int,
    *,
    reason: str = "",
) -> MergeResult:
    """Merge a duplicate into the patient kept (office manager). Visits
    (appointments, encounters), policies, payments, claims and ledger entries
    move to the kept patient; policies that would clash with the kept
    patient's order are moved out of the order (rank empty) for the person to
    place. The merged record stays, inactive, pointing at the kept one; the
    merge is audited on both patients, with the reason (required)."""
    require(actor, Permission.PATIENT_MERGE)
    if keep_id == merge_id:
        raise ValidationError([Problem("merge", "Choose two different patients to merge")])
    if not reason.strip():
        raise ValidationError(
            [Problem("reason", "Reason is required: say why these are the same person")]
        )
    keep, gone = _get(s, keep_id), _get(s, merge_id)
    if gone.merged_into_id or keep.merged_into_id:
        raise UserFacingError("One of these records has already been merged into another.")
    # Policy order: the kept patient's ranks win.
    taken = set(
        s.execute(
            select(Policy.rank).where(Policy.patient_id == keep_id, Policy.rank.is_not(None))
        ).scalars()
    )
    moved_out_of_order = 0
    for pol in s.execute(
        select(Policy).where(Policy.patient_id == merge_id, Policy.rank.is_not(None))
    ).scalars():
        if pol.rank in taken:
            pol.rank = None
            moved_out_of_order += 1
        else:
            taken.add(pol.rank)
    s.flush()
    moved: dict[str, int] = {}
    tables = Base.metadata.tables
    for table_name, col_name in _patient_references():
        t = tables[table_name]
        res = s.execute(sql_update(t).where(t.c[col_name] == merge_id).values({col_name: keep_id}))
        assert isinstance(res, CursorResult)
        if res.rowcount:
            key = table_name if col_name == "patient_id" else f"{table_name}.{col_name}"
            moved[key] = moved.get(key, 0) + int(res.rowcount)
    # Anything merged into the merged record now points at the kept one.
    s.execute(
        sql_update(Patient)
        .where(Patient.merged_into_id == merge_id)
        .values(merged_into_id=keep_id),
        execution_options={"synchronize_session": False},
    )
    gone.merged_into_id = keep_id
    gone.active = False
    s.flush()
    s.expire_all()
    details_ = {
        "kept_id": keep_id,
        "kept_account": keep.account_no,
        "merged_id": merge_id,
        "merged_account": gone.account_no,
        "moved": moved,
        "policies_out_of_order": moved_out_of_order,
        "reason": reason.strip(),
    }
    audit.record(
        s,
        actor,
        "patient_merged",
        entity="patient",
        entity_id=merge_id,
        patient_id=keep_id,
        details=details_,
    )
    audit.record(
        s,
        actor,
        "patient_merged_away",
        entity="patient",
        entity_id=keep_id,
        patient_id=merge_id,
        details=details_,
    )
    return MergeResult(keep_id, keep.account_no, merge_id, gone.account_no, moved)
