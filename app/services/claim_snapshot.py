"""The frozen copy of what a claim bills.

The snapshot is everything the claim bills, as it was when the claim was
made (a draft or ready claim is re-taken when it is checked, since it has
not gone out yet; from printing on it never changes)::

    {"version": 1, "claim_no", "created" (ISO date), "rank" (1 primary,
     2 secondary ...), "frequency" ("1" original, "7" replacement, "8" void),
     "original_ref" (item 22, for 7 and 8),
     "patient":  {id, account_no, last, first, middle, suffix, dob, sex,
                  address1, address2, city, state, zip, phone,
                  signature_on_file, insured_signature_on_file},
     "insured":  {policy_id, member_id, group_number, plan_name, relationship,
                  last, first, middle, dob, sex, address1, city, state, zip, phone},
     "other_insured": null or {policy_id, payer_id, payer_name, member_id,
                  group_number, plan_name, last, first, middle, dob, sex},
     "payer":    {id, name, address1, address2, city, state, zip, program,
                  needs_referring_provider, timely_filing_days},
     "provider": {id, last, first, middle, credentials, npi, taxonomy},
     "practice": {name, address1, address2, city, state, zip, phone, ein,
                  billing_npi, taxonomy},
     "encounter": {id, date_of_service, place_of_service, referring_qualifier,
                  referring_name, referring_npi, prior_auth, illness_date,
                  illness_qualifier, related_employment, related_auto,
                  auto_state, related_other},
     "diagnoses": ["E11.9", ...],
     "lines": [{service_line_id, line_no, from, to, place_of_service,
                emergency, code, modifiers, pointers, charge, units, epsdt,
                ndc, ndc_unit, ndc_quantity, provider_id, provider_npi,
                provider_taxonomy, prior_paid}],
     "prior_paid_unapplied", "total_charge"}

Dates are ISO text and money is text ("115.00"): the snapshot is JSON.
Empty values are left out (``lean``): a missing key reads as empty.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models.claims import Claim
from app.models.coding import Encounter, EncounterDiagnosis, ServiceLine
from app.models.insurance import Payer, Policy
from app.models.ledger import EntryKind, LedgerEntry
from app.models.patient import Patient
from app.models.practice import Practice, Provider
from app.money import ZERO
from app.services.coverage import policy_in_force

SNAPSHOT_VERSION = 1
OTHER_INSURED_KEYS = (
    "member_id",
    "group_number",
    "plan_name",
    "last",
    "first",
    "middle",
    "dob",
    "sex",
)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _enum_value(v: Any) -> Any:
    return v.value if hasattr(v, "value") else v


def patient_part(p: Any) -> dict[str, Any]:
    return lean(
        {
            "id": p.id,
            "account_no": p.account_no,
            "last": p.last_name,
            "first": p.first_name,
            "middle": p.middle_name or "",
            "suffix": p.suffix or "",
            "dob": _iso(p.dob),
            "sex": _enum_value(p.sex),
            "address1": p.address1 or "",
            "address2": p.address2 or "",
            "city": p.city or "",
            "state": p.state or "",
            "zip": p.zip or "",
            "phone": p.phone_home or p.phone_mobile or "",
            "signature_on_file": p.signature_on_file is not None,
            "insured_signature_on_file": p.insured_signature_on_file is not None,
        }
    )


def insured_part(pol: Any) -> dict[str, Any]:
    return lean(
        {
            "policy_id": pol.id,
            "member_id": pol.member_id or "",
            "group_number": pol.group_number or "",
            "plan_name": pol.plan_name or "",
            "relationship": _enum_value(pol.relationship),
            "last": pol.subscriber_last_name or "",
            "first": pol.subscriber_first_name or "",
            "middle": pol.subscriber_middle_name or "",
            "dob": _iso(pol.subscriber_dob),
            "sex": _enum_value(pol.subscriber_sex) if pol.subscriber_sex else "",
            "address1": pol.subscriber_address1 or "",
            "city": pol.subscriber_city or "",
            "state": pol.subscriber_state or "",
            "zip": pol.subscriber_zip or "",
            "phone": pol.subscriber_phone or "",
        }
    )


def other_insured_part(pol: Any, payer: Any) -> dict[str, Any]:
    ins = insured_part(pol)
    return lean(
        {
            "policy_id": pol.id,
            "payer_id": payer.id,
            "payer_name": payer.name,
            **{k: ins.get(k) for k in OTHER_INSURED_KEYS},
        }
    )


def payer_part(p: Any) -> dict[str, Any]:
    return lean(
        {
            "id": p.id,
            "name": p.name,
            "address1": p.address1 or "",
            "address2": p.address2 or "",
            "city": p.city or "",
            "state": p.state or "",
            "zip": p.zip or "",
            "program": _enum_value(p.program),
            "needs_referring_provider": bool(p.needs_referring_provider),
            "timely_filing_days": p.timely_filing_days,
        }
    )


def provider_part(p: Any) -> dict[str, Any]:
    return lean(
        {
            "id": p.id,
            "last": p.last_name,
            "first": p.first_name,
            "middle": p.middle_name or "",
            "credentials": p.credentials or "",
            "npi": p.npi or "",
            "taxonomy": p.taxonomy or "",
        }
    )


def practice_part(p: Any) -> dict[str, Any]:
    return lean(
        {
            "name": p.name,
            "address1": p.address1,
            "address2": p.address2 or "",
            "city": p.city,
            "state": p.state,
            "zip": p.zip,
            "phone": p.phone,
            "ein": p.ein,
            "billing_npi": p.billing_npi,
            "taxonomy": p.taxonomy,
        }
    )


def encounter_part(e: Any) -> dict[str, Any]:
    return lean(
        {
            "id": e.id,
            "date_of_service": _iso(e.date_of_service),
            "place_of_service": e.place_of_service or "",
            "referring_qualifier": e.referring_qualifier or "",
            "referring_name": e.referring_name or "",
            "referring_npi": e.referring_npi or "",
            "prior_auth": e.prior_auth or "",
            "illness_date": _iso(e.illness_date),
            "illness_qualifier": e.illness_qualifier or "",
            "related_employment": bool(e.related_employment),
            "related_auto": bool(e.related_auto),
            "auto_state": e.auto_state or "",
            "related_other": bool(e.related_other),
        }
    )


def line_part(
    ln: Any, place_of_service: str, provider: dict[str, Any], prior_paid: Decimal = ZERO
) -> dict[str, Any]:
    mods = [m for m in (ln.modifier1, ln.modifier2, ln.modifier3, ln.modifier4) if m]
    return lean(
        {
            "service_line_id": ln.id,
            "line_no": ln.line_no,
            "from": _iso(ln.from_date),
            "to": _iso(ln.to_date),
            "place_of_service": place_of_service,
            "emergency": bool(ln.emergency),
            "code": ln.code or "",
            "modifiers": mods,
            "pointers": ln.pointers or "",
            "charge": f"{ln.charge:.2f}",
            "units": ln.units,
            "epsdt": ln.epsdt or "",
            "ndc": ln.ndc or "",
            "ndc_unit": ln.ndc_unit or "",
            "ndc_quantity": ln.ndc_quantity or "",
            "provider_id": provider["id"],
            "provider_npi": provider.get("npi", ""),
            "provider_taxonomy": provider.get("taxonomy", ""),
            "prior_paid": f"{prior_paid:.2f}" if prior_paid else "",
        }
    )


def assemble_snapshot(
    *,
    claim_no: str,
    created: date,
    rank: int,
    frequency: str,
    original_ref: str,
    patient: dict[str, Any],
    insured: dict[str, Any],
    other_insured: dict[str, Any] | None,
    payer: dict[str, Any],
    provider: dict[str, Any],
    practice: dict[str, Any],
    encounter: dict[str, Any],
    diagnoses: list[str],
    lines: list[dict[str, Any]],
    prior_paid_unapplied: Decimal = ZERO,
) -> dict[str, Any]:
    total = sum((Decimal(ln["charge"]) for ln in lines), ZERO)
    return lean(
        {
            "version": SNAPSHOT_VERSION,
            "claim_no": claim_no,
            "created": created.isoformat(),
            "rank": rank,
            "frequency": frequency,
            "original_ref": original_ref,
            "patient": patient,
            "insured": insured,
            "other_insured": other_insured,
            "payer": payer,
            "provider": provider,
            "practice": practice,
            "encounter": encounter,
            "diagnoses": diagnoses,
            "lines": lines,
            "prior_paid_unapplied": f"{prior_paid_unapplied:.2f}" if prior_paid_unapplied else "",
            "total_charge": f"{total:.2f}",
        }
    )


def lean(d: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values (blank text, null, false, empty lists): readers
    take a missing key as empty. Keeps years of stored claims small."""
    return {k: v for k, v in d.items() if not (v is None or v is False or v == "" or v == [])}


def primary_payments(s: Session, claim_id: int) -> tuple[dict[int, Decimal], Decimal]:
    """What the payer paid on a claim, from its ledger entries of kind
    insurance_payment: per service line, and the part not tied to a line."""
    per_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    unapplied = ZERO
    rows = s.execute(
        select(LedgerEntry.service_line_id, LedgerEntry.amount).where(
            LedgerEntry.claim_id == claim_id, LedgerEntry.kind == EntryKind.INSURANCE_PAYMENT
        )
    )
    for line_id, amount in rows:
        # Payments are negative entries (they lower what is owed).
        if line_id is None:
            unapplied -= amount
        else:
            per_line[line_id] -= amount
    return dict(per_line), unapplied


def _other_policy(s: Session, patient_id: int, rank: int, on: date) -> Policy | None:
    pol = s.execute(
        select(Policy).where(Policy.patient_id == patient_id, Policy.rank == rank)
    ).scalar_one_or_none()
    if pol is not None and policy_in_force(pol, on):
        return pol
    return None


def build_snapshot(
    s: Session,
    encounter: Encounter,
    policy: Policy,
    *,
    claim_no: str,
    created: date,
    rank: int = 1,
    frequency: str = "1",
    original_ref: str = "",
    primary: Claim | None = None,
) -> dict[str, Any]:
    """The frozen copy of what a claim for ``encounter`` to ``policy`` bills."""
    patient = s.get(Patient, encounter.patient_id)
    payer = s.get(Payer, policy.payer_id)
    provider = s.get(Provider, encounter.provider_id)
    practice = s.get(Practice, 1)
    if patient is None or payer is None or provider is None:
        raise NotFound("The visit's patient, payer or provider no longer exists.")
    if practice is None:
        raise NotFound("The office has not been set up yet.")
    dx = list(
        s.execute(
            select(EncounterDiagnosis.code)
            .where(EncounterDiagnosis.encounter_id == encounter.id)
            .order_by(EncounterDiagnosis.position)
        ).scalars()
    )
    lines = list(
        s.execute(
            select(ServiceLine)
            .where(
                ServiceLine.encounter_id == encounter.id,
                ServiceLine.removed.is_(False),  # lines replaced when the visit was recoded
            )
            .order_by(ServiceLine.line_no)
        ).scalars()
    )
    other: dict[str, Any] | None = None
    paid_by_line: dict[int, Decimal] = {}
    unapplied = ZERO
    if rank > 1 and primary is not None:
        prev = primary.snapshot if isinstance(primary.snapshot, dict) else {}
        prev_policy = s.get(Policy, primary.policy_id)
        prev_payer = s.get(Payer, primary.payer_id)
        if prev.get("version") == SNAPSHOT_VERSION:
            ins = prev["insured"]
            other = lean(
                {
                    "policy_id": primary.policy_id,
                    "payer_id": primary.payer_id,
                    "payer_name": prev["payer"]["name"],
                    **{k: ins.get(k) for k in OTHER_INSURED_KEYS},
                }
            )
        elif prev_policy is not None and prev_payer is not None:
            other = other_insured_part(prev_policy, prev_payer)
        paid_by_line, unapplied = primary_payments(s, primary.id)
    else:
        nxt = _other_policy(s, patient.id, rank + 1, encounter.date_of_service)
        if nxt is not None and nxt.id != policy.id:
            nxt_payer = s.get(Payer, nxt.payer_id)
            if nxt_payer is not None:
                other = other_insured_part(nxt, nxt_payer)
    prov = provider_part(provider)
    line_providers: dict[int, dict[str, Any]] = {provider.id: prov}
    line_rows = []
    for ln in lines:
        pid = ln.provider_id or provider.id
        if pid not in line_providers:
            lp = s.get(Provider, pid)
            line_providers[pid] = provider_part(lp) if lp else prov
        line_rows.append(
            line_part(
                ln, encounter.place_of_service, line_providers[pid], paid_by_line.get(ln.id, ZERO)
            )
        )
    return assemble_snapshot(
        claim_no=claim_no,
        created=created,
        rank=rank,
        frequency=frequency,
        original_ref=original_ref,
        patient=patient_part(patient),
        insured=insured_part(policy),
        other_insured=other,
        payer=payer_part(payer),
        provider=prov,
        practice=practice_part(practice),
        encounter=encounter_part(encounter),
        diagnoses=dx,
        lines=line_rows,
        prior_paid_unapplied=unapplied,
    )


def claim_number(created: date, claim_id: int) -> str:
    """Year made + the claim's id: unique, short, digits only (item 26 and CLM01)."""
    return f"{created:%y}{claim_id:07d}"


class BulkSnapshots:
    """Snapshots for many claims at once, from plain rows: the synthetic
    office generator writes years of claims in bulk and gives each the same
    frozen copy a claim made through ``build_snapshot`` would carry."""

    def __init__(self, s: Session) -> None:
        practice = s.get(Practice, 1)
        if practice is None:
            raise NotFound("The office has not been set up yet.")
        self.practice = practice_part(practice)
        self.providers = {p.id: provider_part(p) for p in s.execute(select(Provider)).scalars()}
        self.payers = {p.id: payer_part(p) for p in s.execute(select(Payer)).scalars()}
        # Core rows (attribute access, no ORM identity map) for the many.
        self._patients = {r.id: r for r in s.execute(select(Patient.__table__))}
        self._policies = {r.id: r for r in s.execute(select(Policy.__table__))}
        self._patient_parts: dict[int, dict[str, Any]] = {}
        self._insured_parts: dict[int, dict[str, Any]] = {}

    def _patient(self, patient_id: int) -> dict[str, Any]:
        part = self._patient_parts.get(patient_id)
        if part is None:
            part = self._patient_parts[patient_id] = patient_part(self._patients[patient_id])
        return part

    def _insured(self, policy_id: int) -> dict[str, Any]:
        part = self._insured_parts.get(policy_id)
        if part is None:
            part = self._insured_parts[policy_id] = insured_part(self._policies[policy_id])
        return part

    def build(
        self,
        *,
        claim_no: str,
        created: date,
        encounter: Any,
        diagnoses: list[str],
        lines: list[Any],
        policy_id: int,
        other_policy_id: int | None = None,
    ) -> dict[str, Any]:
        """``encounter`` and ``lines`` have the attributes of the ORM rows."""
        policy = self._policies[policy_id]
        provider = self.providers[encounter.provider_id]
        other = None
        if other_policy_id is not None:
            op = self._policies[other_policy_id]
            other = other_insured_part(op, SimpleNamespace(**self.payers[op.payer_id]))
        line_rows = []
        for ln in lines:
            prov = self.providers.get(ln.provider_id, provider) if ln.provider_id else provider
            line_rows.append(line_part(ln, encounter.place_of_service, prov))
        return assemble_snapshot(
            claim_no=claim_no,
            created=created,
            rank=policy.rank or 1,
            frequency="1",
            original_ref="",
            patient=self._patient(encounter.patient_id),
            insured=self._insured(policy_id),
            other_insured=other,
            payer=self.payers[policy.payer_id],
            provider=provider,
            practice=self.practice,
            encounter=encounter_part(encounter),
            diagnoses=diagnoses,
            lines=line_rows,
        )
