"""Alembic environment: always run programmatically on an open, keyed connection."""

from __future__ import annotations

from alembic import context

import app.models  # noqa: F401  (registers every table)
from app.models.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through app.store (they need the store key)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
