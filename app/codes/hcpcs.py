"""CMS's public HCPCS Level II file (the "alpha-numeric HCPCS file").

Fixed-width records, one line each:

=========  ======  ==========================================================
columns    field   meaning
=========  ======  ==========================================================
1-5        code    the HCPCS code (for modifier records: the modifier in 4-5)
6-10       seq     description sequence number
11         rec id  3 = first line of a procedure, 4 = its continuation lines,
                   7 = first line of a modifier, 8 = its continuation lines
12-91      long    the long description (continued on the 4/8 lines)
92-119     short   the short description (28 characters, first line only)
=========  ======  ==========================================================

Only Level II codes (a letter A-V and four digits) are imported; CPT codes
(five digits) that appear in some CMS files carry AMA-licensed text and are
skipped, as are modifier records (the program keeps its own modifier list).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

LEVEL2 = re.compile(r"^[A-V]\d{4}$")


@dataclass(frozen=True)
class HcpcsRecord:
    code: str
    short_description: str
    long_description: str


@dataclass
class HcpcsFile:
    records: list[HcpcsRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "Line 12: ..."
    modifier_lines: int = 0
    skipped_codes: int = 0  # CPT (Level I) codes in the file


def parse_lines(lines: Iterable[str]) -> HcpcsFile:
    """Read the records; every line the layout does not explain is a problem."""
    out = HcpcsFile()
    current: dict[str, str] | None = None
    parts: list[str] = []

    def finish() -> None:
        nonlocal current, parts
        if current is not None:
            long = re.sub(r"\s+", " ", " ".join(parts)).strip()
            out.records.append(HcpcsRecord(current["code"], current["short"], long))
        current, parts = None, []

    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if len(line) < 12:
            out.problems.append(
                f"Line {n}: only {len(line)} characters; an HCPCS record has its record "
                "id in column 11 and the description from column 12"
            )
            continue
        code, rec_id = line[0:5].strip().upper(), line[10]
        text = line[11:91].strip()
        if rec_id == "3":
            finish()
            if LEVEL2.match(code):
                current = {"code": code, "short": line[91:119].strip()}
                parts = [text]
                if not current["short"]:
                    out.problems.append(f"Line {n}: {code} has no short description (92-119)")
            elif re.fullmatch(r"\d{4}[0-9A-Z]", code):
                out.skipped_codes += 1
            else:
                out.problems.append(f"Line {n}: '{code}' in columns 1-5 is not an HCPCS code")
        elif rec_id == "4":
            if current is not None and code == current["code"]:
                parts.append(text)
            elif current is None and re.fullmatch(r"\d{4}[0-9A-Z]", code):
                continue  # the rest of a skipped CPT description
            else:
                out.problems.append(
                    f"Line {n}: continuation of {code} does not follow the first line of {code}"
                )
        elif rec_id in "78":
            finish()
            out.modifier_lines += 1
        else:
            out.problems.append(f"Line {n}: record id '{rec_id}' in column 11 is not 3, 4, 7 or 8")
    finish()
    return out


def read_file(path: Path) -> HcpcsFile:
    """CMS publishes the file as plain text in Latin-1."""
    with open(path, encoding="latin-1", newline="") as f:
        return parse_lines(f)
