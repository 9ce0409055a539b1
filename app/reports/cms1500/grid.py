"""Where each item goes on the CMS-1500 (02/12) print grid.

The grid is the classic 10 characters per inch, 6 lines per inch layout of
the red form: column ``c`` starts ``24 + 7.2 (c - 1)`` points from the left
edge, line ``n``'s baseline is ``20 + 12 n`` points from the top edge (before
the printer's own offsets). ``cells`` turns one form's values into
``Cell(line, col, text)``: the data-only renderer draws exactly those, and the
full-form renderer draws them over its own drawing of the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.cms1500.fieldmap import FormValues

PAGE_WIDTH = 612.0
PAGE_HEIGHT = 792.0
LEFT = 24.0
TOP = 20.0
CHAR_WIDTH = 7.2  # Courier 12 pt: 10 characters per inch
LINE_HEIGHT = 12.0  # 6 lines per inch
FONT = "Courier"
FONT_SIZE = 12.0
COLUMNS = 80
LINES = 64


def col_x(col: int, dx: float = 0.0) -> float:
    """Left edge of grid column ``col`` (1-based), in points from the page's left."""
    return LEFT + dx + CHAR_WIDTH * (col - 1)


def line_y(line: int, dy: float = 0.0) -> float:
    """Baseline of grid line ``line``, in points from the page's top."""
    return TOP + dy + LINE_HEIGHT * line


@dataclass(frozen=True)
class Cell:
    line: int
    col: int
    text: str


# Plain text items: key -> (line, column, width).
TEXT: dict[str, tuple[int, int, int]] = {
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
    "10b_state": (22, 45, 2),
    "11b": (22, 50, 30),
    "11c": (24, 50, 30),
    "9d": (26, 1, 28),
    "10d": (26, 34, 2),
    "12": (29, 7, 17),
    "13": (29, 55, 17),
    "14_qual": (32, 16, 3),
    "15_qual": (32, 31, 3),
    "17a_qual": (33, 30, 2),
    "17a": (33, 33, 14),
    "17_qual": (34, 1, 3),
    "17_name": (34, 4, 25),
    "17b": (34, 33, 15),
    "19": (36, 1, 48),
    "21_ind": (37, 42, 1),
    "22_code": (38, 50, 10),
    "22_ref": (38, 62, 17),  # to column 78, inside the frame: a cut number matches nothing
    "23": (40, 50, 28),
    "25": (56, 1, 15),
    "26": (56, 23, 15),
    # Items 32 and 33 to the edge of their boxes (columns 23-48 and 50-78,
    # measured on the blank form): a practice name of 26-29 letters is common.
    "32_name": (58, 23, 26),
    "33_name": (58, 50, 29),
    "32_street": (59, 23, 26),
    "33_street": (59, 50, 29),
    "31": (60, 1, 20),
    "32_city": (60, 23, 26),
    "33_city": (60, 50, 29),
    "31_date": (61, 6, 10),
    "32a": (61, 23, 10),
    "33a": (61, 50, 10),
}

# Diagnoses A-L: three rows of four, 13 columns apart.
for _i, _letter in enumerate("ABCDEFGHIJKL"):
    TEXT["21" + _letter] = (38 + _i // 4, 3 + 13 * (_i % 4), 8)

# Checkbox items: key -> (line, {value: column of the X}).
CHECKS: dict[str, tuple[int, dict[str, int]]] = {
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
    "11a_sex": (20, {"M": 68, "F": 75}),
    "10b": (22, {"YES": 35, "NO": 41}),
    "10c": (24, {"YES": 35, "NO": 41}),
    "11d": (26, {"YES": 52, "NO": 57}),
    "20": (36, {"YES": 52, "NO": 57}),
    "25_type": (56, {"SSN": 17, "EIN": 19}),
    "27": (56, {"YES": 38, "NO": 43}),
}

# Dates split into boxes: key -> (line, columns of MM, DD, YY/YYYY).
DATES: dict[str, tuple[int, tuple[int, int, int]]] = {
    "3_dob": (10, (31, 34, 37)),
    "11a_dob": (20, (53, 56, 59)),
    "14_date": (32, (2, 5, 8)),
    "15_date": (32, (37, 40, 43)),
    "16_from": (32, (54, 57, 60)),
    "16_to": (32, (68, 71, 74)),
    "18_from": (34, (54, 57, 60)),
    "18_to": (34, (68, 71, 74)),
}

# Money as 8 characters "DDDDD CC" starting at the column (the printed
# divider falls on the blank between dollars and cents).
MONEY: dict[str, tuple[int, int]] = {
    "20_charges": (36, 63),
    "28": (56, 52),
    "29": (56, 62),
}

# Phones: key -> (line, area code column, number column(s)).
PHONES: dict[str, tuple[int, int, int]] = {
    "5_phone": (16, 15, 19),
    "7_phone": (16, 65, 69),
}
CARRIER = (2, 41, 31)  # lines 2-5

# Service line k (1-6): shaded row 41 + 2k, main row 42 + 2k.
LINE_TEXT: dict[str, tuple[int, int]] = {  # key -> (column, width), main row
    "24B": (19, 2),
    "24C": (22, 1),
    "24D": (25, 5),
    "24E": (45, 4),
    "24G": (59, 3),
    "24H": (63, 2),
    "24J": (68, 10),
}
LINE_SHADED: dict[str, tuple[int, int]] = {  # key -> (column, width), shaded row
    "24_shaded": (1, 61),
    "24I": (65, 2),
    "24J_other": (68, 14),
}
LINE_DATES = {"24A_from": (1, 4, 7), "24A_to": (10, 13, 16)}
MODIFIER_COLUMNS = (33, 36, 39, 42)
LINE_MONEY_COLUMN = 50  # 24F: dollars end at 54, cents at 56-57


def money_cell(text: str) -> str:
    """``1234.56`` -> ``" 1234 56"``: 8 characters, blank where the form divides."""
    return f"{text:>8}".replace(".", " ")


def main_row(k: int) -> int:
    return 42 + 2 * k


def shaded_row(k: int) -> int:
    return 41 + 2 * k


def _put(out: list[Cell], line: int, col: int, width: int, text: str) -> None:
    if text:
        out.append(Cell(line, col, text[:width]))


def _date_cells(out: list[Cell], line: int, cols: tuple[int, int, int], value: str) -> None:
    if not value:
        return
    mm, dd, yy = value.split(" ")
    for col, part in zip(cols, (mm, dd, yy), strict=True):
        out.append(Cell(line, col, part))


def cells(form: FormValues) -> list[Cell]:
    """Every piece of text on one form, at its grid line and column."""
    it = form.items
    out: list[Cell] = []
    line, col, width = CARRIER
    for i, text in enumerate(it.get("carrier", [])[:4]):
        _put(out, line + i, col, width, text)
    for key, (line, col, width) in TEXT.items():
        _put(out, line, col, width, it.get(key, ""))
    for key, (line, options) in CHECKS.items():
        value = it.get(key, "")
        if value in options:
            out.append(Cell(line, options[value], "X"))
    for key, (line, cols) in DATES.items():
        _date_cells(out, line, cols, it.get(key, ""))
    for key, (line, col) in MONEY.items():
        if it.get(key):
            out.append(Cell(line, col, money_cell(it[key])))
    for key, (line, area_col, number_col) in PHONES.items():
        phone = it.get(key, "")
        if len(phone) == 10:
            out.append(Cell(line, area_col, phone[:3]))
            out.append(Cell(line, number_col, phone[3:]))
    phone = it.get("33_phone", "")
    if len(phone) == 10:
        out.extend([Cell(57, 66, phone[:3]), Cell(57, 70, phone[3:6]), Cell(57, 74, phone[6:])])
    if it.get("32b"):
        out.append(Cell(61, 36, it["32b"][:2]))
        out.append(Cell(61, 38, it["32b"][2:13]))
    if it.get("33b"):
        out.append(Cell(61, 63, it["33b"][:2]))
        out.append(Cell(61, 65, it["33b"][2:16]))
    for k, ln in enumerate(form.lines, start=1):
        row, shade = main_row(k), shaded_row(k)
        for key, (col, width) in LINE_SHADED.items():
            _put(out, shade, col, width, ln.get(key, ""))
        for key, cols in LINE_DATES.items():
            _date_cells(out, row, cols, ln.get(key, ""))
        for key, (col, width) in LINE_TEXT.items():
            _put(out, row, col, width, ln.get(key, ""))
        for col, mod in zip(MODIFIER_COLUMNS, ln.get("24D_mod", "").split(), strict=False):
            out.append(Cell(row, col, mod[:2]))
        if ln.get("24F"):
            out.append(Cell(row, LINE_MONEY_COLUMN, money_cell(ln["24F"])))
    return out


def compose_lines(form_cells: list[Cell]) -> dict[int, str]:
    """The cells of one form as whole grid lines (monospace text with blanks),
    so a renderer draws one string per line. Raises if two cells overlap."""
    rows: dict[int, list[str]] = {}
    for c in form_cells:
        row = rows.setdefault(c.line, [" "] * (COLUMNS + 20))
        for i, ch in enumerate(c.text):
            pos = c.col - 1 + i
            if ch != " " and row[pos] != " ":
                raise ValueError(f"two items overlap at line {c.line}, column {pos + 1}")
            if ch != " ":
                row[pos] = ch
    return {line: "".join(chars).rstrip() for line, chars in sorted(rows.items())}
