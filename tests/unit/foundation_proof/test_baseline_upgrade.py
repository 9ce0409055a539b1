"""An office's store made by the first schema upgrades on open: the data and
the audit chain survive, later columns appear, and an encrypted backup of
the old store is written first. The fixture is a real store file kept in the
repository (``tests/fixtures/make_baseline_store.py`` made it)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select

from app.models.patient import Patient
from app.models.staff import User
from app.services import audit, auth
from app.store.backup import open_backup_counts
from app.store.engine import key_pragma, open_store, script_heads

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stores"
BASELINE_FIXTURE = FIXTURES / "baseline-0001.medbill"
# The fixture's key: test data only, never used for a real office.
BASELINE_KEY = bytes.fromhex("6d6564622d62617365c1ee0001f1c7d3a9b0e2d4c6f80a1b3c5d7e9f00112233")
BASELINE_PASSWORD = "baseline password"


def _version(path: Path, key: bytes) -> set[str]:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f'PRAGMA key = "{key_pragma(key)}"')
        return {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
    finally:
        conn.close()


def test_fixture_is_a_baseline_store(tmp_path) -> None:
    assert BASELINE_FIXTURE.exists(), "run: python -m tests.fixtures.make_baseline_store"
    assert not Path(str(BASELINE_FIXTURE) + "-wal").exists()
    copy = shutil.copy(BASELINE_FIXTURE, tmp_path / "copy.medbill")  # never open the original
    assert _version(copy, BASELINE_KEY) == {"0001_baseline"}
    assert BASELINE_FIXTURE.read_bytes()[:16] != b"SQLite format 3\x00"  # encrypted


def test_baseline_store_upgrades_to_every_head(tmp_path) -> None:
    original = BASELINE_FIXTURE.read_bytes()
    path = tmp_path / "office.medbill"
    shutil.copy(BASELINE_FIXTURE, path)
    backups = tmp_path / "backups"
    before = open_backup_counts(path, key_pragma(BASELINE_KEY))

    store = open_store(path, BASELINE_KEY, backup_dir=backups)
    try:
        assert _version(path, BASELINE_KEY) == script_heads()
        with store.read_session() as s:
            names = sorted(s.execute(select(Patient.last_name)).scalars())
            assert names == ["Alder", "Birch", "Cedar"]
            old = s.execute(select(User).where(User.username == "oldmanager")).scalar_one()
            assert old.last_login_at is None  # the new column, empty for old rows
            assert audit.verify(s).ok
            assert audit.verify(s).checked == 3
        with store.engine.connect() as c:
            cols = {r[1] for r in c.exec_driver_sql("PRAGMA table_info(app_user)")}
            assert "last_login_at" in cols
            triggers = {
                r[0]
                for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
            }
            assert "audit_event_no_update" in triggers
        # The old account still logs in; the new column is filled.
        with store.session() as s, s.begin():
            actor = auth.login(s, "oldmanager", BASELINE_PASSWORD)
            assert isinstance(actor, auth.Actor)
        with store.read_session() as s:
            assert s.get(User, actor.user_id).last_login_at is not None
            assert s.execute(select(func.count()).select_from(Patient)).scalar() == 3
            assert audit.verify(s).ok
    finally:
        store.close()

    # The encrypted copy written before the upgrade: same key, old schema, same rows.
    made = sorted(backups.glob("before-upgrade-*.medbill"))
    assert len(made) == 1
    assert _version(made[0], BASELINE_KEY) == {"0001_baseline"}
    assert open_backup_counts(made[0], key_pragma(BASELINE_KEY)) == before
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(made[0]).execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert made[0].stat().st_mode & 0o777 == 0o600

    # Opening again changes nothing and writes no second backup.
    open_store(path, BASELINE_KEY, backup_dir=backups).close()
    assert len(list(backups.glob("before-upgrade-*"))) == 1
    assert BASELINE_FIXTURE.read_bytes() == original


def test_a_store_from_a_newer_version_is_refused(tmp_path) -> None:
    path = tmp_path / "office.medbill"
    shutil.copy(BASELINE_FIXTURE, path)
    conn = sqlcipher3.connect(str(path))
    conn.execute(f'PRAGMA key = "{key_pragma(BASELINE_KEY)}"')
    conn.execute("UPDATE alembic_version SET version_num = 'zz_future_0009'")
    conn.commit()
    conn.close()
    from app.errors import StoreError

    with pytest.raises(StoreError, match="newer version of MedBill Desk"):
        open_store(path, BASELINE_KEY)
