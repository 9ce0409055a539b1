"""The encrypted office store (SQLCipher 4 through SQLAlchemy)."""

from app.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
