"""ledger index for the aging

Revision ID: money_0002
Revises: money_0001
Create Date: 2026-11-27 23:29:00.448782
"""

from collections.abc import Sequence

from alembic import op



revision: str = 'money_0002'
down_revision: str | Sequence[str] | None = 'money_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX: the ledger table (and its append-only triggers)
    # is left as it is.
    op.create_index('ix_ledger_aging', 'ledger_entry',
                    ['service_line_id', 'party', 'payer_id', 'patient_id', 'entry_date', 'amount'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_ledger_aging', table_name='ledger_entry')
