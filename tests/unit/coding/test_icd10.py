"""The ICD-10-CM index: search, billable checks, details, rebuilds, and the
agreement with the package it is built from."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest

from app.codes import icd10
from app.codes.icd10 import Icd10Index


def _package():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return simple_icd_10_cm


def test_code_prefix_with_or_without_dot_and_any_case(icd: Icd10Index) -> None:
    for q in ("e119", "E11.9", "E119", " e11.9 "):
        hits = icd.search(q)
        assert hits[0].code == "E11.9", q
        assert hits[0].description == "Type 2 diabetes mellitus without complications"
        assert hits[0].billable
    hits = icd.search("E11")
    assert [h.code for h in hits[:3]] == ["E11", "E11.0", "E11.1"]
    assert not hits[0].billable
    assert "E11.9" in [h.code for h in hits[:15]]  # children shown level by level
    assert all(h.code.startswith("E11") for h in hits)


def test_words_in_any_order_match_word_starts(icd: Icd10Index) -> None:
    hits = icd.search("diabetes type 2 without")
    assert hits[0].code == "E11.9"
    again = icd.search("without 2 type diab")
    assert again[0].code == "E11.9"
    for h in hits:
        d = h.description.lower()
        assert "diabetes" in d and "type" in d and "without" in d
    assert icd.search("migraine without aura")[0].code.startswith("G43.0")
    assert icd.search("zzqqxx") == []
    assert icd.search("   ") == []


def test_words_of_an_inclusion_term_find_the_code_after_title_matches(icd: Icd10Index) -> None:
    # J02.9 is "Acute pharyngitis, unspecified"; "Sore throat (acute) NOS" is one
    # of its inclusion terms. Before, "sore throat" found nothing at all.
    codes = [h.code for h in icd.search("throat sore")]
    assert {"J02.9", "J02.0"} <= set(codes)
    assert icd.search("strep throat")[0].code == "J02.0"  # "Streptococcal sore throat"
    assert icd.search("high blood pressure")[0].code == "I10"  # an Includes note of I10
    # Among billable codes, those whose title has the words come first, then
    # those found by their terms; categories that cannot be billed come last.
    hits = icd.search("pharyngitis", limit=200)
    billable = [h for h in hits if h.billable]
    in_title = ["pharyngitis" in h.description.lower() for h in billable]
    assert in_title[0] and not in_title[-1]
    assert in_title == sorted(in_title, reverse=True)
    assert len({h.code for h in hits}) == len(hits)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # I10's own Includes note is "hypertension (arterial) (benign)
        # (essential) (malignant) (primary) (systemic)". Before, the
        # categories I1A and I15 and ocular hypertension came first, I10 15th.
        ("hypertension", "I10"),
        ("type 2 diabetes without complications", "E11.9"),
        # J02.9 "Acute pharyngitis, unspecified" has the inclusion term
        # "Sore throat (acute) NOS"; before, the category J02 came first.
        ("sore throat", "J02.9"),
        # M54.5 "Low back pain" is a subcategory since October 2021; its
        # billable default is M54.50 "Low back pain, unspecified".
        ("low back pain", "M54.50"),
        # Before, P39.3 "Neonatal urinary tract infection" came first.
        ("urinary tract infection", "N39.0"),
        ("high blood pressure", "I10"),
        ("pharyngitis", "J02.9"),
    ],
)
def test_word_search_puts_the_code_a_biller_means_first(
    icd: Icd10Index, query: str, first: str
) -> None:
    hits = icd.search(query)
    assert hits[0].code == first, [h.code for h in hits[:5]]
    assert hits[0].billable
    flags = [h.billable for h in hits]
    assert flags == sorted(flags, reverse=True)  # billable codes before categories


def test_word_search_prefers_titles_with_fewer_extra_words(icd: Icd10Index) -> None:
    codes = [h.code for h in icd.search("hypertension", limit=30)]
    # "Portal hypertension" (one word more) before "Primary pulmonary
    # hypertension" (two more), and both before the non-billable categories.
    assert codes.index("K76.6") < codes.index("I27.0")
    low_back = [h.code for h in icd.search("low back pain")]
    assert low_back[:3] == ["M54.50", "M54.59", "M54.51"]
    # A long title that merely contains the words comes after the close ones.
    assert low_back.index("M51.362") > 2
    assert low_back[-1] == "M54.5"  # the subcategory, last


def test_a_word_query_that_looks_like_a_code_falls_back_to_words(icd: Icd10Index) -> None:
    # "a1c" has the shape of a code prefix but no code starts with A1C.
    hits = icd.search("a1c")
    assert all(not h.code.startswith("A1C") for h in hits)


def test_category_is_refused_naming_billable_children(icd: Icd10Index) -> None:
    msg = icd.diagnosis_problem("E11")
    assert msg is not None
    assert msg.startswith("E11 is a category; pick a billable code such as ")
    assert "E11.9" in msg
    assert "billable codes under it" in msg
    sub = icd.diagnosis_problem("e11.6")
    assert sub is not None and sub.startswith("E11.6 is a subcategory; pick a billable code")
    assert "E11.65" in sub
    seventh = icd.diagnosis_problem("S72.001")
    assert seventh is not None and "S72.001A" in seventh
    assert icd.diagnosis_problem("E11.9") is None
    assert icd.diagnosis_problem("e119") is None


def test_unknown_and_empty_codes_are_refused(icd: Icd10Index) -> None:
    assert "is not an ICD-10-CM code" in (icd.diagnosis_problem("E11.99") or "")
    assert "is not an ICD-10-CM code" in (icd.diagnosis_problem("E08-E13") or "")
    assert icd.diagnosis_problem("") == "Diagnosis code is required"


def test_dates_of_service_before_icd10_are_refused(icd: Icd10Index) -> None:
    msg = icd.diagnosis_problem("E11.9", date(2015, 9, 30))
    assert msg is not None and "ICD-10-CM applies to dates of service from 10/01/2015" in msg
    assert icd.diagnosis_problem("E11.9", date(2015, 10, 1)) is None


def test_detail_shows_description_chapter_and_excludes1(icd: Icd10Index) -> None:
    d = icd.detail("E11.9")
    assert d is not None
    assert d.description == "Type 2 diabetes mellitus without complications"
    assert d.chapter == "4"
    assert d.chapter_title == "Endocrine, nutritional and metabolic diseases (E00-E89)"
    notes = dict((n, src) for src, n in d.excludes1)
    assert notes["type 1 diabetes mellitus (E10.-)"] == "E11"  # inherited from the category
    assert "gestational diabetes (O24.4-)" in notes
    z66 = icd.detail("Z66")  # a category that shares its name with its block
    assert z66 is not None and z66.billable and z66.chapter == "21"
    assert icd.detail("E99.99") is None


def _billable_leaf(pkg, code: str) -> bool:  # type: ignore[no-untyped-def]
    """The package's own word on a code: a leaf of the tabular list. Its
    ``is_leaf`` is also True for a dozen block headings such as "M40-M54"
    (ranges whose sub-blocks it files elsewhere); a range is never a code."""
    return bool(pkg.is_leaf(code)) and (pkg.is_category(code) or not pkg.is_block(code))


def test_billable_count_matches_the_package(icd: Icd10Index) -> None:
    pkg = _package()
    leaves = {c for c in pkg.get_all_codes(True) if _billable_leaf(pkg, c)}
    icd.ensure()
    assert icd.billable_count == len(leaves)
    assert 70_000 < icd.billable_count < 80_000
    # The block headings the package calls leaves are refused as codes.
    quirks = [c for c in pkg.get_all_codes(True) if pkg.is_leaf(c) and not _billable_leaf(pkg, c)]
    assert "M40-M54" in quirks
    assert all(icd.diagnosis_problem(c) for c in quirks)


def test_agreement_with_the_package_on_2000_random_codes(icd: Icd10Index) -> None:
    pkg = _package()
    all_codes = list(dict.fromkeys(pkg.get_all_codes(True)))
    rng = random.Random(20151001)
    sample = rng.sample(all_codes, 2000)
    disagree = [c for c in sample if (icd.diagnosis_problem(c) is None) != _billable_leaf(pkg, c)]
    assert disagree == []
    billable = sum(1 for c in sample if _billable_leaf(pkg, c))
    assert 1000 < billable < 2000  # the sample covers both kinds


def test_500_made_up_codes_are_refused(icd: Icd10Index) -> None:
    pkg = _package()
    known = {icd10.nodot(c) for c in pkg.get_all_codes(True)}
    rng = random.Random(99)
    alnum = "0123456789ABCDEFGHJKXYZ"
    made_up: list[str] = []
    while len(made_up) < 500:
        c = (
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            + rng.choice("0123456789")
            + rng.choice(alnum)
            + "".join(rng.choice(alnum) for _ in range(rng.randint(0, 4)))
        )
        if c not in known:
            made_up.append(c[:3] + "." + c[3:] if len(c) > 3 else c)
    accepted = [c for c in made_up if icd.diagnosis_problem(c) is None]
    assert accepted == []


def test_index_is_lazy_and_rebuilt_when_the_package_changes(
    tmp_path: Path, icd_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = tmp_path / "ref"
    idx = Icd10Index(ref)
    assert not ref.exists()  # creating the object touches nothing
    ref.mkdir()
    (ref / icd10.INDEX_FILE).write_bytes((icd_dir / icd10.INDEX_FILE).read_bytes())
    assert idx.is_current()
    monkeypatch.setattr(icd10, "package_fingerprint", lambda: '{"package": "0.0.0"}')
    assert not idx.is_current()
    built: list[Path] = []
    monkeypatch.setattr(icd10, "build", lambda target, progress=None: built.append(target))
    with pytest.raises(Exception, match="could not be prepared"):
        idx.ensure()
    assert built == [ref / icd10.INDEX_FILE]


def test_an_index_of_an_older_layout_is_rebuilt(tmp_path: Path, icd_dir: Path) -> None:
    # An installation that built the index before the ranking columns were
    # added gets it rebuilt at its next search, not a search that fails.
    path = tmp_path / icd10.INDEX_FILE
    path.write_bytes((icd_dir / icd10.INDEX_FILE).read_bytes())
    assert Icd10Index(tmp_path).is_current()
    db = sqlite3.connect(path)
    fp = json.loads(db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()[0])
    fp["schema"] = icd10.SCHEMA - 1
    db.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (json.dumps(fp),))
    db.commit()
    db.close()
    assert not Icd10Index(tmp_path).is_current()


def test_a_damaged_index_file_is_not_current(tmp_path: Path) -> None:
    (tmp_path / icd10.INDEX_FILE).write_bytes(b"not a database at all" * 100)
    assert not Icd10Index(tmp_path).is_current()


def test_importing_the_index_module_does_not_load_the_package() -> None:
    code = (
        "import sys, app.codes.icd10, app.services.encounters, app.services.fee_schedule;"
        "print('simple_icd_10_cm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_normalize() -> None:
    assert icd10.normalize("e119") == "E11.9"
    assert icd10.normalize(" s72.001a ") == "S72.001A"
    assert icd10.normalize("i10") == "I10"
