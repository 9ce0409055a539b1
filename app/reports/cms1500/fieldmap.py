"""The CMS-1500 (02/12) field map: a claim's frozen snapshot -> the value of
every item, one ``FormValues`` per printed form (six service lines each).

Values are already in the form's conventions: upper case, no dots in
diagnosis codes, no ``#`` or ``.`` in identifiers, dates as ``MM DD YY``
(``MM DD YYYY`` in items 3 and 11a), money as ``1234.56`` (the layout splits
dollars and cents). A checkbox item's value is the option to mark (``"YES"``,
``"SELF"``, ``"GROUP"`` ...). Reads only the snapshot (see
``app.services.claim_snapshot`` for its shape), so a claim prints the
same years later whatever changed in the office's records.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

LINES_PER_FORM = 6

PROGRAMS = ("MEDICARE", "MEDICAID", "TRICARE", "CHAMPVA", "GROUP", "FECA", "OTHER")
RELATIONSHIPS = ("SELF", "SPOUSE", "CHILD", "OTHER")
DX_LETTERS = "ABCDEFGHIJKL"


@dataclass
class FormValues:
    """One printed form: the claim items (1-33) and its service lines (24A-J)."""

    items: dict[str, Any]
    lines: list[dict[str, str]] = field(default_factory=list)
    page: int = 1
    pages: int = 1

    def as_json(self) -> dict[str, Any]:
        return {"page": self.page, "pages": self.pages, "items": self.items, "lines": self.lines}


# ------------------------------------------------------------------ text rules

_STRIP = re.compile(r"[.#]")


def clean(text: object) -> str:
    """Upper case, accents dropped, no ``.`` or ``#``, single spaces."""
    if text is None:
        return ""
    t = unicodedata.normalize("NFKD", str(text))
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = _STRIP.sub("", t.upper())
    return " ".join(t.split())


def ident(text: object) -> str:
    """An identifier as printed: letters, digits and hyphens, upper case
    (no spaces, ``#`` or ``.``)."""
    return re.sub(r"[^0-9A-Za-z-]", "", str(text or "")).upper()


def digits(text: object) -> str:
    return re.sub(r"\D", "", str(text or ""))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def mmddyy(value: str | None) -> str:
    d = _date(value)
    return f"{d:%m %d %y}" if d else ""


def mmddyyyy(value: str | None) -> str:
    d = _date(value)
    return f"{d:%m %d %Y}" if d else ""


def person_name(last: str, first: str, middle: str = "", suffix: str = "") -> str:
    """``LAST SUFFIX, FIRST, M`` (NUCC order; the suffix follows the last name)."""
    if not (last or first):
        return ""
    head = clean(f"{last} {suffix}" if suffix else last)
    out = f"{head}, {clean(first)}"
    if middle:
        out += f", {clean(middle)[:1]}"
    return out


def money_text(value: Decimal) -> str:
    return f"{value:.2f}"


def city_line(city: str, state: str, zip_code: str) -> str:
    return clean(f"{city} {state} {digits(zip_code)}".strip())


def yes_no(flag: object) -> str:
    return "YES" if flag else "NO"


# ------------------------------------------------------------------ the map


def _common_items(snap: dict[str, Any]) -> dict[str, Any]:
    pat = snap["patient"]
    ins = snap["insured"]
    other = snap.get("other_insured")
    payer = snap["payer"]
    prov = snap["provider"]
    prac = snap["practice"]
    enc = snap["encounter"]
    dx = [re.sub(r"[^0-9A-Z]", "", c.upper()) for c in snap.get("diagnoses", [])][:12]

    carrier = [clean(payer["name"]), clean(payer.get("address1", ""))]
    if payer.get("address2"):
        carrier.append(clean(payer.get("address2", "")))
    city = clean(payer.get("city", ""))
    carrier.append(clean(f"{city}, {payer['state']} {digits(payer['zip'])}" if city else ""))

    program = str(payer["program"]).upper()
    items: dict[str, Any] = {
        "carrier": [c for c in carrier if c],
        "1": program if program in PROGRAMS else "OTHER",
        "1a": ident(ins.get("member_id", "")),
        "2": person_name(
            pat.get("last", ""), pat.get("first", ""), pat.get("middle", ""), pat.get("suffix", "")
        ),
        "3_dob": mmddyyyy(pat.get("dob", "")),
        "3_sex": pat.get("sex", "") if pat.get("sex", "") in ("M", "F") else "",
        "4": person_name(ins.get("last", ""), ins.get("first", ""), ins.get("middle", "")),
        "5_street": clean(
            " ".join(x for x in (pat.get("address1", ""), pat.get("address2", "")) if x)
        ),
        "5_city": clean(pat.get("city", "")),
        "5_state": clean(pat.get("state", "")),
        "5_zip": digits(pat.get("zip", "")),
        "5_phone": digits(pat.get("phone", "")),
        "6": str(ins["relationship"]).upper(),
        "7_street": clean(ins.get("address1", "")),
        "7_city": clean(ins.get("city", "")),
        "7_state": clean(ins.get("state", "")),
        "7_zip": digits(ins.get("zip", "")),
        "7_phone": digits(ins.get("phone", "")),
        "9": person_name(other.get("last", ""), other.get("first", ""), other.get("middle", ""))
        if other
        else "",
        "9a": ident(other.get("member_id", "") or other.get("group_number", "")) if other else "",
        "9d": clean(other.get("plan_name") or other.get("payer_name", "")) if other else "",
        "10a": yes_no(enc.get("related_employment")),
        "10b": yes_no(enc.get("related_auto")),
        "10b_state": clean(enc.get("auto_state", "")) if enc.get("related_auto") else "",
        "10c": yes_no(enc.get("related_other")),
        "10d": "",
        "11": ident(ins.get("group_number", "")),
        "11a_dob": mmddyyyy(ins.get("dob")),
        "11a_sex": ins.get("sex") if ins.get("sex") in ("M", "F") else "",
        "11b": "",
        "11c": clean(ins.get("plan_name") or payer["name"]),
        "11d": yes_no(other),
        "12": "SIGNATURE ON FILE" if pat.get("signature_on_file") else "",
        "13": "SIGNATURE ON FILE" if pat.get("insured_signature_on_file") else "",
        "14_date": mmddyy(enc.get("illness_date")),
        "14_qual": clean(enc.get("illness_qualifier", "")) if enc.get("illness_date") else "",
        "15_qual": "",
        "15_date": "",
        "16_from": "",
        "16_to": "",
        "17_qual": "",
        "17_name": "",
        "17a_qual": "",
        "17a": "",
        "17b": "",
        "18_from": "",
        "18_to": "",
        "19": "",
        "20": "NO",
        "20_charges": "",
        "21_ind": "0",
        "22_code": "",
        "22_ref": "",
        "23": ident(enc.get("prior_auth", "")),
        "25": digits(prac.get("ein", "")),
        "25_type": "EIN",
        "26": ident(snap["claim_no"]),
        "27": "YES",
        "31": clean(
            " ".join(
                x
                for x in (prov.get("first", ""), prov.get("last", ""), prov.get("credentials", ""))
                if x
            )
        ),
        "31_date": mmddyy(snap["created"]),
        "32_name": clean(prac["name"]),
        "32_street": clean(prac.get("address1", "")),
        "32_city": city_line(prac.get("city", ""), prac.get("state", ""), prac.get("zip", "")),
        "32a": digits(prac.get("billing_npi", "")),
        "32b": "",
        "33_phone": digits(prac.get("phone", "")),
        "33_name": clean(prac["name"]),
        "33_street": clean(prac.get("address1", "")),
        "33_city": city_line(prac.get("city", ""), prac.get("state", ""), prac.get("zip", "")),
        "33a": digits(prac.get("billing_npi", "")),
        "33b": ("ZZ" + ident(prac.get("taxonomy", ""))) if prac.get("taxonomy") else "",
    }
    if enc.get("referring_name") or enc.get("referring_npi"):
        items["17_qual"] = clean(enc.get("referring_qualifier") or "DN")
        items["17_name"] = clean(enc.get("referring_name", ""))
        items["17b"] = digits(enc.get("referring_npi", ""))
    for i, letter in enumerate(DX_LETTERS):
        items["21" + letter] = dx[i] if i < len(dx) else ""
    if snap.get("frequency") in ("7", "8"):
        items["22_code"] = snap["frequency"]
        items["22_ref"] = ident(snap.get("original_ref", ""))
    return items


def _line_values(line: dict[str, Any], snap: dict[str, Any]) -> dict[str, str]:
    mods = [ident(m) for m in line.get("modifiers", []) if m][:4]
    shaded = ""
    if line.get("ndc"):
        shaded = f"N4{digits(line['ndc'])} {clean(line.get('ndc_unit', ''))}{clean(line.get('ndc_quantity', ''))}"
    taxonomy = line.get("provider_taxonomy", "")
    return {
        "24A_from": mmddyy(line.get("from", "")),
        "24A_to": mmddyy(line.get("to", "")),
        "24B": digits(line.get("place_of_service", "")),
        "24C": "Y" if line.get("emergency") else "",
        "24D": ident(line.get("code", "")),
        "24D_mod": " ".join(mods),
        "24E": ident(line.get("pointers", ""))[:4],
        "24F": money_text(Decimal(line["charge"])),
        "24G": str(line.get("units", 1)),
        "24H": clean(line.get("epsdt", "")),
        "24I": "ZZ" if taxonomy else "",
        "24J": digits(line.get("provider_npi", "")),
        "24J_other": ident(taxonomy),
        "24_shaded": shaded,
    }


def field_map(snap: dict[str, Any]) -> list[FormValues]:
    """Every form of the claim: items 1-33 and up to six lines each.

    A claim with more than six lines continues on further forms; each form's
    item 28 totals only its own lines, and item 29 the other payers' payments
    on those lines (money not tied to a line is counted on the first form).
    """
    common = _common_items(snap)
    lines = list(snap.get("lines", []))
    chunks = [lines[i : i + LINES_PER_FORM] for i in range(0, len(lines), LINES_PER_FORM)] or [[]]
    forms = []
    for n, chunk in enumerate(chunks, start=1):
        items = dict(common)
        total = sum((Decimal(ln["charge"]) for ln in chunk), Decimal("0.00"))
        paid = sum((Decimal(ln.get("prior_paid", "0")) for ln in chunk), Decimal("0.00"))
        if n == 1:
            paid += Decimal(snap.get("prior_paid_unapplied", "0"))
        items["28"] = money_text(total)
        items["29"] = money_text(paid) if paid else ""
        forms.append(
            FormValues(
                items=items,
                lines=[_line_values(ln, snap) for ln in chunk],
                page=n,
                pages=len(chunks),
            )
        )
    return forms
