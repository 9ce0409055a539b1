"""A patient's insurance policies: primary, secondary, tertiary; the
subscriber; card images kept inside the encrypted store; the order, changed
only explicitly and audited."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.insurance import (
    CardImage,
    CardSide,
    Payer,
    Policy,
    Program,
    Relationship,
    Verification,
    VerifyMethod,
    VerifyResult,
)
from app.models.patient import Patient, Sex
from app.models.staff import User
from app.money import fmt
from app.services import audit, settings
from app.services.auth import Actor, Permission, require
from app.services.coverage import CoverageState, latest_checks, state_from
from app.services.patients import PatientBanner, banner
from app.services.patients_search import display_name
from app.services.typed_fields import DateText, MoneyText, date_field, money_field, percent_field
from app.validation import Checker, normalize_phone, phone_problem, state_problem, zip_problem

RANK_LABELS = {1: "Primary", 2: "Secondary", 3: "Tertiary"}
METHOD_LABELS = {
    VerifyMethod.PHONE: "Phone call",
    VerifyMethod.PORTAL: "Payer portal",
    VerifyMethod.CARD_ONLY: "Card only",
    VerifyMethod.ELIGIBILITY_FILE: "Eligibility response file",
}
RESULT_LABELS = {
    VerifyResult.ACTIVE: "Active",
    VerifyResult.INACTIVE: "Inactive",
    VerifyResult.NOT_FOUND: "Not found",
}
MAX_CARD_BYTES = 10 * 1024 * 1024


@dataclass
class PolicyInput:
    payer_id: int | None = None
    rank: int | None = None  # None: the next free place in the order
    member_id: str = ""
    group_number: str = ""
    plan_name: str = ""
    relationship: str = "self"
    subscriber_last_name: str = ""
    subscriber_first_name: str = ""
    subscriber_middle_name: str = ""
    subscriber_dob: DateText = None
    subscriber_sex: str = ""
    subscriber_address1: str = ""
    subscriber_city: str = ""
    subscriber_state: str = ""
    subscriber_zip: str = ""
    subscriber_phone: str = ""
    effective_date: DateText = None
    end_date: DateText = None
    copay: MoneyText = None
    deductible: MoneyText = None
    coinsurance_pct: int | str | None = None


TRACKED = [f.name for f in fields(PolicyInput) if f.name != "rank"]


# ------------------------------------------------------------------ checking


def _check(s: Session, patient: Patient, data: PolicyInput) -> dict[str, Any]:
    c = Checker()
    payer = s.get(Payer, data.payer_id) if data.payer_id else None
    if payer is None:
        c.add("payer_id", "Payer is required: choose one from the list")
    elif not payer.active:
        c.add("payer_id", f"{payer.name} is no longer on the payer list")
    member = data.member_id.strip().upper().replace(" ", "")
    c.require("member_id", member, "Member ID")
    if member and (len(member) > 40 or not member.replace("-", "").isalnum()):
        c.add("member_id", "Member ID may use letters, digits and '-' (at most 40)")
    try:
        rel = Relationship(data.relationship.strip().lower())
    except ValueError:
        rel = Relationship.SELF
        c.add("relationship", "Relationship must be self, spouse, child or other")
    sub: dict[str, Any] = {}
    if rel is Relationship.SELF:
        sub = dict(
            subscriber_last_name=patient.last_name,
            subscriber_first_name=patient.first_name,
            subscriber_middle_name=patient.middle_name,
            subscriber_dob=patient.dob,
            subscriber_sex=patient.sex,
            subscriber_address1=patient.address1,
            subscriber_city=patient.city,
            subscriber_state=patient.state,
            subscriber_zip=patient.zip,
            subscriber_phone=patient.phone_home or patient.phone_mobile,
        )
    else:
        c.require("subscriber_last_name", data.subscriber_last_name, "Subscriber last name")
        c.require("subscriber_first_name", data.subscriber_first_name, "Subscriber first name")
        dob = date_field(c, "subscriber_dob", data.subscriber_dob, "Subscriber date of birth")
        if dob is None and "subscriber_dob" not in {p.field for p in c.problems}:
            c.add("subscriber_dob", "Subscriber date of birth is required")
        c.date_not_future("subscriber_dob", dob, "Subscriber date of birth", date.today())
        try:
            sex: Sex | None = Sex(data.subscriber_sex.strip().upper())
        except ValueError:
            sex = None
            c.add("subscriber_sex", "Subscriber sex must be M, F or U")
        # Blank address: the subscriber lives with the patient.
        same = not (data.subscriber_address1.strip() or data.subscriber_city.strip())
        a1 = patient.address1 if same else data.subscriber_address1.strip()
        city = patient.city if same else data.subscriber_city.strip()
        st = patient.state if same else data.subscriber_state.strip().upper()
        z = patient.zip if same else data.subscriber_zip.strip()
        if not same:
            c.require("subscriber_address1", a1, "Subscriber street address")
            c.require("subscriber_city", city, "Subscriber city")
            c.check("subscriber_state", state_problem(st), "Subscriber state")
            c.check("subscriber_zip", zip_problem(z), "Subscriber ZIP")
        c.check(
            "subscriber_phone", phone_problem(data.subscriber_phone.strip()), "Subscriber phone"
        )
        sub = dict(
            subscriber_last_name=data.subscriber_last_name.strip(),
            subscriber_first_name=data.subscriber_first_name.strip(),
            subscriber_middle_name=data.subscriber_middle_name.strip(),
            subscriber_dob=dob,
            subscriber_sex=sex,
            subscriber_address1=a1,
            subscriber_city=city,
            subscriber_state=st,
            subscriber_zip=z,
            subscriber_phone=normalize_phone(data.subscriber_phone),
        )
    eff = date_field(c, "effective_date", data.effective_date, "Effective date", past=False)
    end = date_field(c, "end_date", data.end_date, "End date", past=False)
    if eff and end and end < eff:
        c.add("end_date", "End date is before the effective date")
    copay = money_field(c, "copay", data.copay, "Copay")
    deductible = money_field(c, "deductible", data.deductible, "Deductible")
    coins = percent_field(c, "coinsurance_pct", data.coinsurance_pct, "Coinsurance")
    if data.rank is not None and data.rank not in RANK_LABELS:
        c.add("rank", "Order must be primary, secondary or tertiary")
    c.raise_if_any()
    return dict(
        payer_id=data.payer_id,
        member_id=member,
        group_number=data.group_number.strip(),
        plan_name=data.plan_name.strip(),
        relationship=rel,
        effective_date=eff,
        end_date=end,
        copay=copay,
        deductible=deductible,
        coinsurance_pct=coins,
        **sub,
    )


def _patient(s: Session, patient_id: int) -> Patient:
    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("That patient is not on file.")
    if p.merged_into_id:
        raise UserFacingError("This record was merged into another patient; work there.")
    return p


def _policy(s: Session, policy_id: int) -> Policy:
    pol = s.get(Policy, policy_id)
    if pol is None:
        raise NotFound("That policy is not on file.")
    return pol


def _snapshot(pol: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in TRACKED:
        v = getattr(pol, k)
        if isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, Decimal):
            v = fmt(v)
        elif hasattr(v, "value"):
            v = v.value
        out[k] = v
    return out


def _ranked(s: Session, patient_id: int) -> list[Policy]:
    return list(
        s.execute(
            select(Policy)
            .where(Policy.patient_id == patient_id, Policy.rank.is_not(None))
            .order_by(Policy.rank)
        ).scalars()
    )


# ------------------------------------------------------------------ changing


def add_policy(s: Session, actor: Actor, patient_id: int, data: PolicyInput) -> int:
    """Add a policy; it takes ``data.rank`` or the next free place in the
    order. Returns the policy id."""
    require(actor, Permission.POLICY_EDIT)
    patient = _patient(s, patient_id)
    values = _check(s, patient, data)
    taken = {p.rank: p for p in _ranked(s, patient_id)}
    rank = data.rank
    if rank is None:
        rank = next((r for r in RANK_LABELS if r not in taken), None)
        if rank is None:
            raise ValidationError(
                [
                    Problem(
                        "rank",
                        "This patient already has primary, secondary and tertiary policies; "
                        "end or take one out of the order first",
                    )
                ]
            )
    elif rank in taken:
        other = s.get(Payer, taken[rank].payer_id)
        raise ValidationError(
            [
                Problem(
                    "rank",
                    f"The {RANK_LABELS[rank].lower()} policy is {other.name if other else 'taken'}; "
                    "change the order explicitly instead",
                )
            ]
        )
    pol = Policy(patient_id=patient_id, rank=rank, **values)
    s.add(pol)
    s.flush()
    audit.record(
        s,
        actor,
        "policy_added",
        entity="policy",
        entity_id=pol.id,
        patient_id=patient_id,
        details={"rank": rank, "new": _snapshot(pol)},
    )
    return pol.id


def update_policy(s: Session, actor: Actor, policy_id: int, data: PolicyInput) -> None:
    """Change a policy's fields (not its place in the order: ``set_order``)."""
    require(actor, Permission.POLICY_EDIT)
    pol = _policy(s, policy_id)
    patient = _patient(s, pol.patient_id)
    values = _check(s, patient, data)
    before = _snapshot(pol)
    for k, v in values.items():
        setattr(pol, k, v)
    diff = audit.changes(before, _snapshot(pol))
    if diff:
        s.flush()
        audit.record(
            s,
            actor,
            "policy_changed",
            entity="policy",
            entity_id=pol.id,
            patient_id=pol.patient_id,
            details={"changes": diff},
        )


def _order_text(s: Session, pols: list[Policy]) -> list[str]:
    names = dict(s.execute(select(Payer.id, Payer.name)).all())
    return [f"{names.get(p.payer_id, '?')} {p.member_id}" for p in pols]


def set_order(s: Session, actor: Actor, patient_id: int, policy_ids: list[int]) -> None:
    """Put the patient's policies in this order: the first is primary, then
    secondary, tertiary. The patient's other policies leave the order. The
    audit row holds the old and the new order."""
    require(actor, Permission.POLICY_EDIT)
    _patient(s, patient_id)
    if len(policy_ids) > len(RANK_LABELS):
        raise UserFacingError("A patient can have at most three policies in order.")
    if len(set(policy_ids)) != len(policy_ids):
        raise UserFacingError("A policy can hold only one place in the order.")
    mine = {
        p.id: p for p in s.execute(select(Policy).where(Policy.patient_id == patient_id)).scalars()
    }
    if any(pid not in mine for pid in policy_ids):
        raise NotFound("One of those policies is not this patient's.")
    old = _ranked(s, patient_id)
    before = _order_text(s, old)
    for p in mine.values():
        p.rank = None
    for rank, pid in enumerate(policy_ids, start=1):
        mine[pid].rank = rank
    s.flush()
    after = _order_text(s, [mine[pid] for pid in policy_ids])
    if before != after:
        audit.record(
            s,
            actor,
            "policy_order_changed",
            entity="patient",
            entity_id=patient_id,
            patient_id=patient_id,
            details={"old": before, "new": after},
        )


def move_policy(s: Session, actor: Actor, policy_id: int, to_rank: int | None) -> None:
    """Move one policy to ``to_rank`` (1 = make primary), shifting the others
    down; None takes it out of the order."""
    pol = _policy(s, policy_id)
    order = [p.id for p in _ranked(s, pol.patient_id) if p.id != policy_id]
    if to_rank is not None:
        if to_rank not in RANK_LABELS:
            raise UserFacingError("Order must be primary, secondary or tertiary.")
        order.insert(min(to_rank, len(order) + 1) - 1, policy_id)
    set_order(s, actor, pol.patient_id, order[: len(RANK_LABELS)])


# ------------------------------------------------------------------ card images

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def image_type(data: bytes) -> str | None:
    """The image type from the file's first bytes (not from its name)."""
    for sig, mime in _SIGNATURES:
        if data.startswith(sig):
            return mime
    return None


def add_card_image(
    s: Session, actor: Actor, policy_id: int, side: CardSide | str, data: bytes
) -> int:
    """Keep a scan of the card's front or back inside the store (it replaces
    the earlier scan of that side). Returns the image id."""
    require(actor, Permission.POLICY_EDIT)
    pol = _policy(s, policy_id)
    side = CardSide(side)
    mime = image_type(data)
    if mime is None:
        raise UserFacingError(
            "That file is not a picture MedBill Desk can keep (PNG, JPEG, GIF, BMP or TIFF)."
        )
    if len(data) > MAX_CARD_BYTES:
        raise UserFacingError("That picture is larger than 10 MB; scan at a lower resolution.")
    s.execute(delete(CardImage).where(CardImage.policy_id == policy_id, CardImage.side == side))
    img = CardImage(policy_id=policy_id, side=side, mime_type=mime, data=data)
    s.add(img)
    s.flush()
    audit.record(
        s,
        actor,
        "card_image_added",
        entity="policy",
        entity_id=policy_id,
        patient_id=pol.patient_id,
        details={"side": side.value, "bytes": len(data), "type": mime},
    )
    return img.id


@dataclass(frozen=True)
class CardPicture:
    side: CardSide
    mime_type: str
    data: bytes


def card_images(s: Session, actor: Actor, policy_id: int) -> dict[CardSide, CardPicture]:
    """The card's pictures, by side (shown inside the audited policy screen)."""
    require(actor, Permission.PATIENT_VIEW)
    return {
        img.side: CardPicture(img.side, img.mime_type, img.data)
        for img in s.execute(select(CardImage).where(CardImage.policy_id == policy_id)).scalars()
    }


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class PolicySummary:
    id: int
    rank: int | None
    payer_id: int
    payer: str
    program: Program
    member_id: str
    group_number: str
    plan_name: str
    relationship: Relationship
    subscriber: str
    effective_date: date | None
    end_date: date | None
    copay: Decimal | None
    deductible: Decimal | None
    coinsurance_pct: int | None
    coverage: CoverageState
    coverage_reason: str
    last_verified: datetime | None
    card_sides: tuple[str, ...]

    @property
    def order(self) -> str:
        return RANK_LABELS.get(self.rank or 0, "Not in order")


def summaries(
    s: Session, patient_id: int, *, today: date | None = None, window_days: int | None = None
) -> list[PolicySummary]:
    """The patient's policies, in order (out-of-order ones last), each with
    its coverage state for ``today``."""
    today = today or date.today()
    window = (
        int(settings.get(s, "verification_window_days")) if window_days is None else window_days
    )
    rows = s.execute(
        select(Policy, Payer.name, Payer.program)
        .join(Payer, Payer.id == Policy.payer_id)
        .where(Policy.patient_id == patient_id)
    ).all()
    sides: dict[int, list[str]] = {}
    for pid, side in s.execute(
        select(CardImage.policy_id, CardImage.side).where(
            CardImage.policy_id.in_([r[0].id for r in rows])
        )
    ):
        sides.setdefault(pid, []).append(side.value)
    checks = latest_checks(s, [r[0].id for r in rows], today)
    out = []
    for pol, payer_name, program in rows:
        last = checks.get(pol.id)
        state, reason = state_from(pol, last, today, window)
        out.append(
            PolicySummary(
                id=pol.id,
                rank=pol.rank,
                payer_id=pol.payer_id,
                payer=payer_name,
                program=program,
                member_id=pol.member_id,
                group_number=pol.group_number,
                plan_name=pol.plan_name,
                relationship=pol.relationship,
                subscriber=display_name(
                    pol.subscriber_last_name,
                    pol.subscriber_first_name,
                    pol.subscriber_middle_name,
                ),
                effective_date=pol.effective_date,
                end_date=pol.end_date,
                copay=pol.copay,
                deductible=pol.deductible,
                coinsurance_pct=pol.coinsurance_pct,
                coverage=state,
                coverage_reason=reason,
                last_verified=last.verified_at if last else None,
                card_sides=tuple(sorted(sides.get(pol.id, []), reverse=True)),
            )
        )
    out.sort(key=lambda p: (p.rank is None, p.rank or 0, p.id))
    return out


@dataclass(frozen=True)
class VerificationRow:
    id: int
    policy_id: int
    verified_at: datetime
    verified_by: str
    method: str
    representative: str
    reference_no: str
    result: str
    coverage_start: date | None
    coverage_end: date | None
    copay: Decimal | None
    deductible: Decimal | None
    deductible_met: Decimal | None
    out_of_pocket_remaining: Decimal | None
    coinsurance_pct: int | None
    notes: str


def verification_rows(s: Session, policy_ids: list[int]) -> dict[int, list[VerificationRow]]:
    """Each policy's verifications, newest first."""
    out: dict[int, list[VerificationRow]] = {pid: [] for pid in policy_ids}
    if not policy_ids:
        return out
    for v, who in s.execute(
        select(Verification, User.full_name)
        .join(User, User.id == Verification.verified_by)
        .where(Verification.policy_id.in_(policy_ids))
        .order_by(Verification.verified_at.desc(), Verification.id.desc())
    ):
        out[v.policy_id].append(
            VerificationRow(
                id=v.id,
                policy_id=v.policy_id,
                verified_at=v.verified_at,
                verified_by=who,
                method=METHOD_LABELS[v.method],
                representative=v.representative,
                reference_no=v.reference_no,
                result=RESULT_LABELS[v.result],
                coverage_start=v.coverage_start,
                coverage_end=v.coverage_end,
                copay=v.copay,
                deductible=v.deductible,
                deductible_met=v.deductible_met,
                out_of_pocket_remaining=v.out_of_pocket_remaining,
                coinsurance_pct=v.coinsurance_pct,
                notes=v.notes,
            )
        )
    return out


@dataclass(frozen=True)
class PolicyScreen:
    banner: PatientBanner
    policies: list[PolicySummary]
    verifications: dict[int, list[VerificationRow]]


def policy_screen(
    s: Session, actor: Actor, patient_id: int, *, today: date | None = None
) -> PolicyScreen:
    """Open the patient's insurance (audited as a view)."""
    screen = screen_data(s, actor, patient_id, today=today)
    audit.record(
        s,
        actor,
        "policies_viewed",
        entity="patient",
        entity_id=patient_id,
        patient_id=patient_id,
    )
    return screen


def screen_data(
    s: Session, actor: Actor, patient_id: int, *, today: date | None = None
) -> PolicyScreen:
    """The insurance screen's content (a refresh of a screen already opened)."""
    require(actor, Permission.PATIENT_VIEW)
    b = banner(s, actor, patient_id)
    pols = summaries(s, patient_id, today=today)
    return PolicyScreen(b, pols, verification_rows(s, [p.id for p in pols]))


def policy_input(s: Session, actor: Actor, policy_id: int) -> PolicyInput:
    """A policy's values for the edit form."""
    require(actor, Permission.PATIENT_VIEW)
    pol = _policy(s, policy_id)
    return PolicyInput(
        payer_id=pol.payer_id,
        rank=pol.rank,
        member_id=pol.member_id,
        group_number=pol.group_number,
        plan_name=pol.plan_name,
        relationship=pol.relationship.value,
        subscriber_last_name=pol.subscriber_last_name,
        subscriber_first_name=pol.subscriber_first_name,
        subscriber_middle_name=pol.subscriber_middle_name,
        subscriber_dob=pol.subscriber_dob,
        subscriber_sex=pol.subscriber_sex.value if pol.subscriber_sex else "",
        subscriber_address1=pol.subscriber_address1,
        subscriber_city=pol.subscriber_city,
        subscriber_state=pol.subscriber_state,
        subscriber_zip=pol.subscriber_zip,
        subscriber_phone=pol.subscriber_phone,
        effective_date=pol.effective_date,
        end_date=pol.end_date,
        copay=pol.copay,
        deductible=pol.deductible,
        coinsurance_pct=pol.coinsurance_pct,
    )


def primary_policy(s: Session, patient_id: int) -> Policy | None:
    return s.execute(
        select(Policy).where(Policy.patient_id == patient_id, Policy.rank == 1)
    ).scalar_one_or_none()


def patient_of_policy(s: Session, actor: Actor, policy_id: int) -> int:
    """Whose policy this is (to open it from another area)."""
    require(actor, Permission.PATIENT_VIEW)
    return _policy(s, policy_id).patient_id
