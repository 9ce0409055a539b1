"""Monthly totals on a small office whose every figure is worked out by hand
(see ``conftest.small``), and the roll-forward on ten years of a synthetic
office."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.demo import OfficeSize, build_office
from app.errors import PermissionDenied, ValidationError
from app.models.ledger import LedgerEntry
from app.money import sum_money
from app.services import month_totals as mt
from app.services.ledger import month_key
from tests.unit.reports.conftest import Small

D = Decimal


def _report(small: Small, month: str = "2025-03") -> mt.MonthReport:
    with small.office.store.read_session() as s, s.begin():
        return mt.month_report(s, small.office.manager, month)


def test_march_totals_match_the_hand_count(small: Small) -> None:
    t = _report(small).totals
    assert t.month == "2025-03"
    assert t.charges == D("305.00")
    assert t.insurance_payments == D("90.00")
    assert t.patient_payments == D("174.00")
    assert t.payments == D("264.00")
    assert t.contractual == D("23.00")
    assert t.write_offs == D("3.00")
    assert t.other_adjustments == D("4.00")
    assert t.adjustments == D("30.00")
    assert t.refunds == D("20.00")
    assert t.transfers == D("0.00")
    assert t.net_collections == D("244.00")
    assert t.ar_start == D("130.00")
    assert t.ar_end == D("161.00")
    assert t.ar_rolled_forward == D("161.00") and t.balanced
    assert (t.visits, t.new_patients) == (3, 1)
    assert (t.claims_made, t.claims_paid, t.claims_denied) == (1, 1, 1)
    assert t.expenses["rent"] == D("2000.00")
    assert t.expenses["supplies"] == D("120.00")
    assert t.expenses_total == D("2120.00")
    assert t.net == D("-1876.00")


def test_previous_month_and_last_year_sit_beside_it(small: Small) -> None:
    r = _report(small)
    assert r.previous.month == "2025-02" and r.last_year.month == "2024-03"
    assert (r.previous.charges, r.previous.ar_end, r.previous.new_patients) == (
        D("130.00"),
        D("130.00"),
        1,
    )
    assert (r.last_year.charges, r.last_year.patient_payments, r.last_year.new_patients) == (
        D("75.00"),
        D("75.00"),
        1,
    )
    rows = {f.key: f for f in r.figures}
    charges = rows["charges"]
    assert (charges.value, charges.previous, charges.change_from_previous) == (
        D("305.00"),
        D("130.00"),
        D("175.00"),
    )
    assert (charges.last_year, charges.change_from_last_year) == (D("75.00"), D("230.00"))
    assert rows["visits"].money is False and rows["visits"].change_from_last_year == 2
    assert rows["expenses.rent"].change_from_previous == D("0.00")
    assert [f.key for f in r.figures] == [f.key for f in mt.FIGURES]


def test_breakdowns_by_provider_payer_and_code(small: Small) -> None:
    r = _report(small)
    prov = {p.provider: p for p in r.by_provider}
    a = prov["Adaeze Okafor, MD"]
    assert (a.visits, a.charges, a.payments, a.adjustments, a.refunds) == (
        2,
        D("165.00"),
        D("104.00"),
        D("30.00"),
        D("0.00"),
    )
    bb = prov["Adaeze Lindqvist, MD"]
    assert (bb.visits, bb.charges, bb.payments) == (1, D("140.00"), D("140.00"))
    # The card overpayment and its refund never reached a line: no provider.
    none = prov[mt.NO_PROVIDER]
    assert (none.payments, none.refunds, none.net_collections) == (
        D("20.00"),
        D("20.00"),
        D("0.00"),
    )
    assert sum(p.net_collections for p in r.by_provider) == r.totals.net_collections

    payers = {p.payer: p for p in r.by_payer}
    prairie = payers["Prairie Health Plan"]
    assert (prairie.charges, prairie.payments, prairie.adjustments, prairie.transfers) == (
        D("165.00"),
        D("90.00"),
        D("27.00"),
        D("-17.00"),
    )
    pts = payers[mt.PATIENTS]
    assert (pts.charges, pts.payments, pts.adjustments, pts.transfers, pts.refunds) == (
        D("140.00"),
        D("174.00"),
        D("3.00"),
        D("17.00"),
        D("20.00"),
    )
    assert "Heartland Mutual" not in payers  # no activity in March
    assert [p.payer for p in r.by_payer][-1] == mt.PATIENTS

    codes = [(p.code, p.units, p.charges, p.payments, p.paid_units) for p in r.by_procedure]
    assert codes == [
        ("99214", 1, D("165.00"), D("0.00"), 0),
        ("99203", 1, D("140.00"), D("140.00"), 1),
        ("36415", 0, D("0.00"), D("12.00"), 1),
        ("99213", 0, D("0.00"), D("92.00"), 1),
    ]
    avg = {p.code: p.average_paid_per_unit for p in r.by_procedure}
    assert avg == {"99214": None, "99203": D("140.00"), "36415": D("12.00"), "99213": D("92.00")}


def test_the_twelve_months_end_with_the_month(small: Small) -> None:
    r = _report(small)
    assert [t.month for t in r.series] == [f"2024-{m:02d}" for m in range(4, 13)] + [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    by = {t.month: t for t in r.series}
    assert by["2025-02"].expenses_total == D("2000.00")
    assert by["2024-04"].charges == D("0.00")
    assert all(t.balanced for t in r.series)


def test_a_reversed_charge_takes_its_units_back(small: Small) -> None:
    from app.services import ledger

    with small.office.store.unit_of_work() as s:
        charge_id = s.execute(
            select(LedgerEntry.id).where(
                LedgerEntry.kind == "charge", LedgerEntry.entry_date == date(2025, 3, 25)
            )
        ).scalar_one()
        ledger.reverse(s, small.office.manager, [charge_id], on=date(2025, 3, 31), memo="wrong")
    r = _report(small)
    row = next(p for p in r.by_procedure if p.code == "99214")
    assert (row.units, row.charges) == (0, D("0.00"))
    assert r.totals.charges == D("140.00") and r.totals.balanced


def test_month_is_checked_and_reports_need_the_permission(small: Small) -> None:
    with small.office.store.read_session() as s, s.begin():
        with pytest.raises(ValidationError) as exc:
            mt.month_report(s, small.office.manager, "2025-13")
        assert exc.value.problems[0].field == "month"
        with pytest.raises(PermissionDenied):
            mt.month_report(s, small.office.biller, "2025-03")
    assert mt.parse_month("3/2025") == "2025-03"
    assert mt.shift_month("2025-01", -1) == "2024-12"
    assert mt.shift_month("2024-12", 13) == "2026-01"
    assert mt.month_bounds("2024-12") == (date(2024, 12, 1), date(2025, 1, 1))


@pytest.mark.slow
def test_roll_forward_balances_every_month_of_ten_years(store, office_tz) -> None:
    """A/R at start + charges - payments - adjustments + refunds = A/R at end,
    to the cent, for every month of a ten-year synthetic office; A/R summed
    straight from the ledger at each month's edges agrees."""
    with store.unit_of_work() as s:
        build_office(
            s, OfficeSize(patients=200, years=10, visits_per_year=1200, end=date(2025, 6, 18))
        )
    with store.read_session() as s, s.begin():
        first = s.execute(select(func.min(LedgerEntry.entry_date))).scalar_one()
        months = mt.months_totals(s, month_key(first), "2025-06")
        assert len(months) >= 120
        edges = {
            m.month: sum_money(
                s.execute(
                    select(func.sum(LedgerEntry.amount)).where(
                        LedgerEntry.entry_date < mt.month_bounds(m.month)[0]
                    )
                ).scalar()
            )
            for m in months
        }
        total = sum_money(s.execute(select(func.sum(LedgerEntry.amount))).scalar())
        single = {m: mt.month_totals(s, m) for m in ("2016-01", "2020-02", "2025-05")}
    for i, t in enumerate(months):
        assert t.balanced, t.month
        assert t.ar_start == edges[t.month], t.month
        expected_end = edges[months[i + 1].month] if i + 1 < len(months) else total
        assert t.ar_end == expected_end, t.month
        assert t.transfers == D("0.00"), t.month
    assert sum((t.charges for t in months), D(0)) > D("500000")
    by_month = {t.month: t for t in months}
    for m, t in single.items():
        assert t == by_month[m]


def test_months_before_the_office_data_starts_show_no_data_not_zero(small: Small, tmp_path) -> None:
    import csv
    import io

    import openpyxl

    from app.reports import exports
    from app.reports.month_report import _change, _value

    with small.office.store.read_session() as s, s.begin():
        first = mt.first_month(s)
    assert first is not None
    r = _report(small, first)
    assert r.data_from == first
    charges = next(f for f in r.figures if f.key == "charges")
    # Last year and the month before the first: no data, not 0.00.
    assert charges.last_year is None and charges.change_from_last_year is None
    assert charges.previous is None and charges.change_from_previous is None
    assert charges.value == r.totals.charges
    assert (_value(None, True), _change(None, True)) == ("no data", "-")
    # A later month keeps its comparisons (0.00 is a real zero there).
    later = next(f for f in _report(small, mt.shift_month(first, 1)).figures if f.key == "charges")
    assert later.previous == r.totals.charges and later.last_year is None

    totals = exports.month_tables(r)[0]
    row = next(csv.DictReader(io.StringIO(exports.csv_text(totals))))
    assert row["Figure"] == "Charges" and row["This month"] == str(r.totals.charges)
    assert row["Same month last year"] == "" and row["Change from same month last year"] == ""
    path = tmp_path / "t.xlsx"
    exports.write_xlsx([totals], path)
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[2]][2:] == [r.totals.charges, None, None, None, None]
