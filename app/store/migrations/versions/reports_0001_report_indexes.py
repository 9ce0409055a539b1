"""report indexes: ledger by date and kind with amounts, claims made, claim status changes

Revision ID: reports_0001
Revises: 0001_baseline
Create Date: 2026-11-27 22:52:33.583237

Indexes only (no table is rebuilt, so the ledger's append-only triggers stay).
"""

from collections.abc import Sequence

from alembic import op


revision: str = 'reports_0001'
down_revision: str | Sequence[str] | None = '0001_baseline'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_claim_created', 'claim', ['created_at'], unique=False)
    op.create_index('ix_claim_event_at', 'claim_event', ['at', 'status', 'claim_id'], unique=False)
    op.create_index(
        'ix_ledger_report',
        'ledger_entry',
        ['entry_date', 'kind', 'adjustment_type', 'amount'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_ledger_report', table_name='ledger_entry')
    op.drop_index('ix_claim_event_at', table_name='claim_event')
    op.drop_index('ix_claim_created', table_name='claim')
