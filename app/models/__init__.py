"""ORM tables, one module per aggregate. Importing this package registers
every table on ``Base.metadata`` (alembic and the tests rely on that)."""

from app.models import (  # noqa: F401
    audit,
    claims,
    coding,
    insurance,
    ledger,
    patient,
    payables,
    practice,
    reports,
    schedule,
    staff,
    statements,
)
from app.models.base import Base

__all__ = ["Base"]
