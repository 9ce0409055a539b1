"""Encrypted backups: ``sqlcipher_export`` into a keyed file, then verify.

Never ``VACUUM INTO``: it writes plaintext. A backup is keyed either with the
store's own raw key or with a backup passphrase (SQLCipher's own KDF), and is
verified by opening it and comparing row counts with the source.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine

from app.errors import StoreError
from app.store.engine import check_integrity, key_pragma, move_aside, table_counts

BACKUP_SUFFIX = ".medbill-backup"

WRONG_BACKUP_KEY = (
    "This backup could not be opened: the passphrase is wrong, or the file is "
    "not a MedBill Desk backup. Type the passphrase that was used when the "
    "backup was made, or choose another backup file."
)


class BackupKeyError(StoreError):
    """The key or passphrase does not open the backup (or it is no backup at all)."""


class BackupDamaged(StoreError):
    """Pages of the backup fail their integrity check."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _quote_key(secret: str) -> str:
    return secret.replace("'", "''")


def export_copy(
    engine: Engine,
    dest: Path,
    key_literal: str,
    *,
    on_connection: Callable[[Any], None] | None = None,
) -> dict[str, int]:
    """Write an encrypted copy of the store behind ``engine`` to ``dest``.

    ``key_literal`` is either ``x'HEX'`` (a raw key) or a passphrase. Returns
    the source's row counts. ``dest`` must not exist. ``on_connection`` is
    given the DB-API connection doing the copy (to stop it on cancel:
    ``interrupt()`` or a progress handler).
    """
    dest = Path(dest)
    if dest.exists():
        raise StoreError(f"{dest.name} already exists; choose another file name.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        if on_connection is not None:
            on_connection(raw.driver_connection)
        cur = raw.cursor()
        cur.execute("ATTACH DATABASE ? AS medbill_backup KEY ?", (str(dest), key_literal))
        try:
            cur.execute("SELECT sqlcipher_export('medbill_backup')")
            # sqlcipher_export copies tables and data; the user_version too:
            version = cur.execute("PRAGMA main.user_version").fetchone()[0]
            cur.execute(f"PRAGMA medbill_backup.user_version = {int(version)}")
        finally:
            cur.execute("DETACH DATABASE medbill_backup")
        counts = table_counts(cur)
        cur.close()
    finally:
        raw.close()
    os.chmod(dest, 0o600)
    return counts


def open_backup_counts(path: Path, key_literal: str) -> dict[str, int]:
    """Open a backup with its key or passphrase, check every page, count rows.

    Raises ``StoreError`` with a clear message when the key is wrong or the
    file is damaged.
    """
    if not Path(path).exists():
        raise StoreError(f"The backup file {Path(path).name} does not exist.")
    conn = sqlcipher3.connect(str(path))
    try:
        cur = conn.cursor()
        cur.execute(f"PRAGMA key = '{_quote_key(key_literal)}'")
        cur.execute("PRAGMA cipher_log_level = NONE")
        try:
            cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            raise BackupKeyError(WRONG_BACKUP_KEY) from None
        problems = cur.execute("PRAGMA cipher_integrity_check").fetchall()
        if problems:
            raise BackupDamaged(
                "This backup is damaged (some pages fail their integrity check). "
                "Use an older backup."
            )
        return table_counts(cur)
    finally:
        conn.close()


def make_backup(
    engine: Engine,
    dest: Path,
    *,
    store_key: bytes,
    passphrase: str | None = None,
    on_connection: Callable[[Any], None] | None = None,
) -> BackupResult:
    """Back up to ``dest`` (keyed with ``passphrase`` or the store key) and verify it.

    A failed, cancelled (interrupted) or unverified backup leaves no file.
    """
    dest = Path(dest)
    if dest.exists():
        raise StoreError(f"{dest.name} already exists; choose another file name.")
    literal = passphrase if passphrase else key_pragma(store_key)
    # A damaged page would be copied (or stop the copy half-way): refuse first.
    check_integrity(engine)
    try:
        counts = export_copy(engine, dest, literal, on_connection=on_connection)
        copied = open_backup_counts(dest, literal)
    except BaseException as exc:
        # A half-written or unverified copy is no backup: nobody may trust it later.
        _remove_with_sidecars(dest)
        if isinstance(exc, (sqlcipher3.Error, OSError)):
            if "interrupt" in str(exc).lower():
                raise StoreError("The backup was cancelled; no file was kept.") from None
            reason = str(exc).split("\n")[0]
            raise StoreError(
                f"The backup could not be written to {dest.parent} ({reason}). "
                "Check that the disk or USB stick has room and is writable, then try again."
            ) from None
        raise
    if copied != counts:
        _remove_with_sidecars(dest)
        raise StoreError("The backup did not verify (row counts differ); nothing was kept.")
    return BackupResult(dest, counts)


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        _remove_quietly(Path(str(path) + suffix))


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds, read without touching the live store."""

    counts: dict[str, int]
    revisions: frozenset[str]
    practice_name: str
    newest_activity: datetime | None  # the newest audit row, UTC

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def read_backup_summary(path: Path, key_literal: str) -> BackupSummary:
    """Open a backup (raising ``BackupKeyError``/``BackupDamaged``), check every
    page, and read its row counts, schema revisions, practice and newest activity."""
    counts = open_backup_counts(path, key_literal)
    conn = sqlcipher3.connect(str(path))
    try:
        cur = conn.cursor()
        cur.execute(f"PRAGMA key = '{_quote_key(key_literal)}'")
        cur.execute("PRAGMA cipher_log_level = NONE")

        def scalar(sql: str) -> Any:
            try:
                row = cur.execute(sql).fetchone()
            except sqlcipher3.Error:
                return None
            return row[0] if row else None

        try:
            revisions = frozenset(
                str(r[0]) for r in cur.execute("SELECT version_num FROM alembic_version")
            )
        except sqlcipher3.Error:
            revisions = frozenset()
        name = scalar("SELECT name FROM practice WHERE id = 1") or ""
        newest = scalar("SELECT max(at) FROM audit_event")
    finally:
        conn.close()
    when = None
    if newest:
        when = datetime.fromisoformat(str(newest)).replace(tzinfo=UTC)
    return BackupSummary(counts, revisions, str(name), when)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def default_backup_name(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"medbill-{now.astimezone().strftime('%Y-%m-%d-%H%M')}{BACKUP_SUFFIX}"


def restore_backup(
    backup: Path,
    backup_literal: str,
    live_path: Path,
    live_key: bytes,
    aside_dir: Path,
) -> tuple[Path, dict[str, int]]:
    """Replace the store at ``live_path`` with the backup's content.

    The backup is checked first; its content is exported into a new file keyed
    with the live key and verified; only then is the live store moved aside
    (to ``aside_dir``, never deleted) and the new file put in its place. The
    caller must have closed every connection to the live store.
    Returns (where the replaced store was kept, the restored row counts).
    """
    counts = open_backup_counts(backup, backup_literal)
    staging = live_path.with_name(live_path.name + ".restoring")
    for suffix in ("", "-wal", "-shm"):
        Path(str(staging) + suffix).unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(backup))
    try:
        cur = conn.cursor()
        cur.execute(f"PRAGMA key = '{_quote_key(backup_literal)}'")
        cur.execute(
            "ATTACH DATABASE ? AS medbill_restore KEY ?", (str(staging), key_pragma(live_key))
        )
        cur.execute("SELECT sqlcipher_export('medbill_restore')")
        version = cur.execute("PRAGMA main.user_version").fetchone()[0]
        cur.execute(f"PRAGMA medbill_restore.user_version = {int(version)}")
        cur.execute("DETACH DATABASE medbill_restore")
    finally:
        conn.close()
    if open_backup_counts(staging, key_pragma(live_key)) != counts:
        staging.unlink(missing_ok=True)
        raise StoreError("The restored copy did not verify; the live store was not touched.")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = aside_dir / f"replaced-{stamp}.medbill"
    if live_path.exists():
        move_aside(live_path, aside)
    shutil.move(str(staging), str(live_path))
    os.chmod(live_path, 0o600)
    return aside, counts
