"""Reading what the office's store holds, for the day's assertions: each
line's balance split by who owes it, the account's lineless credit, the
audit rows written. Plain SQL sums over the ledger entries, not the
program's own balance functions, so the story checks them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.audit import AuditEvent
from app.models.coding import ServiceLine
from app.models.insurance import Payer
from app.models.ledger import EntryKind, LedgerEntry, Party

ZERO = Decimal("0.00")


def owed_by_line(s: Session, patient_id: int) -> dict[str, dict[str, Decimal]]:
    """``{code: {who: amount}}`` for each live line of the patient, and
    ``{"credit": {"patient": amount}}`` for money held without a line (a
    credit is negative, and left out when there is none). ``who`` is the
    payer's name or "patient"; parties that owe nothing are left out, so a
    line paid off is ``{}``."""
    payer_names = dict(s.execute(select(Payer.id, Payer.name)).all())
    codes = dict(s.execute(select(ServiceLine.id, ServiceLine.code)).all())
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for e in s.execute(select(LedgerEntry).where(LedgerEntry.patient_id == patient_id)).scalars():
        where = codes[e.service_line_id] if e.service_line_id else "credit"
        who = payer_names[e.payer_id] if e.party is Party.INSURANCE else "patient"
        out[where][who] += e.amount
    shown = {
        where: {who: amt for who, amt in parts.items() if amt != ZERO}
        for where, parts in out.items()
    }
    if not shown.get("credit", True):
        del shown["credit"]
    return shown


def total_of(s: Session, kind: EntryKind, patient_id: int) -> Decimal:
    """The patient's entries of one kind, summed (signs as stored)."""
    return sum(
        s.execute(
            select(LedgerEntry.amount).where(
                LedgerEntry.patient_id == patient_id, LedgerEntry.kind == kind
            )
        ).scalars(),
        ZERO,
    )


def audit_actions(s: Session, after_id: int = 0) -> list[tuple[str, str]]:
    """(user name, action) of every audit row after ``after_id``, in order."""
    return [
        (u, a)
        for u, a in s.execute(
            select(AuditEvent.username, AuditEvent.action)
            .where(AuditEvent.id > after_id)
            .order_by(AuditEvent.id)
        ).all()
    ]


def last_audit_id(s: Session) -> int:
    return s.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).scalar() or 0


def in_order(expected: tuple[str, ...] | list[str], actual: list[str]) -> bool:
    """``expected`` is a subsequence of ``actual``."""
    rest = iter(actual)
    return all(any(a == e for a in rest) for e in expected)
