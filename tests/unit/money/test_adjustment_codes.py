"""The bundled CARC / RARC list: the codes an office meets have a short
description; a well-formed code outside the list is named, not refused."""

from __future__ import annotations

import csv

from app.codes import adjustment_codes
from app.money import money
from app.services import posting
from app.services.posting import EobLine
from tests import factories_money as fm
from tests.unit.money.conftest import DOS
from tests.unit.money.test_posting import _visit_and_claim

COMMON_CARC = [
    "1",
    "2",
    "3",
    "4",
    "16",
    "18",
    "22",
    "23",
    "27",
    "29",
    "45",
    "50",
    "96",
    "97",
    "109",
    "119",
    "167",
    "197",
    "204",
    "242",
    "253",
]
COMMON_RARC = ["N130", "M15", "N290", "MA130"]


def test_the_common_codes_are_described() -> None:
    for code in COMMON_CARC:
        assert adjustment_codes.carc(code), code
    for code in COMMON_RARC:
        assert adjustment_codes.rarc(code), code
    assert adjustment_codes.carc("CO-45") == adjustment_codes.carc("45")
    assert "contractual" in (adjustment_codes.carc("45") or "")
    assert "equestration" in (adjustment_codes.carc("253") or "")
    assert adjustment_codes.rarc("n130") == adjustment_codes.rarc("N130")
    assert adjustment_codes.carc("999") is None and adjustment_codes.rarc("N9999") is None


def test_the_file_is_one_kind_code_and_description_a_line_without_repeats() -> None:
    with adjustment_codes.CODES_FILE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["kind"] for r in rows} == {"CARC", "RARC"}
    keys = [(r["kind"], r["code"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["description"].strip() for r in rows)
    assert adjustment_codes.count("CARC") >= 60 and adjustment_codes.count("RARC") >= 30


def test_a_code_outside_the_list_is_a_warning_and_the_line_still_posts(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "0.00")
        line = EobLine(
            v.line_ids[0], allowed=money("0.00"), denial_group="CO", denial_code="999", rarc="N9999"
        )
        pv = posting.preview_eob(s, office.biller, chk, c.id, [line])
        assert pv.ok, pv.problems
        assert pv.warnings == [
            f"Line {DOS:%m/%d/%Y} 99214: reason code 999 is not in the list of common codes; "
            "check it against the EOB",
            f"Line {DOS:%m/%d/%Y} 99214: remark code N9999 is not in the list of common codes; "
            "check it against the EOB",
        ]
        known = EobLine(v.line_ids[0], denial_group="CO", denial_code="16", rarc="N290")
        assert posting.preview_eob(s, office.biller, chk, c.id, [known]).warnings == []
        posting.post_eob(s, office.biller, chk, c.id, [line])
