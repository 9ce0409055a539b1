"""A policy's coverage state on a date: verified / stale / never / inactive.

Used by the check-in gate (front desk), the search badges and day lists, and
the claim check (claims). One rule, ``state_from``, decides the state from
plain facts, so a batched list (search results, the day's appointments) and
a single policy (the gate) can never disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.insurance import Policy, Verification, VerifyResult


class CoverageState(enum.StrEnum):
    VERIFIED = "verified"  # an active result within the window, policy active on the date
    STALE = "stale"  # the last active result is older than the window
    NEVER = "never"  # no verification recorded
    INACTIVE = "inactive"  # the payer said inactive / not found, or the policy is not in force

    @property
    def label(self) -> str:
        return {
            "verified": "Verified",
            "stale": "Stale",
            "never": "Never verified",
            "inactive": "Inactive",
        }[self.value]


@dataclass(frozen=True)
class Coverage:
    state: CoverageState
    last: Verification | None
    reason: str


class PolicyFacts(NamedTuple):
    """What the rule needs to know about a policy."""

    active: bool
    effective_date: date | None
    end_date: date | None


class CheckFacts(NamedTuple):
    """What the rule needs to know about the latest verification."""

    verified_at: datetime
    result: VerifyResult
    coverage_start: date | None
    coverage_end: date | None


def policy_in_force(policy: Policy | PolicyFacts, on: date) -> bool:
    if not policy.active:
        return False
    if policy.effective_date and on < policy.effective_date:
        return False
    return not (policy.end_date and on > policy.end_date)


def end_of_day(on: date) -> datetime:
    """The last moment of ``on`` in local time (verifications are timestamps)."""
    return datetime.combine(on, time.max).astimezone()


def coverage_state(
    policy: Policy | PolicyFacts, last: CheckFacts | Verification | None, on: date, window_days: int
) -> CoverageState:
    """The rule, from the policy and its latest verification made on or
    before ``on`` (cheap: lists call it once per row)."""
    if not policy_in_force(policy, on):
        return CoverageState.INACTIVE
    if last is None:
        return CoverageState.NEVER
    if last.result is not VerifyResult.ACTIVE:
        return CoverageState.INACTIVE
    if (last.coverage_end and on > last.coverage_end) or (
        last.coverage_start and on < last.coverage_start
    ):
        return CoverageState.INACTIVE
    if on - last.verified_at.astimezone().date() > timedelta(days=window_days):
        return CoverageState.STALE
    return CoverageState.VERIFIED


def state_from(
    policy: Policy | PolicyFacts, last: CheckFacts | Verification | None, on: date, window_days: int
) -> tuple[CoverageState, str]:
    """``coverage_state`` and a sentence saying why."""
    state = coverage_state(policy, last, on, window_days)
    if not policy_in_force(policy, on):
        why = "ended" if policy.end_date and on > policy.end_date else "not in force"
        return state, f"The policy is {why} on {on:%m/%d/%Y}."
    if last is None:
        return state, "Coverage has never been verified."
    if last.result is not VerifyResult.ACTIVE:
        found = last.result.value.replace("_", " ")
        return state, f"The last verification found the policy {found}."
    if state is CoverageState.INACTIVE:
        return state, "The verified coverage dates do not include this date."
    verified_day = last.verified_at.astimezone().date()
    if state is CoverageState.STALE:
        return (
            state,
            f"Last verified {verified_day:%m/%d/%Y}, more than {window_days} days before.",
        )
    return state, f"Verified {verified_day:%m/%d/%Y}."


def latest_verification(s: Session, policy_id: int, on: date) -> Verification | None:
    return s.execute(
        select(Verification)
        .where(Verification.policy_id == policy_id, Verification.verified_at <= end_of_day(on))
        .order_by(Verification.verified_at.desc(), Verification.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def later_confirmation(s: Session, policy_id: int, on: date) -> Verification | None:
    """A verification made after ``on`` that found the policy active with
    coverage dates that include ``on`` (the payer confirmed the visit's day
    afterwards). Not enough to let a visit start; enough for its claim."""
    return s.execute(
        select(Verification)
        .where(
            Verification.policy_id == policy_id,
            Verification.verified_at > end_of_day(on),
            Verification.result == VerifyResult.ACTIVE,
            Verification.coverage_start.is_not(None),
            Verification.coverage_start <= on,
            (Verification.coverage_end.is_(None)) | (Verification.coverage_end >= on),
        )
        .order_by(Verification.verified_at, Verification.id)
        .limit(1)
    ).scalar_one_or_none()


def latest_checks(s: Session, policy_ids: Iterable[int], on: date) -> dict[int, Verification]:
    """Each policy's latest verification made on or before ``on`` (one query
    however many policies; two checks at the same moment: the later row)."""
    ids = sorted(set(policy_ids))
    if not ids:
        return {}
    latest = (
        select(Verification.policy_id, func.max(Verification.verified_at).label("at"))
        .where(Verification.policy_id.in_(ids), Verification.verified_at <= end_of_day(on))
        .group_by(Verification.policy_id)
        .subquery()
    )
    out: dict[int, Verification] = {}
    for v in s.execute(
        select(Verification)
        .join(
            latest,
            (Verification.policy_id == latest.c.policy_id)
            & (Verification.verified_at == latest.c.at),
        )
        .order_by(Verification.id)
    ).scalars():
        out[v.policy_id] = v
    return out


def coverage_on(s: Session, policy: Policy, on: date, window_days: int) -> Coverage:
    """The state of ``policy`` for a visit on ``on``.

    Verified means: the latest verification made on or before ``on`` says
    active, was made within ``window_days`` before ``on``, its coverage dates
    (when given) include ``on``, and the policy itself is in force on ``on``.
    """
    if not policy_in_force(policy, on):
        state, reason = state_from(policy, None, on, window_days)
        return Coverage(state, None, reason)
    last = latest_verification(s, policy.id, on)
    state, reason = state_from(policy, last, on, window_days)
    return Coverage(state, last, reason)
