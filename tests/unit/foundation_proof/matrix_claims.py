"""Role x action matrix rows of the claims area (claims, claim check, printing)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.coding import ServiceLine
from app.models.patient import Patient
from app.services.auth import Permission
from tests import factories
from tests.unit.foundation_proof.matrix import Env, ServiceCall


def _claim(s: Session, e: Env, *, sent: bool = False, paid: bool = False) -> int:
    """A coded visit for an insured patient, its claim (made as the manager),
    sent to the payer and, with ``paid``, answered, with a second policy."""
    from app.services import claim_print, claims
    from tests import factories_claims

    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    pol = factories.policy(s, pat, factories.payer(s), member_id="XJ100200300")
    factories_claims.verify(s, pol, e.manager, on=date.today())
    enc = factories_claims.coded_visit(s, pat.id, e.provider_id, pol, dos=date.today())
    made = claims.make_claim(s, e.manager, enc.id)
    if sent or paid:
        claims.check_claim(s, e.manager, made.id)
        claim_print.mark_printed(s, e.manager, [made.id], "test printer")
    if paid:
        from app.models.claims import Claim

        claim = s.get(Claim, made.id)
        assert claim is not None
        line = s.execute(select(ServiceLine.id).where(ServiceLine.encounter_id == enc.id)).scalar()
        factories_claims.post_payer_payment(s, claim, e.manager, {line: "80.00"}, date.today())
        factories.policy(s, pat, factories.payer(s, "Second Plan"), rank=2, member_id="SP1")
    return made.id


def _coded_visit(s: Session, e: Env) -> int:
    from tests import factories_claims

    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    pol = factories.policy(s, pat, factories.payer(s), member_id="XJ100200301")
    return factories_claims.coded_visit(s, pat.id, e.provider_id, pol, dos=date.today()).id


def _claim_rows() -> list[ServiceCall]:
    import io

    from app.reports.cms1500.data_only import ClaimPdf
    from app.services import claim_print, claims

    work, prints = Permission.CLAIM_WORK, Permission.CLAIM_PRINT
    return [
        ServiceCall("claims.list_claims", work, lambda s, a, e: claims.list_claims(s, a)),
        ServiceCall(
            "claims.unclaimed_visits",
            work,
            lambda s, a, e: claims.unclaimed_visits(s, a),
            prepare=_coded_visit,
        ),
        ServiceCall(
            "claims.make_claim",
            work,
            lambda s, a, e: claims.make_claim(s, a, e.made),
            prepare=_coded_visit,
        ),
        ServiceCall(
            "claims.make_claims_for_coded_visits",
            work,
            lambda s, a, e: claims.make_claims_for_coded_visits(s, a),
            prepare=_coded_visit,
        ),
        ServiceCall(
            "claims.check_claim",
            work,
            lambda s, a, e: claims.check_claim(s, a, e.made),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.check_drafts", work, lambda s, a, e: claims.check_drafts(s, a), prepare=_claim
        ),
        ServiceCall(
            "claims.claim_detail",
            work,
            lambda s, a, e: claims.claim_detail(s, a, e.made),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.discard_draft",
            work,
            lambda s, a, e: claims.discard_draft(s, a, e.made),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.set_payer_reference",
            work,
            lambda s, a, e: claims.set_payer_reference(s, a, e.made, "ICN123"),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.correct_claim",
            work,
            lambda s, a, e: claims.correct_claim(s, a, e.made, "void", "ICN123"),
            prepare=lambda s, e: _claim(s, e, sent=True),
        ),
        ServiceCall(
            "claims.make_secondary",
            work,
            lambda s, a, e: claims.make_secondary(s, a, e.made),
            prepare=lambda s, e: _claim(s, e, paid=True),
        ),
        ServiceCall(
            "claim_print.ready_claim_ids",
            prints,
            lambda s, a, e: claim_print.ready_claim_ids(s, a),
        ),
        ServiceCall(
            "claim_print.printable",
            prints,
            lambda s, a, e: claim_print.printable(s, a, [e.made]),
            prepare=_claim,
        ),
        ServiceCall(
            "claim_print.render_claims",
            prints,
            lambda s, a, e: claim_print.render_claims(s, a, [e.made], ClaimPdf(io.BytesIO())),
            prepare=lambda s, e: _claim(s, e, sent=True),
        ),
        ServiceCall(
            "claim_print.mark_printed",
            prints,
            lambda s, a, e: claim_print.mark_printed(s, a, [e.made], "test printer"),
            prepare=lambda s, e: _claim(s, e, sent=True),
        ),
        ServiceCall(
            "claim_print.save_printer_offsets",
            prints,
            lambda s, a, e: claim_print.save_printer_offsets(s, a, "Front desk", 1.5, -2.0),
        ),
    ]


ROWS = _claim_rows()
