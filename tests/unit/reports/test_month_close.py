"""Closing and reopening months: the snapshot, the refusal of entries dated in
a closed month, the reason and audit of a reopen, and the comparison of a
closed month's snapshot with today's ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.ledger import EntryKind, MonthCloseEvent, PaymentMethod
from app.services import audit, ledger, month_close, month_totals
from app.services.ledger import ClosedMonthError
from tests.unit.reports import builders as b
from tests.unit.reports.conftest import Small

APRIL_10 = date(2025, 4, 10)


def _close(small: Small, month: str = "2025-03", **kw: object) -> month_close.CloseResult:
    with small.office.store.unit_of_work() as s:
        return month_close.close_month(s, small.office.manager, month, today=APRIL_10, **kw)


def _pay(small: Small, on: date) -> None:
    with small.office.store.unit_of_work() as s:
        ledger.record_patient_payment(
            s,
            small.office.receptionist,
            patient_id=small.y,
            amount=Decimal("10.00"),
            method=PaymentMethod.CASH,
            received=on,
        )


def test_closing_keeps_the_totals_and_refuses_entries_dated_in_the_month(small: Small) -> None:
    result = _close(small)
    # March 2024 is the office's first month with entries: it and every month
    # up to February 2025 close with March.
    assert result.also_closed[0] == "2024-03" and result.also_closed[-1] == "2025-02"
    assert len(result.also_closed) == 12
    assert result.state.closed and result.state.differences == ()
    assert "Today's ledger gives the same totals" in result.state.summary

    with small.office.store.read_session() as s, s.begin():
        ev = s.execute(
            select(MonthCloseEvent).where(MonthCloseEvent.month == "2025-03")
        ).scalar_one()
        assert ev.action == "close" and ev.user_id == small.office.manager.user_id
        assert ev.snapshot["figures"]["charges"] == "305.00"
        assert ev.snapshot["figures"]["ar_end"] == "161.00"
        assert ev.snapshot["figures"]["visits"] == 3
        row = s.execute(select(AuditEvent).where(AuditEvent.action == "month_closed")).scalar_one()
        assert row.entity_id == "2025-03" and row.details["ar_end"] == "161.00"
        assert row.details["also_closed"] == "2024-03 to 2025-02"
        assert ledger.closed_months(s) >= {"2025-03", "2025-02", "2024-03"}

    with pytest.raises(ClosedMonthError) as exc:
        _pay(small, date(2025, 3, 31))
    assert exc.value.message.startswith("March 2025 is closed: no entry can be dated 03/31/2025.")
    assert "ask the office manager to reopen the month" in exc.value.message
    with pytest.raises(ClosedMonthError):
        _pay(small, date(2024, 11, 5))  # closed with March
    _pay(small, date(2025, 4, 1))  # April is open: late corrections go here
    with small.office.store.read_session() as s, s.begin():
        assert month_totals.month_totals(s, "2025-03").patient_payments == Decimal("174.00")
        assert month_totals.month_totals(s, "2025-04").patient_payments == Decimal("10.00")


def test_a_month_that_has_not_ended_or_is_closed_cannot_be_closed(small: Small) -> None:
    with pytest.raises(ValidationError) as exc:
        _close(small, "2025-04")
    assert exc.value.problems[0].field == "month"
    assert "April 2025 has not ended yet: it can be closed from 05/01/2025" in exc.value.message
    _close(small)
    with pytest.raises(UserFacingError, match="March 2025 is already closed"):
        _close(small)
    with pytest.raises(UserFacingError, match="already closed"):
        _close(small, "2025-01")


def test_only_the_manager_closes_and_reopens(small: Small) -> None:
    with small.office.store.unit_of_work() as s, pytest.raises(PermissionDenied):
        month_close.close_month(s, small.office.biller, "2025-03", today=APRIL_10)
    _close(small)
    with small.office.store.unit_of_work() as s, pytest.raises(PermissionDenied):
        month_close.reopen_month(s, small.office.biller, "2025-03", "fix")


def test_totals_that_changed_after_review_are_not_closed(small: Small) -> None:
    with small.office.store.read_session() as s, s.begin():
        reviewed = month_close.review_month(s, small.office.manager, "2025-03").report.totals
    _pay(small, date(2025, 3, 31))
    with pytest.raises(UserFacingError, match="changed after you reviewed them"):
        _close(small, reviewed=reviewed)
    with small.office.store.read_session() as s, s.begin():
        reviewed = month_close.review_month(s, small.office.manager, "2025-03").report.totals
    assert _close(small, reviewed=reviewed).state.closed


def test_reopen_needs_a_reason_is_audited_and_shows_what_changed(small: Small) -> None:
    _close(small)
    with small.office.store.unit_of_work() as s:
        with pytest.raises(ValidationError) as exc:
            month_close.reopen_month(s, small.office.manager, "2025-02", "  ")
        assert [p.field for p in exc.value.problems] == ["reason"]
        state = month_close.reopen_month(
            s, small.office.manager, "2025-02", "Late charge from the lab"
        )
        assert not state.closed
        assert "reopened on" in state.summary and "Late charge from the lab" in state.summary
        assert month_close.later_closed_months(s, "2025-02") == ["2025-03"]
    # A late February charge changes March's opening A/R: March's review says so.
    with small.office.store.unit_of_work() as s:
        b.entry(
            s,
            small.office.manager,
            kind=EntryKind.CHARGE,
            amount="25.00",
            patient_id=small.y,
            on=date(2025, 2, 20),
        )
    with small.office.store.read_session() as s, s.begin():
        review = month_close.review_month(s, small.office.manager, "2025-03")
        rows = s.execute(
            select(AuditEvent).where(AuditEvent.action == "month_reopened")
        ).scalar_one()
        assert rows.details == {"reason": "Late charge from the lab"}
        assert audit.verify(s).ok
    assert review.state.closed
    diffs = {label: (then, now) for label, then, now in review.state.differences}
    assert diffs == {
        "A/R at start of month": ("130.00", "155.00"),
        "A/R at end of month": ("161.00", "186.00"),
        "A/R rolled forward": ("161.00", "186.00"),
    }
    assert "3 figures different from the totals kept at close" in review.state.summary
    # Closing February again keeps its new totals; March stays as it was kept.
    with small.office.store.unit_of_work() as s:
        month_close.close_month(s, small.office.manager, "2025-02", today=APRIL_10)
        assert month_close.close_state(s, "2025-02").differences == ()
        with pytest.raises(UserFacingError, match="is not closed"):
            month_close.reopen_month(s, small.office.manager, "2025-04", "why")
