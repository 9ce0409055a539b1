"""Every figure of a fixed synthetic office's month against the checked-in
reference CSVs (tests/golden/reports/), and the three exports read back: the
CSV files, the XLSX workbook (numbers are numbers) and the printed PDF."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from sqlalchemy import delete, select

from app.demo import OfficeSize, build_office
from app.errors import PermissionDenied, ValidationError
from app.models.audit import AuditEvent
from app.models.ledger import AdjustmentType, EntryKind, LedgerEntry, Party
from app.models.payables import Bill, BillPayment, ExpenseCategory, RecurringBill, Vendor
from app.models.staff import User
from app.money import fmt
from app.reports import exports
from app.services import audit, month_export, month_totals
from app.services.auth import Actor, actor_for
from app.store.engine import Store, open_store
from app.store.keys import new_key
from tests.unit.reports import builders as b

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "reports"
MONTH = "2025-05"
FIXED = OfficeSize(patients=400, years=2, visits_per_year=600, seed=20261127, end=date(2025, 6, 18))
PREFIX = "maple-street-family-medicine_2025-05_monthly-totals"


def build_fixed_office(store: Store) -> Actor:
    """The demo office ending 06/18/2025, plus what its generator does not
    make: a write-off, an other adjustment and a refund in May 2025, and the
    office's bills paid (rent, supplies, utilities, software)."""
    with store.unit_of_work() as s:
        build_office(s, FIXED)
        # The office's bills below are made by hand: drop the ones the
        # generator's payables step makes, so these figures stay hand-checked.
        for model in (BillPayment, Bill, RecurringBill, Vendor):
            s.execute(delete(model))
        manager = actor_for(s.execute(select(User).where(User.username == "manager")).scalar_one())
        line, patient, provider = s.execute(
            select(LedgerEntry.service_line_id, LedgerEntry.patient_id, LedgerEntry.provider_id)
            .where(LedgerEntry.kind == EntryKind.CHARGE, LedgerEntry.entry_date >= date(2025, 5, 1))
            .order_by(LedgerEntry.id)
            .limit(1)
        ).one()
        on = date(2025, 5, 21)
        b.entry(
            s,
            manager,
            kind=EntryKind.WRITE_OFF,
            amount="-12.50",
            patient_id=patient,
            on=on,
            service_line_id=line,
            provider_id=provider,
            adjustment_type=AdjustmentType.BAD_DEBT,
        )
        b.entry(
            s,
            manager,
            kind=EntryKind.ADJUSTMENT,
            amount="-6.00",
            patient_id=patient,
            on=on,
            service_line_id=line,
            provider_id=provider,
            party=Party.PATIENT,
            adjustment_type=AdjustmentType.COURTESY,
        )
        b.entry(
            s,
            manager,
            kind=EntryKind.ADJUSTMENT,
            amount="-4.25",
            patient_id=patient,
            on=on,
            service_line_id=line,
            provider_id=provider,
            carc_group="OA",
            carc_code="23",
            adjustment_type=AdjustmentType.OTHER,
        )
        b.entry(
            s,
            manager,
            kind=EntryKind.REFUND,
            amount="15.00",
            patient_id=patient,
            on=date(2025, 5, 28),
        )
        for paid in (date(2024, 5, 1), date(2025, 4, 1), date(2025, 5, 1)):
            b.bill_paid(
                s,
                "Oak Property Management",
                ExpenseCategory.RENT,
                "2400.00",
                paid,
                [(paid, "2400.00")],
            )
        b.bill_paid(
            s,
            "Midwest Medical Supply",
            ExpenseCategory.SUPPLIES,
            "318.45",
            date(2025, 5, 9),
            [(date(2025, 5, 14), "318.45")],
        )
        b.bill_paid(
            s,
            "Ameren Illinois",
            ExpenseCategory.UTILITIES,
            "205.12",
            date(2025, 5, 12),
            [(date(2025, 5, 20), "205.12")],
        )
        b.bill_paid(
            s,
            "Office Software Co",
            ExpenseCategory.SOFTWARE,
            "89.00",
            date(2025, 5, 3),
            [(date(2025, 5, 3), "89.00")],
        )
    return manager


@pytest.fixture(scope="module")
def fixed_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, Actor]:
    """The fixed office is built once per module; each test opens its own copy."""
    path = tmp_path_factory.mktemp("fixed") / "fixed.medbill"
    key = new_key()
    st = open_store(path, key, create=True)
    actor = build_fixed_office(st)
    st.close()
    return path, key, actor


@dataclass
class Fixed:
    store: Store
    actor: Actor


@pytest.fixture
def fixed(fixed_file, tmp_path: Path, office_tz: None) -> Iterator[Fixed]:
    src, key, actor = fixed_file
    dest = tmp_path / "office.medbill"
    shutil.copyfile(src, dest)
    st = open_store(dest, key)
    yield Fixed(st, actor)
    st.close()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    d = tmp_path / "exports"
    d.mkdir()
    return d


def _report(store: Store, actor: Actor) -> month_totals.MonthReport:
    with store.read_session() as s, s.begin():
        return month_totals.month_report(s, actor, MONTH)


def test_every_figure_matches_the_reference_csvs(fixed: Fixed) -> None:
    tables = exports.month_tables(_report(fixed.store, fixed.actor))
    assert [t.name for t in tables] == list(month_export.MONTH_TABLE_NAMES)
    for t in tables:
        path = GOLDEN / f"monthly-{t.name}.csv"
        text = exports.csv_text(t)
        if os.environ.get("MEDBILL_UPDATE_GOLDEN"):
            path.write_text(text, encoding="utf-8", newline="")
        assert text == path.read_text(encoding="utf-8"), f"{path.name} differs"


def test_the_reference_month_exercises_every_kind_of_figure(fixed: Fixed) -> None:
    t = _report(fixed.store, fixed.actor).totals
    assert t.balanced and t.transfers == 0
    for name in (
        "charges",
        "insurance_payments",
        "patient_payments",
        "contractual",
        "write_offs",
        "other_adjustments",
        "refunds",
    ):
        assert getattr(t, name) > 0, name
    assert t.write_offs == Decimal("18.50") and t.other_adjustments == Decimal("4.25")
    assert t.expenses_total == Decimal("3012.57")
    assert min(t.visits, t.claims_made, t.claims_paid, t.claims_denied, t.new_patients) > 0


def _export(store: Store, actor: Actor, fmt_: str, folder: Path, **kw: object):
    with store.unit_of_work() as s:
        return month_export.export_month(s, actor, MONTH, fmt_, folder, **kw)


def test_csv_export_writes_one_tidy_file_per_table(fixed: Fixed, out) -> None:
    result = _export(fixed.store, fixed.actor, "csv", out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        f"maple-street-family-medicine_2025-05_monthly-{n}.csv"
        for n in month_export.MONTH_TABLE_NAMES
    )
    assert [p.name for p in result.files] == [
        f"maple-street-family-medicine_2025-05_monthly-{n}.csv"
        for n in month_export.MONTH_TABLE_NAMES
    ]
    for n in month_export.MONTH_TABLE_NAMES:
        written = (out / f"maple-street-family-medicine_2025-05_monthly-{n}.csv").read_text()
        assert written == (GOLDEN / f"monthly-{n}.csv").read_text()
    with fixed.store.read_session() as s, s.begin():
        row = s.execute(
            select(AuditEvent).where(AuditEvent.action == "report_exported")
        ).scalar_one()
        assert row.entity == "month" and row.entity_id == MONTH
        assert row.details["format"] == "csv" and len(row.details["files"]) == 5
        assert audit.verify(s).ok


def test_xlsx_has_a_sheet_per_table_with_numbers_as_numbers(fixed: Fixed, out) -> None:
    r = _report(fixed.store, fixed.actor)
    (path,) = _export(fixed.store, fixed.actor, "xlsx", out).files
    assert path.name == f"{PREFIX}.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Totals", "By provider", "By payer", "By procedure", "12 months"]
    tables = {t.title: t for t in exports.month_tables(r)}
    for name in wb.sheetnames:
        ws = wb[name]
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == tables[name].headers
        assert len(rows) - 1 == len(tables[name].rows)
    ws = wb["Totals"]
    by_label = {row[1].value: row for row in ws.iter_rows(min_row=2)}
    charges = by_label["Charges"][2]
    assert isinstance(charges.value, (int, float)) and not isinstance(charges.value, bool)
    assert Decimal(str(charges.value)).quantize(Decimal("0.01")) == r.totals.charges
    assert "$" in charges.number_format and "0.00" in charges.number_format
    visits = by_label["Visits"][2]
    assert visits.value == r.totals.visits and isinstance(visits.value, int)
    assert visits.number_format == "#,##0"
    ar_end = by_label["A/R at end of month"][2]
    assert Decimal(str(ar_end.value)).quantize(Decimal("0.01")) == r.totals.ar_end
    payer = wb["By payer"]
    for row in payer.iter_rows(min_row=2):
        assert isinstance(row[1].value, str)
        for cell in row[2:]:
            assert isinstance(cell.value, (int, float)), (row[1].value, cell.column)
            assert "$" in cell.number_format
    procs = wb["By procedure"]
    units = [row[3] for row in procs.iter_rows(min_row=2)]
    assert all(isinstance(c.value, int) for c in units)
    assert sum(c.value for c in units) == sum(p.units for p in r.by_procedure)


def _lines(page) -> list[str]:
    """The page's words joined into lines by their position."""
    rows: dict[int, list[tuple[float, str]]] = {}
    for w in page.extract_words():
        rows.setdefault(round(w["top"] / 3), []).append((w["x0"], w["text"]))
    return [" ".join(t for _, t in sorted(ws)) for _, ws in sorted(rows.items())]


def test_pdf_prints_the_totals(fixed: Fixed, out) -> None:
    r = _report(fixed.store, fixed.actor)
    t = r.totals
    (path,) = _export(fixed.store, fixed.actor, "pdf", out).files
    assert path.name == f"{PREFIX}.pdf"
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2
        first = _lines(pdf.pages[0])
        text = "\n".join("\n".join(_lines(p)) for p in pdf.pages)
    assert first[0] == "Monthly totals: May 2025"
    assert "Maple Street Family Medicine" in first[1]
    assert "May 2025 is open." in text

    def row(label: str) -> str:
        return next(line for line in first if line.startswith(label + " "))

    prev, ly = r.previous, r.last_year
    assert row("Charges") == (
        f"Charges {fmt(t.charges)} {fmt(prev.charges)} "
        f"{fmt(t.charges - prev.charges) if t.charges < prev.charges else '+' + fmt(t.charges - prev.charges)} "
        f"{fmt(ly.charges)} "
        f"{fmt(t.charges - ly.charges) if t.charges < ly.charges else '+' + fmt(t.charges - ly.charges)}"
    )
    for label, value in (
        ("Insurance payments", t.insurance_payments),
        ("Patient payments", t.patient_payments),
        ("Contractual adjustments", t.contractual),
        ("Write-offs", t.write_offs),
        ("Other adjustments", t.other_adjustments),
        ("Refunds", t.refunds),
        ("Net collections", t.net_collections),
        ("A/R at start of month", t.ar_start),
        ("A/R at end of month", t.ar_end),
        ("Expenses paid: Rent", t.expenses["rent"]),
        ("Expenses paid", t.expenses_total),
        ("Net (collections less expenses)", t.net),
    ):
        assert row(label).split()[len(label.split())] == fmt(value), label
    assert row("Visits").split()[1] == str(t.visits)
    assert row("Claims denied").split()[2] == str(t.claims_denied)
    assert "balances to the cent." in text
    assert "The last 12 months" in text and "Jun 24" in text and "May 25" in text
    assert "By provider" in text and "By payer" in text and "By procedure code" in text
    assert "Page 1 of" in text


def test_a_cancelled_export_leaves_nothing(fixed: Fixed, out) -> None:
    for kind in ("csv", "xlsx", "pdf"):
        with pytest.raises(month_export.ExportCancelled):
            _export(fixed.store, fixed.actor, kind, out, cancelled=lambda: True)
    assert list(out.iterdir()) == []
    with fixed.store.read_session() as s, s.begin():
        assert (
            s.execute(select(AuditEvent).where(AuditEvent.action == "report_exported")).first()
            is None
        )


def test_export_is_checked(store: Store, office, out) -> None:
    with pytest.raises(ValidationError) as exc:
        _export(store, office.manager, "docx", out / "nowhere")
    assert {p.field for p in exc.value.problems} == {"format", "folder"}
    with pytest.raises(PermissionDenied):
        _export(store, office.biller, "csv", out)
    with pytest.raises(PermissionDenied):
        _export(store, office.receptionist, "csv", out)
