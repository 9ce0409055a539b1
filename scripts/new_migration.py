"""Autogenerate a migration against a throwaway store at the current heads.

.venv/bin/python scripts/new_migration.py "add statement table" [--id money_0001]
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
from pathlib import Path

from alembic import command

from app.store.engine import alembic_config, create_store_engine


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("message")
    ap.add_argument("--id", dest="rev_id", default=None)
    ap.add_argument("--empty", action="store_true", help="no autogenerate")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        engine = create_store_engine(Path(d) / "m.db", secrets.token_bytes(32))
        with engine.begin() as conn:
            cfg = alembic_config(conn)
            command.upgrade(cfg, "heads")
            command.revision(
                cfg, message=args.message, autogenerate=not args.empty, rev_id=args.rev_id
            )
        engine.dispose()


if __name__ == "__main__":
    main()
