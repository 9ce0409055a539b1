"""Open the encrypted store: engine, connection pragmas, sessions, migrations.

The store is one SQLCipher 4 file keyed with a random 256-bit raw key
(``PRAGMA key = "x'...'"``), so opening costs no key derivation. A wrong key
only shows on the first read, so ``open_store`` reads once before returning.
"""

from __future__ import annotations

import ast
import functools
import logging
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CACHE_KIB = 64 * 1024

WRONG_KEY_MESSAGE = (
    "The office store could not be opened with the key on this computer. "
    'Start MedBill Desk with your printed recovery key ("Use recovery key" on the '
    "log-in window), or restore a backup."
)
DAMAGED_MESSAGE = (
    "The office store is damaged: some of its pages fail their integrity check "
    "(a disk or copy error). Restore your most recent backup (File > Restore... or "
    '"Restore a backup" on the start window); the damaged file is kept aside.'
)


def key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("the store key is 32 bytes")
    return f"x'{key.hex().upper()}'"


def make_url(path: Path, key: bytes) -> URL:
    return URL.create("sqlite+pysqlcipher", password=key_pragma(key), database=str(path))


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # The dialect has already sent PRAGMA key. Keep the driver out of
    # transaction handling: "begin" below issues BEGIN itself.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute("SELECT count(*) FROM sqlite_master")  # a wrong key fails here
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.execute("PRAGMA busy_timeout = 10000")
    finally:
        cur.close()


def _on_begin(conn: Any) -> None:
    # Writers take the write lock up front so two threads never deadlock on a
    # lock upgrade; read-only sessions use a plain deferred BEGIN.
    if conn.get_execution_options().get("medbill_readonly"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(path: Path, key: bytes, *, echo: bool = False) -> Engine:
    engine = create_engine(
        make_url(path, key), echo=echo, connect_args={"check_same_thread": True, "timeout": 10}
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def alembic_config(connection: Any = None) -> Config:
    # Alembic is imported only when a migration runs: it costs a few hundred
    # milliseconds of start-up, and an up-to-date store never needs it.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


class Store:
    """An open store. ``with store.session() as s, s.begin(): ...`` is one unit of work."""

    def __init__(self, path: Path, engine: Engine, key: bytes) -> None:
        self.path = path
        self._rebind(engine, key)

    def _rebind(self, engine: Engine, key: bytes) -> None:
        """Use a new engine and key (after ``rekey``); old sessions must be closed."""
        self.engine = engine
        self._key = key
        self._factory = sessionmaker(bind=engine, expire_on_commit=False)
        self._read_factory = sessionmaker(
            bind=engine.execution_options(medbill_readonly=True), expire_on_commit=False
        )

    @property
    def key(self) -> bytes:
        return self._key

    def session(self) -> Session:
        return self._factory()

    def read_session(self) -> Session:
        """A session for reports and lists: a deferred transaction, no write lock."""
        return self._read_factory()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with self._factory() as s, s.begin():
            yield s

    def sqlcipher_version(self) -> str:
        with self.engine.connect() as c:
            return str(c.exec_driver_sql("PRAGMA cipher_version").scalar() or "")

    def table_counts(self) -> dict[str, int]:
        raw = self.engine.raw_connection()
        try:
            return table_counts(raw.cursor())
        finally:
            raw.close()

    def close(self) -> None:
        self.engine.dispose()


def table_counts(cursor: Any) -> dict[str, int]:
    """Row count of every table, through a DB-API cursor."""
    names = [
        r[0]
        for r in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).fetchall()
    ]
    return {n: int(cursor.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def check_integrity(target: Store | Engine) -> None:
    """Check every page's HMAC (``PRAGMA cipher_integrity_check``).

    A flipped byte anywhere in the file shows here, not only when that page
    is next read. Raises ``StoreError`` (restore a backup) when a page fails.
    """
    engine = target.engine if isinstance(target, Store) else target
    try:
        # A read transaction: other work goes on while the pages are checked.
        with engine.execution_options(medbill_readonly=True).connect() as conn:
            problems = conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()
    except (DatabaseError, OperationalError) as exc:
        raise _translate(exc) from None
    if problems:
        log.warning("store integrity check: %d page(s) failed", len(problems))
        raise StoreError(DAMAGED_MESSAGE)


def rekey(store: Store, new_key: bytes) -> None:
    """Re-encrypt the store with ``new_key`` (``PRAGMA rekey``) in place.

    Used after opening with the recovery key: the old key (and its recovery
    code) stops opening the store. Every pooled connection is closed first;
    ``store`` keeps working with the new key afterwards.
    """
    new_literal = key_pragma(new_key)  # checks the length before anything changes
    store.engine.dispose()
    conn = sqlcipher3.connect(str(store.path), isolation_level=None)
    try:
        conn.execute(f'PRAGMA key = "{key_pragma(store.key)}"')
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute(f'PRAGMA rekey = "{new_literal}"')
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlcipher3.Error as exc:
        raise _translate(exc) from None
    finally:
        conn.close()
    store._rebind(create_store_engine(store.path, new_key), new_key)
    # Read once with the new key so a failed rekey shows here, not later.
    try:
        with store.engine.connect() as c:
            c.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
    except (DatabaseError, OperationalError) as exc:
        raise _translate(exc) from None


def _translate(exc: Exception) -> StoreError:
    msg = str(exc).lower()
    if "malformed" in msg or "corrupt" in msg:
        return StoreError(DAMAGED_MESSAGE)
    if "file is not a database" in msg or "not a database" in msg:
        return StoreError(WRONG_KEY_MESSAGE)
    if "locked" in msg or "busy" in msg:
        return StoreError(
            "The office store is busy (another program is writing to it). Try again in a moment."
        )
    return StoreError(
        "The office store could not be opened: "
        + str(exc).split("\n")[0]
        + ". Restore a backup if this keeps happening."
    )


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)


@functools.cache
def _revision_graph() -> dict[str, tuple[str, ...]]:
    """``{revision: down_revisions}`` read from the version files' source.

    The two assignments are found by pattern and read with ``literal_eval``;
    the files are not imported (that pulls in alembic and the models) nor
    parsed whole (the baseline alone takes 25 ms): this is what lets an
    up-to-date store open quickly without alembic. A test checks it agrees
    with alembic's own ``ScriptDirectory``.
    """
    graph: dict[str, tuple[str, ...]] = {}
    for f in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = {
            m.group(1): ast.literal_eval(m.group(2))
            for m in _REVISION_LINE.finditer(f.read_text(encoding="utf-8"))
        }
        if "revision" not in found:
            continue
        down = found.get("down_revision")
        downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
        graph[str(found["revision"])] = downs
    return graph


def script_heads() -> set[str]:
    """The revisions no other revision builds on: where ``upgrade heads`` ends."""
    graph = _revision_graph()
    below = {d for downs in graph.values() for d in downs}
    return set(graph) - below


def _current_revisions(conn: Any) -> set[str]:
    """The store's revisions (empty for a new file), read without alembic."""
    has_table = conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    ).scalar()
    if not has_table:
        return set()
    return {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}


def open_store(
    path: Path,
    key: bytes,
    *,
    create: bool = False,
    upgrade: bool = True,
    backup_dir: Path | None = None,
    check: bool = True,
) -> Store:
    """Open (or with ``create`` make) the store at ``path``.

    With ``check`` every page's HMAC is verified first (``check_integrity``),
    so a damaged file is reported at start-up, before anything is written.
    An older schema is upgraded after an encrypted backup of the store has been
    written to ``backup_dir`` (the store's folder when not given). Raises
    ``StoreError`` with a message that says what to do.
    """
    path = Path(path)
    if not create and not path.exists():
        raise StoreError(f"There is no office store at {path}.")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_store_engine(path, key)
    try:
        with engine.execution_options(medbill_readonly=True).connect() as conn:
            current = _current_revisions(conn)
            has_tables = bool(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE type='table'"
                ).scalar()
            )
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise _translate(exc) from None
    if check and has_tables:
        try:
            check_integrity(engine)
        except StoreError:
            engine.dispose()
            raise
    heads = script_heads()
    if current != heads:
        known = _known_revisions()
        if current - known:
            engine.dispose()
            raise StoreError(
                "This office store was written by a newer version of MedBill Desk. "
                "Install the newer version to open it."
            )
        if not upgrade:
            engine.dispose()
            raise StoreError("This office store needs an upgrade before it can be used.")
        if has_tables and current:
            from app.store.backup import export_copy

            dest_dir = backup_dir or path.parent
            dest_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            dest = dest_dir / f"before-upgrade-{stamp}.medbill"
            export_copy(engine, dest, key_pragma(key))
            log.info("store backed up before upgrade")
        elif has_tables and not current:
            engine.dispose()
            raise StoreError("This file is not a MedBill Desk office store.")
        _migrate(engine)
    return Store(path, engine, key)


def _migrate(engine: Engine) -> None:
    """Upgrade to every head in one transaction.

    SQLite batch migrations rebuild a table (copy, drop, rename); with foreign
    keys on, dropping a table other rows point at fails. Keys are switched off
    for the migration (the pragma only works outside a transaction) and every
    reference is checked before the transaction commits.
    """
    from alembic import command  # only when a migration runs (start-up cost)

    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), "heads")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(
                        "The store upgrade would break links between records; nothing was "
                        "changed. Keep using the previous version and report this."
                    )
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def _known_revisions() -> set[str]:
    return set(_revision_graph())


def remove_store_files(path: Path) -> None:
    """Delete a store and its -wal/-shm files (used for throwaway demo stores)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def move_aside(path: Path, dest: Path) -> None:
    """Move a store (with its -wal/-shm) to ``dest``; used by restore."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            shutil.move(str(p), str(dest) + suffix)
