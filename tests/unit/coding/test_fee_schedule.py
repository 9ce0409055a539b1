"""The fee schedule: editing, CSV/XLSX import with a preview of every bad
row, per-payer allowed amounts, the starter list, and the HCPCS file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.codes import fee_file, hcpcs
from app.errors import PermissionDenied, ValidationError
from app.models.audit import AuditEvent
from app.models.coding import FeeItem, HcpcsCode, PayerAllowed
from app.services import fee_schedule as fs
from app.services.fee_schedule import FeeItemInput, ImportCancelled
from tests import factories


def _csv(tmp_path: Path, text: str, name: str = "fees.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_add_and_change_a_code_is_audited(office) -> None:
    with office.store.unit_of_work() as s:
        row = fs.save_item(
            s, office.biller, FeeItemInput("99213", "Established visit, low", "115.00")
        )
        assert row.price == Decimal("115.00") and row.active
        fs.save_item(
            s,
            office.biller,
            FeeItemInput("99213", "Established visit, low", "120.00", active=True),
            row.id,
        )
    with office.store.session() as s:
        item = s.execute(select(FeeItem)).scalar_one()
        assert item.price == Decimal("120.00")
        events = [
            (e.action, e.details)
            for e in s.execute(select(AuditEvent).where(AuditEvent.entity == "fee_item")).scalars()
        ]
    assert events[0][0] == "fee_item_added"
    assert events[1] == ("fee_item_changed", {"price": ["115.00", "120.00"]})


def test_bad_fee_items_are_refused_with_every_problem(office) -> None:
    with office.store.unit_of_work() as s, pytest.raises(ValidationError) as ei:
        fs.save_item(s, office.biller, FeeItemInput("9921", "", "-5"))
    assert ei.value.fields() == {"code", "description", "price"}
    with office.store.unit_of_work() as s:
        fs.save_item(s, office.biller, FeeItemInput("J1100", "Dexamethasone 1 mg", ""))
    with office.store.unit_of_work() as s, pytest.raises(ValidationError) as ei:
        fs.save_item(s, office.biller, FeeItemInput("j1100", "Again", "3.00"))
    assert "J1100 is already on the fee schedule" in ei.value.message


def test_receptionist_cannot_edit_the_fee_schedule(office) -> None:
    with office.store.unit_of_work() as s, pytest.raises(PermissionDenied):
        fs.save_item(s, office.receptionist, FeeItemInput("99213", "x", "1.00"))


def test_csv_preview_lists_every_bad_row_and_why(office, tmp_path: Path) -> None:
    with office.store.unit_of_work() as s:
        factories.payer(s, "Prairie Health Plan")
        fs.save_item(s, office.biller, FeeItemInput("99213", "Established visit", "110.00"))
    path = _csv(
        tmp_path,
        "Code,Description,Price,Active,Allowed: Prairie Health Plan,Notes\n"
        "99213,Established visit,115.00,yes,82.50,raised\n"
        "99214,Established visit moderate,165,yes,,\n"
        "9921,Bad code,10.00,yes,,\n"
        "99215,High,12.345,yes,,\n"
        "99214,Again,1.00,yes,,\n"
        "36415,Blood draw,0,maybe,-3,\n"
        ",,,,,\n"
        "J1100,,4.00,yes,,\n",
    )
    with office.store.unit_of_work() as s:
        p = fs.preview_import(s, office.biller, path)
    assert p.problems == []
    assert p.notes == ["Column 'Notes' is not a fee schedule column; ignored"]
    assert [(r.code, r.action) for r in p.rows] == [("99213", "change"), ("99214", "new")]
    assert p.rows[0].changes[0] == "price 110.00 -> 115.00"
    assert "allowed" in p.rows[0].changes[1]
    bad = {b.row_no: b.reasons for b in p.bad}
    assert set(bad) == {4, 5, 6, 7, 9}
    assert "not a CPT or HCPCS code" in bad[4][0]
    assert "more than two decimal places" in bad[5][0]
    assert bad[6] == ("99214 is also on row 3",)
    assert any("price must be more than 0.00" in r for r in bad[7])
    assert any("active 'maybe' should be yes or no" in r for r in bad[7])
    assert any("allowed amount for Prairie Health Plan must be more than 0.00" in r for r in bad[7])
    assert bad[9] == ("J1100 is new: it needs a description",)
    assert p.counts == {"new": 1, "change": 1, "same": 0, "bad": 5}
    with office.store.session() as s:  # a preview stores nothing
        assert s.execute(select(FeeItem.price).where(FeeItem.code == "99213")).scalar_one() == (
            Decimal("110.00")
        )

    with office.store.unit_of_work() as s:
        result = fs.apply_import(s, office.biller, p)
    assert (result.added, result.changed, result.skipped_bad) == (1, 1, 5)
    with office.store.session() as s:
        prices = dict(s.execute(select(FeeItem.code, FeeItem.price)).all())
        assert prices == {"99213": Decimal("115.00"), "99214": Decimal("165.00")}
        allowed = s.execute(select(PayerAllowed)).scalar_one()
        assert allowed.allowed == Decimal("82.50")
        ev = s.execute(
            select(AuditEvent).where(AuditEvent.action == "fee_schedule_imported")
        ).scalar_one()
        assert ev.details["added"] == 1 and ev.details["bad_rows"] == 5


def test_xlsx_import_reads_numbers_and_codes(office, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "description", "fee"])
    ws.append([99213, "Established visit", 115.5])
    ws.append(["0001U", "Lab analysis", 200])
    ws.append(["J1885", "Ketorolac 15 mg", 7.25])
    ws.append(["ABC", "nope", "x"])
    path = tmp_path / "fees.xlsx"
    wb.save(path)
    with office.store.unit_of_work() as s:
        p = fs.preview_import(s, office.biller, path)
        assert [(r.code, r.price) for r in p.rows] == [
            ("99213", Decimal("115.50")),
            ("0001U", Decimal("200.00")),
            ("J1885", Decimal("7.25")),
        ]
        assert [b.row_no for b in p.bad] == [5]
        assert len(p.bad[0].reasons) == 2
        fs.apply_import(s, office.biller, p)
    with office.store.session() as s:
        assert len(s.execute(select(FeeItem)).scalars().all()) == 3


def test_unknown_payer_column_and_missing_header_are_file_problems(office, tmp_path: Path) -> None:
    with office.store.unit_of_work() as s:
        p = fs.preview_import(
            s, office.biller, _csv(tmp_path, "code,description,allowed: Nobody Health\n")
        )
        assert p.problems and "names no payer on the payer list" in p.problems[0]
        assert not p.can_apply
        with pytest.raises(ValidationError):
            fs.apply_import(s, office.biller, p)
        p = fs.preview_import(s, office.biller, _csv(tmp_path, "99213,visit,10\n", "b.csv"))
        assert "header with a 'code' column" in p.problems[0]
        p = fs.preview_import(s, office.biller, _csv(tmp_path, "x", "c.txt"))
        assert "is not a .csv or .xlsx file" in p.problems[0]


def test_cancelled_import_changes_nothing(office, tmp_path: Path) -> None:
    rows = "".join(f"{99200 + i},Code {i},{i + 10}.00\n" for i in range(10))
    path = _csv(tmp_path, "code,description,price\n" + rows)
    with office.store.session() as s, s.begin():
        p = fs.preview_import(s, office.biller, path)
    with pytest.raises(ImportCancelled), office.store.session() as s, s.begin():
        fs.apply_import(s, office.biller, p, progress=lambda done, total: done < 5)
    with office.store.session() as s:
        assert s.execute(select(FeeItem)).first() is None


def test_starter_list_loads_without_prices_and_without_bad_rows(office) -> None:
    parsed = fee_file.read(fs.STARTER_FILE)
    assert parsed.bad == [] and parsed.problems == []
    codes = {r.code for r in parsed.rows}
    assert {f"992{n:02d}" for n in (2, 3, 4, 5, 11, 12, 13, 14, 15)} <= codes
    assert {str(c) for c in range(99381, 99388)} | {str(c) for c in range(99391, 99398)} <= codes
    assert {"90471", "96372", "36415", "85025", "80053"} <= codes
    assert all(r.price is None for r in parsed.rows)
    with office.store.unit_of_work() as s:
        res = fs.load_starter(s, office.manager)
        assert res.added == len(codes)
        again = fs.load_starter(s, office.manager)
        assert again.added == 0


def test_set_allowed_and_search(office) -> None:
    with office.store.unit_of_work() as s:
        payer = factories.payer(s)
        item = fs.save_item(s, office.biller, FeeItemInput("99214", "Visit moderate", "165.00"))
        fs.set_allowed(s, office.biller, item.id, payer.id, "120.00")
        assert fs.get_item(s, office.biller, item.id).allowed == {payer.id: Decimal("120.00")}
        fs.set_allowed(s, office.biller, item.id, payer.id, "")
        assert fs.get_item(s, office.biller, item.id).allowed == {}
        s.add(
            HcpcsCode(
                code="J3420",
                short_description="Vitamin b12 injection",
                long_description="Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg",
            )
        )
        s.flush()
        assert [h.code for h in fs.search_procedures(s, office.biller, "9921")] == ["99214"]
        assert [h.code for h in fs.search_procedures(s, office.biller, "moderate visit")] == [
            "99214"
        ]
        hits = fs.search_procedures(s, office.biller, "b-12")
        assert [(h.code, h.on_fee_schedule) for h in hits] == [("J3420", False)]


# ---------------------------------------------------------------- HCPCS file


def _hcpcs_line(code: str, rec: str, long: str, short: str = "", seq: str = "00100") -> str:
    return f"{code:<5}{seq:<5}{rec}{long:<80}{short:<28}" + " " * 40 + "\n"


def test_hcpcs_file_in_the_cms_layout_is_imported(office, tmp_path: Path) -> None:
    text = (
        _hcpcs_line(
            "A0021",
            "3",
            "Ambulance service, outside state per mile, transport",
            "Outside state ambulance serv",
        )
        + _hcpcs_line("A0021", "4", "(medicaid only)", seq="00200")
        + _hcpcs_line(
            "   25",
            "7",
            "Significant, separately identifiable e/m service",
            "Significant, separately iden",
        )
        + _hcpcs_line("99213", "3", "Office o/p est low 20 min", "Office o/p est low 20 min")
        + _hcpcs_line(
            "J3420",
            "3",
            "Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg",
            "Vitamin b12 injection",
        )
    )
    path = tmp_path / "HCPC2026_JAN_ANWEB.txt"
    path.write_text(text, encoding="latin-1")
    parsed = hcpcs.read_file(path)
    assert parsed.problems == []
    assert parsed.records == [
        hcpcs.HcpcsRecord(
            "A0021",
            "Outside state ambulance serv",
            "Ambulance service, outside state per mile, transport (medicaid only)",
        ),
        hcpcs.HcpcsRecord(
            "J3420",
            "Vitamin b12 injection",
            "Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg",
        ),
    ]
    assert parsed.modifier_lines == 1 and parsed.skipped_codes == 1
    with office.store.unit_of_work() as s:
        res = fs.import_hcpcs_file(s, office.biller, path)
        assert (res.added, res.updated, res.skipped_cpt) == (2, 0, 1)
        again = fs.import_hcpcs_file(s, office.biller, path)
        assert (again.added, again.unchanged) == (0, 2)
    with office.store.session() as s:
        assert s.get(HcpcsCode, "J3420").short_description == "Vitamin b12 injection"


def test_a_file_in_another_layout_is_refused_whole(office, tmp_path: Path) -> None:
    path = tmp_path / "wrong.txt"
    path.write_text(
        _hcpcs_line("J3420", "3", "Injection, vitamin b-12", "Vitamin b12 injection")
        + "code,desc\n"
        + _hcpcs_line("J3421", "9", "Something", "Something"),
        encoding="latin-1",
    )
    with office.store.unit_of_work() as s, pytest.raises(ValidationError) as ei:
        fs.import_hcpcs_file(s, office.biller, path)
    msg = ei.value.message
    assert "Line 2: only 9 characters" in msg
    assert "Line 3: record id '9' in column 11 is not 3, 4, 7 or 8" in msg
    with office.store.session() as s:
        assert s.execute(select(HcpcsCode)).first() is None


def test_a_csv_saved_by_excel_in_cp1252_reads(tmp_path: Path) -> None:
    p = tmp_path / "fees.csv"
    p.write_bytes(
        "code,description,price\n92557,Hearing test \u2013 Ménière follow-up,45.00\n".encode(
            "cp1252"
        )
    )
    parsed = fee_file.read(p)
    assert parsed.bad == []
    assert parsed.rows[0].description == "Hearing test \u2013 Ménière follow-up"
