"""The data-only PDF read back with positions: each item's text starts at
the grid line and column of the reference (shared/reference/cms1500-grid.md),
transcribed here independently of the layout code."""

from __future__ import annotations

import io
from collections import defaultdict

import pdfplumber
import pytest

from app.models.claims import Claim
from app.reports.cms1500 import field_map
from app.reports.cms1500.data_only import ClaimPdf, alignment_page
from tests.unit.claims import scenarios

# item key -> (line, column, width): where its text starts and how much fits,
# per the reference grid.
REFERENCE = {
    "1a": (8, 50, 17),
    "2": (10, 1, 28),
    "4": (10, 50, 28),
    "5_street": (12, 1, 28),
    "7_street": (12, 50, 28),
    "5_city": (14, 1, 20),
    "5_state": (14, 26, 2),
    "7_city": (14, 50, 20),
    "7_state": (14, 74, 2),
    "5_zip": (16, 1, 10),
    "7_zip": (16, 50, 10),
    "9": (18, 1, 28),
    "11": (18, 50, 30),
    "9a": (20, 1, 28),
    "11c": (24, 50, 30),
    "9d": (26, 1, 28),
    "12": (29, 7, 17),
    "13": (29, 55, 17),
    "14_qual": (32, 16, 3),
    "19": (36, 1, 48),
    "21_ind": (37, 42, 1),
    "21A": (38, 3, 8),
    "21B": (38, 16, 8),
    "21C": (38, 29, 8),
    "21D": (38, 42, 8),
    "22_code": (38, 50, 10),
    "22_ref": (38, 62, 15),
    "23": (40, 50, 28),
    "25": (56, 1, 15),
    "26": (56, 23, 15),
    "32_name": (58, 23, 25),
    "33_name": (58, 50, 25),
    "32_street": (59, 23, 25),
    "33_street": (59, 50, 25),
    "31": (60, 1, 20),
    "32_city": (60, 23, 27),
    "33_city": (60, 50, 27),
    "32a": (61, 23, 10),
    "33a": (61, 50, 10),
}
CHECKBOXES = {  # item -> (line, {value: column of the X})
    "1": (
        8,
        {
            "MEDICARE": 1,
            "MEDICAID": 8,
            "TRICARE": 15,
            "CHAMPVA": 24,
            "GROUP": 31,
            "FECA": 39,
            "OTHER": 45,
        },
    ),
    "3_sex": (10, {"M": 42, "F": 47}),
    "6": (12, {"SELF": 33, "SPOUSE": 38, "CHILD": 42, "OTHER": 47}),
    "10a": (20, {"YES": 35, "NO": 41}),
    "10b": (22, {"YES": 35, "NO": 41}),
    "10c": (24, {"YES": 35, "NO": 41}),
    "11a_sex": (20, {"M": 68, "F": 75}),
    "11d": (26, {"YES": 52, "NO": 57}),
    "20": (36, {"YES": 52, "NO": 57}),
    "25_type": (56, {"SSN": 17, "EIN": 19}),
    "27": (56, {"YES": 38, "NO": 43}),
}
DATES = {"3_dob": (10, (31, 34, 37)), "11a_dob": (20, (53, 56, 59)), "14_date": (32, (2, 5, 8))}


def x_of(col: int, dx: float = 0.0) -> float:
    return 24 + dx + 7.2 * (col - 1)


def baseline_of(line: int, dy: float = 0.0) -> float:
    return 20 + dy + 12 * line


class Page:
    """The characters of one PDF page, by baseline (from the top) and x."""

    def __init__(self, page) -> None:
        self.rows: dict[float, list[tuple[float, str]]] = defaultdict(list)
        for ch in page.chars:
            assert ch["fontname"].endswith("Courier") and ch["size"] == pytest.approx(12)
            base = round(page.height - ch["matrix"][5], 1)
            self.rows[base].append((ch["x0"], ch["text"]))
        for row in self.rows.values():
            row.sort()

    def text_at(self, line: int, col: int, width: int, dx: float = 0.0, dy: float = 0.0) -> str:
        row = self.rows.get(round(baseline_of(line, dy), 1), [])
        start = x_of(col, dx)
        out = [" "] * width
        for x, t in row:
            i = round((x - start) / 7.2, 3)
            if 0 <= i < width and i == int(i):
                out[int(i)] = t
        return "".join(out).rstrip()


def _pdf(forms, dx=0.0, dy=0.0) -> pdfplumber.PDF:
    buf = io.BytesIO()
    pdf = ClaimPdf(buf, dx=dx, dy=dy)
    for f in forms:
        pdf.add_form(f)
    pdf.close()
    buf.seek(0)
    return pdfplumber.open(buf)


def _forms(office, claim_id):
    with office.store.unit_of_work() as s:
        return field_map(s.get(Claim, claim_id).snapshot)


def _assert_items(page: Page, form, dx=0.0, dy=0.0) -> int:
    checked = 0
    it = form.items
    for key, (line, col, width) in REFERENCE.items():
        value = it[key][:width]
        if value:
            assert page.text_at(line, col, width, dx, dy) == value, key
            checked += 1
    for key, (line, options) in CHECKBOXES.items():
        for value, col in options.items():
            mark = page.text_at(line, col, 1, dx, dy)
            assert mark == ("X" if it[key] == value else ""), (key, value)
        checked += 1
    for key, (line, cols) in DATES.items():
        if it[key]:
            for col, part in zip(cols, it[key].split(), strict=True):
                assert page.text_at(line, col, len(part), dx, dy) == part, key
            checked += 1
    for i, text in enumerate(it["carrier"]):
        assert page.text_at(2 + i, 41, 31, dx, dy) == text
    # Phones: area code and number in their own places.
    if it["5_phone"]:
        assert page.text_at(16, 15, 3, dx, dy) == it["5_phone"][:3]
        assert page.text_at(16, 19, 7, dx, dy) == it["5_phone"][3:]
    assert page.text_at(57, 66, 3, dx, dy) == it["33_phone"][:3]
    assert page.text_at(57, 70, 3, dx, dy) == it["33_phone"][3:6]
    assert page.text_at(57, 74, 4, dx, dy) == it["33_phone"][6:]
    # Money: dollars right-aligned, a blank where the form divides, then cents.
    dollars, cents = it["28"].split(".")
    assert page.text_at(56, 52, 8, dx, dy) == f"{dollars:>5} {cents}"
    if it["29"]:
        dollars, cents = it["29"].split(".")
        assert page.text_at(56, 62, 8, dx, dy) == f"{dollars:>5} {cents}"
    if it["33b"]:
        assert page.text_at(61, 63, 2, dx, dy) == "ZZ"
        assert page.text_at(61, 65, 14, dx, dy) == it["33b"][2:]
    for k, ln in enumerate(form.lines, start=1):
        row = 42 + 2 * k
        mm, dd, yy = ln["24A_from"].split()
        assert [page.text_at(row, c, 2, dx, dy) for c in (1, 4, 7)] == [mm, dd, yy]
        mm, dd, yy = ln["24A_to"].split()
        assert [page.text_at(row, c, 2, dx, dy) for c in (10, 13, 16)] == [mm, dd, yy]
        assert page.text_at(row, 19, 2, dx, dy) == ln["24B"]
        assert page.text_at(row, 25, 5, dx, dy) == ln["24D"]
        for col, mod in zip((33, 36, 39, 42), ln["24D_mod"].split(), strict=False):
            assert page.text_at(row, col, 2, dx, dy) == mod
        assert page.text_at(row, 45, 4, dx, dy) == ln["24E"]
        dollars, cents = ln["24F"].split(".")
        assert page.text_at(row, 50, 5, dx, dy) == f"{dollars:>5}"  # dollars end at 54
        assert page.text_at(row, 55, 1, dx, dy) == ""
        assert page.text_at(row, 56, 2, dx, dy) == cents
        assert page.text_at(row, 59, 3, dx, dy) == ln["24G"]
        assert page.text_at(row, 68, 10, dx, dy) == ln["24J"]
        assert page.text_at(row - 1, 65, 2, dx, dy) == ln["24I"]
        assert page.text_at(row - 1, 68, 14, dx, dy) == ln["24J_other"]
        checked += 1
    return checked


def test_every_item_starts_at_its_grid_line_and_column(office) -> None:
    _, secondary = scenarios.secondary_claim(office)
    forms = _forms(office, secondary.claim_id)
    with _pdf(forms) as pdf:
        assert len(pdf.pages) == 1
        assert (pdf.pages[0].width, pdf.pages[0].height) == (612, 792)
        checked = _assert_items(Page(pdf.pages[0]), forms[0])
    assert checked >= 50


def test_nine_lines_print_on_two_pages_each_with_its_own_total(office) -> None:
    built = scenarios.primary_claim(office, "nine")
    forms = _forms(office, built.claim_id)
    with _pdf(forms) as pdf:
        assert len(pdf.pages) == 2
        for page, form in zip(pdf.pages, forms, strict=True):
            _assert_items(Page(page), form)
        second = Page(pdf.pages[1])
        assert second.text_at(56, 52, 8) == "   90 00"
        assert second.text_at(44, 25, 5) == "87880"
        assert second.text_at(50, 25, 5) == ""  # only three lines on the second form


def test_printer_offsets_shift_every_item(office) -> None:
    built = scenarios.child_claim(office)
    forms = _forms(office, built.claim_id)
    with _pdf(forms, dx=3.5, dy=-2.0) as pdf:
        page = Page(pdf.pages[0])
        _assert_items(page, forms[0], dx=3.5, dy=-2.0)
        assert page.text_at(10, 1, 28) == ""  # nothing left at the unshifted place


def test_alignment_page_marks_known_boxes(tmp_path) -> None:
    path = tmp_path / "align.pdf"
    alignment_page(path, "Front desk LaserJet", dx=1.5, dy=-3.0)
    with pdfplumber.open(path) as pdf:
        page = Page(pdf.pages[0])
        assert page.text_at(2, 41, 31, 1.5, -3.0) == "ALIGNMENT TEST"
        assert page.text_at(3, 41, 31, 1.5, -3.0) == "FRONT DESK LASERJET"
        assert page.text_at(8, 1, 1, 1.5, -3.0) == "X"  # Medicare box
        assert page.text_at(12, 33, 1, 1.5, -3.0) == "X"  # item 6 Self
        assert page.text_at(44, 50, 8, 1.5, -3.0) == "99999 99"


def test_parentheses_and_letters_past_ascii_print_as_typed(tmp_path) -> None:
    from app.reports.cms1500.data_only import pdf_string
    from app.reports.cms1500.fieldmap import FormValues

    assert pdf_string("APT (REAR) \\ 2") == "APT \\(REAR\\) \\\\ 2"
    assert pdf_string("ØSTBY") == "\\330STBY"
    form = FormValues(items={"2": "ØSTBY, ANNE", "5_street": "12 OAK LN (REAR)", "carrier": []})
    pdf = ClaimPdf(tmp_path / "x.pdf")
    pdf.add_form(form)
    pdf.close()
    with pdfplumber.open(tmp_path / "x.pdf") as doc:
        page = Page(doc.pages[0])
        assert page.text_at(10, 1, 28) == "ØSTBY, ANNE"
        assert page.text_at(12, 1, 28) == "12 OAK LN (REAR)"


def test_item_22_prints_the_whole_payer_reference_inside_the_box(office) -> None:
    from app.services import claims

    original = scenarios.primary_claim(office, "one")
    scenarios.mark_sent(office, original.claim_id)
    ref = "20260730004123457"  # 17 digits, as some Medicaid ICNs are
    with office.store.unit_of_work() as s:
        made = claims.correct_claim(
            s, office.biller, original.claim_id, "replace", ref, today=scenarios.MADE_ON
        )
    with _pdf(_forms(office, made.id)) as pdf:
        page = Page(pdf.pages[0])
        assert page.text_at(38, 50, 1) == "7"
        assert page.text_at(38, 62, 20) == ref  # before: cut to 15, a number the payer lacks
    # Column 78 still ends inside the form's frame (589.7 pt, measured on the blank).
    assert x_of(62) + 7.2 * len(ref) <= 589.7


def test_items_32_and_33_use_their_whole_boxes(office) -> None:
    _, secondary = scenarios.secondary_claim(office)
    with office.store.unit_of_work() as s:
        snap = dict(s.get(Claim, secondary.claim_id).snapshot)
    snap["practice"] = dict(snap["practice"], name="Maple Street Family Medicine")
    (form,) = field_map(snap)
    with _pdf([form]) as pdf:
        page = Page(pdf.pages[0])
        # Before: "MAPLE STREET FAMILY MEDIC" in 33 (25 columns of a 29-column box).
        assert page.text_at(58, 50, 40) == "MAPLE STREET FAMILY MEDICINE"
        assert page.text_at(59, 50, 40) == form.items["33_street"]
        assert page.text_at(58, 23, 27) == "MAPLE STREET FAMILY MEDICI"  # ends at column 48
    # Dividers measured on the blank form: 32 | 33 at 371.2 pt, the frame at 589.7 pt.
    assert x_of(23) + 7.2 * 26 <= 371.2 and x_of(50) + 7.2 * 29 <= 589.7
