"""Posting a payer's EOB by hand.

The biller picks the check (or records it), finds a claim by claim number,
patient or date, and types what the EOB says for each service line: allowed,
paid, deductible, coinsurance, copay, contractual adjustment, denial reason
(CARC group + code, optional RARC). ``preview_eob`` shows what will happen
before anything is saved: the payer's part that is paid and adjusted, what
moves to the next responsible party (the secondary policy or the patient),
what stays with the payer, what is overpaid (held as the payer's credit), how
much of the check is left, and the claim's new status. ``post_eob`` posts the
same thing in one ledger transaction and marks the claim paid, partly paid or
denied through ``claim_history.set_status``.

A negative paid amount is a takeback: the payer takes back money it paid on
that line, and the line's balance returns to the payer. A recoupment of a
payer's credit kept out of a later check is ``recoup_credit``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.codes import adjustment_codes
from app.errors import NotFound, Problem, ValidationError
from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.coding import ServiceLine
from app.models.insurance import Payer, Policy
from app.models.ledger import (
    AdjustmentType,
    EntryKind,
    LedgerEntry,
    Party,
    Payment,
    PaymentMethod,
    PaymentSource,
    Refund,
    RemitLine,
)
from app.models.patient import Patient
from app.money import ZERO, fmt, sum_money
from app.services import audit, claim_history, ledger
from app.services.auth import Actor, Permission, require
from app.services.coverage import policy_in_force

CARC_GROUPS = ("CO", "PR", "OA", "PI")
_CARC = re.compile(r"^[A-Z]?\d{1,4}$")
_RARC = re.compile(r"^[A-Z]{1,2}\d{1,5}$")
# Claim statuses that mean the payer has not answered yet.
WAITING = frozenset(
    {
        ClaimStatus.DRAFT,
        ClaimStatus.READY,
        ClaimStatus.PRINTED,
        ClaimStatus.EXPORTED,
        ClaimStatus.APPEALED,
        ClaimStatus.CORRECTED,
    }
)


# ------------------------------------------------------------------ checks


@dataclass(frozen=True)
class CheckRow:
    """A payer's payment (check or EFT) and how much of it is posted."""

    payment_id: int
    payer_id: int
    payer_name: str
    received: date
    method: PaymentMethod
    reference: str
    amount: Decimal
    posted: Decimal
    left: Decimal

    @property
    def label(self) -> str:
        return (
            f"{self.payer_name} {self.method.value.upper()} {self.reference} ({fmt(self.amount)})"
        )


def record_payer_payment(
    s: Session,
    actor: Actor,
    *,
    payer_id: int,
    amount: Decimal,
    method: PaymentMethod,
    reference: str,
    received: date,
    memo: str = "",
) -> CheckRow:
    """Record a payer's check or EFT once; it is then posted claim by claim.

    A zero amount is allowed (an EOB that only denies). The same check number
    from the same payer is refused: pick the one already recorded.
    """
    require(actor, Permission.PAYMENT_INSURANCE)
    problems: list[Problem] = []
    payer = s.get(Payer, payer_id)
    if payer is None:
        problems.append(Problem("payer", "Pick the payer that sent the payment"))
    if amount < ZERO:
        problems.append(Problem("amount", "A check amount cannot be below 0.00"))
    ref = reference.strip()
    if method not in (PaymentMethod.CHECK, PaymentMethod.EFT):
        problems.append(Problem("method", "A payer pays by check or EFT"))
    if not ref:
        problems.append(Problem("reference", "Type the check or EFT trace number"))
    elif len(ref) > 40:
        problems.append(Problem("reference", "The check or EFT number is at most 40 characters"))
    if ref and payer is not None:
        dup = s.execute(
            select(Payment.id, Payment.received_date).where(
                Payment.payer_id == payer_id,
                Payment.source == PaymentSource.PAYER,
                func.upper(Payment.reference) == ref.upper(),
            )
        ).first()
        if dup is not None:
            problems.append(
                Problem(
                    "reference",
                    f"{method.value.upper()} {ref} from {payer.name} is already recorded "
                    f"(received {dup[1]:%m/%d/%Y}); pick it from the list",
                )
            )
    if problems:
        raise ValidationError(problems)
    ledger.check_open(s, received, "received")
    pay = Payment(
        received_date=received,
        source=PaymentSource.PAYER,
        payer_id=payer_id,
        method=method,
        reference=ref,
        amount=amount,
        memo=memo,
        user_id=actor.user_id,
    )
    s.add(pay)
    s.flush()
    audit.record(
        s,
        actor,
        "payer_payment_received",
        entity="payment",
        entity_id=pay.id,
        details={"payer_id": payer_id, "amount": fmt(amount), "reference": ref},
    )
    return check_status(s, pay.id)


def _posted(s: Session, payment_ids: list[int]) -> dict[int, Decimal]:
    """Net amount of each check posted: payments (takebacks net) less recoupments."""
    out = {pid: ZERO for pid in payment_ids}
    if not payment_ids:
        return out
    for pid, total in s.execute(
        select(LedgerEntry.payment_id, func.sum(LedgerEntry.amount))
        .where(
            LedgerEntry.payment_id.in_(payment_ids),
            LedgerEntry.kind == EntryKind.INSURANCE_PAYMENT,
        )
        .group_by(LedgerEntry.payment_id)
    ):
        if pid is not None:
            out[pid] = -sum_money(total)
    for pid, total in s.execute(
        select(Refund.offset_payment_id, func.sum(Refund.amount))
        .where(Refund.offset_payment_id.in_(payment_ids))
        .group_by(Refund.offset_payment_id)
    ):
        if pid is not None:
            out[pid] -= sum_money(total)
    return out


def check_status(s: Session, payment_id: int) -> CheckRow:
    rows = _checks(s, payment_ids=[payment_id])
    if not rows:
        raise NotFound("That payer payment does not exist.")
    return rows[0]


def payer_payments(
    s: Session,
    actor: Actor,
    *,
    payer_id: int | None = None,
    open_only: bool = False,
    payment_ids: list[int] | None = None,
    limit: int = 200,
) -> list[CheckRow]:
    """Payer checks, newest first; ``open_only`` keeps those not fully posted."""
    require(actor, Permission.PAYMENT_INSURANCE)
    return _checks(s, payer_id=payer_id, open_only=open_only, payment_ids=payment_ids, limit=limit)


def _checks(
    s: Session,
    *,
    payer_id: int | None = None,
    open_only: bool = False,
    payment_ids: list[int] | None = None,
    limit: int = 200,
) -> list[CheckRow]:
    q = (
        select(Payment, Payer.name)
        .join(Payer, Payer.id == Payment.payer_id)
        .where(Payment.source == PaymentSource.PAYER)
        .order_by(Payment.received_date.desc(), Payment.id.desc())
    )
    if payer_id is not None:
        q = q.where(Payment.payer_id == payer_id)
    if payment_ids is not None:
        q = q.where(Payment.id.in_(payment_ids))
    else:
        q = q.limit(limit * (5 if open_only else 1))
    rows = s.execute(q).all()
    posted = _posted(s, [p.id for p, _ in rows])
    out = []
    for p, name in rows:
        assert p.payer_id is not None
        left = p.amount - posted[p.id]
        if open_only and left == ZERO:
            continue
        out.append(
            CheckRow(
                p.id,
                p.payer_id,
                name,
                p.received_date,
                p.method,
                p.reference,
                p.amount,
                posted[p.id],
                left,
            )
        )
    return out[:limit]


# ------------------------------------------------------------------ finding claims


@dataclass(frozen=True)
class ClaimRow:
    claim_id: int
    claim_no: str
    patient_id: int
    patient_name: str
    account_no: str
    dos: date
    payer_id: int
    payer_name: str
    rank: int
    status: ClaimStatus
    total_charge: Decimal


def find_claims(
    s: Session,
    actor: Actor,
    text: str = "",
    *,
    payer_id: int | None = None,
    dos: date | None = None,
    limit: int = 100,
) -> list[ClaimRow]:
    """Claims by claim number, patient (last name, "last, first" or account
    number) or date of service, newest first."""
    require(actor, Permission.PAYMENT_INSURANCE)
    q = (
        select(Claim, Patient, Payer.name)
        .join(Patient, Patient.id == Claim.patient_id)
        .join(Payer, Payer.id == Claim.payer_id)
        .where(Claim.status != ClaimStatus.VOIDED)
        .order_by(Claim.date_of_service.desc(), Claim.id.desc())
        .limit(limit)
    )
    t = text.strip()
    if t:
        from app.services.patients_search import search_key

        last, _, first = t.partition(",")
        name_cond = Patient.search_last.startswith(search_key(last.strip()))
        if first.strip():
            name_cond = name_cond & Patient.search_first.startswith(search_key(first.strip()))
        conds = [Claim.claim_no == t, Patient.account_no == t, name_cond]
        if t.isdigit():
            conds.append(Claim.claim_no.startswith(t))
        q = q.where(or_(*conds))
    if payer_id is not None:
        q = q.where(Claim.payer_id == payer_id)
    if dos is not None:
        q = q.where(Claim.date_of_service == dos)
    return [
        ClaimRow(
            c.id,
            c.claim_no,
            p.id,
            p.display_name,
            p.account_no,
            c.date_of_service,
            c.payer_id,
            payer_name,
            c.rank,
            c.status,
            c.total_charge,
        )
        for c, p, payer_name in s.execute(q)
    ]


# ------------------------------------------------------------------ EOB


@dataclass(frozen=True)
class EobLine:
    """What the EOB says about one service line (amounts as on the EOB)."""

    service_line_id: int
    paid: Decimal = ZERO
    allowed: Decimal | None = None
    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO
    copay: Decimal = ZERO
    contractual: Decimal = ZERO
    denial_group: str = ""
    denial_code: str = ""
    rarc: str = ""

    @property
    def patient_resp(self) -> Decimal:
        return self.deductible + self.coinsurance + self.copay

    @property
    def denied(self) -> bool:
        return bool(self.denial_code)


@dataclass(frozen=True)
class ClaimLineOwed:
    """A claim line with what is owed on it, for the posting grid."""

    service_line_id: int
    line_no: int
    code: str
    dos: date
    charge: Decimal
    payer_owes: Decimal  # this claim's payer's part of the line
    balance: Decimal  # everyone's


@dataclass(frozen=True)
class ClaimForPosting:
    claim: ClaimRow
    payer_resp: ledger.Resp
    next_party: ledger.Resp
    next_label: str
    lines: list[ClaimLineOwed]


@dataclass(frozen=True)
class EobLinePreview:
    service_line_id: int
    line_no: int
    code: str
    dos: date
    charge: Decimal
    owed: Decimal
    allowed: Decimal | None
    paid: Decimal  # to the line (a takeback is negative)
    overpaid: Decimal  # held as the payer's credit
    contractual: Decimal
    to_next: Decimal
    left_with_payer: Decimal
    denied: str  # "CO-16" etc. or ""


@dataclass(frozen=True)
class EobPreview:
    claim: ClaimRow
    next_label: str
    lines: list[EobLinePreview]
    check: CheckRow
    this_claim: Decimal  # what this posting takes from the check
    check_left_after: Decimal
    new_status: ClaimStatus
    problems: list[Problem] = field(default_factory=list)
    # Lines whose numbers do not add up as an EOB's must (see line_warnings):
    # shown before saving, but posting is still allowed.
    warnings: list[str] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((ln.paid + ln.overpaid for ln in self.lines), ZERO)

    @property
    def adjusted(self) -> Decimal:
        return sum((ln.contractual for ln in self.lines), ZERO)

    @property
    def to_next(self) -> Decimal:
        return sum((ln.to_next for ln in self.lines), ZERO)

    @property
    def left_with_payer(self) -> Decimal:
        return sum((ln.left_with_payer for ln in self.lines), ZERO)

    @property
    def overpaid(self) -> Decimal:
        return sum((ln.overpaid for ln in self.lines), ZERO)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class EobResult:
    txn: str
    preview: EobPreview
    status: ClaimStatus
    patient_owes: Decimal  # the patient's own part of their account after posting


def _claim_row(s: Session, claim: Claim) -> ClaimRow:
    p = s.get(Patient, claim.patient_id)
    payer = s.get(Payer, claim.payer_id)
    assert p is not None and payer is not None
    return ClaimRow(
        claim.id,
        claim.claim_no,
        p.id,
        p.display_name,
        p.account_no,
        claim.date_of_service,
        claim.payer_id,
        payer.name,
        claim.rank,
        claim.status,
        claim.total_charge,
    )


def next_party(s: Session, claim: Claim) -> tuple[ledger.Resp, str]:
    """Who is billed after this claim's payer: the next policy in force on the
    date of service, or the patient."""
    pol = s.get(Policy, claim.policy_id)
    rank = (pol.rank if pol is not None and pol.rank else None) or claim.rank
    for nxt in s.execute(
        select(Policy)
        .where(
            Policy.patient_id == claim.patient_id,
            Policy.rank.is_not(None),
            Policy.rank > rank,
            Policy.id != claim.policy_id,
        )
        .order_by(Policy.rank)
    ).scalars():
        if policy_in_force(nxt, claim.date_of_service):
            payer = s.get(Payer, nxt.payer_id)
            name = payer.name if payer else "the next payer"
            which = {2: "Secondary", 3: "Tertiary"}.get(nxt.rank or 0, "Next")
            return ledger.Resp(Party.INSURANCE, nxt.id, nxt.payer_id), f"{which}: {name}"
    return ledger.PATIENT, "Patient"


def claim_for_posting(s: Session, actor: Actor, claim_id: int) -> ClaimForPosting:
    """A claim's lines with what its payer still owes on each (audited view)."""
    require(actor, Permission.PAYMENT_INSURANCE)
    claim = s.get(Claim, claim_id)
    if claim is None:
        raise NotFound("That claim does not exist.")
    resp = ledger.Resp(Party.INSURANCE, claim.policy_id, claim.payer_id)
    nxt, label = next_party(s, claim)
    cls = list(
        s.execute(
            select(ClaimLine, ServiceLine.from_date)
            .join(ServiceLine, ServiceLine.id == ClaimLine.service_line_id)
            .where(ClaimLine.claim_id == claim_id)
            .order_by(ClaimLine.line_no)
        )
    )
    parts = ledger.portions(s, [cl.service_line_id for cl, _ in cls])
    lines = [
        ClaimLineOwed(
            cl.service_line_id,
            cl.line_no,
            cl.code,
            dos,
            cl.charge,
            parts[cl.service_line_id].get(resp, ZERO),
            sum(parts[cl.service_line_id].values(), ZERO),
        )
        for cl, dos in cls
    ]
    audit.record(
        s,
        actor,
        "claim_opened_for_posting",
        entity="claim",
        entity_id=claim.claim_no,
        patient_id=claim.patient_id,
    )
    return ClaimForPosting(_claim_row(s, claim), resp, nxt, label, lines)


def _check_amounts(i: int, ln: EobLine, problems: list[Problem]) -> None:
    f = f"line{i}"
    for name in ("paid", "deductible", "coinsurance", "copay", "contractual"):
        v = getattr(ln, name)
        if not isinstance(v, Decimal) or v != v.quantize(Decimal("0.01")):
            problems.append(Problem(f"{f}.{name}", f"Line {i}: {name} is not an amount"))
    for name in ("deductible", "coinsurance", "copay"):
        if getattr(ln, name) < ZERO:
            problems.append(Problem(f"{f}.{name}", f"Line {i}: {name} cannot be below 0.00"))
    if ln.allowed is not None and ln.allowed < ZERO:
        problems.append(Problem(f"{f}.allowed", f"Line {i}: allowed cannot be below 0.00"))
    grp, code = ln.denial_group.strip().upper(), ln.denial_code.strip().upper()
    if code or grp:
        if grp not in CARC_GROUPS:
            problems.append(
                Problem(f"{f}.denial", f"Line {i}: the denial group is CO, PR, OA or PI")
            )
        if not _CARC.match(code):
            problems.append(
                Problem(f"{f}.denial", f"Line {i}: '{code}' is not a claim adjustment reason code")
            )
        if ln.paid != ZERO:
            problems.append(Problem(f"{f}.paid", f"Line {i}: a denied line pays 0.00"))
    if ln.rarc and not _RARC.match(ln.rarc.strip().upper()):
        problems.append(
            Problem(f"{f}.rarc", f"Line {i}: '{ln.rarc}' is not a remark code (e.g. N130)")
        )


def line_warnings(ln: EobLine, dos: date, code: str, charge: Decimal) -> list[str]:
    """Where one EOB line's numbers do not add up, each with the difference.

    An EOB line balances twice: charge = allowed + contractual adjustment (when
    a contractual is entered), and allowed = paid + deductible + coinsurance +
    copay (+ any other adjustment the payer reports, such as sequestration,
    which the grid has no column for). A typing mistake in either silently
    moves the wrong amount to the patient, so it is named; it is a warning,
    not a problem, because a real EOB's other adjustments make a correct line
    look unbalanced here.
    """
    if ln.allowed is None:
        return []
    where = f"Line {dos:%m/%d/%Y} {code}"
    out: list[str] = []
    if ln.contractual != ZERO:
        diff = charge - ln.allowed - ln.contractual
        if diff != ZERO:
            out.append(
                f"{where}: charge {fmt(charge)} is not allowed {fmt(ln.allowed)} + "
                f"contractual {fmt(ln.contractual)} ({fmt(abs(diff))} "
                f"{'short' if diff > ZERO else 'over'})"
            )
    if ln.paid >= ZERO:
        diff = ln.allowed - ln.paid - ln.patient_resp
        if diff != ZERO:
            out.append(
                f"{where}: allowed {fmt(ln.allowed)} is not paid {fmt(ln.paid)} + "
                f"deductible, coinsurance and copay {fmt(ln.patient_resp)} "
                f"({fmt(abs(diff))} {'short' if diff > ZERO else 'over'}"
                + (
                    "; if the payer reports another adjustment of that amount "
                    "(e.g. CO-253 sequestration), it stays with the payer"
                    if diff > ZERO
                    else ""
                )
                + ")"
            )
    return out


def code_warnings(ln: EobLine, dos: date, code: str) -> list[str]:
    """A CARC or RARC that looks right but is not in the bundled list of codes
    an office meets: named, not refused (the bundled list is a subset)."""
    where = f"Line {dos:%m/%d/%Y} {code}"
    out: list[str] = []
    carc = ln.denial_code.strip().upper()
    if carc and _CARC.match(carc) and adjustment_codes.carc(carc) is None:
        out.append(
            f"{where}: reason code {carc} is not in the list of common codes; "
            "check it against the EOB"
        )
    rarc = ln.rarc.strip().upper()
    if rarc and _RARC.match(rarc) and adjustment_codes.rarc(rarc) is None:
        out.append(
            f"{where}: remark code {rarc} is not in the list of common codes; "
            "check it against the EOB"
        )
    return out


def _plan(
    s: Session, payment_id: int, claim_id: int, lines: list[EobLine], on: date | None
) -> tuple[EobPreview, list[LedgerEntry], Claim]:
    claim = s.get(Claim, claim_id)
    if claim is None:
        raise NotFound("That claim does not exist.")
    check = check_status(s, payment_id)
    resp = ledger.Resp(Party.INSURANCE, claim.policy_id, claim.payer_id)
    nxt, next_label = next_party(s, claim)
    cls = {
        cl.service_line_id: (cl, dos)
        for cl, dos in s.execute(
            select(ClaimLine, ServiceLine.from_date)
            .join(ServiceLine, ServiceLine.id == ClaimLine.service_line_id)
            .where(ClaimLine.claim_id == claim_id)
        )
    }
    problems: list[Problem] = []
    if check.payer_id != claim.payer_id:
        problems.append(
            Problem(
                "payment",
                f"This payment is from {check.payer_name}, but claim {claim.claim_no} "
                "is billed to another payer",
            )
        )
    if claim.status is ClaimStatus.VOIDED:
        problems.append(Problem("claim", f"Claim {claim.claim_no} is voided"))
    seen: set[int] = set()
    for i, ln in enumerate(lines, start=1):
        if ln.service_line_id not in cls:
            problems.append(Problem(f"line{i}", f"Line {i} is not on claim {claim.claim_no}"))
        if ln.service_line_id in seen:
            problems.append(Problem(f"line{i}", f"Line {i} is entered twice"))
        seen.add(ln.service_line_id)
        _check_amounts(i, ln, problems)
    parts = ledger.portions(s, list(cls))
    facts = ledger._line_facts(s, list(cls)) if cls else {}
    when = on or check.received
    previews: list[EobLinePreview] = []
    entries: list[LedgerEntry] = []
    warnings: list[str] = []
    for i, ln in enumerate(lines, start=1):
        if ln.service_line_id not in cls:
            continue
        cl, dos = cls[ln.service_line_id]
        pat, prov, *_ = facts[ln.service_line_id]
        owed = parts[ln.service_line_id].get(resp, ZERO)
        grp, code = ln.denial_group.strip().upper(), ln.denial_code.strip().upper()
        rarc = ln.rarc.strip().upper()
        warnings += line_warnings(ln, dos, cl.code, cl.charge)
        warnings += code_warnings(ln, dos, cl.code)
        rest = owed - ln.contractual - ln.patient_resp
        if rest < ZERO:
            problems.append(
                Problem(
                    f"line{i}",
                    f"Line {i} ({cl.code}): adjustments and patient amounts "
                    f"({fmt(ln.contractual + ln.patient_resp)}) are more than the "
                    f"{fmt(owed)} this payer owes on it",
                )
            )
            continue
        to_next = ln.patient_resp
        applied = overpaid = ZERO
        if ln.denied and grp == "PR":
            to_next += rest
            left = ZERO
        elif ln.paid > rest:
            applied, overpaid, left = rest, ln.paid - rest, ZERO
        else:
            applied, left = ln.paid, rest - ln.paid
        previews.append(
            EobLinePreview(
                ln.service_line_id,
                cl.line_no,
                cl.code,
                dos,
                cl.charge,
                owed,
                ln.allowed,
                applied,
                overpaid,
                ln.contractual,
                to_next,
                left,
                f"{grp}-{code}" if code else "",
            )
        )
        common = dict(
            entry_date=when,
            patient_id=pat,
            service_line_id=ln.service_line_id,
            claim_id=claim_id,
            party=Party.INSURANCE,
            policy_id=resp.policy_id,
            payer_id=resp.payer_id,
            provider_id=prov,
        )
        if ln.contractual != ZERO:
            entries.append(
                LedgerEntry(
                    kind=EntryKind.ADJUSTMENT,
                    amount=-ln.contractual,
                    adjustment_type=AdjustmentType.CONTRACTUAL,
                    carc_group="CO",
                    carc_code="45",
                    **common,
                )
            )
        moves = [
            ledger.Move(ln.service_line_id, resp, nxt, amt, "PR", reason)
            for amt, reason in (
                (ln.deductible, "1"),
                (ln.coinsurance, "2"),
                (ln.copay, "3"),
                (to_next - ln.patient_resp, code),
            )
            if amt > ZERO
        ]
        entries += ledger.transfer_entries(moves, facts, on=when, claim_id=claim_id)
        if applied != ZERO or (ln.denied and grp != "PR") or (ln.paid == ZERO and rarc):
            entries.append(
                LedgerEntry(
                    kind=EntryKind.INSURANCE_PAYMENT,
                    amount=-applied,
                    payment_id=payment_id,
                    carc_group=grp if ln.denied and grp != "PR" else "",
                    carc_code=code if ln.denied and grp != "PR" else "",
                    rarc=rarc,
                    **common,
                )
            )
        if overpaid:
            entries.append(
                LedgerEntry(
                    entry_date=when,
                    kind=EntryKind.INSURANCE_PAYMENT,
                    amount=-overpaid,
                    patient_id=claim.patient_id,
                    claim_id=claim_id,
                    payment_id=payment_id,
                    party=Party.INSURANCE,
                    policy_id=resp.policy_id,
                    payer_id=resp.payer_id,
                    provider_id=prov,
                    memo=f"overpaid on claim {claim.claim_no}",
                )
            )
    this_claim = sum((ln.paid for ln in lines), ZERO)
    left_after = check.left - this_claim
    if left_after < ZERO and this_claim > ZERO:
        problems.append(
            Problem(
                "payment",
                f"This claim takes {fmt(this_claim)} but only {fmt(check.left)} of "
                f"{check.method.value.upper()} {check.reference} is left to post. Post the "
                "takebacks on this check first, or correct the check amount",
            )
        )
    if not lines:
        problems.append(Problem("lines", "Enter what the EOB says for at least one line"))
    # The claim's status once this is posted.
    left_total = ZERO
    entered = {p.service_line_id: p for p in previews}
    for lid in cls:
        left_total += entered[lid].left_with_payer if lid in entered else parts[lid].get(resp, ZERO)
    if previews and all(p.denied for p in previews) and len(previews) == len(cls):
        status = ClaimStatus.DENIED
    elif left_total == ZERO:
        status = ClaimStatus.PAID
    else:
        status = ClaimStatus.PARTLY_PAID
    preview = EobPreview(
        _claim_row(s, claim),
        next_label,
        previews,
        check,
        this_claim,
        left_after,
        status,
        problems,
        warnings,
    )
    return preview, entries, claim


def preview_eob(
    s: Session,
    actor: Actor,
    payment_id: int,
    claim_id: int,
    lines: list[EobLine],
    *,
    on: date | None = None,
) -> EobPreview:
    """What posting these EOB lines would do; problems are listed, not raised."""
    require(actor, Permission.PAYMENT_INSURANCE)
    preview, _, _ = _plan(s, payment_id, claim_id, lines, on)
    return preview


def post_eob(
    s: Session,
    actor: Actor,
    payment_id: int,
    claim_id: int,
    lines: list[EobLine],
    *,
    on: date | None = None,
) -> EobResult:
    """Post the EOB lines for one claim from one check, in one transaction."""
    require(actor, Permission.PAYMENT_INSURANCE)
    preview, entries, claim = _plan(s, payment_id, claim_id, lines, on)
    if preview.problems:
        raise ValidationError(preview.problems)
    when = on or preview.check.received
    ledger.check_open(s, when, "posted")
    check = preview.check
    if not entries:
        raise ValidationError([Problem("lines", "Nothing on these lines changes the ledger")])
    posted = ledger.post(
        s,
        actor,
        entries,
        action="eob_posted",
        details={
            "claim": claim.claim_no,
            "payment_id": payment_id,
            "paid": fmt(preview.paid),
            "status": preview.new_status.value,
        },
    )
    txn = posted[0].txn
    for ln in lines:
        s.add(
            RemitLine(
                payment_id=payment_id,
                claim_id=claim_id,
                service_line_id=ln.service_line_id,
                allowed=ln.allowed,
                paid=ln.paid,
                deductible=ln.deductible,
                coinsurance=ln.coinsurance,
                copay=ln.copay,
                contractual=ln.contractual,
                denial_group=ln.denial_group.strip().upper(),
                denial_code=ln.denial_code.strip().upper(),
                rarc=ln.rarc.strip().upper(),
                txn=txn,
            )
        )
    _update_amount_paid(s, claim)
    claim_history.set_status(
        s,
        actor,
        claim,
        preview.new_status,
        f"EOB posted from {check.method.value.upper()} {check.reference} [{txn}]",
    )
    return EobResult(
        txn,
        preview,
        claim.status,
        ledger.patient_balance(s, claim.patient_id, Party.PATIENT),
    )


def _update_amount_paid(s: Session, claim: Claim) -> None:
    """The claim's paid amount (item 29 for a secondary) from its payer entries."""
    claim.amount_paid = -sum_money(
        s.execute(
            select(func.sum(LedgerEntry.amount)).where(
                LedgerEntry.claim_id == claim.id,
                LedgerEntry.kind == EntryKind.INSURANCE_PAYMENT,
            )
        ).scalar()
    )


def reverse_eob(s: Session, actor: Actor, txn: str, *, on: date, memo: str) -> None:
    """Undo an EOB posting and put the claim back to its status before it."""
    require(actor, Permission.PAYMENT_INSURANCE)
    claim_id = s.execute(select(RemitLine.claim_id).where(RemitLine.txn == txn).limit(1)).scalar()
    if claim_id is None:
        raise NotFound("That EOB posting does not exist.")
    ledger.reverse_txn(s, actor, txn, on=on, memo=memo)
    claim = s.get(Claim, claim_id)
    assert claim is not None
    events = list(
        s.execute(
            select(ClaimEvent).where(ClaimEvent.claim_id == claim_id).order_by(ClaimEvent.id)
        ).scalars()
    )
    before = ClaimStatus.PRINTED
    for prev, ev in zip([None, *events], events, strict=False):
        if f"[{txn}]" in ev.note:
            before = prev.status if prev is not None else ClaimStatus.PRINTED
    _update_amount_paid(s, claim)
    claim_history.set_status(s, actor, claim, before, f"EOB posting reversed: {memo}")


def recoup_credit(
    s: Session,
    actor: Actor,
    payment_id: int,
    patient_id: int,
    amount: Decimal,
    *,
    on: date,
    reason: str = "",
) -> Refund:
    """The payer kept ``amount`` of its credit on the patient's account out of
    this check (a recoupment): the credit is refunded by offset, and the check
    has that much less to post."""
    require(actor, Permission.PAYMENT_INSURANCE)
    check = check_status(s, payment_id)
    return ledger.refund(
        s,
        actor,
        patient_id,
        amount,
        to=PaymentSource.PAYER,
        method=PaymentMethod.OTHER,
        on=on,
        reference=check.reference,
        reason=reason or f"recouped from {check.method.value.upper()} {check.reference}",
        payer_id=check.payer_id,
        offset_payment_id=payment_id,
    )


@dataclass(frozen=True)
class PostingRow:
    """One EOB posting on a claim, for the "postings" list."""

    txn: str
    posted: date
    check: str
    paid: Decimal
    reversed: bool


def claim_postings(s: Session, actor: Actor, claim_id: int) -> list[PostingRow]:
    """The EOB postings on a claim, newest first."""
    require(actor, Permission.PAYMENT_INSURANCE)
    out = []
    txns = s.execute(
        select(RemitLine.txn, func.min(RemitLine.payment_id), func.sum(RemitLine.paid))
        .where(RemitLine.claim_id == claim_id)
        .group_by(RemitLine.txn)
        .order_by(func.min(RemitLine.id).desc())
    ).all()
    for txn, pay_id, paid in txns:
        first = s.execute(
            select(LedgerEntry.id, LedgerEntry.entry_date)
            .where(LedgerEntry.txn == txn)
            .order_by(LedgerEntry.id)
            .limit(1)
        ).first()
        undone = s.execute(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.reverses_id == (first[0] if first else -1))
        ).scalar()
        pay = s.get(Payment, pay_id)
        out.append(
            PostingRow(
                txn,
                first[1] if first else date.today(),
                f"{pay.method.value.upper()} {pay.reference}" if pay else "",
                sum_money(paid),
                bool(undone),
            )
        )
    return out
