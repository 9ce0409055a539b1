"""The claim cases the golden files describe, each built in a fresh store.

Every value that reaches a form is given here (member IDs, phones), so the
golden files do not depend on which tests ran before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.models.claims import Claim, ClaimStatus
from app.models.coding import ServiceLine
from app.models.insurance import Program, Relationship
from app.models.patient import Sex
from app.services import claim_history, claim_print, claims
from tests import factories
from tests import factories_claims as fc

MADE_ON = date(2025, 3, 17)
PAID_ON = date(2025, 4, 10)


@dataclass
class Built:
    claim_id: int
    encounter_id: int
    patient_id: int
    policy_id: int


def patient(s, **kw):
    fields = dict(
        last="Alvarez",
        first="María",
        middle_name="Luisa",
        dob=date(1968, 2, 29),
        sex=Sex.FEMALE,
        address1="412 W. Jefferson St.",
        city="Springfield",
        state="IL",
        zip="62702-4410",
        phone_home="2175550142",
        signature_on_file=date(2024, 1, 5),
        insured_signature_on_file=date(2024, 1, 5),
    )
    fields.update(kw)
    last, first = fields.pop("last"), fields.pop("first")
    return factories.patient(s, last, first, **fields)


def payer(s, name="Prairie Health Plan", **kw):
    return factories.payer(s, name, **kw)


def primary_claim(office, lines="one", *, pat_kw=None, policy_kw=None, payer_kw=None) -> Built:
    with office.store.unit_of_work() as s:
        pat = patient(s, **(pat_kw or {}))
        pay = payer(s, **(payer_kw or {}))
        pol = factories.policy(s, pat, pay, member_id="XJP448120931", **(policy_kw or {}))
        fc.verify(s, pol, office.biller)
        enc = fc.coded_visit(
            s,
            pat.id,
            office.provider_id,
            pol,
            lines=fc.LINE_SETS[lines],
            illness_date=date(2025, 3, 1),
        )
        made = claims.make_claim(s, office.biller, enc.id, today=MADE_ON)
        return Built(made.id, enc.id, pat.id, pol.id)


def mark_sent(office, claim_id: int) -> None:
    with office.store.unit_of_work() as s:
        claims.check_claim(s, office.biller, claim_id, today=MADE_ON)
        c = s.get(Claim, claim_id)
        assert c.status is ClaimStatus.READY, claims.check_claim(
            s, office.biller, claim_id, today=MADE_ON
        ).problems
        claim_print.mark_printed(s, office.biller, [claim_id], "test printer")


def secondary_claim(office) -> tuple[Built, Built]:
    with office.store.unit_of_work() as s:
        pat = patient(s)
        first_payer = payer(s, program=Program.MEDICARE, name="Medicare Part B")
        second_payer = payer(
            s,
            name="Lincoln Mutual Supplement",
            payer_code="LMS02",
            address1="PO Box 77",
            city="Peoria",
            zip="61602",
        )
        pol1 = factories.policy(
            s,
            pat,
            first_payer,
            member_id="1EG4TE5MK73",
            group_number="",
            plan_name="Medicare Part B",
        )
        pol2 = factories.policy(
            s,
            pat,
            second_payer,
            rank=2,
            member_id="LM55001234",
            group_number="SUP-7",
            plan_name="Medigap Plan G",
        )
        fc.verify(s, pol1, office.biller)
        fc.verify(s, pol2, office.biller)
        enc = fc.coded_visit(s, pat.id, office.provider_id, pol1, lines=fc.LINE_SETS["six"][:3])
        made = claims.make_claim(s, office.biller, enc.id, today=MADE_ON)
        primary = Built(made.id, enc.id, pat.id, pol1.id)
    mark_sent(office, primary.claim_id)
    with office.store.unit_of_work() as s:
        c = s.get(Claim, primary.claim_id)
        line_ids = list(
            s.execute(
                select(ServiceLine.id)
                .where(ServiceLine.encounter_id == enc.id)
                .order_by(ServiceLine.line_no)
            ).scalars()
        )
        fc.post_payer_payment(
            s, c, office.biller, {line_ids[0]: "92.00", line_ids[1]: "8.40"}, PAID_ON
        )
        claim_history.set_status(s, office.biller, c, ClaimStatus.PARTLY_PAID, "EOB posted")
        sec = claims.make_secondary(s, office.biller, c.id, today=PAID_ON)
        return primary, Built(sec.id, enc.id, pat.id, pol2.id)


def replacement_claim(office) -> tuple[Built, Built]:
    original = primary_claim(office, "six")
    mark_sent(office, original.claim_id)
    with office.store.unit_of_work() as s:
        # The biller finds line 3 was coded wrong: fix the visit, then replace the claim.
        ln = s.execute(
            select(ServiceLine).where(
                ServiceLine.encounter_id == original.encounter_id, ServiceLine.line_no == 3
            )
        ).scalar_one()
        ln.code = "85027"
        ln.charge = Decimal("22.00")
        made = claims.correct_claim(
            s, office.biller, original.claim_id, "replace", "PHP25073000412", today=date(2025, 5, 2)
        )
        return original, Built(
            made.id, original.encounter_id, original.patient_id, original.policy_id
        )


def child_claim(office) -> Built:
    return primary_claim(
        office,
        "one",
        pat_kw=dict(
            last="Brooks", first="Tyler", middle_name="", dob=date(2014, 9, 3), sex=Sex.MALE
        ),
        policy_kw=dict(
            relationship=Relationship.CHILD,
            subscriber_last_name="Brooks",
            subscriber_first_name="Naomi",
            subscriber_middle_name="J",
            subscriber_dob=date(1983, 6, 21),
            subscriber_sex=Sex.FEMALE,
            subscriber_address1="88 Cedar Ct",
            subscriber_city="Chatham",
            subscriber_state="IL",
            subscriber_zip="62629",
            subscriber_phone="2175550177",
            group_number="ACME-4410",
            plan_name="Acme Employees PPO",
        ),
    )
