"""Role matrix rows for coding: the fee schedule and its imports, and coding
a visit from its start to coded (and reopened)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.orm import Session

from app.codes import fee_file
from app.models.coding import FeeItem
from app.models.patient import Patient
from app.models.schedule import AppointmentStatus
from app.services import encounters, fee_schedule
from app.services.auth import Permission
from app.services.encounters import EncounterInput, LineInput
from tests import factories
from tests import factories_frontdesk as fd
from tests.unit.coding.support import add_fees
from tests.unit.foundation_proof.matrix import Env, ServiceCall

TODAY = date.today()


# ---------------------------------------------------------------- a visit to code


def _ready(s: Session, e: Env) -> SimpleNamespace:
    """The fee schedule, and the patient's primary policy."""
    add_fees(s)
    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    return SimpleNamespace(policy_id=factories.policy(s, pat, factories.payer(s)).id)


def _open_visit(s: Session, e: Env) -> SimpleNamespace:
    """A visit of today started for coding (nothing typed yet)."""
    made = _ready(s, e)
    made.encounter_id = encounters.start_for_patient(
        s, e.manager, e.patient_id, TODAY, e.provider_id
    )
    return made


def _coded(e: Env) -> EncounterInput:
    """The superbill as the biller types it: two diagnoses, two lines."""
    return EncounterInput(
        date_of_service=TODAY,
        provider_id=e.provider_id,
        policy_id=e.made.policy_id,
        diagnoses=["E11.9", "I10"],
        lines=[LineInput("99213", [], "AB"), LineInput("36415", [], "A")],
    )


def _coded_visit(s: Session, e: Env) -> SimpleNamespace:
    """A visit coded today: its charges are on the ledger."""
    made = _open_visit(s, e)
    e.made = made
    encounters.mark_coded(s, e.manager, made.encounter_id, _coded(e))
    return made


def _checked_in(s: Session, e: Env) -> SimpleNamespace:
    """The patient checked in for today's visit (on the coding worklist)."""
    made = _ready(s, e)
    made.appt = fd.appointment(s, e.patient_id, e.provider_id, status=AppointmentStatus.CHECKED_IN)
    return made


# ---------------------------------------------------------------- fee schedule files


def _fee_item(s: Session, e: Env) -> SimpleNamespace:
    add_fees(s)
    item = s.query(FeeItem).filter_by(code="99213").one()
    return SimpleNamespace(item_id=item.id, payer_id=factories.payer(s).id)


def _fee_file(s: Session, e: Env) -> Path:
    """A CSV fee schedule: a price change and a new code."""
    add_fees(s)
    path = e.inputs / "fees.csv"
    path.write_text(
        "Code,Description,Price,Active\n"
        '99213,"Office visit, established patient, low complexity",120.00,yes\n'
        '99215,"Office visit, established patient, high complexity",245.00,yes\n',
        encoding="utf-8",
    )
    return path


def _hcpcs_line(code: str, long: str, short: str) -> str:
    """One record of CMS's fixed-width HCPCS file (a code's first line)."""
    return f"{code:<5}{'00100':<5}3{long:<80}{short:<28}" + " " * 40 + "\n"


def _hcpcs_file(s: Session, e: Env) -> Path:
    path = e.inputs / "HCPC2026_JAN_ANWEB.txt"
    path.write_text(
        _hcpcs_line(
            "J3420",
            "Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg",
            "Vitamin b12 injection",
        )
        + _hcpcs_line("A4550", "Surgical trays", "Surgical trays"),
        encoding="latin-1",
    )
    return path


ROWS: list[ServiceCall] = [
    # the fee schedule
    ServiceCall(
        "fee_schedule.save_item",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.save_item(
            s, a, fee_schedule.FeeItemInput("99213", "Office visit, established patient", "95.00")
        ),
    ),
    ServiceCall(
        "fee_schedule.set_allowed",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.set_allowed(s, a, e.made.item_id, e.made.payer_id, "82.50"),
        prepare=_fee_item,
    ),
    ServiceCall(
        "fee_schedule.list_items",
        Permission.CODE_VISIT,
        lambda s, a, e: fee_schedule.list_items(s, a),
        prepare=_fee_item,
    ),
    ServiceCall(
        "fee_schedule.get_item",
        Permission.CODE_VISIT,
        lambda s, a, e: fee_schedule.get_item(s, a, e.made.item_id),
        prepare=_fee_item,
    ),
    ServiceCall(
        "fee_schedule.search_procedures",
        Permission.CODE_VISIT,
        lambda s, a, e: fee_schedule.search_procedures(s, a, "blood"),
        prepare=_fee_item,
    ),
    ServiceCall(
        "fee_schedule.preview_import",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.preview_import(s, a, e.made),
        prepare=_fee_file,
    ),
    ServiceCall(
        "fee_schedule.apply_import",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.apply_import(
            s, a, fee_schedule.preview_parsed(s, fee_file.read(e.made), e.made.name)
        ),
        prepare=_fee_file,
    ),
    ServiceCall(
        "fee_schedule.load_starter",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.load_starter(s, a),
    ),
    ServiceCall(
        "fee_schedule.import_hcpcs_file",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.import_hcpcs_file(s, a, e.made),
        prepare=_hcpcs_file,
    ),
    # coding a visit
    ServiceCall(
        "encounters.worklist",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.worklist(s, a),
        prepare=_checked_in,
    ),
    ServiceCall(
        "encounters.find_patients",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.find_patients(s, a, "smith, j"),
    ),
    ServiceCall(
        "encounters.start_from_appointment",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.start_from_appointment(s, a, e.made.appt),
        prepare=_checked_in,
    ),
    ServiceCall(
        "encounters.start_for_patient",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.start_for_patient(s, a, e.patient_id, TODAY, e.provider_id),
        prepare=_ready,
    ),
    ServiceCall(
        "encounters.choices",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.choices(s, a, e.patient_id),
        prepare=_ready,
    ),
    ServiceCall(
        "encounters.encounters_of_patient",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.encounters_of_patient(s, a, e.patient_id),
        prepare=_open_visit,
    ),
    ServiceCall(
        "encounters.load",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.load(s, a, e.made.encounter_id),
        prepare=_open_visit,
    ),
    ServiceCall(
        "encounters.review_draft",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.review_draft(s, a, e.patient_id, _coded(e)),
        prepare=_ready,
    ),
    ServiceCall(
        "encounters.save",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.save(s, a, e.made.encounter_id, _coded(e)),
        prepare=_open_visit,
    ),
    ServiceCall(
        "encounters.mark_coded",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.mark_coded(s, a, e.made.encounter_id, _coded(e)),
        prepare=_open_visit,
    ),
    ServiceCall(
        "encounters.reopen",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.reopen(s, a, e.made.encounter_id, "wrong level of visit"),
        prepare=_coded_visit,
    ),
    ServiceCall(
        "encounters.ledger_rows",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.ledger_rows(s, a, e.made.encounter_id),
        prepare=_coded_visit,
    ),
    ServiceCall(
        "encounters.last_visit",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.last_visit(s, a, e.patient_id),
        prepare=_coded_visit,
    ),
    ServiceCall(
        "encounters.favourites",
        Permission.CODE_VISIT,
        lambda s, a, e: encounters.favourites(s, a, e.provider_id),
        prepare=_coded_visit,
    ),
]
