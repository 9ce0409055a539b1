"""Backups, restores and key changes at the service level (no Qt)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import keyring.errors
import pdfplumber
import pytest

from app.config import Paths
from app.errors import PermissionDenied, StoreError
from app.models.patient import Patient
from app.reports.recovery_sheet import write_recovery_sheet
from app.services import audit, maintenance
from app.services.maintenance import Cancel, KeyPlace
from app.store.backup import BackupKeyError
from app.store.engine import open_store
from app.store.keys import (
    key_opens_store,
    load_key_from_keyring,
    new_key,
    recovery_code,
    save_key_in_keyring,
    typed_matches_last_group,
)
from tests import factories


@pytest.fixture
def paths(tmp_path: Path, store) -> Paths:
    """The ``store`` fixture lives at tmp_path/office.medbill: the office's folder."""
    return Paths(tmp_path)


def actions(store) -> list[str]:
    with store.session() as s:
        return [e.action for e in audit.search(s, _any_manager(s))]


def _any_manager(s):
    from app.models.staff import Role, User
    from app.services.auth import actor_for

    return actor_for(s.query(User).filter_by(role=Role.MANAGER).first())


def patients(store) -> int:
    with store.session() as s:
        return s.query(Patient).count()


def test_backup_is_encrypted_verified_and_audited(office, paths) -> None:
    with office.store.unit_of_work() as s:
        factories.patient(s, "Zyxwvut", "Marker")
    dest = paths.backups / "b1.medbill-backup"
    stages: list[str] = []
    report = maintenance.back_up_in_own_session(
        office.store, office.manager, dest, progress=stages.append
    )
    assert dest.exists() and report.counts["patient"] == 1
    assert b"Zyxwvut" not in dest.read_bytes()
    assert b"SQLite format 3" not in dest.read_bytes()[:16]
    assert stages[0] == "Writing the encrypted copy..."
    with office.store.session() as s:
        row = audit.search(s, office.manager, action="backup_made")[0]
    assert row.details["rows"] == report.rows
    assert row.details["keyed_with"] == "store key" and row.details["verified"] is True
    info = maintenance.open_backup(dest, store_key=office.store.key)
    assert info.keyed_with == "store key"
    assert info.summary.practice_name == "Maple Street Family Medicine"
    assert info.counts["patient"] == 1


def test_only_the_manager_backs_up(office, paths) -> None:
    with pytest.raises(PermissionDenied):
        maintenance.back_up_in_own_session(
            office.store, office.biller, paths.backups / "x.medbill-backup"
        )
    assert not paths.backups.exists() or not list(paths.backups.iterdir())


def test_a_backup_never_overwrites_and_the_failure_is_audited(office, paths) -> None:
    dest = paths.backups / "b.medbill-backup"
    maintenance.back_up_in_own_session(office.store, office.manager, dest)
    before = dest.read_bytes()
    with pytest.raises(StoreError, match="already exists"):
        maintenance.back_up_in_own_session(office.store, office.manager, dest)
    assert dest.read_bytes() == before
    assert actions(office.store)[:2] == ["backup_failed", "backup_made"]


class CancelMidway(Cancel):
    """The person presses Cancel while the copy is being written."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def should_stop(self) -> bool:
        self.calls += 1
        if self.calls > 2:
            self.cancel()
        return super().should_stop()


def test_a_cancelled_backup_leaves_no_file(office, paths) -> None:
    with office.store.unit_of_work() as s:
        for i in range(200):
            factories.patient(s, f"Last{i}", "First")
    dest = paths.backups / "b.medbill-backup"
    cancel = CancelMidway()
    with pytest.raises(StoreError, match="cancelled"):
        maintenance.back_up_in_own_session(office.store, office.manager, dest, cancel=cancel)
    assert cancel.calls > 2
    assert not dest.exists() and list(paths.backups.iterdir()) == []
    assert actions(office.store)[0] == "backup_failed"
    # Cancel before the copy starts.
    early = Cancel()
    early.cancel()
    with pytest.raises(StoreError, match="cancelled"):
        maintenance.back_up_in_own_session(office.store, office.manager, dest, cancel=early)
    assert not dest.exists()


def test_a_passphrase_backup_needs_its_passphrase(office, paths) -> None:
    dest = paths.backups / "p.medbill-backup"
    maintenance.back_up_in_own_session(
        office.store, office.manager, dest, passphrase="off-site copy 2026"
    )
    with pytest.raises(BackupKeyError, match="does not open with the current store key"):
        maintenance.open_backup(dest, store_key=office.store.key)
    with pytest.raises(BackupKeyError, match="does not open this backup"):
        maintenance.open_backup(dest, store_key=office.store.key, secret="off-site copy 2025")
    info = maintenance.open_backup(dest, store_key=office.store.key, secret="off-site copy 2026")
    assert info.keyed_with == "backup passphrase"
    assert maintenance.check_backup_passphrase("short", "short") == [
        ("passphrase", "The backup passphrase must be at least 12 characters")
    ]


def test_an_old_backup_opens_with_the_recovery_key_of_its_time(office, paths) -> None:
    dest = paths.backups / "old.medbill-backup"
    maintenance.back_up_in_own_session(office.store, office.manager, dest)
    old_key = office.store.key
    new = new_key()
    maintenance.put_new_key(office.store, paths, new, KeyPlace.KEYRING)
    assert office.store.key == new and load_key_from_keyring(paths.store) == new
    with pytest.raises(BackupKeyError):
        maintenance.open_backup(dest, store_key=new)
    info = maintenance.open_backup(dest, store_key=new, secret=recovery_code(old_key).lower())
    assert info.keyed_with == "recovery key"


def test_restore_replaces_the_store_and_keeps_the_old_one(office, paths) -> None:
    dest = paths.backups / "b.medbill-backup"
    maintenance.back_up_in_own_session(
        office.store, office.manager, dest, passphrase="off-site copy 2026"
    )
    with office.store.unit_of_work() as s:
        factories.patient(s, "After", "Backup")
    info = maintenance.open_backup(dest, store_key=office.store.key, secret="off-site copy 2026")
    out = maintenance.restore(office.store, office.manager, info, paths)
    assert out.restored and out.aside is not None and out.aside.exists()
    assert patients(out.store) == 0
    # The "backup_made" row is written after the copy, so it is not in it.
    assert actions(out.store) == ["store_restored"]
    kept = open_store(out.aside, office.store.key)
    assert patients(kept) == 1
    assert actions(kept)[0] == "restore_started"
    kept.close()
    with out.store.session() as s:
        assert audit.verify(s).ok
    out.store.close()


def test_a_damaged_backup_leaves_the_store_untouched(office, paths) -> None:
    dest = paths.backups / "b.medbill-backup"
    maintenance.back_up_in_own_session(office.store, office.manager, dest)
    info = maintenance.open_backup(dest, store_key=office.store.key)
    data = bytearray(dest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dest.write_bytes(bytes(data))
    out = maintenance.restore(office.store, office.manager, info, paths)
    assert not out.restored
    assert "damaged" in out.message and "unchanged" in out.message
    assert actions(out.store)[:2] == ["restore_failed", "restore_started"]
    assert not any(p.name.startswith("replaced-") for p in paths.backups.iterdir())
    out.store.close()


def test_a_backup_from_a_newer_version_is_refused(office, paths) -> None:
    dest = paths.backups / "b.medbill-backup"
    maintenance.back_up_in_own_session(office.store, office.manager, dest)
    import sqlcipher3

    from app.store.engine import key_pragma

    conn = sqlcipher3.connect(str(dest), isolation_level=None)
    conn.execute(f'PRAGMA key = "{key_pragma(office.store.key)}"')
    conn.execute("INSERT INTO alembic_version VALUES ('zz_9999_future')")
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        maintenance.open_backup(dest, store_key=office.store.key)


def test_a_new_key_that_cannot_be_kept_is_rolled_back(office, paths, monkeypatch) -> None:
    old = office.store.key

    def broken(*_a: object) -> None:
        raise StoreError("The key could not be saved in the keyring: locked")

    monkeypatch.setattr("app.services.maintenance.save_key_in_keyring", broken)
    with pytest.raises(StoreError, match="could not be saved"):
        maintenance.put_new_key(office.store, paths, new_key(), KeyPlace.KEYRING)
    assert office.store.key == old and actions(office.store) == []  # still open, old key
    office.store.close()
    assert key_opens_store(paths.store, old)


def test_key_place_follows_the_key_file(paths, tmp_path, monkeypatch) -> None:
    assert maintenance.key_place(paths) is KeyPlace.KEYRING
    maintenance.save_key(paths, new_key(), KeyPlace.PASSPHRASE, "a long office phrase")
    assert maintenance.key_place(paths) is KeyPlace.PASSPHRASE
    assert load_key_from_keyring(paths.store) is None
    key = new_key()
    maintenance.save_key(paths, key, KeyPlace.KEYRING)
    assert not paths.key_file.exists() and load_key_from_keyring(paths.store) == key
    maintenance.forget_key(paths)
    assert load_key_from_keyring(paths.store) is None
    monkeypatch.setattr("app.services.maintenance.secure_keyring_available", lambda: False)
    assert maintenance.key_place(paths) is KeyPlace.PASSPHRASE


def test_keyring_errors_are_messages(paths, memory_keyring, monkeypatch) -> None:
    def fail(*_a: object) -> None:
        raise keyring.errors.PasswordSetError("denied")

    monkeypatch.setattr(memory_keyring, "set_password", fail)
    with pytest.raises(StoreError, match="could not be saved in the keyring"):
        save_key_in_keyring(paths.store, new_key())


def test_the_recovery_sheet_says_what_it_is_and_where_to_keep_it(tmp_path) -> None:
    code = recovery_code(new_key())
    pdf = write_recovery_sheet(
        tmp_path / "sheet.pdf",
        practice_name="Maple Street Family Medicine",
        code=code,
        issued=date(2026, 11, 27),
    )
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == 1
        text = doc.pages[0].extract_text()
        words = doc.pages[0].extract_words()
    assert "Maple Street Family Medicine" in text
    assert "Issued November 27, 2026" in text
    assert "Where to keep it" in text and "Use recovery key" in text
    groups = code.split("-")
    found = [w for w in words if w["text"] in groups]
    assert [w["text"] for w in found] == groups  # in reading order
    assert all(w["bottom"] - w["top"] > 18 for w in found)  # large type


def test_typing_the_last_group_back() -> None:
    code = recovery_code(new_key())
    last = code.split("-")[-1]
    assert typed_matches_last_group(code, f" {last.lower()} ")
    assert not typed_matches_last_group(code, "")
    assert not typed_matches_last_group(code, code.split("-")[0])


def test_the_backup_row_belongs_to_the_callers_unit_of_work(office, paths) -> None:
    dest = paths.backups / "b.medbill-backup"
    with office.store.session() as s:
        maintenance.back_up(s, office.manager, office.store, dest)
        s.rollback()  # the caller decides: no commit, no row
    assert dest.exists()
    assert actions(office.store) == []
