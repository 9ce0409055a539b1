"""patient work phone index (the duplicate check compares every phone)

Revision ID: frontdesk_0002
Revises: frontdesk_0001
Create Date: 2026-11-28 01:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "frontdesk_0002"
down_revision: str | Sequence[str] | None = "frontdesk_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_patient_work", "patient", ["phone_work"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_patient_work", table_name="patient")
