"""claims list index: claims by date of service (newest first)

Revision ID: claims_0001
Revises: 0001_baseline
Create Date: 2026-11-28 00:35:00

An index only (no table is rebuilt).
"""

from collections.abc import Sequence

from alembic import op


revision: str = 'claims_0001'
down_revision: str | Sequence[str] | None = '0001_baseline'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_claim_dos', 'claim', ['date_of_service', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_claim_dos', table_name='claim')
