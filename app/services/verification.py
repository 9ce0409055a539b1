"""Recording a coverage verification: who checked (the logged-in user), when
(now), how, with whom, and what the payer said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models.base import utcnow
from app.models.insurance import Policy, Verification, VerifyMethod, VerifyResult
from app.money import fmt
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.services.policies import METHOD_LABELS, RESULT_LABELS
from app.services.typed_fields import (
    DateText,
    MoneyText,
    date_field,
    money_field,
    percent_field,
)
from app.validation import Checker


@dataclass
class VerificationInput:
    method: str = ""
    result: str = ""
    representative: str = ""
    reference_no: str = ""
    coverage_start: DateText = None
    coverage_end: DateText = None
    copay: MoneyText = None
    deductible: MoneyText = None
    deductible_met: MoneyText = None
    out_of_pocket_remaining: MoneyText = None
    coinsurance_pct: int | str | None = None
    notes: str = ""


@dataclass(frozen=True)
class Recorded:
    id: int
    policy_id: int
    patient_id: int
    verified_at: datetime
    result: VerifyResult


__all__ = ["METHOD_LABELS", "RESULT_LABELS", "VerificationInput", "record_verification"]


def record_verification(
    s: Session,
    actor: Actor,
    policy_id: int,
    data: VerificationInput,
    *,
    at: datetime | None = None,
) -> Recorded:
    """Record a check of ``policy_id`` made now by ``actor``. A phone call
    needs the representative and the reference number; a portal check the
    reference number. ``at`` is for tests and imports of eligibility files."""
    require(actor, Permission.VERIFY_COVERAGE)
    pol = s.get(Policy, policy_id)
    if pol is None:
        raise NotFound("That policy is not on file.")
    c = Checker()
    method: VerifyMethod | None
    try:
        method = VerifyMethod(data.method)
    except ValueError:
        method = None
        c.add("method", "How was it verified? Choose phone, portal, card only or eligibility file")
    result: VerifyResult | None
    try:
        result = VerifyResult(data.result)
    except ValueError:
        result = None
        c.add("result", "Result is required: active, inactive or not found")
    if method is VerifyMethod.PHONE:
        c.require("representative", data.representative, "Representative's name")
    if method in (VerifyMethod.PHONE, VerifyMethod.PORTAL):
        c.require("reference_no", data.reference_no, "Reference number")
    start = date_field(c, "coverage_start", data.coverage_start, "Coverage start", past=False)
    end = date_field(c, "coverage_end", data.coverage_end, "Coverage end", past=False)
    if start and end and end < start:
        c.add("coverage_end", "Coverage end is before coverage start")
    copay = money_field(c, "copay", data.copay, "Copay")
    deductible = money_field(c, "deductible", data.deductible, "Deductible")
    met = money_field(c, "deductible_met", data.deductible_met, "Deductible met")
    if deductible is not None and met is not None and met > deductible:
        c.add("deductible_met", "Deductible met is more than the deductible")
    oop = money_field(
        c, "out_of_pocket_remaining", data.out_of_pocket_remaining, "Out-of-pocket remaining"
    )
    coins = percent_field(c, "coinsurance_pct", data.coinsurance_pct, "Coinsurance")
    for name, label, size in (
        ("representative", "Representative's name", 80),
        ("reference_no", "Reference number", 60),
    ):
        if len(getattr(data, name).strip()) > size:
            c.add(name, f"{label} is longer than {size} characters")
    c.raise_if_any()
    assert method is not None and result is not None
    v = Verification(
        policy_id=policy_id,
        verified_at=at or utcnow(),
        verified_by=actor.user_id,
        method=method,
        representative=data.representative.strip(),
        reference_no=data.reference_no.strip(),
        result=result,
        coverage_start=start,
        coverage_end=end,
        copay=copay,
        deductible=deductible,
        deductible_met=met,
        out_of_pocket_remaining=oop,
        coinsurance_pct=coins,
        notes=data.notes.strip(),
    )
    s.add(v)
    s.flush()
    audit.record(
        s,
        actor,
        "coverage_verified",
        entity="policy",
        entity_id=policy_id,
        patient_id=pol.patient_id,
        details={
            "verification_id": v.id,
            "method": method.value,
            "result": result.value,
            "reference_no": v.reference_no,
            "copay": fmt(copay) if copay is not None else None,
        },
    )
    return Recorded(v.id, policy_id, pol.patient_id, v.verified_at, result)


def copay_from(policy: Policy, last: Verification | None) -> Decimal | None:
    """The copay to collect: the one the payer quoted at the last
    verification, or else the one on the policy."""
    if last is not None and last.copay is not None:
        return last.copay
    return policy.copay
