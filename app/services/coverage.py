"""A policy's coverage state on a date: verified / stale / never / inactive.

Used by the check-in gate (front desk) and the claim check (claims).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
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


def policy_in_force(policy: Policy, on: date) -> bool:
    if not policy.active:
        return False
    if policy.effective_date and on < policy.effective_date:
        return False
    return not (policy.end_date and on > policy.end_date)


def coverage_on(s: Session, policy: Policy, on: date, window_days: int) -> Coverage:
    """The state of ``policy`` for a visit on ``on``.

    Verified means: the latest verification made on or before ``on`` says
    active, was made within ``window_days`` before ``on``, its coverage dates
    (when given) include ``on``, and the policy itself is in force on ``on``.
    """
    if not policy_in_force(policy, on):
        why = "ended" if policy.end_date and on > policy.end_date else "not in force"
        return Coverage(CoverageState.INACTIVE, None, f"The policy is {why} on {on:%m/%d/%Y}.")
    end_of_day = datetime.combine(on, time.max).astimezone()
    last = s.execute(
        select(Verification)
        .where(Verification.policy_id == policy.id, Verification.verified_at <= end_of_day)
        .order_by(Verification.verified_at.desc(), Verification.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is None:
        return Coverage(CoverageState.NEVER, None, "Coverage has never been verified.")
    if last.result is not VerifyResult.ACTIVE:
        return Coverage(
            CoverageState.INACTIVE,
            last,
            f"The last verification found the policy {last.result.value.replace('_', ' ')}.",
        )
    if (last.coverage_end and on > last.coverage_end) or (
        last.coverage_start and on < last.coverage_start
    ):
        return Coverage(
            CoverageState.INACTIVE, last, "The verified coverage dates do not include this date."
        )
    verified_day = last.verified_at.astimezone().date()
    if on - verified_day > timedelta(days=window_days):
        return Coverage(
            CoverageState.STALE,
            last,
            f"Last verified {verified_day:%m/%d/%Y}, more than {window_days} days before.",
        )
    return Coverage(CoverageState.VERIFIED, last, f"Verified {verified_day:%m/%d/%Y}.")
