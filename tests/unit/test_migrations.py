"""The migrations build exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import app.models  # noqa: F401
from app.models.base import Base


def test_migrated_store_matches_models(store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_append_only_triggers_exist(store) -> None:
    with store.engine.connect() as conn:
        names = {
            r[0]
            for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    assert {
        "audit_event_no_update",
        "audit_event_no_delete",
        "ledger_entry_no_update",
        "ledger_entry_no_delete",
    } <= names
