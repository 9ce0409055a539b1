"""Proof that patient data never reaches the disk in the clear.

1,000 patients with made-up marker names go into an encrypted store through
the ORM and the audit service; then every byte the program wrote (the store,
its -wal/-shm/journal, both kinds of backup, the program's temp folder, the
test's tmp_path and anything new in the system temp folder) is scanned for
the markers in ASCII, upper/lower case and UTF-16. The control writes the same
patients into a plain SQLite file and must find them, so the scan can fail.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (registers every table)
from app.config import default_paths, private_temp_dir, private_temp_file
from app.models.base import Base
from app.models.patient import Patient
from app.services import audit
from app.services.auth import Actor
from app.store.backup import make_backup
from app.store.engine import open_store
from tests import factories

PATIENTS = 1000
# Made-up words that occur in no library, font or SQL text.
MARKERS = ("Vexquorrin", "Zyphalette", "Plumbrisket")
NEEDLES = tuple(
    enc
    for m in MARKERS
    for enc in (
        m.lower().encode("ascii"),
        m.lower().encode("utf-16-le"),
        m.lower().encode("utf-16-be"),
    )
)


def _marker_patients(s: Session, actor: Actor | None) -> None:
    for n in range(PATIENTS):
        p = factories.patient(
            s,
            last=f"{MARKERS[0]}{n:04d}",
            first=f"{MARKERS[1]}{n:04d}",
            address1=f"{n} {MARKERS[2]} Road",
            email=f"{MARKERS[1].lower()}{n}@example.org",
            notes=f"Seen for {MARKERS[0].upper()} {n} follow-up",
        )
        if actor is not None and n % 10 == 0:
            # Change rows in the audit log carry patient data too.
            audit.record(
                s,
                actor,
                "patient_changed",
                entity="patient",
                entity_id=p.id,
                patient_id=p.id,
                details=audit.changes({"last_name": ""}, {"last_name": p.last_name}),
            )


def _files_under(*roots: Path) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        if root.is_file():
            out.append(root)
        elif root.is_dir():
            out.extend(p for p in root.rglob("*") if p.is_file())
    return sorted(set(out))


def _new_system_temp_files(since: float, skip: Path) -> list[Path]:
    """Files in the system temp folder made or changed during the test (not
    pytest's own folders: the control test's plaintext lives there on purpose)."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(tempfile.gettempdir()):
        d = Path(dirpath)
        dirnames[:] = [x for x in dirnames if not (d / x).resolve().is_relative_to(skip)]
        for name in filenames:
            p = d / name
            try:
                if p.is_file() and p.stat().st_mtime >= since:
                    out.append(p)
            except OSError:
                continue  # vanished or unreadable: another process's file
    return out


def _hits(files: Iterable[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in files:
        try:
            data = f.read_bytes().lower()
        except OSError:
            continue
        names = [n.decode("utf-16-le" if b"\x00" in n else "ascii", "replace") for n in NEEDLES]
        hit = [names[i] for i, n in enumerate(NEEDLES) if n in data]
        if hit:
            found[str(f)] = hit
    return found


def test_no_patient_marker_in_any_file_the_program_wrote(
    tmp_path, tmp_path_factory, store_key, office
) -> None:
    started = time.time() - 1
    store = office.store
    paths = default_paths()  # MEDBILL_DATA_DIR points into tmp_path (conftest)
    private_temp_dir(paths)
    private_temp_file(paths, ".pdf").unlink()
    with store.unit_of_work() as s:
        _marker_patients(s, office.manager)

    wal = Path(str(store.path) + "-wal")
    shm = Path(str(store.path) + "-shm")
    assert wal.exists() and wal.stat().st_size > 100_000, "the data should still be in the WAL"
    assert shm.exists()
    store_files = [store.path, wal, shm, Path(str(store.path) + "-journal")]
    assert _hits(_files_under(*store_files)) == {}

    backups = tmp_path / "backups"
    with_key = make_backup(store.engine, backups / "a.medbill-backup", store_key=store_key)
    with_pass = make_backup(
        store.engine,
        backups / "b.medbill-backup",
        store_key=store_key,
        passphrase="office backup passphrase",
    )
    assert with_key.counts["patient"] == with_pass.counts["patient"] == PATIENTS
    assert with_key.path.stat().st_size > 200_000

    scanned = _files_under(tmp_path, paths.data_dir, paths.temp, backups)
    assert {store.path, wal, shm, with_key.path, with_pass.path} <= set(scanned)
    assert _hits(scanned) == {}

    # Closed (the WAL checkpointed into the main file) and opened again.
    store.close()
    assert _hits(_files_under(tmp_path)) == {}
    again = open_store(store.path, store_key)
    try:
        with again.read_session() as s:
            n = s.execute(
                select(func.count())
                .select_from(Patient)
                .where(Patient.last_name.like(f"{MARKERS[0]}%"))
            ).scalar()
            assert n == PATIENTS
            assert audit.verify(s).ok
    finally:
        again.close()
    assert _hits(_files_under(tmp_path)) == {}
    pytest_root = tmp_path_factory.getbasetemp().parent.resolve()
    assert _hits(_new_system_temp_files(started, pytest_root)) == {}


def test_control_the_scan_finds_markers_in_a_plain_sqlite_file(tmp_path) -> None:
    plain = tmp_path / "plain.sqlite"
    engine = create_engine(f"sqlite:///{plain}")
    Base.metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        factories.practice(s)
        _marker_patients(s, None)
    engine.dispose()
    found = _hits([plain])
    assert set(found[str(plain)]) >= {m.lower() for m in MARKERS}


def test_control_the_scan_sees_upper_case_and_utf16(tmp_path) -> None:
    upper = tmp_path / "upper.bin"
    upper.write_bytes(b"\x00\x01" + MARKERS[0].upper().encode() + b"\xff")
    wide = tmp_path / "wide.bin"
    wide.write_bytes(b"\x07" + f"{MARKERS[1]}0042".encode("utf-16-le"))
    wide_be = tmp_path / "wide_be.bin"
    wide_be.write_bytes(MARKERS[2].upper().encode("utf-16-be"))
    found = _hits([upper, wide, wide_be])
    assert set(found) == {str(upper), str(wide), str(wide_be)}
