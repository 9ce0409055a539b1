"""The encrypted office store (SQLCipher 4 through SQLAlchemy)."""

from app.store.engine import Store, check_integrity, open_store, rekey

__all__ = ["Store", "check_integrity", "open_store", "rekey"]
