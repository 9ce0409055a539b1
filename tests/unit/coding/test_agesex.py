"""Age- and sex-specific diagnoses: the rules name real parts of the code set,
and the warnings say who the code is for and who the patient is."""

from __future__ import annotations

import warnings
from datetime import date

from app.codes import agesex
from app.codes.icd10 import Icd10Index

DOS = date(2026, 3, 10)

# What each rule's codes must be about, checked against the code set's own
# titles (a code or range that does not exist, or means something else,
# fails here).
EXPECTED_WORDS = {
    "P00-P96": ("perinatal",),
    "Z38": ("liveborn",),
    "Z05": ("newborn",),
    "Z00.110": ("newborn",),
    "Z00.111": ("newborn",),
    "Z00.12": ("child",),
    "Z00.0": ("adult",),
    "H25": ("age-related",),
    "R54": ("age-related",),
    "R41.81": ("age-related",),
    "O00-O9A": ("pregnancy",),
    "Z3A": ("gestation",),
    "Z33.1": ("pregnant",),
    "Z34": ("pregnancy",),
    "Z36": ("antenatal",),
    "Z37": ("delivery",),
    "Z39": ("postpartum",),
    "C51-C58": ("female",),
    "D06": ("cervix",),
    "D07.0": ("endometrium",),
    "D07.1": ("vulva",),
    "D07.2": ("vagina",),
    "D07.3": ("female",),
    "D25-D28": ("uterus", "ovary", "female"),
    "D39": ("female",),
    "E28": ("ovarian",),
    "N70-N77": ("female",),
    "N80-N98": ("female",),
    "Q50-Q52": ("ovaries", "uterus", "cervix", "genitalia", "fallopian", "vagina", "female"),
    "R87": ("female",),
    "Z01.41": ("gynecological",),
    "Z12.4": ("cervix",),
    "Z30.43": ("intrauterine",),
    "Z85.40": ("female",),
    "Z85.41": ("cervix",),
    "Z85.42": ("uterus",),
    "Z85.43": ("ovary",),
    "Z85.44": ("female",),
    "C60-C63": ("male",),
    "D07.4": ("penis",),
    "D07.5": ("prostate",),
    "D07.6": ("male",),
    "D29": ("male",),
    "D40": ("male",),
    "E29": ("testicular",),
    "N40-N53": ("male",),
    "Q53-Q55": ("testis", "testes", "penis", "male", "hypospadias", "scrotum"),
    "R86": ("male",),
    "Z12.5": ("prostate",),
    "Z85.45": ("male",),
    "Z85.46": ("prostate",),
    "Z85.47": ("testis",),
    "Z85.48": ("epididymis",),
}


def test_every_rule_names_real_codes_about_what_it_says(icd: Icd10Index) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm as pkg
    categories = {c: pkg.get_description(c) for c in pkg.get_all_codes(True) if pkg.is_category(c)}
    specs = [spec for r in agesex.RULES for spec in r.codes]
    assert sorted(specs) == sorted(EXPECTED_WORDS)
    for spec in specs:
        words = EXPECTED_WORDS[spec]
        if "-" in spec:
            lo, hi = spec.split("-")
            # Both ends are categories of the code set; the words are looked
            # for in the titles of the categories between them and the chapter.
            first, last = icd.detail(lo), icd.detail(hi)
            assert first is not None and last is not None, spec
            cats = [c for c in categories if lo <= c <= hi]
            assert len(cats) >= 2, spec
            titles = " ".join([first.chapter_title] + [categories[c] for c in cats]).lower()
        else:
            hit = icd.hit(spec)
            assert hit is not None, spec
            titles = hit.description.lower()
        assert any(w in titles for w in words), (spec, titles[:200])


def test_sex_specific_codes_warn_on_the_other_sex() -> None:
    w = agesex.warnings_for("N40.0", date(1960, 1, 1), "F", DOS)
    assert len(w) == 1
    assert "for male patients; this patient is recorded as female" in w[0]
    assert agesex.warnings_for("N40.0", date(1960, 1, 1), "M", DOS) == []
    assert agesex.warnings_for("N40.0", date(1960, 1, 1), "U", DOS) == []
    assert "for female patients" in agesex.warnings_for("C53.9", date(1960, 1, 1), "M", DOS)[0]
    assert "for female patients" in agesex.warnings_for("N95.1", date(1960, 1, 1), "M", DOS)[0]
    assert agesex.warnings_for("C61", date(1950, 1, 1), "F", DOS)  # prostate cancer
    assert agesex.warnings_for("Z12.4", date(1950, 1, 1), "M", DOS)  # cervical screening


def test_maternity_codes_warn_on_male_and_out_of_age_patients() -> None:
    male = agesex.warnings_for("O80", date(1995, 1, 1), "M", DOS)
    assert any("recorded as male" in w for w in male)
    old = agesex.warnings_for("Z34.00", date(1950, 1, 1), "F", DOS)
    assert any("for patients aged 9-64" in w and "76 years old" in w for w in old)
    assert agesex.warnings_for("Z3A.20", date(1995, 1, 1), "F", DOS) == []


def test_newborn_child_and_adult_codes_warn_outside_their_ages() -> None:
    w = agesex.warnings_for("P07.30", date(1980, 5, 1), "M", DOS)
    assert len(w) == 1 and "under 1 year old" in w[0] and "45 years old" in w[0]
    assert agesex.warnings_for("P07.30", date(2026, 2, 1), "M", DOS) == []
    assert agesex.warnings_for("Z38.00", date(2026, 3, 9), "F", DOS) == []
    w = agesex.warnings_for("Z00.110", date(2026, 2, 20), "F", DOS)  # 18 days old
    assert len(w) == 1 and "aged 0-7 days" in w[0] and "18 days old" in w[0]
    assert agesex.warnings_for("Z00.111", date(2026, 2, 20), "F", DOS) == []
    w = agesex.warnings_for("Z00.129", date(1990, 1, 1), "F", DOS)
    assert len(w) == 1 and "aged 0-17" in w[0]
    assert agesex.warnings_for("Z00.129", date(2020, 1, 1), "F", DOS) == []
    w = agesex.warnings_for("Z00.00", date(2020, 1, 1), "F", DOS)
    assert len(w) == 1 and "aged 15-124" in w[0] and "6 years old" in w[0]
    assert agesex.warnings_for("Z00.00", date(1990, 1, 1), "F", DOS) == []


def test_codes_without_rules_have_no_warnings() -> None:
    assert agesex.warnings_for("E11.9", date(2026, 3, 1), "F", DOS) == []
    assert agesex.rule_for("I10") == []


def test_age_on() -> None:
    assert agesex.age_on(date(2000, 3, 10), date(2026, 3, 10)) == (26, 9496)
    assert agesex.age_on(date(2000, 3, 11), date(2026, 3, 10))[0] == 25
