"""Diagnoses that fit only some patients by age or sex, checked as warnings.

The lists follow the four age groups of CMS's Medicare Code Editor (newborn:
age 0; pediatric: 0-17; maternity: 9-64; adult: 15-124) and the sections of
the ICD-10-CM tabular list whose titles or notes name a sex or an age group.
Each rule cites where it comes from; ``docs/coding.md`` lists them all. They
are warnings, never refusals: a perinatal condition may be coded later in
life while it lasts (guideline I.C.16.a.4), and a patient's recorded sex
may not match their anatomy (CMS itself turned the Code Editor's sex edits
off in October 2023 for this reason).

A rule names codes either as a range of categories (``"C51-C58"``, every
code whose first three characters fall in it) or as a prefix (``"Z00.12"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.codes.icd10 import nodot


@dataclass(frozen=True)
class Rule:
    codes: tuple[str, ...]
    why: str  # what the codes are, in the message
    sex: str | None = None  # "F" / "M": only for this sex
    years: tuple[int, int] | None = None  # inclusive age range in whole years
    days: tuple[int, int] | None = None  # inclusive age range in days
    source: str = ""


NEWBORN = (0, 0)
PEDIATRIC = (0, 17)
MATERNITY = (9, 64)
ADULT = (15, 124)

RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- newborn
    Rule(
        ("P00-P96",),
        "a perinatal condition (ICD-10-CM chapter 16, for newborn records); after the "
        "first year use it only if the condition began around birth and is still present",
        years=NEWBORN,
        source="Chapter 16 note: 'for use on newborn records only'; MCE newborn age 0",
    ),
    Rule(
        ("Z38",),
        "a liveborn infant code (the newborn's birth record)",
        years=NEWBORN,
        source="Z38 Liveborn infants according to place of birth; MCE newborn age 0",
    ),
    Rule(
        ("Z05",),
        "observation of a newborn for a suspected condition ruled out",
        years=NEWBORN,
        source="Z05 Encounter for observation and evaluation of newborn",
    ),
    Rule(
        ("Z00.110",),
        "the health examination of a newborn under 8 days old",
        days=(0, 7),
        source="Z00.110 title",
    ),
    Rule(
        ("Z00.111",),
        "the health examination of a newborn 8 to 28 days old",
        days=(8, 28),
        source="Z00.111 title",
    ),
    # ---------------------------------------------------------------- pediatric
    Rule(
        ("Z00.12",),
        "a routine child health examination",
        years=PEDIATRIC,
        source="Z00.12 Encounter for routine child health examination; MCE pediatric 0-17",
    ),
    # ---------------------------------------------------------------- adult
    Rule(
        ("Z00.0",),
        "a general adult medical examination",
        years=ADULT,
        source="Z00.0 Encounter for general adult medical examination; MCE adult 15-124",
    ),
    Rule(
        ("H25", "R54", "R41.81"),
        "an age-related condition of adults",
        years=ADULT,
        source="H25 Age-related cataract, R54 Age-related physical debility, "
        "R41.81 Age-related cognitive decline; MCE adult 15-124",
    ),
    # ---------------------------------------------------------------- maternity
    Rule(
        ("O00-O9A", "Z3A", "Z33.1", "Z34", "Z36", "Z37", "Z39"),
        "a pregnancy, delivery or postpartum code (maternal record)",
        sex="F",
        years=MATERNITY,
        source="Chapter 15 note: 'for use only on maternal records'; Z3A note "
        "'only on the maternal record'; MCE maternity 9-64",
    ),
    # ---------------------------------------------------------------- female
    Rule(
        (
            "C51-C58",
            "D06",
            "D07.0",
            "D07.1",
            "D07.2",
            "D07.3",
            "D25-D28",
            "D39",
            "E28",
            "N70-N77",
            "N80-N98",
            "Q50-Q52",
            "R87",
            "Z01.41",
            "Z12.4",
            "Z30.43",
            "Z85.40",
            "Z85.41",
            "Z85.42",
            "Z85.43",
            "Z85.44",
        ),
        "a condition of female genital organs",
        sex="F",
        source="tabular sections on female genital organs: C51-C58, N70-N77, N80-N98, "
        "D06 cervix, D07.0-D07.3, D25-D28, D39, E28 ovarian dysfunction, Q50-Q52, R87, "
        "Z01.41 gynecological exam, Z12.4 cervical screening, Z30.43 IUD, Z85.40-Z85.44",
    ),
    # ---------------------------------------------------------------- male
    Rule(
        (
            "C60-C63",
            "D07.4",
            "D07.5",
            "D07.6",
            "D29",
            "D40",
            "E29",
            "N40-N53",
            "Q53-Q55",
            "R86",
            "Z12.5",
            "Z85.45",
            "Z85.46",
            "Z85.47",
            "Z85.48",
        ),
        "a condition of male genital organs",
        sex="M",
        source="tabular sections on male genital organs: C60-C63, N40-N53, D07.4-D07.6, "
        "D29, D40, E29 testicular dysfunction, Q53-Q55, R86, Z12.5 prostate screening, "
        "Z85.45-Z85.48",
    ),
)


def _covers(spec: str, code: str) -> bool:
    c = nodot(code)
    if "-" in spec:
        lo, hi = spec.split("-")
        return lo <= c[:3] <= hi
    return c.startswith(nodot(spec))


def rule_for(code: str) -> list[Rule]:
    return [r for r in RULES if any(_covers(spec, code) for spec in r.codes)]


def age_on(dob: date, on: date) -> tuple[int, int]:
    """(whole years, days) of age on a date."""
    years = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    return years, (on - dob).days


def _age_text(years: int, days: int) -> str:
    if years >= 2:
        return f"{years} years old"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} old"
    months = days * 12 // 365
    return f"{months} months old"


def _range_text(r: Rule) -> str:
    if r.days is not None:
        return f"aged {r.days[0]}-{r.days[1]} days"
    assert r.years is not None
    lo, hi = r.years
    if lo == hi == 0:
        return "under 1 year old"
    return f"aged {lo}-{hi}"


def warnings_for(code: str, dob: date, sex: str, on: date) -> list[str]:
    """Age and sex warnings for one diagnosis on a visit dated ``on``."""
    out: list[str] = []
    years, days = age_on(dob, on)
    shown = code.strip().upper()
    for r in rule_for(code):
        if r.sex and sex in ("F", "M") and sex != r.sex:
            who = "female" if r.sex == "F" else "male"
            recorded = "male" if sex == "M" else "female"
            out.append(
                f"{shown} is {r.why}, for {who} patients; this patient is recorded as {recorded}"
            )
        too_old_or_young = (r.years is not None and not r.years[0] <= years <= r.years[1]) or (
            r.days is not None and not r.days[0] <= days <= r.days[1]
        )
        if too_old_or_young:
            out.append(
                f"{shown} is {r.why}, for patients {_range_text(r)}; "
                f"this patient is {_age_text(years, days)} on {on:%m/%d/%Y}"
            )
    return out
