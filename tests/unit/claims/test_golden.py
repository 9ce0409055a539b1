"""The field map's item values for each case, against checked-in JSON.

Set ``UPDATE_GOLDEN=1`` to rewrite the files after a deliberate change, then
read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.models.claims import Claim
from app.reports.cms1500 import field_map
from tests.unit.claims import scenarios

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "cms1500"


def _forms(office, claim_id: int) -> list[dict]:
    with office.store.unit_of_work() as s:
        snap = s.get(Claim, claim_id).snapshot
    return [f.as_json() for f in field_map(snap)]


def _compare(name: str, forms: list[dict]) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(forms, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(path.read_text()) == forms


def test_one_line(office) -> None:
    built = scenarios.primary_claim(office, "one")
    forms = _forms(office, built.claim_id)
    assert len(forms) == 1
    it = forms[0]["items"]
    assert it["2"] == "ALVAREZ, MARIA, L"  # accent dropped, middle initial
    assert it["5_street"] == "412 W JEFFERSON ST"  # no dots
    assert it["21A"] == "E119" and it["21B"] == "I10"
    assert it["28"] == "115.00"
    _compare("one_line", forms)


def test_six_lines_fill_one_form(office) -> None:
    built = scenarios.primary_claim(office, "six")
    forms = _forms(office, built.claim_id)
    assert len(forms) == 1 and len(forms[0]["lines"]) == 6
    assert forms[0]["items"]["28"] == "315.00"
    assert forms[0]["lines"][0]["24D_mod"] == "25"
    _compare("six_lines", forms)


def test_nine_lines_go_on_two_forms_each_totalling_its_own(office) -> None:
    built = scenarios.primary_claim(office, "nine")
    forms = _forms(office, built.claim_id)
    assert [len(f["lines"]) for f in forms] == [6, 3]
    assert [f["items"]["28"] for f in forms] == ["315.00", "90.00"]
    assert [(f["page"], f["pages"]) for f in forms] == [(1, 2), (2, 2)]
    _compare("nine_lines", forms)


def test_secondary_claim_carries_the_primary(office) -> None:
    _primary, secondary = scenarios.secondary_claim(office)
    forms = _forms(office, secondary.claim_id)
    it = forms[0]["items"]
    assert it["carrier"][0] == "LINCOLN MUTUAL SUPPLEMENT"
    assert it["1a"] == "LM55001234"
    assert it["9"] == "ALVAREZ, MARIA"  # the subscriber as on the primary policy
    assert it["9a"] == "1EG4TE5MK73"
    assert it["9d"] == "MEDICARE PART B"
    assert it["11d"] == "YES"
    assert it["29"] == "100.40"  # 92.00 + 8.40 from the primary's ledger entries
    _compare("secondary", forms)


def test_replacement_quotes_the_original_in_item_22(office) -> None:
    _original, replacement = scenarios.replacement_claim(office)
    forms = _forms(office, replacement.claim_id)
    it = forms[0]["items"]
    assert (it["22_code"], it["22_ref"]) == ("7", "PHP25073000412")
    assert forms[0]["lines"][2]["24D"] == "85027"
    assert it["28"] == "309.00"
    _compare("replacement", forms)


def test_patient_who_is_not_the_subscriber(office) -> None:
    built = scenarios.child_claim(office)
    forms = _forms(office, built.claim_id)
    it = forms[0]["items"]
    assert it["2"] == "BROOKS, TYLER"
    assert it["4"] == "BROOKS, NAOMI, J"
    assert it["6"] == "CHILD"
    assert (it["11a_dob"], it["11a_sex"]) == ("06 21 1983", "F")
    assert it["7_city"] == "CHATHAM"
    _compare("not_subscriber", forms)


@pytest.mark.parametrize(
    "name", ["one_line", "six_lines", "nine_lines", "secondary", "replacement", "not_subscriber"]
)
def test_golden_files_are_checked_in(name: str) -> None:
    assert (GOLDEN / f"{name}.json").exists()
