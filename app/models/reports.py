"""Indexes the office reports need on other areas' tables (no tables of their
own). Declared here so the models and the migration ``reports_0001`` agree.

- ``ix_ledger_report``: month totals, the 12-month series and A/R at a date
  read only this index (date, kind, adjustment type, amount), never the table.
- ``ix_claim_created`` / ``ix_claim_event_at``: claims made, paid and denied in
  a month without scanning every claim.
"""

from __future__ import annotations

from sqlalchemy import Index

from app.models.claims import Claim, ClaimEvent
from app.models.ledger import LedgerEntry

_le = LedgerEntry.__table__.c
ix_ledger_report = Index(
    "ix_ledger_report", _le.entry_date, _le.kind, _le.adjustment_type, _le.amount
)
ix_claim_created = Index("ix_claim_created", Claim.__table__.c.created_at)
_ce = ClaimEvent.__table__.c
ix_claim_event_at = Index("ix_claim_event_at", _ce.at, _ce.status, _ce.claim_id)
