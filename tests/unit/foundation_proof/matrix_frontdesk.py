"""Role matrix rows for the front desk: patients, payers, policies and their
cards, coverage verification, the appointment list and check-in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy.orm import Session

from app.models.ledger import PaymentMethod
from app.models.patient import Patient
from app.models.schedule import AppointmentStatus
from app.services import (
    appointments,
    checkin,
    patients,
    patients_search,
    payers,
    policies,
    verification,
)
from app.services.appointments import AppointmentInput
from app.services.auth import Permission
from app.services.checkin import Way
from tests import factories
from tests import factories_frontdesk as fd
from tests.unit.foundation_proof.matrix import Env, ServiceCall, patient_payment

TODAY = date.today()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _payer_form(name: str = "Lakeside Benefit Co", code: str = "lbc07") -> payers.PayerInput:
    return payers.PayerInput(
        name=name,
        payer_code=code,
        address1="PO Box 1550",
        city="Milwaukee",
        state="WI",
        zip="53202",
        phone="800-555-0123",
        timely_filing_days="90",
    )


def _insured(s: Session, e: Env, *, verified: bool = False) -> SimpleNamespace:
    """The patient's primary policy (verified today, or never)."""
    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    payer = factories.payer(s)
    pol = factories.policy(s, pat, payer)
    if verified:
        fd.verify(s, e.manager, pol.id)
    return SimpleNamespace(payer_id=payer.id, policy_id=pol.id)


def _two_policies(s: Session, e: Env) -> SimpleNamespace:
    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    one = factories.policy(s, pat, factories.payer(s), 1)
    two = factories.policy(s, pat, factories.payer(s, "Heartland Mutual", payer_code="HMI22"), 2)
    return SimpleNamespace(first=one.id, second=two.id)


def _with_card(s: Session, e: Env) -> SimpleNamespace:
    made = _insured(s, e)
    policies.add_card_image(s, e.manager, made.policy_id, "front", PNG)
    return made


def _visit(
    status: AppointmentStatus = AppointmentStatus.SCHEDULED, *, insured: bool = False
) -> Callable[[Session, Env], SimpleNamespace]:
    """A prepare step: the patient booked for today (with a primary policy
    that was never verified, when ``insured``)."""

    def prepare(s: Session, e: Env) -> SimpleNamespace:
        made = _insured(s, e) if insured else SimpleNamespace()
        made.appt = fd.appointment(s, e.patient_id, e.provider_id, status=status)
        return made

    return prepare


def _verified_visit(s: Session, e: Env) -> SimpleNamespace:
    made = _insured(s, e, verified=True)
    made.appt = fd.appointment(s, e.patient_id, e.provider_id)
    return made


def _overridden_visit(s: Session, e: Env) -> None:
    """A visit checked in by the manager's override (for the override list)."""
    made = _visit(insured=True)(s, e)
    checkin.check_in(
        s, e.manager, made.appt, way=Way.OVERRIDE, override_reason="payer line down all day"
    )


def _new_person() -> patients.PatientInput:
    """Someone not on file: no name, birth date or phone in common."""
    return fd.intake(
        last_name="Whitfield",
        first_name="Nora",
        middle_name="",
        dob="03/02/1985",
        phone_home="(312) 404-7781",
        email="",
    )


ROWS: list[ServiceCall] = [
    # patients
    ServiceCall(
        "patients.register",
        Permission.PATIENT_EDIT,
        lambda s, a, e: patients.register(s, a, _new_person()),
    ),
    ServiceCall(
        "patients.update",
        Permission.PATIENT_EDIT,
        lambda s, a, e: patients.update(
            s, a, e.made, fd.intake(phone_mobile="(217) 555-0188"), allow_duplicate=True
        ),
        prepare=lambda s, e: fd.register(s, e.manager),
    ),
    ServiceCall(
        "patients.find_duplicates",
        Permission.PATIENT_VIEW,
        lambda s, a, e: patients.find_duplicates(s, a, fd.intake()),
    ),
    ServiceCall(
        "patients.details",
        Permission.PATIENT_VIEW,
        lambda s, a, e: patients.details(s, a, e.patient_id),
    ),
    ServiceCall(
        "patients.banner",
        Permission.PATIENT_VIEW,
        lambda s, a, e: patients.banner(s, a, e.patient_id),
    ),
    ServiceCall(
        "patients.patient_record",
        Permission.PATIENT_VIEW,
        lambda s, a, e: patients.patient_record(s, a, e.patient_id),
    ),
    ServiceCall(
        "patients.merge",
        Permission.PATIENT_MERGE,
        lambda s, a, e: patients.merge(s, a, e.patient_id, e.duplicate_id, reason="duplicate"),
    ),
    ServiceCall(
        "patients.open_patient",
        Permission.PATIENT_VIEW,
        lambda s, a, e: patients.open_patient(s, a, e.patient_id),
    ),
    ServiceCall(
        "patients_search.search_patients",
        Permission.PATIENT_VIEW,
        lambda s, a, e: patients_search.search_patients(s, a, "smith, j"),
    ),
    # payers
    ServiceCall(
        "payers.add_payer",
        Permission.PAYER_EDIT,
        lambda s, a, e: payers.add_payer(s, a, _payer_form()),
    ),
    ServiceCall(
        "payers.update_payer",
        Permission.PAYER_EDIT,
        lambda s, a, e: payers.update_payer(
            s, a, e.made, _payer_form("Lakeside Benefit Company", "LBC07")
        ),
        prepare=lambda s, e: payers.add_payer(s, e.manager, _payer_form()),
    ),
    ServiceCall(
        "payers.list_payers",
        Permission.PATIENT_VIEW,
        lambda s, a, e: payers.list_payers(s, a),
        prepare=_insured,
    ),
    ServiceCall(
        "payers.payer_input",
        Permission.PATIENT_VIEW,
        lambda s, a, e: payers.payer_input(s, a, e.made),
        prepare=lambda s, e: factories.payer(s).id,
    ),
    # policies and cards
    ServiceCall(
        "policies.add_policy",
        Permission.POLICY_EDIT,
        lambda s, a, e: fd.add_policy(s, a, e.patient_id, e.made),
        prepare=lambda s, e: factories.payer(s).id,
    ),
    ServiceCall(
        "policies.update_policy",
        Permission.POLICY_EDIT,
        lambda s, a, e: policies.update_policy(
            s, a, e.made.policy_id, fd.policy_input(e.made.payer_id, member_id="XJ7654321")
        ),
        prepare=_insured,
    ),
    ServiceCall(
        "policies.set_order",
        Permission.POLICY_EDIT,
        lambda s, a, e: policies.set_order(s, a, e.patient_id, [e.made.second, e.made.first]),
        prepare=_two_policies,
    ),
    ServiceCall(
        "policies.move_policy",
        Permission.POLICY_EDIT,
        lambda s, a, e: policies.move_policy(s, a, e.made.second, 1),
        prepare=_two_policies,
    ),
    ServiceCall(
        "policies.add_card_image",
        Permission.POLICY_EDIT,
        lambda s, a, e: policies.add_card_image(s, a, e.made.policy_id, "front", PNG),
        prepare=_insured,
    ),
    ServiceCall(
        "policies.card_images",
        Permission.PATIENT_VIEW,
        lambda s, a, e: policies.card_images(s, a, e.made.policy_id),
        prepare=_with_card,
    ),
    ServiceCall(
        "policies.screen_data",
        Permission.PATIENT_VIEW,
        lambda s, a, e: policies.screen_data(s, a, e.patient_id),
        prepare=_insured,
    ),
    ServiceCall(
        "policies.policy_screen",
        Permission.PATIENT_VIEW,
        lambda s, a, e: policies.policy_screen(s, a, e.patient_id),
        prepare=_insured,
    ),
    ServiceCall(
        "policies.policy_input",
        Permission.PATIENT_VIEW,
        lambda s, a, e: policies.policy_input(s, a, e.made.policy_id),
        prepare=_insured,
    ),
    ServiceCall(
        "policies.patient_of_policy",
        Permission.PATIENT_VIEW,
        lambda s, a, e: policies.patient_of_policy(s, a, e.made.policy_id),
        prepare=_insured,
    ),
    ServiceCall(
        "verification.record_verification",
        Permission.VERIFY_COVERAGE,
        lambda s, a, e: verification.record_verification(s, a, e.made.policy_id, fd.checked()),
        prepare=_insured,
    ),
    # the appointment list
    ServiceCall(
        "appointments.book",
        Permission.SCHEDULE,
        lambda s, a, e: appointments.book(
            s,
            a,
            AppointmentInput(
                e.patient_id, e.provider_id, TODAY + timedelta(days=1), "9:30", 15, "Cough"
            ),
        ),
    ),
    ServiceCall(
        "appointments.move",
        Permission.SCHEDULE,
        lambda s, a, e: appointments.move(
            s,
            a,
            e.made.appt,
            AppointmentInput(e.patient_id, e.provider_id, TODAY + timedelta(days=2), "10:15"),
        ),
        prepare=_visit(),
    ),
    ServiceCall(
        "appointments.cancel",
        Permission.SCHEDULE,
        lambda s, a, e: appointments.cancel(s, a, e.made.appt, "patient called"),
        prepare=_visit(),
    ),
    ServiceCall(
        "appointments.no_show",
        Permission.SCHEDULE,
        lambda s, a, e: appointments.no_show(s, a, e.made.appt),
        prepare=_visit(),
    ),
    ServiceCall(
        "appointments.complete",
        Permission.SCHEDULE,
        lambda s, a, e: appointments.complete(s, a, e.made.appt),
        prepare=_visit(AppointmentStatus.CHECKED_IN),
    ),
    ServiceCall(
        "appointments.appointment_input",
        Permission.PATIENT_VIEW,
        lambda s, a, e: appointments.appointment_input(s, a, e.made.appt),
        prepare=_visit(),
    ),
    ServiceCall(
        "appointments.appointment_row",
        Permission.PATIENT_VIEW,
        lambda s, a, e: appointments.appointment_row(s, a, e.made.appt),
        prepare=_visit(),
    ),
    ServiceCall(
        "appointments.day_list",
        Permission.PATIENT_VIEW,
        lambda s, a, e: appointments.day_list(s, a, TODAY),
        prepare=_visit(insured=True),
    ),
    ServiceCall(
        "appointments.patient_appointments",
        Permission.PATIENT_VIEW,
        lambda s, a, e: appointments.patient_appointments(s, a, e.patient_id),
        prepare=_visit(),
    ),
    ServiceCall(
        "appointments.providers",
        Permission.PATIENT_VIEW,
        lambda s, a, e: appointments.providers(s, a),
    ),
    # check-in
    ServiceCall(
        "checkin.gate",
        Permission.PATIENT_VIEW,
        lambda s, a, e: checkin.gate(s, a, e.made.appt),
        prepare=_visit(insured=True),
    ),
    ServiceCall(
        "checkin.check_in",
        Permission.CHECK_IN,
        lambda s, a, e: checkin.check_in(s, a, e.made.appt),
        prepare=_verified_visit,
        case="verified",
    ),
    ServiceCall(
        "checkin.check_in",
        Permission.CHECK_IN,
        lambda s, a, e: checkin.check_in(s, a, e.made.appt, way=Way.SELF_PAY),
        prepare=_visit(insured=True),
        case="self-pay",
    ),
    ServiceCall(
        "checkin.check_in",
        (Permission.CHECK_IN, Permission.GATE_OVERRIDE),
        lambda s, a, e: checkin.check_in(
            s, a, e.made.appt, way=Way.OVERRIDE, override_reason="payer line down all day"
        ),
        prepare=_visit(insured=True),
        case="override",
    ),
    ServiceCall(
        "checkin.unverified_visits",
        Permission.PATIENT_VIEW,
        lambda s, a, e: checkin.unverified_visits(s, a, TODAY - timedelta(days=30), TODAY),
        prepare=_overridden_visit,
    ),
    ServiceCall(
        "checkin.verify_tomorrow",
        Permission.PATIENT_VIEW,
        lambda s, a, e: checkin.verify_tomorrow(s, a, TODAY),
        prepare=_visit(insured=True),
    ),
    ServiceCall(
        "checkin.take_copay",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: checkin.take_copay(
            s, a, e.made.appt, amount=Decimal("25.00"), method=PaymentMethod.CASH
        ),
        prepare=_visit(AppointmentStatus.CHECKED_IN),
    ),
    ServiceCall(
        "checkin.receipt",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: checkin.receipt(s, a, e.made),
        prepare=patient_payment,
    ),
    ServiceCall(
        "checkin.receipt_pdf",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: checkin.receipt_pdf(s, a, e.made, e.folder / "receipt.pdf"),
        prepare=patient_payment,
    ),
    ServiceCall(
        "checkin.receipt_printed",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: checkin.receipt_printed(s, a, e.made),
        prepare=patient_payment,
    ),
    ServiceCall(
        "checkin.print_receipt",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: checkin.print_receipt(s, a, e.made, e.folder / "receipt.pdf"),
        prepare=patient_payment,
    ),
    ServiceCall(
        # An explicit export of patient data, yet checked as a receipt only:
        # no EXPORT, unlike payments.record_saved_copy (see the report).
        "checkin.save_receipt_as",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: checkin.save_receipt_as(s, a, e.made, e.folder / "receipt.pdf"),
        prepare=patient_payment,
    ),
]
