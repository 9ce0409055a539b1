"""Looking after the store itself: backups, restores, where the key is kept,
putting a new key in place after a recovery, and the audit rows for all of it.

Backups and restores work on the store file, not in one session, so these
functions take the open ``Store`` (or the paths) rather than a session. Each
opens its own engine, so it can run in a background thread.
"""

from __future__ import annotations

import contextlib
import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy.orm import Session

from app.config import Paths
from app.errors import StoreError, UserFacingError
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.store.backup import (
    BackupKeyError,
    BackupSummary,
    make_backup,
    read_backup_summary,
    restore_backup,
)
from app.store.engine import (
    Store,
    alembic_config,
    create_store_engine,
    key_pragma,
    move_aside,
    open_store,
    rekey,
)
from app.store.keys import (
    delete_key_from_keyring,
    key_from_recovery,
    save_key_in_keyring,
    secure_keyring_available,
    write_key_file,
)

Progress = Callable[[str], None]


class Cancel:
    """A cancel request another thread (the progress dialog's Cancel) makes.
    ``attach`` is given the DB-API connection doing the long statement; a
    progress handler on it stops the statement once ``cancel`` was called."""

    MESSAGE = "The backup was cancelled; no file was kept."

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: Any = None
        self.cancelled = False

    def should_stop(self) -> bool:
        return self.cancelled

    def _progress(self) -> int:
        return 1 if self.should_stop() else 0

    def attach(self, conn: Any) -> None:
        with self._lock:
            if self.cancelled:
                raise StoreError(self.MESSAGE)
            self._conn = conn
            conn.set_progress_handler(self._progress, 1000)

    def release(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.set_progress_handler(None, 0)
                self._conn = None

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True


def _record(store_path: Path, key: bytes, actor: Actor | None, action: str, **kw: Any) -> None:
    """One audit row through a short-lived engine of its own (thread-safe)."""
    engine = create_store_engine(store_path, key)
    try:
        with Session(engine) as s, s.begin():
            audit.record(s, actor, action, **kw)
    finally:
        engine.dispose()


def record_event(
    store: Store,
    action: str,
    *,
    actor: Actor | None = None,
    username: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Audit a store event that has no service of its own (store opened, lock,
    integrity check failed ...)."""
    with store.session() as s, s.begin():
        audit.record(s, actor, action, username=username or None, details=details)


# ------------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackupReport:
    path: Path
    counts: dict[str, int]
    with_passphrase: bool

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def tables(self) -> int:
        return len(self.counts)


MIN_BACKUP_PASSPHRASE = 12


def check_backup_passphrase(passphrase: str, again: str) -> list[tuple[str, str]]:
    """Problems with a chosen backup passphrase as (field, message)."""
    out: list[tuple[str, str]] = []
    if len(passphrase) < MIN_BACKUP_PASSPHRASE:
        out.append(
            (
                "passphrase",
                f"The backup passphrase must be at least {MIN_BACKUP_PASSPHRASE} characters",
            )
        )
    if passphrase != again:
        out.append(("passphrase_again", "The two passphrases are not the same"))
    return out


def back_up(
    s: Session,
    actor: Actor,
    store: Store,
    dest: Path,
    *,
    passphrase: str | None = None,
    cancel: Cancel | None = None,
    progress: Progress | None = None,
) -> BackupReport:
    """Write an encrypted, verified copy of ``store`` to ``dest`` (office
    manager) and audit it in ``s``. The copy is made through a connection of
    its own (SQLite cannot attach a database inside a transaction); ``s`` is
    used only at the end, for the audit row. A cancelled or failed backup
    leaves no file; its "backup_failed" row is written to ``s`` before the
    error is raised, so the caller commits ``s`` either way (see
    ``back_up_in_own_session``)."""
    require(actor, Permission.BACKUP)
    dest = Path(dest)
    engine = create_store_engine(store.path, store.key)
    try:
        if progress:
            progress("Writing the encrypted copy...")
        result = make_backup(
            engine,
            dest,
            store_key=store.key,
            passphrase=passphrase or None,
            on_connection=cancel.attach if cancel else None,
        )
    except UserFacingError as exc:
        audit.record(
            s,
            actor,
            "backup_failed",
            entity="backup",
            details={"file": str(dest), "reason": exc.message},
        )
        raise
    finally:
        if cancel:
            cancel.release()
        engine.dispose()
    if progress:
        progress("Recording the backup in the audit log...")
    audit.record(
        s,
        actor,
        "backup_made",
        entity="backup",
        details={
            "file": str(result.path),
            "rows": result.rows,
            "tables": len(result.counts),
            "keyed_with": "backup passphrase" if passphrase else "store key",
            "verified": True,
        },
    )
    return BackupReport(result.path, result.counts, bool(passphrase))


def back_up_in_own_session(
    store: Store,
    actor: Actor,
    dest: Path,
    *,
    passphrase: str | None = None,
    cancel: Cancel | None = None,
    progress: Progress | None = None,
) -> BackupReport:
    """``back_up`` with a session of its own on an engine of its own, for a
    worker thread. The audit row (of the backup, or of its failure) is
    committed either way; the session's write lock is taken only for it."""
    engine = create_store_engine(store.path, store.key)
    try:
        with Session(engine) as s:
            try:
                return back_up(
                    s, actor, store, dest, passphrase=passphrase, cancel=cancel, progress=progress
                )
            finally:
                s.commit()
    finally:
        engine.dispose()


# ------------------------------------------------------------------ restore


@dataclass(frozen=True)
class BackupInfo:
    """A backup that opened, ready to be restored."""

    path: Path
    literal: str = field(repr=False)  # how it opens (raw key or passphrase)
    keyed_with: str  # "store key", "backup passphrase", "recovery key"
    summary: BackupSummary
    file_time: datetime
    size: int

    @property
    def counts(self) -> dict[str, int]:
        return self.summary.counts


NEEDS_PASSPHRASE = (
    "This backup does not open with the current store key. It was made with a "
    "backup passphrase, or before a new key was put in place: type its passphrase, "
    "or the recovery key that was current when it was made."
)


def open_backup(path: Path, *, store_key: bytes | None, secret: str | None = None) -> BackupInfo:
    """Open a backup for a restore and describe it.

    Without ``secret`` it is tried with ``store_key``; otherwise ``secret`` is
    tried as a backup passphrase and, if it reads as a recovery key, as that
    raw key. Raises ``BackupKeyError`` when nothing opens it, ``StoreError``
    when it is damaged, not ours, or from a newer version.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"There is no backup file at {path}.")
    tries: list[tuple[str, str]] = []
    if secret:
        tries.append((secret, "backup passphrase"))
        with contextlib.suppress(StoreError):  # not a recovery key: a passphrase only
            tries.append((key_pragma(key_from_recovery(secret)), "recovery key"))
    elif store_key is not None:
        tries.append((key_pragma(store_key), "store key"))
    opened: tuple[BackupSummary, str, str] | None = None
    for literal, keyed_with in tries:
        try:
            opened = (read_backup_summary(path, literal), literal, keyed_with)
            break
        except BackupKeyError:
            continue
    if opened is None:
        raise BackupKeyError(
            NEEDS_PASSPHRASE
            if not secret
            else "That passphrase (or recovery key) does not open this backup. Check it and "
            "try again."
        )
    summary, literal, keyed_with = opened
    if not summary.revisions or "practice" not in summary.counts:
        raise StoreError("This file is not a MedBill Desk backup.")
    from alembic.script import ScriptDirectory  # only here: alembic is slow to import

    known = {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if summary.revisions - known:
        raise StoreError(
            "This backup was made by a newer version of MedBill Desk. Install the newer "
            "version to restore it."
        )
    st = path.stat()
    return BackupInfo(
        path,
        literal,
        keyed_with,
        summary,
        datetime.fromtimestamp(st.st_mtime, UTC),
        st.st_size,
    )


@dataclass
class RestoreOutcome:
    """After a restore: the open store (the restored one, or on failure the
    untouched live store reopened), and what happened."""

    store: Store
    restored: bool
    message: str
    aside: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)


def start_restore(s: Session, actor: Actor, backup: BackupInfo) -> None:
    """Step 1 of a restore: check the permission and write "restore_started"
    in the live store (which then goes aside with this row in it). The caller
    commits, then closes the store."""
    require(actor, Permission.BACKUP)
    audit.record(
        s,
        actor,
        "restore_started",
        entity="backup",
        details={"file": str(backup.path), "rows": backup.summary.rows},
    )


def restore_files(
    backup: BackupInfo, live: Path, key: bytes, backups_dir: Path
) -> tuple[Path, dict[str, int]]:
    """Step 2 (any thread): the restore itself on the closed store at ``live``;
    the live store is moved to ``backups_dir``, never deleted. Returns (where
    the replaced store is kept, the restored row counts)."""
    try:
        return restore_backup(backup.path, backup.literal, live, key, backups_dir)
    except sqlcipher3.Error as exc:
        raise StoreError(f"The backup could not be read back: {exc}") from None


def finish_restore(
    live: Path,
    key: bytes,
    actor: Actor,
    backup: BackupInfo,
    moved: tuple[Path, dict[str, int]] | UserFacingError,
    backups_dir: Path,
) -> RestoreOutcome:
    """Step 3 (GUI thread): open the restored store (upgrading an older
    backup) and write "store_restored" in it; or, when step 2 failed or the
    restored store does not open, reopen the untouched live store and write
    "restore_failed" in it."""
    if isinstance(moved, UserFacingError):
        return _restore_failed(live, key, actor, backup, moved.message, backups_dir)
    aside, counts = moved
    try:
        restored = open_store(live, key, backup_dir=backups_dir)
    except StoreError as exc:
        # Put the replaced store back; keep the restored copy aside to look at.
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        move_aside(live, backups_dir / f"failed-restore-{stamp}.medbill")
        move_aside(aside, live)
        return _restore_failed(live, key, actor, backup, exc.message, backups_dir)
    record_event(
        restored,
        "store_restored",
        username=actor.username,
        details={
            "file": str(backup.path),
            "rows": sum(counts.values()),
            "replaced_store_kept_at": str(aside),
            "restored_by": actor.full_name,
        },
    )
    return RestoreOutcome(
        restored,
        True,
        f"The office store was restored from {backup.path.name}. The store it replaced "
        f"is kept at {aside}.",
        aside,
        counts,
    )


def _restore_failed(
    live: Path, key: bytes, actor: Actor, backup: BackupInfo, message: str, backups_dir: Path
) -> RestoreOutcome:
    reopened = open_store(live, key, backup_dir=backups_dir)
    record_event(
        reopened,
        "restore_failed",
        actor=actor,
        details={"file": str(backup.path), "reason": message},
    )
    return RestoreOutcome(
        reopened, False, f"The backup was not restored: {message} The office store is unchanged."
    )


def restore(store: Store, actor: Actor, backup: BackupInfo, paths: Paths) -> RestoreOutcome:
    """All three steps in the calling thread (the screens run step 2 in a
    worker). The replaced store goes to ``paths.backups``."""
    key, live = store.key, store.path
    with store.session() as s, s.begin():
        start_restore(s, actor, backup)
    store.close()
    moved: tuple[Path, dict[str, int]] | UserFacingError
    try:
        moved = restore_files(backup, live, key, paths.backups)
    except UserFacingError as exc:
        moved = exc
    return finish_restore(live, key, actor, backup, moved, paths.backups)


# --------------------------------------------------------------- the key


class KeyPlace(enum.StrEnum):
    KEYRING = "keyring"
    PASSPHRASE = "passphrase"


def key_place(paths: Paths) -> KeyPlace:
    """Where this office keeps its key: a key file means the office passphrase."""
    if paths.key_file.exists() or not secure_keyring_available():
        return KeyPlace.PASSPHRASE
    return KeyPlace.KEYRING


def save_key(paths: Paths, key: bytes, place: KeyPlace, passphrase: str = "") -> None:
    """Put the store key where the office keeps it (keyring, or the key file
    wrapped with the office passphrase); removes it from the other place."""
    if place is KeyPlace.KEYRING:
        save_key_in_keyring(paths.store, key)
        paths.key_file.unlink(missing_ok=True)
    else:
        write_key_file(paths.key_file, key, passphrase)
        delete_key_from_keyring(paths.store)


def forget_key(paths: Paths) -> None:
    """Remove the key from both places (a set-up that did not finish)."""
    delete_key_from_keyring(paths.store)
    paths.key_file.unlink(missing_ok=True)


def put_new_key(
    store: Store, paths: Paths, new_key: bytes, place: KeyPlace, passphrase: str = ""
) -> None:
    """Re-encrypt the open store with ``new_key`` (``PRAGMA rekey``) and keep
    the key where the office keeps it. If the new key cannot be kept, the
    store goes back to its old key: nothing is left keyed with a key nobody
    has. ``store`` stays open either way."""
    old_key = store.key
    rekey(store, new_key)
    try:
        save_key(paths, new_key, place, passphrase)
    except BaseException:
        rekey(store, old_key)
        raise
