"""Use cases. Plain Python: each takes an open SQLAlchemy session (the caller
owns the transaction) and the acting user, checks permissions, validates,
writes the audit row and returns plain data."""
