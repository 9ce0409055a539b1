"""The encrypted store's cost: opening it, and SQLCipher vs plain SQLite.

1. Opening with the raw key (no key derivation): ``open_store`` on a synthetic
   office (300 patients, a year of visits) as the program does at start-up,
   with and without the page integrity check, against the floor of a bare
   driver connection that keys and reads once. Goal: under 50 ms.
2. The same workload on SQLCipher and on SQLite without a key, through the
   same driver (sqlcipher3) with the program's connection pragmas (WAL,
   synchronous=NORMAL, 64 MiB cache, temp_store=MEMORY): insert 100,000 rows
   in transactions of 1,000, then 20,000 lookups by an indexed column.
   Runs alternate, median of three. Goal: SQLCipher within 1.2x.

    python -m bench store
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlcipher3

from app.store.engine import CACHE_KIB, check_integrity, key_pragma, open_store
from bench.common import BENCH_KEY, office_store, summary, timings

ROWS = 100_000
BATCH = 1_000
LOOKUPS = 20_000
RUNS = 3


def _connect(path: Path, key: bytes | None) -> Any:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    if key is not None:
        conn.execute(f'PRAGMA key = "{key_pragma(key)}"')
        conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    for pragma in (
        "journal_mode = WAL",
        "synchronous = NORMAL",
        f"cache_size = -{CACHE_KIB}",
        "temp_store = MEMORY",
    ):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _rows() -> list[tuple[Any, ...]]:
    rng = random.Random(7)
    return [
        (
            f"{100000 + i}",
            f"Last{rng.randrange(20000):05d}",
            f"First{rng.randrange(5000):04d}",
            f"19{rng.randrange(30, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
            f"{rng.randrange(1, 9999)} Maple Street",
            "note " * rng.randrange(2, 20),
        )
        for i in range(ROWS)
    ]


def _workload(path: Path, key: bytes | None, rows: list[tuple[Any, ...]]) -> tuple[float, float]:
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    conn = _connect(path, key)
    conn.execute(
        "CREATE TABLE patient (id INTEGER PRIMARY KEY, account_no TEXT UNIQUE, last_name TEXT, "
        "first_name TEXT, dob TEXT, address1 TEXT, notes TEXT)"
    )
    conn.execute("CREATE INDEX ix_patient_name ON patient (last_name, first_name)")
    t = time.perf_counter()
    for i in range(0, ROWS, BATCH):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO patient (account_no, last_name, first_name, dob, address1, notes) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows[i : i + BATCH],
        )
        conn.execute("COMMIT")
    insert_s = time.perf_counter() - t
    rng = random.Random(11)
    wanted = [f"{100000 + rng.randrange(ROWS)}" for _ in range(LOOKUPS // 2)] + [
        f"Last{rng.randrange(20000):05d}" for _ in range(LOOKUPS // 2)
    ]
    t = time.perf_counter()
    found = 0
    for i, w in enumerate(wanted):
        if i < LOOKUPS // 2:
            found += len(
                conn.execute("SELECT * FROM patient WHERE account_no = ?", (w,)).fetchall()
            )
        else:
            found += len(
                conn.execute(
                    "SELECT id, first_name FROM patient WHERE last_name = ? ORDER BY first_name",
                    (w,),
                ).fetchall()
            )
    lookup_s = time.perf_counter() - t
    assert found >= LOOKUPS // 2
    conn.close()
    return insert_s, lookup_s


def bench_open(work: Path) -> None:
    src = office_store(300, 1)
    src.close()
    path = work / "office.medbill"
    shutil.copy(src.path, path)
    size_mb = path.stat().st_size / 1e6

    def floor() -> None:
        c = sqlcipher3.connect(str(path))
        c.execute(f'PRAGMA key = "{key_pragma(BENCH_KEY)}"')
        c.execute("SELECT count(*) FROM sqlite_master").fetchone()
        c.close()

    def ours(check: bool) -> None:
        st = open_store(path, BENCH_KEY, check=check)
        with st.read_session() as s:
            s.connection().exec_driver_sql("SELECT count(*) FROM patient").scalar()
        st.close()

    ours(True)  # warm the file cache
    print(f"store: {size_mb:.1f} MB (300 patients, a year of visits)")
    f = summary("  bare driver: key + first read", timings(floor, 30))
    o = summary("  open_store, no page check", timings(lambda: ours(False), 30))
    c = summary("  open_store with page check (start-up)", timings(lambda: ours(True), 30))
    st = open_store(path, BENCH_KEY, check=False)
    chk = summary("  cipher_integrity_check alone", timings(lambda: check_integrity(st), 10))
    st.close()
    print(
        f"  open at start-up: {c['median_ms']:.1f} ms (goal < 50 ms) "
        f"{'OK' if c['median_ms'] < 50 else 'OVER'}; "
        f"without the page check {o['median_ms']:.1f} ms; floor {f['median_ms']:.1f} ms; "
        f"page check {chk['median_ms'] / size_mb:.1f} ms per MB"
    )


def bench_cipher_vs_plain(work: Path) -> None:
    rows = _rows()
    results: dict[str, list[tuple[float, float]]] = {"sqlcipher": [], "sqlite": []}
    for _ in range(RUNS):
        results["sqlite"].append(_workload(work / "plain.db", None, rows))
        results["sqlcipher"].append(_workload(work / "cipher.db", BENCH_KEY, rows))
    med = {
        k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
        for k, v in results.items()
    }
    print(
        f"workload: insert {ROWS:,} rows ({BATCH:,} per transaction), {LOOKUPS:,} indexed lookups"
    )
    for name in ("sqlite", "sqlcipher"):
        ins, look = med[name]
        print(
            f"  {name:9s}: insert {ins * 1000:7.0f} ms, lookups {look * 1000:6.0f} ms, total {(ins + look) * 1000:7.0f} ms"
        )
    ratio_ins = med["sqlcipher"][0] / med["sqlite"][0]
    ratio_look = med["sqlcipher"][1] / med["sqlite"][1]
    ratio = sum(med["sqlcipher"]) / sum(med["sqlite"])
    print(
        f"  ratio sqlcipher/sqlite: insert {ratio_ins:.2f}x, lookups {ratio_look:.2f}x, "
        f"whole workload {ratio:.2f}x (goal within 1.2x) {'OK' if ratio <= 1.2 else 'OVER'}"
    )


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="medbill-bench-store-"))
    try:
        bench_open(work)
        bench_cipher_vs_plain(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
