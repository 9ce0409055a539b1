"""Policies, their order, card images, payers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.insurance import CardImage, CardSide, Policy, Program, Relationship
from app.services import payers, policies
from app.services.payers import PayerInput
from tests import factories
from tests import factories_frontdesk as fd

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def setup(office):
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        a = factories.payer(s, name="Prairie Health Plan").id
        b = factories.payer(s, name="Heartland Mutual", payer_code="HMI22").id
    return pid, a, b


def _events(s, action):
    return list(
        s.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).scalars()
    )


def test_two_policies_take_primary_then_secondary(office, setup) -> None:
    pid, a, b = setup
    with office.store.unit_of_work() as s:
        p1 = fd.add_policy(s, office.receptionist, pid, a)
        p2 = fd.add_policy(
            s,
            office.receptionist,
            pid,
            b,
            member_id="hm 55-120",
            relationship="spouse",
            subscriber_last_name="Smith",
            subscriber_first_name="Mary",
            subscriber_dob="02/03/1972",
            subscriber_sex="F",
            copay="",
        )
    with office.store.unit_of_work() as s:
        one, two = s.get(Policy, p1), s.get(Policy, p2)
        assert (one.rank, two.rank) == (1, 2)
        assert one.subscriber_first_name == "John"  # self: copied from the patient
        assert one.subscriber_dob == date(1970, 5, 17)
        assert str(one.copay) == "25.00" and one.coinsurance_pct == 20
        assert two.member_id == "HM55-120"
        assert two.relationship is Relationship.SPOUSE
        assert two.subscriber_address1 == "12 Oak Lane"  # blank: lives with the patient
        assert two.copay is None
        added = _events(s, "policy_added")
        assert [e.patient_id for e in added] == [pid, pid]
        assert added[0].details["new"]["member_id"] == "XJ1234567"


def test_policy_dates_typed_with_a_two_digit_year(office, setup) -> None:
    # A card reads "valid thru 12/31/27": that is the coming year, not 1927.
    pid, a, _ = setup
    yy = (date.today().year + 1) % 100
    with office.store.unit_of_work() as s:
        p = fd.add_policy(
            s, office.receptionist, pid, a, effective_date="1/1/24", end_date=f"12/31/{yy:02d}"
        )
    with office.store.unit_of_work() as s:
        pol = s.get(Policy, p)
        assert pol.effective_date == date(2024, 1, 1)
        assert pol.end_date == date(date.today().year + 1, 12, 31)


def test_policy_problems_all_at_once(office, setup) -> None:
    pid, _, _ = setup
    bad = fd.policy_input(
        None,
        member_id="",
        relationship="child",
        effective_date="02/01/2024",
        end_date="01/01/2024",
        copay="-5",
        coinsurance_pct="120",
    )
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        policies.add_policy(s, office.receptionist, pid, bad)
    assert err.value.fields() == {
        "payer_id",
        "member_id",
        "subscriber_last_name",
        "subscriber_first_name",
        "subscriber_dob",
        "subscriber_sex",
        "end_date",
        "copay",
        "coinsurance_pct",
    }
    with office.store.unit_of_work() as s:
        assert s.execute(select(Policy)).first() is None


def test_a_taken_place_in_the_order_is_refused(office, setup) -> None:
    pid, a, b = setup
    with office.store.unit_of_work() as s:
        fd.add_policy(s, office.receptionist, pid, a)
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        fd.add_policy(s, office.receptionist, pid, b, rank=1)
    assert "primary policy is Prairie Health Plan" in err.value.problems[0].message


def test_order_changes_are_explicit_and_audited(office, setup) -> None:
    pid, a, b = setup
    with office.store.unit_of_work() as s:
        p1 = fd.add_policy(s, office.receptionist, pid, a, member_id="A1")
        p2 = fd.add_policy(s, office.receptionist, pid, b, member_id="B2")
    with office.store.unit_of_work() as s:
        policies.move_policy(s, office.receptionist, p2, 1)  # secondary becomes primary
    with office.store.unit_of_work() as s:
        assert (s.get(Policy, p2).rank, s.get(Policy, p1).rank) == (1, 2)
        ev = _events(s, "policy_order_changed")
        assert len(ev) == 1
        assert ev[0].details == {
            "old": ["Prairie Health Plan A1", "Heartland Mutual B2"],
            "new": ["Heartland Mutual B2", "Prairie Health Plan A1"],
        }
        assert ev[0].username == "reception" and ev[0].patient_id == pid
    with office.store.unit_of_work() as s:
        policies.move_policy(s, office.receptionist, p1, None)  # out of the order
        assert s.get(Policy, p1).rank is None
        summaries = policies.summaries(s, pid)
        assert [x.order for x in summaries] == ["Primary", "Not in order"]
    with pytest.raises(UserFacingError), office.store.unit_of_work() as s:
        policies.set_order(s, office.receptionist, pid, [p1, p1])


def test_card_images_are_kept_in_the_store(office, setup) -> None:
    pid, a, _ = setup
    with office.store.unit_of_work() as s:
        pol = fd.add_policy(s, office.receptionist, pid, a)
        policies.add_card_image(s, office.receptionist, pol, "front", PNG)
        policies.add_card_image(s, office.receptionist, pol, CardSide.BACK, JPEG)
        policies.add_card_image(s, office.receptionist, pol, "front", JPEG)  # a rescan
    with office.store.unit_of_work() as s:
        pics = policies.card_images(s, office.receptionist, pol)
        assert pics[CardSide.FRONT].data == JPEG and pics[CardSide.BACK].mime_type == "image/jpeg"
        assert len(s.execute(select(CardImage)).all()) == 2
        assert policies.summaries(s, pid)[0].card_sides == ("front", "back")
        assert [e.details["side"] for e in _events(s, "card_image_added")] == [
            "front",
            "back",
            "front",
        ]
    with pytest.raises(UserFacingError) as err, office.store.unit_of_work() as s:
        policies.add_card_image(s, office.receptionist, pol, "front", b"%PDF-1.4 not a picture")
    assert "not a picture" in err.value.message


def test_policy_screen_is_an_audited_view(office, setup) -> None:
    pid, a, _ = setup
    with office.store.unit_of_work() as s:
        pol = fd.add_policy(s, office.receptionist, pid, a)
        for days in (40, 3):
            fd.verify(s, office.receptionist, pol, days_ago=days)
    with office.store.unit_of_work() as s:
        screen = policies.policy_screen(s, office.biller, pid)
        assert screen.banner.account_no == "100001"
        assert [v.verified_by for v in screen.verifications[pol]] == ["Test Receptionist"] * 2
        assert screen.verifications[pol][0].verified_at > screen.verifications[pol][1].verified_at
        assert [(e.username, e.patient_id) for e in _events(s, "policies_viewed")] == [
            ("biller", pid)
        ]


def test_editing_a_policy_records_old_and_new(office, setup) -> None:
    pid, a, _ = setup
    with office.store.unit_of_work() as s:
        pol = fd.add_policy(s, office.receptionist, pid, a)
        data = policies.policy_input(s, office.receptionist, pol)
        data.copay = "35.00"
        data.end_date = "12/31/2030"
        policies.update_policy(s, office.receptionist, pol, data)
        ev = _events(s, "policy_changed")
        assert ev[0].details["changes"] == {
            "copay": ["25.00", "35.00"],
            "end_date": [None, "2030-12-31"],
        }


# ------------------------------------------------------------------ payers


def _payer(**kw):
    base = dict(
        name="Lakeside Benefit Co",
        payer_code="lbc07",
        address1="PO Box 1550",
        city="Milwaukee",
        state="WI",
        zip="53202",
        phone="800-555-0123",
        program="group",
        timely_filing_days="90",
    )
    base.update(kw)
    return PayerInput(**base)


def test_payer_list_starts_empty_and_payers_are_added(office) -> None:
    with office.store.unit_of_work() as s:
        assert payers.list_payers(s, office.receptionist) == []
        pid = payers.add_payer(s, office.biller, _payer())
        rows = payers.list_payers(s, office.receptionist)
    assert [(r.name, r.payer_code, r.program, r.timely_filing_days) for r in rows] == [
        ("Lakeside Benefit Co", "LBC07", Program.GROUP, 90)
    ]
    assert rows[0].id == pid and rows[0].phone == "(800) 555-0123"


def test_payer_rules(office) -> None:
    with office.store.unit_of_work() as s:
        payers.add_payer(s, office.manager, _payer())
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        payers.add_payer(
            s,
            office.manager,
            _payer(name="lakeside benefit co", state="", program="x", timely_filing_days="0"),
        )
    assert err.value.fields() == {"name", "state", "program", "timely_filing_days"}
    with pytest.raises(PermissionDenied), office.store.unit_of_work() as s:
        payers.add_payer(s, office.receptionist, _payer(name="Other"))


def test_payer_change_is_audited(office) -> None:
    with office.store.unit_of_work() as s:
        pid = payers.add_payer(s, office.biller, _payer())
        data = payers.payer_input(s, office.biller, pid)
        data.program = "medicare"
        payers.update_payer(s, office.biller, pid, data)
        ev = _events(s, "payer_changed")
        assert ev[0].details["changes"] == {"program": ["group", "medicare"]}
