"""An EOB line must add up: charge = allowed + contractual, and allowed =
paid + deductible + coinsurance + copay. A line that does not is named in the
preview with its date of service, code and the difference; posting is still
allowed (the payer may report another adjustment, such as sequestration)."""

from __future__ import annotations

from app.money import money
from app.services import ledger, posting
from app.services.posting import EobLine
from tests import factories_money as fm
from tests.unit.money.conftest import DOS
from tests.unit.money.test_posting import _visit_and_claim


def test_a_balanced_line_has_no_warning(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "120.00")
        line = EobLine(
            v.line_ids[0],
            paid=money("120.00"),
            allowed=money("150.00"),
            coinsurance=money("30.00"),
            contractual=money("50.00"),
        )
        pv = posting.preview_eob(s, office.biller, chk, c.id, [line])
        assert pv.ok and pv.warnings == []


def test_a_typo_in_the_coinsurance_is_named_with_the_line_and_the_difference(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "120.00")
        # The EOB says coinsurance 30.00; 3.00 was typed.
        line = EobLine(
            v.line_ids[0],
            paid=money("120.00"),
            allowed=money("150.00"),
            coinsurance=money("3.00"),
            contractual=money("50.00"),
        )
        pv = posting.preview_eob(s, office.biller, chk, c.id, [line])
        assert pv.warnings == [
            f"Line {DOS:%m/%d/%Y} 99214: allowed 150.00 is not paid 120.00 + deductible, "
            "coinsurance and copay 3.00 (27.00 short; if the payer reports another "
            "adjustment of that amount (e.g. CO-253 sequestration), it stays with the payer)"
        ]
        # A warning, not a problem: the line can still be posted as typed.
        assert pv.ok
        posting.post_eob(s, office.biller, chk, c.id, [line])
        assert ledger.line_balance(s, v.line_ids[0]) == money("30.00")


def test_a_contractual_that_does_not_meet_the_charge_is_named(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "120.00")
        line = EobLine(
            v.line_ids[0],
            paid=money("120.00"),
            allowed=money("150.00"),
            deductible=money("10.00"),
            coinsurance=money("30.00"),
            contractual=money("5.00"),
        )
        pv = posting.preview_eob(s, office.biller, chk, c.id, [line])
        assert pv.warnings == [
            f"Line {DOS:%m/%d/%Y} 99214: charge 200.00 is not allowed 150.00 + "
            "contractual 5.00 (45.00 short)",
            f"Line {DOS:%m/%d/%Y} 99214: allowed 150.00 is not paid 120.00 + deductible, "
            "coinsurance and copay 40.00 (10.00 over)",
        ]


def test_a_line_without_an_allowed_amount_is_not_checked(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "0.00")
        denied = EobLine(v.line_ids[0], denial_group="CO", denial_code="16", rarc="N290")
        pv = posting.preview_eob(s, office.biller, chk, c.id, [denied])
        assert pv.warnings == []
