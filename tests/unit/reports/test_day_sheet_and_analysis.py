"""The day sheet (entries by user and provider, the cash drawer) and the
practice analysis, on the small office of ``conftest.small``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, ValidationError
from app.models.audit import AuditEvent
from app.models.ledger import PaymentMethod
from app.services import ledger, practice_analysis
from app.services.day_sheet import NO_PROVIDER, day_sheet
from tests.unit.reports.conftest import Small

D = Decimal


def test_day_sheet_lists_the_day_and_balances_the_drawer(small: Small) -> None:
    st, o = small.office.store, small.office
    with st.unit_of_work() as s:
        ledger.record_patient_payment(
            s,
            o.receptionist,
            patient_id=small.x,
            amount=D("10.00"),
            method=PaymentMethod.CHECK,
            reference="2002",
            received=date(2025, 3, 12),
        )
    with st.unit_of_work() as s:
        sheet = day_sheet(s, o.receptionist, date(2025, 3, 12))
    assert (sheet.start, sheet.end) == (date(2025, 3, 12), date(2025, 3, 12))
    kinds = [(e.kind, e.code, e.charges, e.payments, e.detail) for e in sheet.entries]
    assert kinds == [
        ("Charge", "99203", D("140.00"), D("0.00"), ""),
        ("Patient payment", "", D("0.00"), D("140.00"), "Cash; unapplied"),
        ("Patient payment", "", D("0.00"), D("-140.00"), "Cash; credit applied"),
        ("Patient payment", "99203", D("0.00"), D("140.00"), "Cash"),
        ("Patient payment", "", D("0.00"), D("20.00"), "Card; unapplied"),
        ("Patient payment", "", D("0.00"), D("10.00"), "Check; unapplied"),
    ]
    assert {e.patient for e in sheet.entries} == {"Young, Ada", "Xu, Li"}
    t = sheet.total
    assert (t.entries, t.charges, t.payments, t.adjustments, t.refunds) == (
        6,
        D("140.00"),
        D("170.00"),
        D("0.00"),
        D("0.00"),
    )
    users = {u.name: (u.entries, u.payments) for u in sheet.by_user}
    assert users == {"Test Office manager": (5, D("160.00")), "Test Receptionist": (1, D("10.00"))}
    provs = {p.name: (p.charges, p.payments) for p in sheet.by_provider}
    assert provs == {
        "Adaeze Lindqvist, MD": (D("140.00"), D("140.00")),
        NO_PROVIDER: (D("0.00"), D("30.00")),
    }
    drawer = {d.method: (d.count, d.amount) for d in sheet.drawer}
    assert drawer == {
        "Cash": (1, D("140.00")),
        "Check": (1, D("10.00")),
        "Card": (1, D("20.00")),
        "Other": (0, D("0.00")),
    }
    assert sheet.drawer_total == D("170.00") and sheet.cash_and_checks == D("150.00")
    with st.read_session() as s, s.begin():
        row = s.execute(
            select(AuditEvent).where(AuditEvent.action == "day_sheet_viewed")
        ).scalar_one()
        assert row.entity_id == "2025-03-12..2025-03-12" and row.details == {"entries": 6}


def test_a_month_of_day_sheets_adds_up_to_the_month_totals(small: Small) -> None:
    with small.office.store.unit_of_work() as s:
        sheet = day_sheet(s, small.office.manager, date(2025, 3, 1), date(2025, 3, 31))
    t = sheet.total
    assert (t.charges, t.payments, t.adjustments, t.refunds) == (
        D("305.00"),
        D("264.00"),
        D("30.00"),
        D("20.00"),
    )
    assert all(e.kind != "Transfer" for e in sheet.entries)
    assert not any(
        e.charges == e.payments == e.adjustments == e.refunds == 0 for e in sheet.entries
    )
    adj = [e for e in sheet.entries if e.adjustments]
    assert {(e.kind, e.detail) for e in adj} == {
        ("Adjustment", "CO-45"),
        ("Write-off", ""),
        ("Adjustment", "OA-23"),
    }


def test_day_sheet_is_checked(small: Small) -> None:
    with small.office.store.unit_of_work() as s:
        with pytest.raises(ValidationError) as exc:
            day_sheet(s, small.office.manager, date(2025, 3, 12), date(2025, 3, 1))
        assert exc.value.problems[0].field == "end"
        with pytest.raises(ValidationError) as exc:
            day_sheet(s, small.office.manager, None)
        assert [p.field for p in exc.value.problems] == ["start", "end"]
        with pytest.raises(ValidationError):
            day_sheet(s, small.office.manager, date(2024, 1, 1), date(2025, 3, 1))


def test_practice_analysis_of_march(small: Small) -> None:
    with small.office.store.read_session() as s, s.begin():
        a = practice_analysis.practice_analysis(
            s, small.office.manager, date(2025, 3, 1), date(2025, 3, 31)
        )
        with pytest.raises(PermissionDenied):
            practice_analysis.practice_analysis(
                s, small.office.biller, date(2025, 3, 1), date(2025, 3, 31)
            )
    assert [p.code for p in a.procedures] == ["99214", "99203", "36415", "99213"]
    assert [(d.code, d.visits, d.charges, d.payments) for d in a.diagnoses] == [
        ("E11.9", 1, D("165.00"), D("104.00")),
        ("J06.9", 1, D("140.00"), D("140.00")),
        ("I10", 1, D("0.00"), D("0.00")),
    ]
    assert a.diagnoses[0].description == "Type 2 diabetes mellitus without complications"
    assert a.other_diagnoses == 0
    mix = [
        (m.payer, m.charges, m.charge_share, m.collections, m.collection_share) for m in a.payer_mix
    ]
    assert mix == [
        ("Prairie Health Plan", D("165.00"), D("54.1"), D("90.00"), D("36.9")),
        (practice_analysis.PATIENTS_LABEL, D("140.00"), D("45.9"), D("154.00"), D("63.1")),
    ]
    assert (a.charges, a.contractual, a.collections) == (D("305.00"), D("23.00"), D("244.00"))
    assert a.collection_rate == D("86.5")  # 244 / (305 - 23)
    assert (a.ar_end, a.days, a.days_in_ar) == (D("161.00"), 31, D("16.4"))  # 161 / (305 / 31)
    assert a.average_daily_charges == D("9.84")


def test_only_the_top_25_diagnoses_are_listed(small: Small) -> None:
    from app.models.coding import Encounter, EncounterDiagnosis

    with small.office.store.unit_of_work() as s:
        for i in range(30):
            e = Encounter(patient_id=small.z, date_of_service=date(2025, 3, 3), provider_id=1)
            s.add(e)
            s.flush()
            s.add(EncounterDiagnosis(encounter_id=e.id, position=1, code=f"R{i:02d}.0"))
            if i < 3:
                s.add(EncounterDiagnosis(encounter_id=e.id, position=2, code="E11.9"))
    with small.office.store.read_session() as s, s.begin():
        a = practice_analysis.practice_analysis(
            s, small.office.manager, date(2025, 3, 1), date(2025, 3, 31), describe=None
        )
    assert len(a.diagnoses) == 25 and a.other_diagnoses == 33 - 25
    assert (a.diagnoses[0].code, a.diagnoses[0].visits) == ("E11.9", 4)
    assert a.diagnoses[0].description == ""


def test_a_wrong_range_says_which_field_as_the_screen_names_it() -> None:
    """The range bar shows these in one message box: each names From or To
    (before: "The last day is before the first day", "Choose at most a year")."""
    from app.services.day_sheet import check_range

    with pytest.raises(ValidationError) as bad:
        check_range(date(2026, 5, 2), date(2026, 5, 1))
    assert [p.message for p in bad.value.problems] == [
        "To (05/01/2026) is before From (05/02/2026): choose a last day on or after the first"
    ]
    with pytest.raises(ValidationError) as long:
        check_range(date(2025, 1, 1), date(2026, 1, 2))
    assert [p.message for p in long.value.problems] == [
        "To: a day sheet covers at most a year (366 days, From and To included)"
    ]
    assert check_range(date(2025, 1, 1), date(2026, 1, 1)) == (
        date(2025, 1, 1),
        date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as none:
        check_range(None, None)
    assert [p.message for p in none.value.problems] == [
        "From: choose the first day",
        "To: choose the last day",
    ]
