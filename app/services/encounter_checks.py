"""The checks on an encounter draft, all at once: what the biller typed, as
``EncounterInput``, against the code sets, the fee schedule, the patient and
the claim form's limits. Errors block "mark coded"; warnings do not.

``review`` is what the coding screen shows live; ``storable`` is the little a
draft must satisfy to be saved at all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.codes import agesex, modifiers, pos
from app.codes.cpt import normalize as normalize_procedure
from app.codes.cpt import procedure_code_problem
from app.codes.icd10 import Icd10Index, icd10_start_problem
from app.codes.icd10 import normalize as normalize_icd
from app.errors import Problem, ValidationError
from app.models.insurance import Payer, Policy
from app.models.patient import Patient
from app.models.practice import Provider
from app.money import ZERO
from app.services import fee_schedule
from app.services.coverage import policy_in_force
from app.validation import npi_problem, state_problem

LETTERS = "ABCDEFGHIJKL"
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
REFERRING_QUALIFIERS = {
    "DN": "Referring provider",
    "DK": "Ordering provider",
    "DQ": "Supervising provider",
}
NDC_UNITS = {
    "UN": "Unit",
    "ML": "Milliliter",
    "GR": "Gram",
    "F2": "International unit",
    "ME": "Milligram",
}


# ---------------------------------------------------------------- input


@dataclass
class LineInput:
    """One service line as the biller typed it. ``charge`` None means "from
    the fee schedule x units"; ``line_id`` is the stored line being edited."""

    code: str = ""
    modifiers: list[str] = field(default_factory=list)
    pointers: str = ""
    units: int = 1
    charge: Decimal | None = None
    from_date: date | None = None
    to_date: date | None = None
    ndc: str = ""
    ndc_unit: str = ""
    ndc_quantity: str = ""
    provider_id: int | None = None
    line_id: int | None = None


@dataclass
class EncounterInput:
    date_of_service: date | None
    provider_id: int | None
    policy_id: int | None = None
    place_of_service: str = pos.DEFAULT
    referring_name: str = ""
    referring_npi: str = ""
    referring_qualifier: str = ""
    prior_auth: str = ""
    illness_date: date | None = None
    related_employment: bool = False
    related_auto: bool = False
    auto_state: str = ""
    related_other: bool = False
    notes: str = ""
    diagnoses: list[str] = field(default_factory=list)
    lines: list[LineInput] = field(default_factory=list)


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class DxReview:
    letter: str
    code: str
    description: str
    billable: bool


@dataclass(frozen=True)
class LineReview:
    line_no: int
    code: str
    description: str
    default_charge: Decimal | None  # fee schedule price x units
    charge: Decimal | None  # what will be posted


@dataclass(frozen=True)
class Review:
    """Every check of a draft: errors block "mark coded", warnings do not."""

    problems: list[Problem]
    diagnoses: list[DxReview]
    lines: list[LineReview]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def total(self) -> Decimal:
        return sum((ln.charge or ZERO for ln in self.lines), ZERO)


def letter(position: int) -> str:
    """Diagnosis position 1..12 -> A..L."""
    return LETTERS[position - 1] if 1 <= position <= MAX_DIAGNOSES else f"#{position}"


def normalize_ndc(text: str) -> str | None:
    """An NDC as the 11 digits of the 5-4-2 form, or None when it is not one.

    Accepts ``12345678901`` and the labelled 10-digit forms (4-4-2, 5-3-2,
    5-4-1) with their hyphens, which gain the leading zero where it belongs.
    """
    t = (text or "").strip()
    if re.fullmatch(r"\d{11}", t):
        return t
    m = re.fullmatch(r"(\d{4,5})-(\d{3,4})-(\d{1,2})", t)
    if not m:
        return None
    a, b, c = m.groups()
    if len(a) + len(b) + len(c) not in (10, 11):
        return None
    return a.zfill(5) + b.zfill(4) + c.zfill(2)


def is_drug_code(code: str) -> bool:
    """A HCPCS J-code (drugs given other than by mouth, chemotherapy): payers
    want the NDC of what was given on its claim line. The fee schedule has no
    drug flag of its own, so the code decides."""
    return re.fullmatch(r"J\d{4}", (code or "").strip().upper()) is not None


def format_ndc(d: str) -> str:
    return f"{d[:5]}-{d[5:9]}-{d[9:]}" if len(d) == 11 else d


def clean_modifiers(mods: list[str]) -> list[str]:
    return [modifiers.normalize(m) for m in mods if m and m.strip()]


def clean_pointers(p: str) -> str:
    return re.sub(r"[\s,;]", "", p or "").upper()


def review(
    s: Session, patient: Patient, data: EncounterInput, icd: Icd10Index, today: date
) -> Review:
    probs: list[Problem] = []

    def err(fld: str, msg: str) -> None:
        probs.append(Problem(fld, msg))

    def warn(fld: str, msg: str) -> None:
        probs.append(Problem(fld, msg, "warning"))

    dos = data.date_of_service
    # -------------------------------------------------------------- the visit
    if dos is None:
        err("date_of_service", "Date of service is required")
    else:
        if p := icd10_start_problem(dos):
            err("date_of_service", p)
        if dos > today:
            err("date_of_service", f"Date of service {dos:%m/%d/%Y} is in the future")
        if dos < patient.dob:
            err(
                "date_of_service",
                f"Date of service {dos:%m/%d/%Y} is before the patient's birth "
                f"({patient.dob:%m/%d/%Y})",
            )
        if patient.date_of_death and dos > patient.date_of_death:
            err(
                "date_of_service",
                f"Date of service {dos:%m/%d/%Y} is after the patient's recorded date of "
                f"death ({patient.date_of_death:%m/%d/%Y})",
            )
    if data.provider_id is None:
        err("provider_id", "Rendering provider is required")
    elif s.get(Provider, data.provider_id) is None:
        err("provider_id", "That rendering provider no longer exists")
    if not pos.is_known(data.place_of_service):
        err(
            "place_of_service",
            f"Place of service '{data.place_of_service}' is not a place-of-service code",
        )
    if data.policy_id is not None:
        pol = s.get(Policy, data.policy_id)
        if pol is None or pol.patient_id != patient.id:
            err("policy_id", "That policy is not one of this patient's")
        elif dos is not None and not policy_in_force(pol, dos):
            payer = s.get(Payer, pol.payer_id)
            warn(
                "policy_id",
                f"The {payer.name if payer else 'payer'} policy is not in force on "
                f"{dos:%m/%d/%Y}; check the policy dates or bill another policy",
            )
    if data.referring_name.strip() or data.referring_npi.strip():
        if not data.referring_name.strip():
            err("referring_name", "Referring provider's name is required with an NPI")
        if why := npi_problem(data.referring_npi.strip()):
            err("referring_npi", f"Referring provider NPI {why}")
        if data.referring_qualifier not in REFERRING_QUALIFIERS:
            err(
                "referring_qualifier",
                "Say whether the other provider referred (DN), ordered (DK) or supervised (DQ)",
            )
    if data.illness_date is not None and dos is not None and data.illness_date > dos:
        err("illness_date", "Date of current illness cannot be after the date of service")
    if data.related_auto and (why := state_problem(data.auto_state.strip().upper())):
        err("auto_state", f"Auto accident state {why}")

    # -------------------------------------------------------------- diagnoses
    codes = [normalize_icd(c) for c in data.diagnoses]
    dx_reviews: list[DxReview] = []
    if not codes:
        err("diagnoses", "Add at least one diagnosis (ICD-10-CM)")
    if len(codes) > MAX_DIAGNOSES:
        err(
            "diagnoses",
            f"A claim holds at most {MAX_DIAGNOSES} diagnoses (A-L); this visit has {len(codes)}",
        )
    seen: dict[str, str] = {}
    for i, code in enumerate(codes, start=1):
        ltr = letter(i)
        fld = f"dx.{ltr}"
        hit = icd.hit(code) if code else None
        dx_reviews.append(
            DxReview(ltr, code, hit.description if hit else "", bool(hit and hit.billable))
        )
        if why := icd.diagnosis_problem(code):
            err(fld, f"{ltr}: {why}")
        if code in seen:
            err(fld, f"{ltr}: {code} is already diagnosis {seen[code]}")
        else:
            seen[code] = ltr
        if hit and hit.billable and dos is not None:
            for w in agesex.warnings_for(code, patient.dob, patient.sex.value, dos):
                warn(fld, f"{ltr}: {w}")

    # -------------------------------------------------------------- lines
    valid_letters = LETTERS[: min(len(codes), MAX_DIAGNOSES)]
    span = f"A-{valid_letters[-1]}" if len(valid_letters) > 1 else valid_letters or "none"
    fees = fee_schedule.prices(s, [ln.code for ln in data.lines])
    line_reviews: list[LineReview] = []
    used: set[str] = set()
    if not data.lines:
        err("lines", "Add at least one service line (CPT/HCPCS)")
    for n, ln in enumerate(data.lines, start=1):
        pre = f"Line {n}"
        fld = f"line{n}"
        code = normalize_procedure(ln.code)
        desc, price, active = fees.get(code, ("", None, False))
        default = price * ln.units if price is not None and ln.units > 0 else None
        charge = ln.charge if ln.charge is not None else default
        line_reviews.append(LineReview(n, code, desc, default, charge))
        if why := procedure_code_problem(code):
            err(f"{fld}.code", f"{pre}: {why}")
        elif code not in fees:
            warn(f"{fld}.code", f"{pre}: {code} is not on the office's fee schedule")
        elif not active:
            warn(
                f"{fld}.code",
                f"{pre}: {code} is not an active code of the fee schedule",
            )
        mods = clean_modifiers(ln.modifiers)
        if len(mods) > modifiers.MAX_PER_LINE:
            err(
                f"{fld}.modifiers",
                f"{pre}: at most {modifiers.MAX_PER_LINE} modifiers fit on a line",
            )
        for m in mods:
            if not modifiers.is_known(m):
                err(f"{fld}.modifiers", f"{pre}: modifier '{m}' is not a known modifier")
        for m, k in Counter(mods).items():
            if k > 1:
                err(f"{fld}.modifiers", f"{pre}: modifier {m} is given twice")
        ptrs = clean_pointers(ln.pointers)
        if not ptrs:
            err(
                f"{fld}.pointers",
                f"{pre}: needs at least one diagnosis pointer (a letter {span})",
            )
        if len(ptrs) > MAX_POINTERS:
            err(f"{fld}.pointers", f"{pre}: at most {MAX_POINTERS} diagnosis pointers")
        for ch in ptrs:
            if ch not in valid_letters:
                err(
                    f"{fld}.pointers",
                    f"{pre}: pointer {ch} refers to no diagnosis "
                    f"(this visit's diagnoses are {span})",
                )
            used.add(ch)
        for ch, k in Counter(ptrs).items():
            if k > 1:
                err(f"{fld}.pointers", f"{pre}: pointer {ch} is given twice")
        if ln.units <= 0:
            err(f"{fld}.units", f"{pre}: units must be more than 0")
        if charge is None or charge <= ZERO:
            hint = (
                f"; {code} has no price on the fee schedule, type the charge"
                if code and price is None and ln.charge is None
                else ""
            )
            err(f"{fld}.charge", f"{pre}: charge must be more than 0.00{hint}")
        start = ln.from_date or dos
        end = ln.to_date or start
        if start and end and end < start:
            err(f"{fld}.dates", f"{pre}: the 'to' date is before the 'from' date")
        if end and end > today:
            err(f"{fld}.dates", f"{pre}: service dates cannot be in the future")
        if start and dos and start < dos - timedelta(days=366):
            warn(f"{fld}.dates", f"{pre}: service date is over a year before the visit")
        if ln.ndc.strip():
            if normalize_ndc(ln.ndc) is None:
                err(
                    f"{fld}.ndc",
                    f"{pre}: NDC must be 11 digits in 5-4-2 form (e.g. 12345-6789-01)",
                )
            if ln.ndc_unit.strip().upper() not in NDC_UNITS:
                err(
                    f"{fld}.ndc",
                    f"{pre}: NDC unit must be one of {', '.join(NDC_UNITS)}",
                )
            if not _positive_number(ln.ndc_quantity):
                err(f"{fld}.ndc", f"{pre}: NDC quantity must be a number more than 0")
        elif ln.ndc_unit.strip() or ln.ndc_quantity.strip():
            err(f"{fld}.ndc", f"{pre}: NDC unit and quantity need an NDC")
        if ln.provider_id is not None and s.get(Provider, ln.provider_id) is None:
            err(f"{fld}.provider_id", f"{pre}: that rendering provider no longer exists")
    for i, code in enumerate(codes[:MAX_DIAGNOSES], start=1):
        ltr = letter(i)
        if data.lines and ltr not in used:
            warn(f"dx.{ltr}", f"{ltr}: {code} is not pointed to by any line")
    return Review(probs, dx_reviews, line_reviews)


def _positive_number(text: str) -> bool:
    try:
        return Decimal(text.strip()) > 0
    except (ArithmeticError, ValueError):
        return False


def storable(s: Session, patient: Patient, data: EncounterInput) -> None:
    """What a draft must satisfy to be saved at all (the rest are checks)."""
    probs: list[Problem] = []
    if data.date_of_service is None:
        probs.append(Problem("date_of_service", "Date of service is required"))
    elif p := icd10_start_problem(data.date_of_service):
        probs.append(Problem("date_of_service", p))
    if data.provider_id is None or s.get(Provider, data.provider_id) is None:
        probs.append(Problem("provider_id", "Rendering provider is required"))
    if data.policy_id is not None:
        pol = s.get(Policy, data.policy_id)
        if pol is None or pol.patient_id != patient.id:
            probs.append(Problem("policy_id", "That policy is not one of this patient's"))
    if len(data.diagnoses) > MAX_DIAGNOSES:
        probs.append(Problem("diagnoses", f"A visit holds at most {MAX_DIAGNOSES} diagnoses (A-L)"))
    for i, c in enumerate(data.diagnoses, start=1):
        if len(normalize_icd(c)) > 8:
            probs.append(Problem(f"dx.{letter(i)}", f"{letter(i)}: '{c}' is too long for a code"))
    for n, ln in enumerate(data.lines, start=1):
        if len(normalize_procedure(ln.code)) > 5:
            probs.append(Problem(f"line{n}.code", f"Line {n}: '{ln.code}' is too long for a code"))
        mods = clean_modifiers(ln.modifiers)
        if len(mods) > modifiers.MAX_PER_LINE or any(len(m) > 2 for m in mods):
            probs.append(
                Problem(f"line{n}.modifiers", f"Line {n}: up to 4 modifiers of 2 characters")
            )
        ptrs = clean_pointers(ln.pointers)
        if len(ptrs) > MAX_POINTERS or not re.fullmatch(r"[A-L]*", ptrs):
            probs.append(Problem(f"line{n}.pointers", f"Line {n}: up to 4 pointer letters A-L"))
        if ln.ndc.strip() and normalize_ndc(ln.ndc) is None:
            probs.append(Problem(f"line{n}.ndc", f"Line {n}: NDC must be 11 digits in 5-4-2 form"))
        if len(ln.ndc_quantity.strip()) > 12 or len(ln.ndc_unit.strip()) > 2:
            probs.append(Problem(f"line{n}.ndc", f"Line {n}: NDC unit/quantity too long"))
        if ln.charge is not None and ln.charge < ZERO:
            probs.append(Problem(f"line{n}.charge", f"Line {n}: a charge cannot be negative"))
    if probs:
        raise ValidationError(probs)
