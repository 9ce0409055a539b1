"""The encrypted office store (SQLCipher 4 through SQLAlchemy).

The names below load ``app.store.engine`` (and SQLAlchemy) on first use, so
``app.store.lock`` can be imported at start-up before the first window shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.store.engine import Store, check_integrity, open_store, rekey

__all__ = ["Store", "check_integrity", "open_store", "rekey"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from app.store import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'app.store' has no attribute {name!r}")
