"""Claims: made from a coded encounter for one policy, frozen as a snapshot
(``app.services.claim_snapshot``), checked (``claim_check``), printed
(``claim_print``), corrected and followed to their end (``claim_history``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.coding import Encounter, EncounterStatus, ServiceLine
from app.models.insurance import Payer, Policy
from app.models.ledger import EntryKind, LedgerEntry
from app.models.patient import Patient
from app.models.practice import Provider
from app.models.staff import User
from app.money import ZERO, money
from app.reports.cms1500.fieldmap import field_map
from app.services import audit, claim_history
from app.services.auth import Actor, Permission, require
from app.services.claim_snapshot import SNAPSHOT_VERSION, build_snapshot, claim_number

# A claim in one of these no longer stands for its encounter and policy:
# another claim may be made in its place.
SUPERSEDED = (ClaimStatus.VOIDED, ClaimStatus.CORRECTED, ClaimStatus.CLOSED)
# Claims that went to the payer and can be corrected or voided.
SENT = (
    ClaimStatus.PRINTED,
    ClaimStatus.EXPORTED,
    ClaimStatus.PAID,
    ClaimStatus.PARTLY_PAID,
    ClaimStatus.DENIED,
    ClaimStatus.APPEALED,
)
# Claims still being worked: the list's default view.
OPEN_STATUSES = (
    ClaimStatus.DRAFT,
    ClaimStatus.READY,
    ClaimStatus.PRINTED,
    ClaimStatus.EXPORTED,
    ClaimStatus.PARTLY_PAID,
    ClaimStatus.DENIED,
    ClaimStatus.APPEALED,
)
PRINTABLE = (ClaimStatus.READY, *SENT, ClaimStatus.CORRECTED, ClaimStatus.VOIDED)

# ------------------------------------------------------------------ making claims


@dataclass(frozen=True)
class MadeClaim:
    id: int
    claim_no: str
    status: ClaimStatus


def _live_claim(s: Session, encounter_id: int, policy_id: int) -> Claim | None:
    return s.execute(
        select(Claim).where(
            Claim.encounter_id == encounter_id,
            Claim.policy_id == policy_id,
            Claim.status.not_in(SUPERSEDED),
            Claim.frequency != "8",
        )
    ).scalar_one_or_none()


def _write_claim(
    s: Session,
    actor: Actor,
    enc: Encounter,
    policy: Policy,
    *,
    rank: int,
    frequency: str = "1",
    original: Claim | None = None,
    original_ref: str = "",
    primary: Claim | None = None,
    snapshot: dict[str, Any] | None = None,
    note: str = "",
    today: date | None = None,
) -> Claim:
    today = today or date.today()
    claim = Claim(
        claim_no=uuid.uuid4().hex[:20],  # replaced by the real number below
        encounter_id=enc.id,
        patient_id=enc.patient_id,
        policy_id=policy.id,
        payer_id=policy.payer_id,
        provider_id=enc.provider_id,
        date_of_service=enc.date_of_service,
        rank=rank,
        frequency=frequency,
        original_claim_id=original.id if original else None,
        primary_claim_id=primary.id if primary else None,
        status=ClaimStatus.DRAFT,
        total_charge=ZERO,
        amount_paid=ZERO,
        snapshot={},
        created_by=actor.user_id,
    )
    s.add(claim)
    s.flush()
    claim.claim_no = claim_number(today, claim.id)
    if snapshot is None:
        snapshot = build_snapshot(
            s,
            enc,
            policy,
            claim_no=claim.claim_no,
            created=today,
            rank=rank,
            frequency=frequency,
            original_ref=original_ref,
            primary=primary,
        )
    else:
        snapshot = {
            **snapshot,
            "claim_no": claim.claim_no,
            "created": today.isoformat(),
            "frequency": frequency,
            "original_ref": original_ref,
        }
    _store_snapshot(s, claim, snapshot)
    s.add(ClaimEvent(claim_id=claim.id, user_id=actor.user_id, status=ClaimStatus.DRAFT, note=note))
    audit.record(
        s,
        actor,
        "claim_created",
        entity="claim",
        entity_id=claim.claim_no,
        patient_id=claim.patient_id,
        details={
            "encounter": enc.id,
            "policy": policy.id,
            "rank": rank,
            "frequency": frequency,
            "total": snapshot["total_charge"],
        },
    )
    return claim


def _store_snapshot(s: Session, claim: Claim, snapshot: dict[str, Any]) -> None:
    claim.snapshot = snapshot
    claim.total_charge = money(snapshot["total_charge"])
    for old in s.execute(select(ClaimLine).where(ClaimLine.claim_id == claim.id)).scalars():
        s.delete(old)
    s.flush()
    for n, ln in enumerate(snapshot.get("lines", []), start=1):
        s.add(
            ClaimLine(
                claim_id=claim.id,
                service_line_id=ln["service_line_id"],
                line_no=n,
                code=ln.get("code", "")[:5],
                charge=money(ln["charge"]),
            )
        )
    s.flush()


def make_claim(
    s: Session,
    actor: Actor,
    encounter_id: int,
    policy_id: int | None = None,
    *,
    today: date | None = None,
) -> MadeClaim:
    """A draft claim for a coded visit, to the visit's policy (the primary
    unless another is named). Refuses a visit that already has a claim to
    that policy that still stands."""
    require(actor, Permission.CLAIM_WORK)
    enc = s.get(Encounter, encounter_id)
    if enc is None:
        raise NotFound("That visit no longer exists.")
    if enc.status is not EncounterStatus.CODED:
        raise UserFacingError("This visit is not coded yet: finish coding it, then make the claim.")
    pid = policy_id or enc.policy_id
    if pid is None:
        raise UserFacingError("This visit is self-pay: there is no insurance to bill.")
    policy = s.get(Policy, pid)
    if policy is None or policy.patient_id != enc.patient_id:
        raise NotFound("That policy is not one of this patient's.")
    existing = _live_claim(s, enc.id, policy.id)
    if existing is not None:
        raise UserFacingError(
            f"This visit already has claim {existing.claim_no} to this payer "
            f"({existing.status.value.replace('_', ' ')}). Correct or void that claim instead."
        )
    claim = _write_claim(s, actor, enc, policy, rank=policy.rank or 1, today=today)
    return MadeClaim(claim.id, claim.claim_no, claim.status)


@dataclass(frozen=True)
class UnclaimedVisit:
    encounter_id: int
    date_of_service: date
    patient: str
    payer: str
    total: Decimal


def unclaimed_visits(s: Session, actor: Actor, limit: int = 500) -> list[UnclaimedVisit]:
    """Coded visits billed to a policy that have no standing claim to it."""
    require(actor, Permission.CLAIM_WORK)
    standing = (
        select(Claim.id)
        .where(
            Claim.encounter_id == Encounter.id,
            Claim.policy_id == Encounter.policy_id,
            Claim.status.not_in(SUPERSEDED),
            Claim.frequency != "8",
        )
        .exists()
    )
    totals = (
        select(ServiceLine.encounter_id, func.sum(ServiceLine.charge).label("total"))
        .where(ServiceLine.removed.is_(False))
        .group_by(ServiceLine.encounter_id)
        .subquery()
    )
    rows = s.execute(
        select(
            Encounter.id,
            Encounter.date_of_service,
            Patient.last_name,
            Patient.first_name,
            Payer.name,
            totals.c.total,
        )
        .join(Patient, Patient.id == Encounter.patient_id)
        .join(Policy, Policy.id == Encounter.policy_id)
        .join(Payer, Payer.id == Policy.payer_id)
        .outerjoin(totals, totals.c.encounter_id == Encounter.id)
        .where(Encounter.status == EncounterStatus.CODED, ~standing)
        .order_by(Encounter.date_of_service, Encounter.id)
        .limit(limit)
    )
    from app.money import sum_money

    return [
        UnclaimedVisit(eid, dos, f"{last}, {first}", payer, sum_money(total))
        for eid, dos, last, first, payer, total in rows
    ]


def make_claims_for_coded_visits(s: Session, actor: Actor) -> list[MadeClaim]:
    """A draft claim for every coded visit that has none yet; each is checked
    at once, so the ones with nothing to fix come out ready."""
    require(actor, Permission.CLAIM_WORK)
    made = []
    for v in unclaimed_visits(s, actor, limit=5000):
        c = make_claim(s, actor, v.encounter_id)
        result = check_claim(s, actor, c.id)
        made.append(MadeClaim(c.id, c.claim_no, result.status))
    return made


# ------------------------------------------------------------------ checking


@dataclass(frozen=True)
class CheckOutcome:
    claim_id: int
    claim_no: str
    status: ClaimStatus
    problems: list[Any]  # claim_check.ClaimProblem
    days_left: int | None

    @property
    def errors(self) -> list[Any]:
        return [p for p in self.problems if p.severity == "error"]


def refresh_snapshot(s: Session, claim: Claim) -> None:
    """Re-take a claim that has not gone out yet from the current records."""
    if claim.status not in (ClaimStatus.DRAFT, ClaimStatus.READY):
        return
    if claim.frequency == "8":
        return  # a void repeats the original exactly
    enc = s.get(Encounter, claim.encounter_id)
    policy = s.get(Policy, claim.policy_id)
    if enc is None or policy is None:
        return
    old = claim.snapshot if isinstance(claim.snapshot, dict) else {}
    created = date.fromisoformat(old["created"]) if old.get("created") else date.today()
    primary = s.get(Claim, claim.primary_claim_id) if claim.primary_claim_id else None
    snap = build_snapshot(
        s,
        enc,
        policy,
        claim_no=claim.claim_no,
        created=created,
        rank=claim.rank,
        frequency=claim.frequency,
        original_ref=old.get("original_ref", ""),
        primary=primary,
    )
    if snap != old:
        _store_snapshot(s, claim, snap)


def check_claim(
    s: Session, actor: Actor, claim_id: int, *, today: date | None = None
) -> CheckOutcome:
    """Run the claim check. A draft or ready claim is first re-taken from the
    records (so a fix made elsewhere shows at once), then moves to ready when
    nothing blocks it, or back to draft when something does."""
    from app.services import claim_check

    require(actor, Permission.CLAIM_WORK)
    claim = _get(s, claim_id)
    refresh_snapshot(s, claim)
    result = claim_check.check(s, claim, today=today)
    blocked = any(p.severity == "error" for p in result.problems)
    if claim.status is ClaimStatus.DRAFT and not blocked:
        claim_history.set_status(s, actor, claim, ClaimStatus.READY, "passed the claim check")
    elif claim.status is ClaimStatus.READY and blocked:
        n = sum(1 for p in result.problems if p.severity == "error")
        claim_history.set_status(
            s, actor, claim, ClaimStatus.DRAFT, f"claim check found {n} to fix"
        )
    return CheckOutcome(claim.id, claim.claim_no, claim.status, result.problems, result.days_left)


def check_drafts(s: Session, actor: Actor, *, today: date | None = None) -> list[CheckOutcome]:
    """Check every draft and ready claim (the morning run)."""
    require(actor, Permission.CLAIM_WORK)
    ids = s.execute(
        select(Claim.id)
        .where(Claim.status.in_((ClaimStatus.DRAFT, ClaimStatus.READY)))
        .order_by(Claim.id)
    ).scalars()
    return [check_claim(s, actor, cid, today=today) for cid in list(ids)]


def _get(s: Session, claim_id: int) -> Claim:
    claim = s.get(Claim, claim_id)
    if claim is None:
        raise NotFound("That claim no longer exists.")
    return claim


# ------------------------------------------------------------------ corrections


def correct_claim(
    s: Session,
    actor: Actor,
    claim_id: int,
    kind: str,
    original_ref: str = "",
    note: str = "",
    *,
    today: date | None = None,
) -> MadeClaim:
    """A replacement (``kind`` "replace", frequency 7, re-taken from the
    corrected records) or a void (``kind`` "void", frequency 8, the original
    repeated) of a claim that went out. Item 22 carries the payer's reference
    of the original (its claim control number; the office's claim number
    when the payer gave none). The original becomes corrected or voided."""
    require(actor, Permission.CLAIM_WORK)
    if kind not in ("replace", "void"):
        raise ValueError(kind)
    original = _get(s, claim_id)
    if original.frequency == "8":
        raise UserFacingError("A void cannot itself be corrected.")
    if original.status not in SENT and original.status is not ClaimStatus.CLOSED:
        raise UserFacingError(
            "Only a claim that went to the payer can be replaced or voided. "
            "A draft or ready claim is fixed where the check points and checked again."
        )
    ref = (original_ref or original.payer_claim_ref or original.claim_no).strip()
    if not ref.replace("-", "").isalnum() or len(ref) > 40:
        raise ValidationError(
            [Problem("original_ref", "Original reference: letters and digits only, at most 40")]
        )
    from app.services.claim_check import original_ref_problem

    too_long = original_ref_problem(ref)
    if too_long:
        raise ValidationError([Problem("original_ref", too_long)])
    enc = s.get(Encounter, original.encounter_id)
    policy = s.get(Policy, original.policy_id)
    if enc is None or policy is None:
        raise NotFound("The original claim's visit or policy no longer exists.")
    primary = s.get(Claim, original.primary_claim_id) if original.primary_claim_id else None
    if original.payer_claim_ref != ref and ref != original.claim_no:
        original.payer_claim_ref = ref
    frequency = "7" if kind == "replace" else "8"
    snapshot = None
    if kind == "void" and isinstance(original.snapshot, dict) and original.snapshot.get("lines"):
        snapshot = original.snapshot
    new = _write_claim(
        s,
        actor,
        enc,
        policy,
        rank=original.rank,
        frequency=frequency,
        original=original,
        original_ref=ref,
        primary=primary,
        snapshot=snapshot,
        note=note or f"{'replaces' if kind == 'replace' else 'voids'} claim {original.claim_no}",
        today=today,
    )
    claim_history.set_status(
        s,
        actor,
        original,
        ClaimStatus.CORRECTED if kind == "replace" else ClaimStatus.VOIDED,
        f"{'replaced' if kind == 'replace' else 'voided'} by claim {new.claim_no}"
        + (f": {note}" if note else ""),
    )
    return MadeClaim(new.id, new.claim_no, new.status)


# ------------------------------------------------------------------ secondary


def make_secondary(
    s: Session,
    actor: Actor,
    primary_claim_id: int,
    policy_id: int | None = None,
    *,
    today: date | None = None,
) -> MadeClaim:
    """The claim to the next payer, once the primary's payment is posted.
    It carries the primary as the other insured (items 9, 9a, 9d, 11d) and
    what the primary paid (item 29), read from the primary claim's
    insurance payments in the ledger."""
    require(actor, Permission.CLAIM_WORK)
    primary = _get(s, primary_claim_id)
    if primary.frequency == "8" or primary.status in (ClaimStatus.VOIDED, ClaimStatus.CORRECTED):
        raise UserFacingError("Make the next payer's claim from the claim that stands.")
    posted = s.execute(
        select(func.count())
        .select_from(LedgerEntry)
        .where(
            LedgerEntry.claim_id == primary.id,
            LedgerEntry.kind == EntryKind.INSURANCE_PAYMENT,
        )
    ).scalar_one()
    if not posted:
        raise UserFacingError(
            f"Claim {primary.claim_no} has no payment posted yet. Post the payer's EOB "
            "first; the next payer's claim shows what this one paid."
        )
    if policy_id is not None:
        policy = s.get(Policy, policy_id)
        if policy is None or policy.patient_id != primary.patient_id:
            raise NotFound("That policy is not one of this patient's.")
    else:
        policy = s.execute(
            select(Policy).where(
                Policy.patient_id == primary.patient_id,
                Policy.rank == primary.rank + 1,
                Policy.active.is_(True),
            )
        ).scalar_one_or_none()
        if policy is None:
            raise UserFacingError(
                "This patient has no next policy on file (secondary). Add it at the front desk."
            )
    if policy.id == primary.policy_id:
        raise UserFacingError("The next payer's claim must go to a different policy.")
    enc = s.get(Encounter, primary.encounter_id)
    if enc is None:
        raise NotFound("The visit of that claim no longer exists.")
    existing = _live_claim(s, enc.id, policy.id)
    if existing is not None:
        raise UserFacingError(
            f"This visit already has claim {existing.claim_no} to that payer "
            f"({existing.status.value.replace('_', ' ')})."
        )
    claim = _write_claim(
        s,
        actor,
        enc,
        policy,
        rank=primary.rank + 1,
        primary=primary,
        note=f"after claim {primary.claim_no}",
        today=today,
    )
    return MadeClaim(claim.id, claim.claim_no, claim.status)


# ------------------------------------------------------------------ the list


@dataclass(frozen=True)
class ClaimFilter:
    statuses: tuple[ClaimStatus, ...] = ()
    payer_id: int | None = None
    provider_id: int | None = None
    dos_from: date | None = None
    dos_to: date | None = None
    min_age_days: int | None = None  # days since the date of service
    max_age_days: int | None = None
    text: str = ""  # a claim number, or the start of the patient's last name
    limit: int = 1000


@dataclass(frozen=True)
class ClaimRow:
    id: int
    claim_no: str
    status: ClaimStatus
    date_of_service: date
    patient: str
    account_no: str
    payer: str
    provider: str
    rank: int
    frequency: str
    total_charge: Decimal
    days_since_dos: int
    days_left: int  # to file with the payer; negative = past the limit

    @property
    def status_label(self) -> str:
        return status_label(self.status)


STATUS_LABELS = {
    ClaimStatus.DRAFT: "Draft",
    ClaimStatus.READY: "Ready",
    ClaimStatus.PRINTED: "Printed",
    ClaimStatus.EXPORTED: "Exported",
    ClaimStatus.PAID: "Paid",
    ClaimStatus.PARTLY_PAID: "Partly paid",
    ClaimStatus.DENIED: "Denied",
    ClaimStatus.APPEALED: "Appealed",
    ClaimStatus.CORRECTED: "Corrected",
    ClaimStatus.VOIDED: "Voided",
    ClaimStatus.CLOSED: "Closed",
}


def status_label(status: ClaimStatus) -> str:
    return STATUS_LABELS[status]


@dataclass(frozen=True)
class ClaimList:
    rows: list[ClaimRow]
    total: int  # how many claims match (rows holds at most the filter's limit)


def _filter_clauses(f: ClaimFilter, today: date) -> list[Any]:
    where: list[Any] = []
    if f.statuses:
        where.append(Claim.status.in_(f.statuses))
    if f.payer_id:
        where.append(Claim.payer_id == f.payer_id)
    if f.provider_id:
        where.append(Claim.provider_id == f.provider_id)
    if f.dos_from:
        where.append(Claim.date_of_service >= f.dos_from)
    if f.dos_to:
        where.append(Claim.date_of_service <= f.dos_to)
    if f.min_age_days is not None:
        where.append(Claim.date_of_service <= today - timedelta(days=f.min_age_days))
    if f.max_age_days is not None:
        where.append(Claim.date_of_service >= today - timedelta(days=f.max_age_days))
    return where


def list_claims(
    s: Session, actor: Actor, f: ClaimFilter = ClaimFilter(), *, today: date | None = None
) -> ClaimList:
    """Claims matching the filter, newest date of service first."""
    require(actor, Permission.CLAIM_WORK)
    today = today or date.today()
    where = _filter_clauses(f, today)
    text = f.text.strip()
    if text:
        if text.isdigit():
            # A range, not LIKE: SQLite's LIKE ignores case and so the index.
            where.append(Claim.claim_no >= text)
            where.append(Claim.claim_no < text + ":")  # ":" sorts right after "9"
        else:
            from app.services.patients_search import search_key

            key = search_key(text)
            # Patients first (a range on the name index), then their claims
            # through the claim's patient index.
            # (Many patients, e.g. one letter typed: newest-first order finds
            # enough of their claims early, so the subquery does as well.)
            named = select(Patient.id).where(
                Patient.search_last >= key, Patient.search_last < key + "~"
            )
            ids = list(s.execute(named.limit(2001)).scalars())
            where.append(Claim.patient_id.in_(ids if len(ids) <= 2000 else named))
    count_q = select(func.count()).select_from(Claim)
    total = s.execute(count_q.where(*where)).scalar_one()
    q = (
        select(
            Claim.id,
            Claim.claim_no,
            Claim.status,
            Claim.date_of_service,
            Patient.last_name,
            Patient.first_name,
            Patient.account_no,
            Payer.name,
            Payer.timely_filing_days,
            Provider.last_name,
            Claim.rank,
            Claim.frequency,
            Claim.total_charge,
        )
        .join(Patient, Patient.id == Claim.patient_id)
        .join(Payer, Payer.id == Claim.payer_id)
        .join(Provider, Provider.id == Claim.provider_id)
        .where(*where)
        .order_by(Claim.date_of_service.desc(), Claim.id.desc())
        .limit(f.limit)
    )
    rows = []
    for (
        cid,
        no,
        status,
        dos,
        last,
        first,
        acct,
        payer,
        filing,
        prov,
        rank,
        freq,
        total_charge,
    ) in s.execute(q):
        age = (today - dos).days
        rows.append(
            ClaimRow(
                cid,
                no,
                status,
                dos,
                f"{last}, {first}",
                acct,
                payer,
                prov,
                rank,
                freq,
                total_charge,
                age,
                filing - age,
            )
        )
    return ClaimList(rows, total)


# ------------------------------------------------------------------ one claim


@dataclass(frozen=True)
class HistoryRow:
    at: Any  # datetime (UTC)
    status: ClaimStatus
    user: str
    note: str


@dataclass(frozen=True)
class LineRow:
    line_no: int
    date_of_service: date
    code: str
    modifiers: str
    pointers: str
    units: int
    charge: Decimal
    prior_paid: Decimal


@dataclass(frozen=True)
class LedgerRow:
    entry_date: date
    kind: str
    amount: Decimal
    party: str
    line_code: str
    memo: str
    carc: str


@dataclass(frozen=True)
class ClaimDetail:
    id: int
    claim_no: str
    status: ClaimStatus
    rank: int
    frequency: str
    date_of_service: date
    patient: str
    patient_id: int
    account_no: str
    payer: str
    payer_id: int
    policy_id: int
    provider: str
    provider_id: int
    encounter_id: int
    member_id: str
    total_charge: Decimal
    payer_claim_ref: str
    original_claim_no: str
    primary_claim_no: str
    diagnoses: list[str]
    lines: list[LineRow]
    history: list[HistoryRow]
    ledger: list[LedgerRow]
    forms: int
    days_since_dos: int
    days_left: int
    insurance_paid: Decimal
    can_correct: bool
    can_make_secondary: bool


def claim_detail(
    s: Session, actor: Actor, claim_id: int, *, today: date | None = None
) -> ClaimDetail:
    """One claim as the biller sees it: what it bills, its history and the
    ledger entries on its lines (viewing it is audited)."""
    require(actor, Permission.CLAIM_WORK)
    today = today or date.today()
    c = _get(s, claim_id)
    snap = c.snapshot if isinstance(c.snapshot, dict) else {}
    pat = snap.get("patient") or {}
    names = dict(s.execute(select(User.id, User.full_name)).all())
    history = [
        HistoryRow(e.at, e.status, names.get(e.user_id, "") if e.user_id else "", e.note)
        for e in s.execute(
            select(ClaimEvent)
            .where(ClaimEvent.claim_id == c.id)
            .order_by(ClaimEvent.at, ClaimEvent.id)
        ).scalars()
    ]
    lines = [
        LineRow(
            i,
            date.fromisoformat(ln["from"]),
            ln.get("code", ""),
            " ".join(ln.get("modifiers", [])),
            ln.get("pointers", ""),
            ln.get("units", 1),
            money(ln["charge"]),
            money(ln.get("prior_paid", "0.00")),
        )
        for i, ln in enumerate(snap.get("lines", []), start=1)
    ]
    line_ids = [ln["service_line_id"] for ln in snap.get("lines", [])]
    codes = {ln["service_line_id"]: ln.get("code", "") for ln in snap.get("lines", [])}
    entries = s.execute(
        select(LedgerEntry)
        .where(
            or_(
                LedgerEntry.claim_id == c.id,
                and_(
                    LedgerEntry.service_line_id.in_(line_ids),
                    LedgerEntry.kind == EntryKind.CHARGE,
                ),
            )
        )
        .order_by(LedgerEntry.entry_date, LedgerEntry.id)
    ).scalars()
    ledger = [
        LedgerRow(
            e.entry_date,
            e.kind.value.replace("_", " "),
            e.amount,
            e.party.value,
            codes.get(e.service_line_id, "") if e.service_line_id else "",
            e.memo,
            f"{e.carc_group}-{e.carc_code}" if e.carc_code else "",
        )
        for e in entries
    ]
    paid = -sum((e.amount for e in ledger_entries_of(s, c.id, EntryKind.INSURANCE_PAYMENT)), ZERO)
    payer = s.get(Payer, c.payer_id)
    filing = payer.timely_filing_days if payer else 365
    original = s.get(Claim, c.original_claim_id) if c.original_claim_id else None
    primary = s.get(Claim, c.primary_claim_id) if c.primary_claim_id else None
    has_next = (
        s.execute(
            select(func.count())
            .select_from(Policy)
            .where(
                Policy.patient_id == c.patient_id,
                Policy.rank == c.rank + 1,
                Policy.active.is_(True),
            )
        ).scalar_one()
        > 0
    )
    audit.record(
        s, actor, "claim_viewed", entity="claim", entity_id=c.claim_no, patient_id=c.patient_id
    )
    age = (today - c.date_of_service).days
    return ClaimDetail(
        id=c.id,
        claim_no=c.claim_no,
        status=c.status,
        rank=c.rank,
        frequency=c.frequency,
        date_of_service=c.date_of_service,
        patient=f"{pat.get('last', '')}, {pat.get('first', '')}",
        patient_id=c.patient_id,
        account_no=pat.get("account_no", ""),
        payer=(snap.get("payer") or {}).get("name", payer.name if payer else ""),
        payer_id=c.payer_id,
        policy_id=c.policy_id,
        provider=" ".join(
            x
            for x in (
                (snap.get("provider") or {}).get("first", ""),
                (snap.get("provider") or {}).get("last", ""),
            )
            if x
        ),
        provider_id=c.provider_id,
        encounter_id=c.encounter_id,
        member_id=(snap.get("insured") or {}).get("member_id", ""),
        total_charge=c.total_charge,
        payer_claim_ref=c.payer_claim_ref,
        original_claim_no=original.claim_no if original else "",
        primary_claim_no=primary.claim_no if primary else "",
        diagnoses=list(snap.get("diagnoses", [])),
        lines=lines,
        history=history,
        ledger=ledger,
        forms=len(field_map(snap)) if snap.get("version") == SNAPSHOT_VERSION else 0,
        days_since_dos=age,
        days_left=filing - age,
        insurance_paid=paid,
        can_correct=c.frequency != "8" and (c.status in SENT or c.status is ClaimStatus.CLOSED),
        can_make_secondary=has_next
        and paid > ZERO
        and c.frequency != "8"
        and c.status not in (ClaimStatus.VOIDED, ClaimStatus.CORRECTED),
    )


def ledger_entries_of(s: Session, claim_id: int, kind: EntryKind) -> list[LedgerEntry]:
    return list(
        s.execute(
            select(LedgerEntry).where(LedgerEntry.claim_id == claim_id, LedgerEntry.kind == kind)
        ).scalars()
    )


def set_payer_reference(s: Session, actor: Actor, claim_id: int, reference: str) -> None:
    """The payer's own number for a claim (its claim control number / ICN),
    from the EOB or a phone call; item 22 of a correction quotes it."""
    require(actor, Permission.CLAIM_WORK)
    ref = reference.strip()
    if ref and (not ref.replace("-", "").isalnum() or len(ref) > 40):
        raise ValidationError(
            [Problem("payer_claim_ref", "Payer's claim number: letters and digits, at most 40")]
        )
    c = _get(s, claim_id)
    old = c.payer_claim_ref
    c.payer_claim_ref = ref
    audit.record(
        s,
        actor,
        "claim_changed",
        entity="claim",
        entity_id=c.claim_no,
        patient_id=c.patient_id,
        details={"payer_claim_ref": [old, ref]},
    )


def discard_draft(s: Session, actor: Actor, claim_id: int, note: str = "") -> None:
    """Close a claim that never went out (a draft or ready claim made in error)."""
    require(actor, Permission.CLAIM_WORK)
    c = _get(s, claim_id)
    if c.status not in (ClaimStatus.DRAFT, ClaimStatus.READY):
        raise UserFacingError("Only a draft or ready claim can be discarded; void a sent claim.")
    claim_history.set_status(s, actor, c, ClaimStatus.CLOSED, note or "discarded before sending")
