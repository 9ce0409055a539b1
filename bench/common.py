"""Shared benchmark helpers: timing, and synthetic office stores cached on disk
(``bench/out/``) so a benchmark does not pay the generator on every run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from app.demo import OfficeSize, build_office
from app.store.engine import Store, open_store

OUT = Path(__file__).parent / "out"
# A fixed key for the cached benchmark stores (synthetic data only).
BENCH_KEY = bytes(range(32))


def office_store(patients: int, years: int = 1, visits_per_year: int = 7500) -> Store:
    """An encrypted store with a synthetic office of that size (made once, then reused)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"office-p{patients}-y{years}-v{visits_per_year}.medbill"
    if not path.exists():
        tmp = path.with_suffix(".building")
        for p in OUT.glob(tmp.name + "*"):
            p.unlink()
        st = open_store(tmp, BENCH_KEY, create=True)
        with st.unit_of_work() as s:
            build_office(
                s, OfficeSize(patients=patients, years=years, visits_per_year=visits_per_year)
            )
        # A raw connection: SQLAlchemy's connection would BEGIN first, and a
        # checkpoint inside a transaction fails with "database table is locked".
        raw = st.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        st.close()
        tmp.rename(path)
    return open_store(path, BENCH_KEY)


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def summary(label: str, secs: list[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in secs)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    med = statistics.median(ms)
    print(f"{label}: median {med:.2f} ms, p99 {p99:.2f} ms, n={len(ms)}")
    return {"median_ms": med, "p99_ms": p99}
