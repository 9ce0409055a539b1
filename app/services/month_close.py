"""Closing and reopening months.

The office manager closes a month after reviewing its totals. Closing writes
a ``MonthCloseEvent`` with the month's figures as a snapshot; from then on
``app.services.ledger.check_open`` refuses every entry dated inside the month
(late corrections post in an open month and show there). Closing a month also
closes every earlier month that is still open, so that no late entry can
change the closed month's opening A/R. Reopening needs the manager and a
reason; both are audited.

The review of a closed month compares the snapshot with what today's ledger
gives for the same month and lists every figure that differs (it must not,
unless an earlier month was reopened and changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Problem, UserFacingError, ValidationError
from app.models.ledger import LedgerEntry, MonthCloseEvent
from app.models.staff import User
from app.money import fmt
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.services.ledger import closed_months, month_key, month_label
from app.services.month_totals import (
    MonthReport,
    MonthTotals,
    differences,
    month_bounds,
    month_report,
    month_totals,
    months_totals,
    parse_month,
    shift_month,
    totals_as_json,
)

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class CloseEventRow:
    month: str
    action: str  # close / reopen
    at: datetime
    user: str
    reason: str


@dataclass(frozen=True)
class CloseState:
    """Whether a month is closed, its close/reopen history, and (when closed)
    the figures where today's ledger differs from the snapshot taken at close."""

    month: str
    closed: bool
    history: tuple[CloseEventRow, ...]
    differences: tuple[tuple[str, str | int, str | int], ...] = ()

    @property
    def last(self) -> CloseEventRow | None:
        return self.history[-1] if self.history else None

    @property
    def summary(self) -> str:
        label = month_label(self.month)
        last = self.last
        if self.closed and last is not None:
            text = f"{label} was closed on {last.at.astimezone():%m/%d/%Y %H:%M} by {last.user}."
            if self.differences:
                n = len(self.differences)
                text += (
                    f" Today's ledger gives {n} figure{'s' if n != 1 else ''} different "
                    "from the totals kept at close."
                )
            else:
                text += " Today's ledger gives the same totals as those kept at close."
            return text
        if last is not None and last.action == "reopen":
            return (
                f"{label} is open: reopened on {last.at.astimezone():%m/%d/%Y %H:%M} "
                f"by {last.user} ({last.reason})."
            )
        return f"{label} is open."


@dataclass(frozen=True)
class MonthReview:
    report: MonthReport
    state: CloseState


def _history(s: Session, month: str) -> tuple[list[CloseEventRow], MonthCloseEvent | None]:
    events = list(
        s.execute(
            select(MonthCloseEvent, User.full_name)
            .join(User, User.id == MonthCloseEvent.user_id)
            .where(MonthCloseEvent.month == month)
            .order_by(MonthCloseEvent.id)
        )
    )
    rows = [CloseEventRow(e.month, e.action, e.at, name, e.reason) for e, name in events]
    last = events[-1][0] if events else None
    return rows, last


def close_state(s: Session, month: str, totals: MonthTotals | None = None) -> CloseState:
    """The month's close state; ``totals`` (today's figures) saves recomputing."""
    rows, last = _history(s, month)
    closed = last is not None and last.action == "close"
    diffs: list[tuple[str, str | int, str | int]] = []
    if closed and last is not None and isinstance(last.snapshot, Mapping):
        figures = last.snapshot.get("figures", {})
        diffs = differences(figures, totals or month_totals(s, month))
    return CloseState(month, closed, tuple(rows), tuple(diffs))


def review_month(s: Session, actor: Actor, month: str) -> MonthReview:
    """The month's report and its close state (what the manager reviews)."""
    report = month_report(s, actor, month)
    return MonthReview(report, close_state(s, report.month, report.totals))


def snapshot(t: MonthTotals) -> dict[str, object]:
    return {"version": SNAPSHOT_VERSION, "figures": totals_as_json(t)}


def _first_ledger_month(s: Session) -> str | None:
    first = s.execute(select(func.min(LedgerEntry.entry_date))).scalar()
    return month_key(first) if first else None


@dataclass(frozen=True)
class CloseResult:
    month: str
    also_closed: tuple[str, ...]  # earlier months that were still open
    state: CloseState


def months_to_close(s: Session, month: str) -> list[str]:
    """``month`` and every earlier month with ledger entries that is still open."""
    closed = closed_months(s)
    first = _first_ledger_month(s) or month
    out = []
    m = min(first, month)
    while m <= month:
        if m not in closed:
            out.append(m)
        m = shift_month(m, 1)
    return out


def close_month(
    s: Session,
    actor: Actor,
    month: str,
    *,
    reviewed: MonthTotals | None = None,
    today: date | None = None,
) -> CloseResult:
    """Close ``month`` (and every earlier month still open), keeping each
    month's totals as its snapshot.

    Refuses a month that has not ended, one already closed, totals whose
    roll-forward does not balance, and (with ``reviewed``) totals that changed
    since the manager reviewed them.
    """
    require(actor, Permission.MONTH_CLOSE)
    month = parse_month(month)
    today = today or date.today()
    label = month_label(month)
    _, next_first = month_bounds(month)
    if next_first > today:
        raise ValidationError(
            [
                Problem(
                    "month",
                    f"{label} has not ended yet: it can be closed from {next_first:%m/%d/%Y}.",
                )
            ]
        )
    todo = months_to_close(s, month)
    if month not in todo:
        raise UserFacingError(f"{label} is already closed.")
    span = months_totals(s, todo[0], month)
    by_month = {t.month: t for t in span}
    current = by_month[month]
    if reviewed is not None and (
        reviewed.month != month or totals_as_json(reviewed) != totals_as_json(current)
    ):
        raise UserFacingError(
            f"The totals of {label} changed after you reviewed them (an entry was posted). "
            "Review the month again before closing it."
        )
    unbalanced = [t for m, t in by_month.items() if m in todo and not t.balanced]
    if unbalanced:
        t = unbalanced[0]
        raise UserFacingError(
            f"The totals of {t.label} do not balance: A/R at start plus the month's "
            f"activity gives {fmt(t.ar_rolled_forward)}, but A/R at the end is "
            f"{fmt(t.ar_end)}. The month cannot be closed; tell the office's support."
        )
    for m in todo:
        s.add(
            MonthCloseEvent(
                month=m,
                action="close",
                user_id=actor.user_id,
                reason="" if m == month else f"closed with {label}",
                snapshot=snapshot(by_month[m]),
            )
        )
    s.flush()
    earlier = tuple(m for m in todo if m != month)
    audit.record(
        s,
        actor,
        "month_closed",
        entity="month",
        entity_id=month,
        details={
            "charges": fmt(current.charges),
            "net_collections": fmt(current.net_collections),
            "ar_end": fmt(current.ar_end),
            "also_closed": f"{earlier[0]} to {earlier[-1]}" if earlier else "",
            "months": len(todo),
        },
    )
    return CloseResult(month, earlier, close_state(s, month, current))


def reopen_month(s: Session, actor: Actor, month: str, reason: str) -> CloseState:
    """Reopen a closed month so entries can be dated in it again."""
    require(actor, Permission.MONTH_CLOSE)
    problems = []
    try:
        month = parse_month(month)
    except ValidationError as exc:
        problems += exc.problems
    if not reason.strip():
        problems.append(Problem("reason", "Say why the month is reopened"))
    elif len(reason.strip()) > 500:
        problems.append(Problem("reason", "Keep the reason under 500 characters"))
    if problems:
        raise ValidationError(problems)
    if month not in closed_months(s):
        raise UserFacingError(f"{month_label(month)} is not closed.")
    s.add(
        MonthCloseEvent(month=month, action="reopen", user_id=actor.user_id, reason=reason.strip())
    )
    s.flush()
    audit.record(
        s, actor, "month_reopened", entity="month", entity_id=month, details={"reason": reason}
    )
    return close_state(s, month)


def later_closed_months(s: Session, month: str) -> list[str]:
    """Closed months after ``month``: entries dated in ``month`` once it is
    reopened change their opening A/R (their review will show it)."""
    return sorted(m for m in closed_months(s) if m > month)
