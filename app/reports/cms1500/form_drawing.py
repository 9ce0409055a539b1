"""The CMS-1500 (02/12) form itself, as vector primitives (lines, boxes,
labels) in points from the page's top-left corner.

Measured from the NUCC blank form so that the data grid (``grid.py``) lands
in the same boxes as on a red form. Drawn by the reportlab full-form
renderer and, for a real printer, by the Qt one; both read ``FORM``.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.cms1500.grid import CHAR_WIDTH, col_x, line_y

RED = (231, 36, 42)
SHADE = (247, 228, 234)

LEFT = 19.5
RIGHT = 590.5
MID = 371.0  # the divider between the patient's and the insured's side
LEFT_MID = 227.0  # before items 3, 6, 8, 10


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.6
    dashed: bool = False


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: tuple[int, int, int] | None = None
    stroke: bool = False


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # baseline
    text: str
    size: float = 5.6
    bold: bool = False
    align: str = "left"  # left / center / right
    rotate: int = 0  # degrees, counter-clockwise


Primitive = Line | Box | Label


def _h(y: float, x1: float = LEFT, x2: float = RIGHT, width: float = 0.6) -> Line:
    return Line(x1, y, x2, y, width)


def _v(x: float, y1: float, y2: float, width: float = 0.6, dashed: bool = False) -> Line:
    return Line(x, y1, x, y2, width, dashed)


def _title(x: float, y_top: float, text: str, size: float = 5.6) -> Label:
    return Label(x + 2.0, y_top + 6.6, text, size)


def check_box(line: int, col: int) -> Box:
    """The square a check mark at (line, col) falls in."""
    return Box(col_x(col) - 4.3, line_y(line) - 8.6, 11.0, 11.0, None, True)


def _date_ticks(line: int, cols: tuple[int, ...], height: float = 9.0) -> list[Line]:
    """Short dividers between the MM | DD | YY parts of a date box."""
    y = line_y(line)
    return [_v(col_x(c) - CHAR_WIDTH / 2, y - height + 2, y + 2, 0.5) for c in cols[1:]]


def _checks(line: int, cols_labels: list[tuple[int, str]]) -> list[Primitive]:
    out: list[Primitive] = []
    for col, text in cols_labels:
        out.append(check_box(line, col))
        if text:
            out.append(Label(col_x(col) + 8.5, line_y(line), text, 5.6))
    return out


def _build() -> list[Primitive]:
    f: list[Primitive] = []
    # ------------------------------------------------------------------ heading
    f.append(Label(LEFT, 62.5, "HEALTH INSURANCE CLAIM FORM", 10.5, bold=True))
    f.append(Label(LEFT, 74.5, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", 5.0))
    for x in (LEFT, 576.0):
        f.append(Box(x + 0.5, 86.0, 21.0 if x == LEFT else 14.0, 8.5, None, True))
    f.append(Label(44.0, 93.0, "PICA", 5.6))
    f.append(Label(572.0, 93.0, "PICA", 5.6, align="right"))
    f.append(Label(597.0, 60.0, "CARRIER", 6.5, bold=True, rotate=-90))
    f.append(Label(597.0, 340.0, "PATIENT AND INSURED INFORMATION", 6.5, bold=True, rotate=-90))
    f.append(Label(597.0, 700.0, "PHYSICIAN OR SUPPLIER INFORMATION", 6.5, bold=True, rotate=-90))

    # ------------------------------------------------------------------ frame
    f.append(_h(96.0, width=2.0))
    f.append(_h(757.0, width=2.0))
    f.append(_v(LEFT, 95.0, 758.0))
    f.append(_v(RIGHT, 95.0, 758.0))
    for y in (121.0, 144.0, 168.0, 216.5, 240.0, 264.0, 288.0, 312.5, 336.5, 408.0, 432.0):
        f.append(_h(y))
    f.append(_h(384.0, width=2.0))
    f.append(_h(192.0, LEFT, LEFT_MID))
    f.append(_h(192.0, MID, RIGHT))
    f.append(_h(456.5))
    f.append(_h(480.5, MID, RIGHT))
    f.append(_h(504.5))
    f.append(_h(527.5))
    f.append(_h(671.5))
    f.append(_h(696.0))
    # Item 1 row: the program boxes span the whole left part.
    f.append(_v(MID, 96.0, 504.5))
    f.append(_v(LEFT_MID, 121.0, 336.5))

    # ------------------------------------------------------------------ item 1
    f.append(_title(LEFT, 97.0, "1.   MEDICARE          MEDICAID            TRICARE"))
    f.append(Label(190.0, 103.6, "CHAMPVA", 5.6))
    f.append(Label(251.0, 100.0, "GROUP", 5.0))
    f.append(Label(251.0, 105.0, "HEALTH PLAN", 5.0))
    f.append(Label(306.0, 100.0, "FECA", 5.0))
    f.append(Label(306.0, 105.0, "BLK LUNG", 5.0))
    f.append(Label(350.0, 103.6, "OTHER", 5.6))
    f.extend(
        _checks(
            8,
            [
                (1, "(Medicare#)"),
                (8, "(Medicaid#)"),
                (15, "(ID#/DoD#)"),
                (24, "(Member ID#)"),
                (31, "(ID#)"),
                (39, "(ID#)"),
                (45, "(ID#)"),
            ],
        )
    )
    f.append(_title(MID, 97.0, "1a. INSURED'S I.D. NUMBER"))
    f.append(Label(RIGHT - 3, 103.6, "(For Program in Item 1)", 5.6, align="right"))

    # ------------------------------------------------------------------ 2-4
    f.append(_title(LEFT, 121.0, "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)"))
    f.append(_title(LEFT_MID, 121.0, "3. PATIENT'S BIRTH DATE"))
    f.append(Label(335.0, 127.6, "SEX", 5.6))
    f.append(Label(col_x(31) + 1, 131.5, "MM", 4.6))
    f.append(Label(col_x(34) + 1, 131.5, "DD", 4.6))
    f.append(Label(col_x(37) + 3, 131.5, "YY", 4.6))
    f.extend(_date_ticks(10, (31, 34, 37)))
    f.extend(_checks(10, [(42, ""), (47, "")]))
    f.append(Label(col_x(42) - 10, line_y(10), "M", 5.6))
    f.append(Label(col_x(47) - 10, line_y(10), "F", 5.6))
    f.append(_title(MID, 121.0, "4. INSURED'S NAME (Last Name, First Name, Middle Initial)"))

    # ------------------------------------------------------------------ 5-7
    f.append(_title(LEFT, 144.0, "5. PATIENT'S ADDRESS (No., Street)"))
    f.append(_title(LEFT_MID, 144.0, "6. PATIENT RELATIONSHIP TO INSURED"))
    f.extend(_checks(12, [(33, ""), (38, ""), (42, ""), (47, "")]))
    for col, text in ((33, "Self"), (38, "Spouse"), (42, "Child"), (47, "Other")):
        f.append(Label(col_x(col) - 6, line_y(12), text, 5.6, align="right"))
    f.append(_title(MID, 144.0, "7. INSURED'S ADDRESS (No., Street)"))
    for x0 in (LEFT, MID):
        state_x = 200.0 if x0 == LEFT else 542.5
        phone_x = 113.5 if x0 == LEFT else 464.5
        end = LEFT_MID if x0 == LEFT else RIGHT
        f.append(_title(x0, 168.0, "CITY"))
        f.append(_v(state_x, 168.0, 192.0))
        f.append(_title(state_x, 168.0, "STATE"))
        f.append(_title(x0, 192.0, "ZIP CODE"))
        f.append(_v(phone_x, 192.0, 216.5))
        f.append(_title(phone_x, 192.0, "TELEPHONE (Include Area Code)"))
        area = col_x(15 if x0 == LEFT else 65)
        f.append(Label(area - 4.5, line_y(16) + 1, "(", 11.0))
        f.append(Label(area + 3 * CHAR_WIDTH + 0.5, line_y(16) + 1, ")", 11.0))
        del end
    f.append(_title(LEFT_MID, 168.0, "8. RESERVED FOR NUCC USE"))

    # ------------------------------------------------------------------ 9-11
    f.append(_title(LEFT, 216.5, "9. OTHER INSURED'S NAME (Last Name, First Name, Middle Initial)"))
    f.append(_title(LEFT_MID, 216.5, "10. IS PATIENT'S CONDITION RELATED TO:"))
    f.append(_title(MID, 216.5, "11. INSURED'S POLICY GROUP OR FECA NUMBER"))
    f.append(_title(LEFT, 240.0, "a. OTHER INSURED'S POLICY OR GROUP NUMBER"))
    f.append(_title(LEFT_MID, 240.0, "a. EMPLOYMENT? (Current or Previous)"))
    f.append(_title(MID, 240.0, "a. INSURED'S DATE OF BIRTH"))
    f.append(Label(535.0, 246.6, "SEX", 5.6))
    f.append(Label(col_x(53) + 1, 252.0, "MM", 4.6))
    f.append(Label(col_x(56) + 1, 252.0, "DD", 4.6))
    f.append(Label(col_x(59) + 3, 252.0, "YY", 4.6))
    f.extend(_date_ticks(20, (53, 56, 59)))
    f.extend(_checks(20, [(68, ""), (75, "")]))
    f.append(Label(col_x(68) - 10, line_y(20), "M", 5.6))
    f.append(Label(col_x(75) - 10, line_y(20), "F", 5.6))
    f.append(_title(LEFT, 264.0, "b. RESERVED FOR NUCC USE"))
    f.append(_title(LEFT_MID, 264.0, "b. AUTO ACCIDENT?"))
    f.append(Label(367.0, 270.6, "PLACE (State)", 5.6, align="right"))
    f.append(_title(MID, 264.0, "b. OTHER CLAIM ID (Designated by NUCC)"))
    f.append(_title(LEFT, 288.0, "c. RESERVED FOR NUCC USE"))
    f.append(_title(LEFT_MID, 288.0, "c. OTHER ACCIDENT?"))
    f.append(_title(MID, 288.0, "c. INSURANCE PLAN NAME OR PROGRAM NAME"))
    for line in (20, 22, 24):
        f.extend(_checks(line, [(35, "YES"), (41, "NO")]))
    f.append(Line(col_x(45) - 2, line_y(22) + 2, col_x(47) + 2, line_y(22) + 2, 0.5))
    f.append(_title(LEFT, 312.5, "d. INSURANCE PLAN NAME OR PROGRAM NAME"))
    f.append(_title(LEFT_MID, 312.5, "10d. CLAIM CODES (Designated by NUCC)"))
    f.append(_title(MID, 312.5, "d. IS THERE ANOTHER HEALTH BENEFIT PLAN?"))
    f.extend(_checks(26, [(52, "YES"), (57, "NO")]))
    f.append(Label(col_x(62), line_y(26), "If yes, complete items 9, 9a, and 9d.", 5.6))

    # ------------------------------------------------------------------ 12-13
    f.append(
        Label(
            (LEFT + MID) / 2,
            343.0,
            "READ BACK OF FORM BEFORE COMPLETING & SIGNING THIS FORM.",
            5.8,
            bold=True,
            align="center",
        )
    )
    for i, text in enumerate(
        (
            "12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize the release of any "
            "medical or other information necessary",
            "to process this claim. I also request payment of government benefits either to "
            "myself or to the party who accepts assignment",
            "below.",
        )
    ):
        f.append(Label(LEFT + 2 + (8 if i else 0), 349.5 + 6.2 * i, text, 5.4))
    for i, text in enumerate(
        (
            "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE I authorize",
            "payment of medical benefits to the undersigned physician or supplier for",
            "services described below.",
        )
    ):
        f.append(Label(MID + 2 + (8 if i else 0), 343.0 + 6.2 * i, text, 5.4))
    f.append(Label(LEFT + 8, 379.0, "SIGNED", 5.6))
    f.append(Line(LEFT + 30, 379.5, 240.0, 379.5, 0.5))
    f.append(Label(252.0, 379.0, "DATE", 5.6))
    f.append(Line(270.0, 379.5, MID - 4, 379.5, 0.5))
    f.append(Label(MID + 8, 379.0, "SIGNED", 5.6))
    f.append(Line(MID + 32, 379.5, RIGHT - 4, 379.5, 0.5))

    # ------------------------------------------------------------------ 14-18
    c15 = 212.5
    f.append(_v(c15, 384.0, 432.0))
    f.append(_title(LEFT, 384.0, "14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)"))
    f.append(Label(col_x(2), 395.0, "MM", 4.6))
    f.append(Label(col_x(5), 395.0, "DD", 4.6))
    f.append(Label(col_x(8), 395.0, "YY", 4.6))
    f.extend(_date_ticks(32, (2, 5, 8)))
    f.append(Label(col_x(16) - 3, line_y(32), "QUAL.", 5.0, align="right"))
    f.append(_title(c15, 384.0, "15. OTHER DATE"))
    f.append(Label(c15 + 2, line_y(32), "QUAL.", 5.0))
    f.append(Label(col_x(37), 395.0, "MM", 4.6))
    f.append(Label(col_x(40), 395.0, "DD", 4.6))
    f.append(Label(col_x(43), 395.0, "YY", 4.6))
    f.extend(_date_ticks(32, (37, 40, 43)))
    f.append(_title(MID, 384.0, "16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION"))
    f.append(_title(LEFT, 408.0, "17. NAME OF REFERRING PROVIDER OR OTHER SOURCE"))
    f.append(_v(col_x(4) - 2.5, line_y(34) - 8, line_y(34) + 2, 0.5))
    f.append(Box(c15, 408.0, MID - c15, 12.0, SHADE))
    f.append(_h(420.0, c15, MID))
    f.append(_v(229.0, 408.0, 432.0))
    f.append(_v(244.5, 420.0, 432.0))
    f.append(Label(c15 + 2, 416.5, "17a.", 5.6))
    f.append(Label(c15 + 2, 428.5, "17b.", 5.6))
    f.append(Label(231.0, 428.5, "NPI", 5.6))
    f.append(_title(MID, 408.0, "18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES"))
    for line, y_top in ((32, 384.0), (34, 408.0)):
        f.append(Label(MID + 8, line_y(line), "FROM", 5.6))
        f.append(Label(col_x(66) - 2, line_y(line), "TO", 5.6, align="right"))
        for col, text in ((54, "MM"), (57, "DD"), (60, "YY"), (68, "MM"), (71, "DD"), (74, "YY")):
            f.append(Label(col_x(col), y_top + 11.0, text, 4.6))
        f.extend(_date_ticks(line, (54, 57, 60)))
        f.extend(_date_ticks(line, (68, 71, 74)))

    # ------------------------------------------------------------------ 19-23
    f.append(_title(LEFT, 432.0, "19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)"))
    f.append(_title(MID, 432.0, "20. OUTSIDE LAB?"))
    f.append(Label(454.0, 438.6, "$ CHARGES", 5.6))
    f.append(_v(454.0, 444.0, 456.5))
    f.append(_v(col_x(67) + 3.6, 446.0, 456.5, 0.5))
    f.extend(_checks(36, [(52, "YES"), (57, "NO")]))
    f.append(
        _title(
            LEFT,
            456.5,
            "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)",
        )
    )
    f.append(Label(col_x(42) - 5, line_y(37) - 1, "ICD Ind.", 5.6, align="right"))
    f.append(Line(col_x(42) - 2, line_y(37) + 2, col_x(43) + 2, line_y(37) + 2, 0.5))
    for i, letter in enumerate("ABCDEFGHIJKL"):
        line, col = 38 + i // 4, 3 + 13 * (i % 4)
        y = line_y(line) + 2
        f.append(Label(col_x(col) - 10, y, f"{letter}.", 5.6))
        f.append(Line(col_x(col) - 3, y, col_x(col) + 9 * CHAR_WIDTH, y, 0.5))
        f.append(_v(col_x(col) - 3, y - 5, y, 0.5))
    f.append(_title(MID, 456.5, "22. RESUBMISSION"))
    f.append(Label(MID + 2, 469.0, "CODE", 5.6))
    f.append(_v(col_x(61) + 1, 470.0, 480.5))
    f.append(Label(col_x(62) + 2, 469.0, "ORIGINAL REF. NO.", 5.6))
    f.append(_title(MID, 480.5, "23. PRIOR AUTHORIZATION NUMBER"))

    # ------------------------------------------------------------------ 24 heading
    cols = [147.0, 170.5, 191.5, 335.0, MID + 0.5, 435.5, 464.5, 479.5, 500.5]
    for x in cols:
        f.append(_v(x, 504.5, 527.5))
    f.append(_v(244.0, 520.0, 527.5, 0.5))
    f.append(Label(LEFT + 2, 511.0, "24. A.", 5.6))
    f.append(Label(83.0, 511.0, "DATE(S) OF SERVICE", 5.6, align="center"))
    f.append(Label(50.0, 518.0, "From", 5.6, align="center"))
    f.append(Label(114.0, 518.0, "To", 5.6, align="center"))
    for x, text in ((25, "MM"), (47, "DD"), (69, "YY"), (90, "MM"), (112, "DD"), (134, "YY")):
        f.append(Label(x, 525.5, text, 5.0))
    f.append(Label(158.8, 511.0, "B.", 5.6, align="center"))
    f.append(Label(158.8, 518.0, "PLACE OF", 4.6, align="center"))
    f.append(Label(158.8, 525.5, "SERVICE", 4.6, align="center"))
    f.append(Label(181.0, 511.0, "C.", 5.6, align="center"))
    f.append(Label(181.0, 525.5, "EMG", 5.0, align="center"))
    f.append(Label(263.0, 511.0, "D. PROCEDURES, SERVICES, OR SUPPLIES", 5.6, align="center"))
    f.append(Label(263.0, 518.0, "(Explain Unusual Circumstances)", 5.6, align="center"))
    f.append(Label(217.0, 525.5, "CPT/HCPCS", 5.0, align="center"))
    f.append(Label(290.0, 525.5, "MODIFIER", 5.0, align="center"))
    f.append(Label(353.0, 511.0, "E.", 5.6, align="center"))
    f.append(Label(353.0, 518.0, "DIAGNOSIS", 5.0, align="center"))
    f.append(Label(353.0, 525.5, "POINTER", 5.0, align="center"))
    f.append(Label(403.0, 511.0, "F.", 5.6, align="center"))
    f.append(Label(403.0, 525.5, "$ CHARGES", 5.0, align="center"))
    f.append(Label(450.0, 511.0, "G.", 5.6, align="center"))
    f.append(Label(450.0, 517.0, "DAYS", 4.4, align="center"))
    f.append(Label(450.0, 521.5, "OR", 4.4, align="center"))
    f.append(Label(450.0, 526.0, "UNITS", 4.4, align="center"))
    f.append(Label(472.0, 511.0, "H.", 5.6, align="center"))
    f.append(Label(472.0, 516.5, "EPSDT", 4.0, align="center"))
    f.append(Label(472.0, 521.0, "Family", 4.0, align="center"))
    f.append(Label(472.0, 525.5, "Plan", 4.0, align="center"))
    f.append(Label(490.0, 511.0, "I.", 5.6, align="center"))
    f.append(Label(490.0, 518.0, "ID.", 5.0, align="center"))
    f.append(Label(490.0, 525.5, "QUAL.", 5.0, align="center"))
    f.append(Label(545.5, 511.0, "J.", 5.6, align="center"))
    f.append(Label(545.5, 518.0, "RENDERING", 5.0, align="center"))
    f.append(Label(545.5, 525.5, "PROVIDER ID. #", 5.0, align="center"))

    # ------------------------------------------------------------------ 24 lines
    date_divs = [col_x(c) - CHAR_WIDTH / 2 for c in (4, 7, 10, 13, 16)]
    mod_divs = [col_x(c) - CHAR_WIDTH / 2 for c in (36, 39, 42)]
    cents_div = col_x(55) + CHAR_WIDTH / 2
    for k in range(6):
        top = 527.5 + 24 * k
        mid = top + 12
        f.append(Box(LEFT, top, RIGHT - LEFT, 12.0, SHADE))
        f.append(Label(LEFT - 8, mid + 8, str(k + 1), 10.0, align="center"))
        for x in (147.0, 170.5, 191.5, 244.0, 335.0, MID + 0.5, 435.5, 464.5, 479.5):
            f.append(_v(x, mid, top + 24))
        for x in date_divs:
            f.append(_v(x, mid + 4, top + 24, 0.5, dashed=True))
        for x in mod_divs:
            f.append(_v(x, mid + 4, top + 24, 0.5, dashed=True))
        f.append(_v(cents_div, mid + 4, top + 24, 0.5, dashed=True))
        f.append(_v(500.5, top, top + 24))
        f.append(_v(479.5, top, mid))
        f.append(_h(mid, 500.5, RIGHT, 0.5))
        f.append(Label(482.0, top + 21.5, "NPI", 5.0))
        f.append(_h(top + 24))

    # ------------------------------------------------------------------ 25-30
    for x in (176.5, 282.0, MID + 0.5, 452.0, 521.5):
        f.append(_v(x, 671.5, 696.0))
    f.append(_title(LEFT, 671.5, "25. FEDERAL TAX I.D. NUMBER"))
    f.append(Label(col_x(17) + 2, 678.1, "SSN  EIN", 5.6, align="center"))
    f.extend(_checks(56, [(17, ""), (19, "")]))
    f.append(_title(176.5, 671.5, "26. PATIENT'S ACCOUNT NO."))
    f.append(_title(282.0, 671.5, "27. ACCEPT ASSIGNMENT?"))
    f.append(Label(292.0, 682.5, "(For govt. claims, see back)", 4.4))
    f.extend(_checks(56, [(38, "YES"), (43, "NO")]))
    f.append(_title(MID + 0.5, 671.5, "28. TOTAL CHARGE"))
    f.append(Label(MID + 3, line_y(56), "$", 6.0))
    f.append(_v(col_x(58) - CHAR_WIDTH / 2, 684.0, 696.0, 0.5, dashed=True))
    f.append(_title(452.0, 671.5, "29. AMOUNT PAID"))
    f.append(Label(455.0, line_y(56), "$", 6.0))
    f.append(_v(col_x(68) - CHAR_WIDTH / 2, 684.0, 696.0, 0.5, dashed=True))
    f.append(_title(521.5, 671.5, "30. Rsvd.for NUCC Use"))

    # ------------------------------------------------------------------ 31-33
    f.append(_v(176.5, 696.0, 757.0))
    f.append(_v(MID + 0.5, 696.0, 757.0))
    for i, text in enumerate(
        (
            "31. SIGNATURE OF PHYSICIAN OR SUPPLIER",
            "INCLUDING DEGREES OR CREDENTIALS",
            "(I certify that the statements on the reverse",
            "apply to this bill and are made a part thereof.)",
        )
    ):
        f.append(Label(LEFT + 2 + (8 if i else 0), 702.6 + 6.0 * i, text, 5.4 if i < 2 else 5.0))
    f.append(Label(LEFT + 2, 755.0, "SIGNED", 5.0))
    f.append(Label(120.0, 755.0, "DATE", 5.0))
    f.append(_title(176.5, 696.0, "32. SERVICE FACILITY LOCATION INFORMATION"))
    f.append(_title(MID + 0.5, 696.0, "33. BILLING PROVIDER INFO & PH #"))
    f.append(Label(col_x(66) - 4.5, line_y(57) + 1, "(", 11.0))
    f.append(Label(col_x(69) + 0.5, line_y(57) + 1, ")", 11.0))
    for x0, x_div, x_end in ((176.5, 260.5, MID + 0.5), (MID + 0.5, 454.5, RIGHT)):
        f.append(Box(x0, 743.0, x_end - x0, 14.0, SHADE))
        f.append(_h(743.0, x0, x_end))
        f.append(_v(x_div, 743.0, 757.0))
        f.append(Label(x0 + 2, 754.5, "a.", 5.0))
        f.append(Label(x_div + 2, 754.5, "b.", 5.0))

    # ------------------------------------------------------------------ footer
    f.append(Label(LEFT, 763.5, "NUCC Instruction Manual available at: www.nucc.org", 5.6))
    f.append(Label(306.0, 763.5, "PLEASE PRINT OR TYPE", 6.5, bold=True, align="center"))
    f.append(Label(RIGHT, 763.5, "APPROVED OMB-0938-1197 FORM 1500 (02-12)", 5.6, align="right"))
    return f


FORM: tuple[Primitive, ...] = tuple(_build())
