"""Recording verifications, and the coverage state's window and date edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.errors import ValidationError
from app.models.audit import AuditEvent
from app.models.insurance import Policy, Verification, VerifyResult
from app.services import verification
from app.services.coverage import CoverageState, coverage_on
from app.services.verification import VerificationInput
from tests import factories
from tests import factories_frontdesk as fd

DAY = date(2026, 3, 10)


@pytest.fixture
def policy_id(office):
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        payer = factories.payer(s).id
        return fd.add_policy(s, office.receptionist, pid, payer)


def _at(d: date) -> datetime:
    return datetime.combine(d, time(11, 0)).astimezone(UTC)


def _state(office, policy_id, on, window=30):
    with office.store.unit_of_work() as s:
        return coverage_on(s, s.get(Policy, policy_id), on, window).state


def test_a_verification_records_who_when_how_and_what(office, policy_id) -> None:
    with office.store.unit_of_work() as s:
        rec = verification.record_verification(
            s,
            office.receptionist,
            policy_id,
            fd.checked(
                deductible="1,500.00",
                deductible_met="200",
                out_of_pocket_remaining="3000",
                coinsurance_pct="20%",
                coverage_start="1/1/2026",
                coverage_end="12/31/2026",
                notes="Specialist copay 50",
            ),
        )
    with office.store.unit_of_work() as s:
        v = s.get(Verification, rec.id)
        assert v.verified_by == office.receptionist.user_id
        assert (datetime.now(UTC) - v.verified_at).total_seconds() < 60
        assert v.result is VerifyResult.ACTIVE and v.method.value == "phone"
        assert v.representative == "Dana at Prairie" and v.reference_no == "REF-5521"
        assert str(v.deductible) == "1500.00" and str(v.deductible_met) == "200.00"
        assert v.coinsurance_pct == 20 and v.coverage_end == date(2026, 12, 31)
        ev = s.execute(
            select(AuditEvent).where(AuditEvent.action == "coverage_verified")
        ).scalar_one()
        assert ev.details["reference_no"] == "REF-5521" and ev.details["result"] == "active"


def test_a_phone_check_needs_the_representative_and_reference(office, policy_id) -> None:
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        verification.record_verification(
            s,
            office.receptionist,
            policy_id,
            VerificationInput(method="phone", result="", deductible="10", deductible_met="20"),
        )
    assert err.value.fields() == {"result", "representative", "reference_no", "deductible_met"}
    # A card-only check needs neither.
    with office.store.unit_of_work() as s:
        verification.record_verification(
            s,
            office.receptionist,
            policy_id,
            VerificationInput(method="card_only", result="active"),
        )


def test_window_edge(office, policy_id) -> None:
    with office.store.unit_of_work() as s:
        verification.record_verification(
            s, office.receptionist, policy_id, fd.checked(), at=_at(DAY)
        )
    assert _state(office, policy_id, DAY) is CoverageState.VERIFIED
    assert _state(office, policy_id, DAY + timedelta(days=30)) is CoverageState.VERIFIED
    assert _state(office, policy_id, DAY + timedelta(days=31)) is CoverageState.STALE
    assert _state(office, policy_id, DAY + timedelta(days=10), window=10) is CoverageState.VERIFIED
    assert _state(office, policy_id, DAY + timedelta(days=11), window=10) is CoverageState.STALE
    # A visit before the verification was made: it did not exist yet.
    assert _state(office, policy_id, DAY - timedelta(days=1)) is CoverageState.NEVER


def test_policy_end_date_edge(office, policy_id) -> None:
    with office.store.unit_of_work() as s:
        s.get(Policy, policy_id).end_date = DAY + timedelta(days=5)
        verification.record_verification(
            s, office.receptionist, policy_id, fd.checked(), at=_at(DAY)
        )
    assert _state(office, policy_id, DAY + timedelta(days=5)) is CoverageState.VERIFIED
    assert _state(office, policy_id, DAY + timedelta(days=6)) is CoverageState.INACTIVE


def test_policy_effective_date_edge(office, policy_id) -> None:
    with office.store.unit_of_work() as s:
        s.get(Policy, policy_id).effective_date = DAY + timedelta(days=2)
        verification.record_verification(
            s, office.receptionist, policy_id, fd.checked(), at=_at(DAY)
        )
    assert _state(office, policy_id, DAY + timedelta(days=1)) is CoverageState.INACTIVE
    assert _state(office, policy_id, DAY + timedelta(days=2)) is CoverageState.VERIFIED


def test_verified_coverage_dates_edge(office, policy_id) -> None:
    with office.store.unit_of_work() as s:
        verification.record_verification(
            s,
            office.receptionist,
            policy_id,
            fd.checked(coverage_end=DAY + timedelta(days=3)),
            at=_at(DAY),
        )
    assert _state(office, policy_id, DAY + timedelta(days=3)) is CoverageState.VERIFIED
    assert _state(office, policy_id, DAY + timedelta(days=4)) is CoverageState.INACTIVE


def test_the_latest_check_wins(office, policy_id) -> None:
    with office.store.unit_of_work() as s:
        verification.record_verification(
            s, office.receptionist, policy_id, fd.checked(), at=_at(DAY)
        )
        verification.record_verification(
            s,
            office.receptionist,
            policy_id,
            fd.checked(result="inactive"),
            at=_at(DAY + timedelta(days=1)),
        )
    assert _state(office, policy_id, DAY) is CoverageState.VERIFIED
    assert _state(office, policy_id, DAY + timedelta(days=1)) is CoverageState.INACTIVE
