"""The demo office is something a newcomer works in: its data must pass the
program's own checks."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.demo import OfficeSize, build_office
from app.models.insurance import Payer, Policy, Program
from app.models.patient import Patient
from app.services import claim_check


def test_demo_medicare_members_carry_a_medicare_beneficiary_identifier(store) -> None:
    with store.unit_of_work() as s:
        build_office(s, OfficeSize(patients=150, years=1, end=date(2025, 6, 18)))
    with store.read_session() as s, s.begin():
        rows = s.execute(
            select(Policy.member_id, Payer.program).join(Payer, Policy.payer_id == Payer.id)
        ).all()
    medicare = [m for m, program in rows if program == Program.MEDICARE]
    others = [m for m, program in rows if program != Program.MEDICARE]
    assert medicare and others
    assert all(claim_check._MBI.match(m) for m in medicare), medicare
    assert not any(claim_check._MBI.match(m) for m in others)


def test_demo_minors_guarantor_has_the_address_statements_are_mailed_to(store) -> None:
    """The registration form requires another guarantor's address; the demo's
    parents live at the child's address."""
    with store.unit_of_work() as s:
        build_office(s, OfficeSize(patients=150, years=1, end=date(2025, 6, 18)))
    with store.read_session() as s, s.begin():
        minors = s.scalars(select(Patient).where(Patient.guarantor_is_patient.is_(False))).all()
        assert minors
        for kid in minors:
            assert kid.guarantor_address1 == kid.address1
            assert (kid.guarantor_city, kid.guarantor_state, kid.guarantor_zip) == (
                kid.city,
                kid.state,
                kid.zip,
            )
            assert kid.guarantor_phone
