"""Encounters: coding a visit (the superbill) and posting its charges.

An encounter is made from a checked-in or completed appointment, or new for a
patient. While it is open the biller edits its diagnoses (A-L) and service
lines freely; ``review`` shows every problem at once as they type. ``mark_coded``
refuses while any error remains, then posts one charge per line to the
ledger (to the policy's payer, or to the patient when self-pay). A coded
encounter is never edited in place: ``reopen`` reverses its charges (audited)
and makes it editable again, and is refused while a claim that is not voided
bills it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.codes import pos
from app.codes.cpt import normalize as normalize_procedure
from app.codes.icd10 import Icd10Index, icd10_start_problem, index_for
from app.codes.icd10 import normalize as normalize_icd
from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.base import utcnow
from app.models.claims import Claim, ClaimLine, ClaimStatus
from app.models.coding import (
    Encounter,
    EncounterDiagnosis,
    EncounterStatus,
    ServiceLine,
)
from app.models.insurance import Payer, Policy
from app.models.ledger import EntryKind, LedgerEntry, Party
from app.models.patient import Patient
from app.models.practice import Provider
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.models.staff import User
from app.money import ZERO, fmt
from app.services import audit, claim_history, fee_schedule, ledger
from app.services.auth import Actor, Permission, require
from app.services.coverage import policy_in_force
from app.services.encounter_checks import (
    EncounterInput,
    LineInput,
    Review,
    clean_modifiers,
    clean_pointers,
    format_ndc,
    normalize_ndc,
    review,
    storable,
)
from app.services.patients_search import search_key
from app.validation import digits

# Claims that no longer stand for their visit, and claims that never went out.
_SUPERSEDED = (ClaimStatus.VOIDED, ClaimStatus.CORRECTED, ClaimStatus.CLOSED)
_NOT_SENT = (ClaimStatus.DRAFT, ClaimStatus.READY)

FAVOURITE_YEARS = 2


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class PatientBrief:
    id: int
    name: str
    account_no: str
    dob: date
    sex: str
    date_of_death: date | None


@dataclass(frozen=True)
class ClaimBrief:
    claim_no: str
    status: str


@dataclass(frozen=True)
class EncounterView:
    id: int
    status: EncounterStatus
    patient: PatientBrief
    appointment_id: int | None
    data: EncounterInput
    review: Review
    coded_at: str
    coded_by: str
    claims: list[ClaimBrief]

    @property
    def is_coded(self) -> bool:
        return self.status is EncounterStatus.CODED


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class Choices:
    providers: list[Choice]
    policies: list[Choice]


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "appointment" (not started) or "encounter" (open)
    id: int  # appointment id or encounter id
    day: date
    patient_id: int
    patient_name: str
    account_no: str
    provider: str
    status: str
    reason: str


@dataclass(frozen=True)
class Favourite:
    code: str
    description: str
    uses: int


@dataclass(frozen=True)
class Favourites:
    procedures: list[Favourite]
    diagnoses: list[Favourite]


@dataclass(frozen=True)
class LastVisit:
    encounter_id: int
    date_of_service: date
    diagnoses: list[str]
    lines: list[LineInput]


@dataclass(frozen=True)
class CodedResult:
    encounter_id: int
    charges: int
    total: Decimal
    entry_date: date


# ---------------------------------------------------------------- small helpers


def _today(today: date | None) -> date:
    return today or date.today()


def _icd(icd: Icd10Index | None) -> Icd10Index:
    return icd or index_for()


def _encounter(s: Session, encounter_id: int) -> Encounter:
    enc = s.get(Encounter, encounter_id)
    if enc is None:
        raise NotFound("That visit no longer exists.")
    return enc


def _patient(s: Session, patient_id: int) -> Patient:
    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("That patient no longer exists.")
    return p


def _brief(p: Patient) -> PatientBrief:
    return PatientBrief(p.id, p.display_name, p.account_no, p.dob, p.sex.value, p.date_of_death)


def review_draft(
    s: Session,
    actor: Actor,
    patient_id: int,
    data: EncounterInput,
    *,
    icd: Icd10Index | None = None,
    today: date | None = None,
) -> Review:
    """Every check of an unsaved draft, all at once (nothing is stored)."""
    require(actor, Permission.CODE_VISIT)
    return review(s, _patient(s, patient_id), data, _icd(icd), _today(today))


# ---------------------------------------------------------------- reading


def _input_of(s: Session, enc: Encounter) -> EncounterInput:
    dx = list(
        s.execute(
            select(EncounterDiagnosis.code)
            .where(EncounterDiagnosis.encounter_id == enc.id)
            .order_by(EncounterDiagnosis.position)
        ).scalars()
    )
    lines = [
        LineInput(
            code=ln.code,
            modifiers=ln.modifiers,
            pointers=ln.pointers,
            units=ln.units,
            charge=ln.charge,
            from_date=ln.from_date,
            to_date=ln.to_date,
            ndc=format_ndc(ln.ndc) if ln.ndc else "",
            ndc_unit=ln.ndc_unit,
            ndc_quantity=ln.ndc_quantity,
            provider_id=ln.provider_id,
            line_id=ln.id,
        )
        for ln in _live_lines(s, enc.id)
    ]
    return EncounterInput(
        date_of_service=enc.date_of_service,
        provider_id=enc.provider_id,
        policy_id=enc.policy_id,
        place_of_service=enc.place_of_service,
        referring_name=enc.referring_name,
        referring_npi=enc.referring_npi,
        referring_qualifier=enc.referring_qualifier,
        prior_auth=enc.prior_auth,
        illness_date=enc.illness_date,
        related_employment=enc.related_employment,
        related_auto=enc.related_auto,
        auto_state=enc.auto_state,
        related_other=enc.related_other,
        notes=enc.notes,
        diagnoses=dx,
        lines=lines,
    )


def _live_lines(s: Session, encounter_id: int) -> list[ServiceLine]:
    return list(
        s.execute(
            select(ServiceLine)
            .where(ServiceLine.encounter_id == encounter_id, ServiceLine.removed.is_(False))
            .order_by(ServiceLine.line_no)
        ).scalars()
    )


def live_lines(s: Session, encounter_id: int) -> list[ServiceLine]:
    """The encounter's service lines in order, without lines removed after a
    reopen (those keep their rows only for the ledger's history)."""
    return _live_lines(s, encounter_id)


def _view(s: Session, enc: Encounter, icd: Icd10Index, today: date) -> EncounterView:
    patient = _patient(s, enc.patient_id)
    data = _input_of(s, enc)
    if enc.status is EncounterStatus.OPEN:
        # An open visit's charge follows the fee schedule until the biller
        # sets it: a stored charge equal to price x units is "not set".
        fees = fee_schedule.prices(s, [ln.code for ln in data.lines])
        for ln in data.lines:
            price = fees.get(ln.code, ("", None, False))[1]
            if price is not None and ln.charge == price * ln.units:
                ln.charge = None
    coded_by = ""
    if enc.coded_by:
        u = s.get(User, enc.coded_by)
        coded_by = u.full_name if u else ""
    claims = [
        ClaimBrief(c.claim_no, c.status.value)
        for c in s.execute(
            select(Claim).where(Claim.encounter_id == enc.id).order_by(Claim.id)
        ).scalars()
    ]
    return EncounterView(
        id=enc.id,
        status=enc.status,
        patient=_brief(patient),
        appointment_id=enc.appointment_id,
        data=data,
        review=review(s, patient, data, icd, today),
        coded_at=enc.coded_at.astimezone().strftime("%m/%d/%Y %H:%M") if enc.coded_at else "",
        coded_by=coded_by,
        claims=claims,
    )


def load(
    s: Session,
    actor: Actor,
    encounter_id: int,
    *,
    icd: Icd10Index | None = None,
    today: date | None = None,
) -> EncounterView:
    """The encounter with its checks (audited as a view of patient data)."""
    require(actor, Permission.CODE_VISIT)
    enc = _encounter(s, encounter_id)
    audit.record(
        s,
        actor,
        "encounter_viewed",
        entity="encounter",
        entity_id=enc.id,
        patient_id=enc.patient_id,
    )
    return _view(s, enc, _icd(icd), _today(today))


def choices(s: Session, actor: Actor, patient_id: int) -> Choices:
    """Rendering providers and the patient's policies, for the form's lists."""
    require(actor, Permission.CODE_VISIT)
    provs = [
        Choice(p.id, p.display_name)
        for p in s.execute(
            select(Provider).order_by(Provider.last_name, Provider.first_name)
        ).scalars()
    ]
    pols = []
    for pol, payer_name in s.execute(
        select(Policy, Payer.name)
        .join(Payer, Payer.id == Policy.payer_id)
        .where(Policy.patient_id == patient_id)
        .order_by(Policy.rank.is_(None), Policy.rank, Policy.id)
    ):
        rank = {1: "primary", 2: "secondary", 3: "tertiary"}.get(pol.rank or 0, "not in order")
        pols.append(Choice(pol.id, f"{payer_name} ({rank}) - member {pol.member_id}"))
    return Choices(provs, pols)


def worklist(s: Session, actor: Actor) -> list[WorkItem]:
    """Checked-in and completed visits not yet coded, and open encounters,
    oldest first (an old uncoded visit runs into the payer's filing limit)."""
    require(actor, Permission.CODE_VISIT)
    prov_names = {p.id: p.display_name for p in s.execute(select(Provider)).scalars()}
    out: list[WorkItem] = []
    appts = s.execute(
        select(Appointment, Patient)
        .join(Patient, Patient.id == Appointment.patient_id)
        .outerjoin(Encounter, Encounter.appointment_id == Appointment.id)
        .where(
            Appointment.status.in_([AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED]),
            Encounter.id.is_(None),
        )
    )
    for a, p in appts:
        out.append(
            WorkItem(
                "appointment",
                a.id,
                a.day,
                p.id,
                p.display_name,
                p.account_no,
                prov_names.get(a.provider_id, ""),
                "Checked in" if a.status is AppointmentStatus.CHECKED_IN else "Completed",
                a.reason,
            )
        )
    encs = s.execute(
        select(Encounter, Patient)
        .join(Patient, Patient.id == Encounter.patient_id)
        .where(Encounter.status == EncounterStatus.OPEN)
    )
    for e, p in encs:
        out.append(
            WorkItem(
                "encounter",
                e.id,
                e.date_of_service,
                p.id,
                p.display_name,
                p.account_no,
                prov_names.get(e.provider_id, ""),
                "Being coded",
                e.notes.splitlines()[0] if e.notes else "",
            )
        )
    out.sort(key=lambda w: (w.day, w.patient_name))
    audit.record(s, actor, "coding_worklist_viewed", details={"rows": len(out)})
    return out


def encounters_of_patient(s: Session, actor: Actor, patient_id: int) -> list[tuple[int, date, str]]:
    """(id, date of service, status) of a patient's encounters, newest first."""
    require(actor, Permission.CODE_VISIT)
    return [
        (e.id, e.date_of_service, e.status.value)
        for e in s.execute(
            select(Encounter)
            .where(Encounter.patient_id == patient_id)
            .order_by(Encounter.date_of_service.desc(), Encounter.id.desc())
        ).scalars()
    ]


# ---------------------------------------------------------------- starting


def _primary_policy(s: Session, patient_id: int, on: date) -> int | None:
    for pol in s.execute(
        select(Policy)
        .where(Policy.patient_id == patient_id, Policy.rank.is_not(None))
        .order_by(Policy.rank)
    ).scalars():
        if policy_in_force(pol, on):
            return pol.id
    return None


def start_from_appointment(s: Session, actor: Actor, appointment_id: int) -> int:
    """The encounter of a checked-in or completed visit (made on first use).

    It bills the policy the check-in gate let through (the primary policy
    when the gate recorded none), or nobody when the visit is self-pay."""
    require(actor, Permission.CODE_VISIT)
    appt = s.get(Appointment, appointment_id)
    if appt is None:
        raise NotFound("That appointment no longer exists.")
    existing = s.execute(
        select(Encounter.id).where(Encounter.appointment_id == appointment_id)
    ).scalar_one_or_none()
    if existing is not None:
        return int(existing)
    if appt.status not in (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED):
        raise UserFacingError(
            f"Only checked-in or completed visits can be coded; this appointment is "
            f"{appt.status.value.replace('_', ' ')}."
        )
    if p := icd10_start_problem(appt.day):
        raise UserFacingError(p)
    self_pay = appt.self_pay or appt.gate_outcome is GateOutcome.SELF_PAY
    policy_id = (
        None if self_pay else (appt.policy_id or _primary_policy(s, appt.patient_id, appt.day))
    )
    enc = Encounter(
        patient_id=appt.patient_id,
        appointment_id=appt.id,
        date_of_service=appt.day,
        provider_id=appt.provider_id,
        policy_id=policy_id,
        place_of_service=pos.DEFAULT,
        notes=appt.reason,
    )
    s.add(enc)
    s.flush()
    audit.record(
        s,
        actor,
        "encounter_started",
        entity="encounter",
        entity_id=enc.id,
        patient_id=enc.patient_id,
        details={"appointment_id": appt.id, "date_of_service": appt.day.isoformat()},
    )
    return enc.id


def start_for_patient(
    s: Session,
    actor: Actor,
    patient_id: int,
    date_of_service: date,
    provider_id: int,
    *,
    today: date | None = None,
) -> int:
    """A new encounter for a patient without an appointment."""
    require(actor, Permission.CODE_VISIT)
    patient = _patient(s, patient_id)
    probs: list[Problem] = []
    if p := icd10_start_problem(date_of_service):
        probs.append(Problem("date_of_service", p))
    if date_of_service > _today(today):
        probs.append(Problem("date_of_service", "Date of service cannot be in the future"))
    if date_of_service < patient.dob:
        probs.append(Problem("date_of_service", "Date of service is before the patient's birth"))
    if s.get(Provider, provider_id) is None:
        probs.append(Problem("provider_id", "Rendering provider is required"))
    if probs:
        raise ValidationError(probs)
    enc = Encounter(
        patient_id=patient_id,
        date_of_service=date_of_service,
        provider_id=provider_id,
        policy_id=_primary_policy(s, patient_id, date_of_service),
        place_of_service=pos.DEFAULT,
    )
    s.add(enc)
    s.flush()
    audit.record(
        s,
        actor,
        "encounter_started",
        entity="encounter",
        entity_id=enc.id,
        patient_id=patient_id,
        details={"date_of_service": date_of_service.isoformat()},
    )
    return enc.id


# ---------------------------------------------------------------- saving


def _line_summary(ln: ServiceLine) -> str:
    mods = "-".join(ln.modifiers)
    return f"{ln.code}{('-' + mods) if mods else ''} x{ln.units} {ln.pointers} {fmt(ln.charge)}"


def _header(enc: Encounter) -> dict[str, Any]:
    return {
        "date_of_service": enc.date_of_service.isoformat() if enc.date_of_service else None,
        "provider_id": enc.provider_id,
        "policy_id": enc.policy_id,
        "place_of_service": enc.place_of_service,
        "referring_name": enc.referring_name,
        "referring_npi": enc.referring_npi,
        "referring_qualifier": enc.referring_qualifier,
        "prior_auth": enc.prior_auth,
        "illness_date": enc.illness_date.isoformat() if enc.illness_date else None,
        "related_employment": enc.related_employment,
        "related_auto": enc.related_auto,
        "auto_state": enc.auto_state,
        "related_other": enc.related_other,
        "notes": enc.notes,
    }


def _apply(s: Session, actor: Actor, enc: Encounter, data: EncounterInput) -> None:
    """Write the draft into the encounter; audit the changes and every charge
    the biller set away from the fee schedule."""
    assert data.date_of_service is not None and data.provider_id is not None
    before = _header(enc)
    before_dx = list(
        s.execute(
            select(EncounterDiagnosis.code)
            .where(EncounterDiagnosis.encounter_id == enc.id)
            .order_by(EncounterDiagnosis.position)
        ).scalars()
    )
    old_lines = {ln.id: ln for ln in _live_lines(s, enc.id)}
    before_lines = [_line_summary(ln) for ln in old_lines.values()]

    enc.date_of_service = data.date_of_service
    enc.provider_id = data.provider_id
    enc.policy_id = data.policy_id
    enc.place_of_service = data.place_of_service.strip()
    enc.referring_name = data.referring_name.strip()[:80]
    enc.referring_npi = digits(data.referring_npi)[:10]
    enc.referring_qualifier = (
        data.referring_qualifier.strip().upper()[:2] if enc.referring_name else ""
    )
    enc.prior_auth = data.prior_auth.strip()[:40]
    enc.illness_date = data.illness_date
    enc.related_employment = data.related_employment
    enc.related_auto = data.related_auto
    enc.auto_state = data.auto_state.strip().upper()[:2] if data.related_auto else ""
    enc.related_other = data.related_other
    enc.notes = data.notes

    # Diagnoses: rewritten in order (nothing else points at their rows).
    for d in s.execute(
        select(EncounterDiagnosis).where(EncounterDiagnosis.encounter_id == enc.id)
    ).scalars():
        s.delete(d)
    s.flush()
    after_dx = [normalize_icd(c) for c in data.diagnoses]
    for pos_no, code in enumerate(after_dx, start=1):
        s.add(EncounterDiagnosis(encounter_id=enc.id, position=pos_no, code=code))

    # Lines: a line the ledger or a claim points at (a reopened visit's) is
    # never edited: it is kept as removed (line_no = -id so live lines number
    # 1..n) and the line as typed now is a new row, so every ledger entry
    # still shows what was charged. Other lines are edited in place when they
    # carry a line_id, and deleted when they left the visit.
    history = {line_id for line_id in old_lines if _has_history(s, line_id)}
    keep = {ln.line_id for ln in data.lines if ln.line_id in old_lines} - history
    for line_id, ln in old_lines.items():
        ln.line_no = -line_id
    s.flush()
    for line_id, ln in old_lines.items():
        if line_id in keep:
            continue
        if line_id in history:
            ln.removed = True
        else:
            s.delete(ln)
    s.flush()
    fees = fee_schedule.prices(s, [ln.code for ln in data.lines])
    charge_edits: list[dict[str, Any]] = []
    after_lines: list[str] = []
    for n, li in enumerate(data.lines, start=1):
        code = normalize_procedure(li.code)
        price = fees.get(code, ("", None, False))[1]
        default = price * li.units if price is not None and li.units > 0 else None
        charge = li.charge if li.charge is not None else (default or ZERO)
        mods = [*clean_modifiers(li.modifiers), "", "", "", ""][:4]
        start = li.from_date or data.date_of_service
        row = old_lines.get(li.line_id) if li.line_id in keep else None
        old_charge = row.charge if row is not None else None
        if row is None:
            row = ServiceLine(encounter_id=enc.id, charge=charge, from_date=start, to_date=start)
            s.add(row)
        row.line_no = n
        row.code = code
        row.modifier1, row.modifier2, row.modifier3, row.modifier4 = mods
        row.pointers = clean_pointers(li.pointers)
        row.units = li.units
        row.charge = charge
        row.from_date = start
        row.to_date = li.to_date or start
        ndc = normalize_ndc(li.ndc) if li.ndc.strip() else ""
        row.ndc = ndc or ""
        row.ndc_unit = li.ndc_unit.strip().upper() if row.ndc else ""
        row.ndc_quantity = li.ndc_quantity.strip() if row.ndc else ""
        row.provider_id = li.provider_id
        row.removed = False
        s.flush()
        after_lines.append(_line_summary(row))
        if li.charge is not None and charge != default and charge != old_charge:
            charge_edits.append(
                {
                    "line": n,
                    "code": code,
                    "fee_schedule": fmt(default) if default is not None else None,
                    "was": fmt(old_charge) if old_charge is not None else None,
                    "charge": fmt(charge),
                }
            )
    details: dict[str, Any] = {}
    head = audit.changes(before, _header(enc))
    if head:
        details["changes"] = head
    if before_dx != after_dx:
        details["diagnoses"] = [before_dx, after_dx]
    if before_lines != after_lines:
        details["lines"] = [before_lines, after_lines]
    if details:
        audit.record(
            s,
            actor,
            "encounter_changed",
            entity="encounter",
            entity_id=enc.id,
            patient_id=enc.patient_id,
            details=details,
        )
    for edit in charge_edits:
        audit.record(
            s,
            actor,
            "charge_edited",
            entity="encounter",
            entity_id=enc.id,
            patient_id=enc.patient_id,
            details=edit,
        )


def _has_history(s: Session, line_id: int) -> bool:
    in_ledger = s.execute(
        select(LedgerEntry.id).where(LedgerEntry.service_line_id == line_id).limit(1)
    ).first()
    on_claim = s.execute(
        select(ClaimLine.id).where(ClaimLine.service_line_id == line_id).limit(1)
    ).first()
    return in_ledger is not None or on_claim is not None


def _editable(enc: Encounter) -> None:
    if enc.status is EncounterStatus.CODED:
        raise UserFacingError(
            "This visit is coded and its charges are on the ledger. Reopen it to change "
            "it: its charges are reversed first, never edited in place."
        )


def save(
    s: Session,
    actor: Actor,
    encounter_id: int,
    data: EncounterInput,
    *,
    icd: Icd10Index | None = None,
    today: date | None = None,
) -> EncounterView:
    """Save an open encounter as typed (checks are shown, not enforced)."""
    require(actor, Permission.CODE_VISIT)
    enc = _encounter(s, encounter_id)
    _editable(enc)
    patient = _patient(s, enc.patient_id)
    storable(s, patient, data)
    _apply(s, actor, enc, data)
    s.flush()
    return _view(s, enc, _icd(icd), _today(today))


def mark_coded(
    s: Session,
    actor: Actor,
    encounter_id: int,
    data: EncounterInput,
    *,
    icd: Icd10Index | None = None,
    today: date | None = None,
) -> CodedResult:
    """Save, refuse while any check fails, then post one charge per line.

    Charges are dated on the date of service, or today when that month is
    closed (a late charge posts in the open month)."""
    require(actor, Permission.CODE_VISIT)
    day = _today(today)
    enc = _encounter(s, encounter_id)
    _editable(enc)
    patient = _patient(s, enc.patient_id)
    storable(s, patient, data)
    checked = review(s, patient, data, _icd(icd), day)
    if checked.errors:
        raise ValidationError(checked.problems)
    _apply(s, actor, enc, data)
    s.flush()
    lines = _live_lines(s, enc.id)
    dos = enc.date_of_service
    entry_date = dos if not ledger.is_closed(s, dos) else day
    policy = s.get(Policy, enc.policy_id) if enc.policy_id else None
    memo = "" if entry_date == dos else f"late charge for {dos:%m/%d/%Y}"
    entries = [
        LedgerEntry(
            entry_date=entry_date,
            kind=EntryKind.CHARGE,
            amount=ln.charge,
            patient_id=enc.patient_id,
            service_line_id=ln.id,
            party=Party.INSURANCE if policy else Party.PATIENT,
            policy_id=policy.id if policy else None,
            payer_id=policy.payer_id if policy else None,
            provider_id=ln.provider_id or enc.provider_id,
            memo=memo,
        )
        for ln in lines
    ]
    ledger.post(
        s,
        actor,
        entries,
        action="charges_posted",
        details={"encounter_id": enc.id, "lines": len(entries)},
    )
    enc.status = EncounterStatus.CODED
    enc.coded_at = utcnow()
    enc.coded_by = actor.user_id
    total = sum((ln.charge for ln in lines), ZERO)
    audit.record(
        s,
        actor,
        "encounter_coded",
        entity="encounter",
        entity_id=enc.id,
        patient_id=enc.patient_id,
        details={
            "lines": len(lines),
            "total": fmt(total),
            "billed_to": "insurance" if policy else "patient",
            "warnings": [p.message for p in checked.warnings][:20],
        },
    )
    s.flush()
    return CodedResult(enc.id, len(entries), total, entry_date)


def reopen(
    s: Session,
    actor: Actor,
    encounter_id: int,
    reason: str,
    *,
    today: date | None = None,
) -> None:
    """Reverse a coded encounter's charges and make it editable again.

    Refused while a claim that went to the payer stands for the visit (naming
    it: replace or void it first), and while payments or adjustments are
    applied to its lines. A draft or ready claim never went out: it stays,
    held as a draft until the visit is coded again, and its next check takes
    the new coding. Voided, corrected and closed claims, and voids (frequency
    8, which repeat the original), do not stand in the way."""
    require(actor, Permission.CODE_VISIT)
    enc = _encounter(s, encounter_id)
    if enc.status is not EncounterStatus.CODED:
        raise UserFacingError("This visit is not coded; it can be edited as it is.")
    if not reason.strip():
        raise ValidationError([Problem("reason", "Say why the visit is reopened")])
    standing = list(
        s.execute(
            select(Claim)
            .where(
                Claim.encounter_id == enc.id,
                Claim.frequency != "8",
                Claim.status.not_in(_SUPERSEDED),
            )
            .order_by(Claim.id)
        ).scalars()
    )
    sent = [c for c in standing if c.status not in _NOT_SENT]
    if sent:
        named = ", ".join(f"claim {c.claim_no} ({c.status.value.replace('_', ' ')})" for c in sent)
        raise UserFacingError(
            f"This visit is billed on {named}, which went to the payer. In Claims, make a "
            "replacement (Replace...) or void it first; then reopen the visit and fix it. "
            "A replacement takes the corrected coding when it is checked."
        )
    line_ids = list(
        s.execute(select(ServiceLine.id).where(ServiceLine.encounter_id == enc.id)).scalars()
    )
    other = s.execute(
        select(func.sum(LedgerEntry.amount)).where(
            LedgerEntry.service_line_id.in_(line_ids), LedgerEntry.kind != EntryKind.CHARGE
        )
    ).scalar()
    if other:
        raise UserFacingError(
            "Payments or adjustments are applied to this visit's lines. Move them off "
            "the lines in Payments first, then reopen the visit."
        )
    reversed_ids = set(
        s.execute(
            select(LedgerEntry.reverses_id).where(
                LedgerEntry.service_line_id.in_(line_ids), LedgerEntry.reverses_id.is_not(None)
            )
        ).scalars()
    )
    to_reverse = [
        e.id
        for e in s.execute(
            select(LedgerEntry).where(
                LedgerEntry.service_line_id.in_(line_ids),
                LedgerEntry.kind == EntryKind.CHARGE,
                LedgerEntry.reverses_id.is_(None),
            )
        ).scalars()
        if e.id not in reversed_ids
    ]
    day = _today(today)
    on = enc.date_of_service if not ledger.is_closed(s, enc.date_of_service) else day
    if to_reverse:
        ledger.reverse(s, actor, to_reverse, on=on, memo=f"visit reopened: {reason.strip()}")
    enc.status = EncounterStatus.OPEN
    enc.coded_at = None
    enc.coded_by = None
    for c in standing:  # a draft or ready claim waits for the new coding
        if c.status is ClaimStatus.READY:
            claim_history.set_status(
                s, actor, c, ClaimStatus.DRAFT, f"visit reopened: {reason.strip()}"
            )
    audit.record(
        s,
        actor,
        "encounter_reopened",
        entity="encounter",
        entity_id=enc.id,
        patient_id=enc.patient_id,
        details={"reason": reason.strip(), "charges_reversed": len(to_reverse)},
    )
    s.flush()


# ---------------------------------------------------------------- speed-ups


def favourites(
    s: Session,
    actor: Actor,
    provider_id: int,
    *,
    icd: Icd10Index | None = None,
    today: date | None = None,
    limit: int = 20,
) -> Favourites:
    """The procedure and diagnosis codes a provider used most on coded visits
    of the last two years, most used first."""
    require(actor, Permission.CODE_VISIT)
    since = _today(today) - timedelta(days=365 * FAVOURITE_YEARS)
    coded = (
        select(Encounter.id)
        .where(
            Encounter.provider_id == provider_id,
            Encounter.status == EncounterStatus.CODED,
            Encounter.date_of_service >= since,
        )
        .subquery()
    )
    n = func.count().label("n")
    proc_rows = s.execute(
        select(ServiceLine.code, n)
        .where(ServiceLine.encounter_id.in_(select(coded.c.id)), ServiceLine.removed.is_(False))
        .group_by(ServiceLine.code)
        .order_by(n.desc(), ServiceLine.code)
        .limit(limit)
    ).all()
    dx_rows = s.execute(
        select(EncounterDiagnosis.code, n)
        .where(EncounterDiagnosis.encounter_id.in_(select(coded.c.id)))
        .group_by(EncounterDiagnosis.code)
        .order_by(n.desc(), EncounterDiagnosis.code)
        .limit(limit)
    ).all()
    fees = fee_schedule.prices(s, [r[0] for r in proc_rows])
    names = _icd(icd).descriptions([r[0] for r in dx_rows])
    return Favourites(
        [Favourite(c, fees.get(c, ("",))[0], int(k)) for c, k in proc_rows],
        [Favourite(c, names.get(c, ""), int(k)) for c, k in dx_rows],
    )


def last_visit(
    s: Session, actor: Actor, patient_id: int, *, before_encounter_id: int | None = None
) -> LastVisit | None:
    """The patient's latest other visit, as a draft to copy: its diagnoses and
    lines (charges from today's fee schedule, dates from the new visit)."""
    require(actor, Permission.CODE_VISIT)
    q = (
        select(Encounter)
        .where(Encounter.patient_id == patient_id)
        .order_by(Encounter.date_of_service.desc(), Encounter.id.desc())
    )
    if before_encounter_id is not None:
        q = q.where(Encounter.id != before_encounter_id)
    prev = s.execute(q.limit(1)).scalar_one_or_none()
    if prev is None:
        return None
    data = _input_of(s, prev)
    lines = [
        replace(ln, charge=None, from_date=None, to_date=None, line_id=None) for ln in data.lines
    ]
    audit.record(
        s,
        actor,
        "encounter_copied",
        entity="encounter",
        entity_id=prev.id,
        patient_id=patient_id,
    )
    return LastVisit(prev.id, prev.date_of_service, data.diagnoses, lines)


# ---------------------------------------------------------------- lookups for the screen


@dataclass(frozen=True)
class PatientHit:
    id: int
    name: str
    account_no: str
    dob: date


def find_patients(s: Session, actor: Actor, text: str, limit: int = 30) -> list[PatientHit]:
    """Patients by account number or "last, first" name prefixes (for a new visit)."""
    require(actor, Permission.CODE_VISIT)
    t = text.strip()
    if not t:
        return []
    q = select(Patient).where(Patient.active.is_(True), Patient.merged_into_id.is_(None))
    if t.isdigit():
        q = q.where(Patient.account_no.startswith(t))
    else:
        last, _, first = t.partition(",")
        q = q.where(Patient.search_last.startswith(search_key(last)))
        if first.strip():
            q = q.where(Patient.search_first.startswith(search_key(first)))
    rows = list(
        s.execute(q.order_by(Patient.search_last, Patient.search_first).limit(limit)).scalars()
    )
    audit.record(s, actor, "patient_search", details={"screen": "coding", "rows": len(rows)})
    return [PatientHit(p.id, p.display_name, p.account_no, p.dob) for p in rows]


@dataclass(frozen=True)
class LedgerRow:
    entry_date: date
    line_no: int
    code: str
    kind: str
    billed_to: str
    amount: Decimal
    memo: str


def ledger_rows(s: Session, actor: Actor, encounter_id: int) -> list[LedgerRow]:
    """The ledger entries on an encounter's lines (charges and reversals first)."""
    require(actor, Permission.CODE_VISIT)
    payer_names = dict(s.execute(select(Payer.id, Payer.name)).all())
    out = []
    for e, ln in s.execute(
        select(LedgerEntry, ServiceLine)
        .join(ServiceLine, ServiceLine.id == LedgerEntry.service_line_id)
        .where(ServiceLine.encounter_id == encounter_id)
        .order_by(LedgerEntry.id)
    ):
        who = (
            payer_names.get(e.payer_id or 0, "Insurance")
            if e.party is Party.INSURANCE
            else "Patient"
        )
        out.append(
            LedgerRow(
                e.entry_date,
                ln.line_no if ln.line_no > 0 else 0,
                ln.code,
                ("reversal of " if e.reverses_id else "") + e.kind.value.replace("_", " "),
                who,
                e.amount,
                e.memo,
            )
        )
    return out
