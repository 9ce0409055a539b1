"""Coding numbers: ICD-10-CM search over every billable code, against the plain
floor (filtering the package's full code list in Python) in the same run, and
what the code sets add to program start.

Targets: search median < 3 ms and p99 < 10 ms for code-prefix and word
queries; >= 100x faster than the floor; start-up with the index built no
more than 100 ms slower than a start without code sets.

    python -m bench coding
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

from app.codes.icd10 import Icd10Index
from bench.common import OUT, summary, timings

REFERENCE = OUT / "reference"
SEED = 4
N_QUERIES = 300  # per kind, for our index
N_FLOOR = 60  # per kind, for the (slow) floor


def _package():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return simple_icd_10_cm


def queries(pkg, rng: random.Random) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Code-prefix and word queries drawn from billable codes, as people type
    them: with or without the dot, any case, 3 characters to the whole code;
    two or three words of the description, in any order, some cut short."""
    billable = [c for c in pkg.get_all_codes(True) if pkg.is_leaf(c) and not pkg.is_block(c)]
    prefix: list[str] = []
    for c in rng.sample(billable, N_QUERIES):
        cut = rng.randint(3, len(c))
        q = c[:cut]
        if rng.random() < 0.5:
            q = q.replace(".", "")
        prefix.append(q.lower() if rng.random() < 0.5 else q)
    words: list[str] = []
    for c in rng.sample(billable, N_QUERIES):
        ws = [w for w in pkg.get_description(c).lower().replace(",", " ").split() if len(w) > 2]
        picked = rng.sample(ws, min(len(ws), rng.choice((1, 2, 2, 3))))
        rng.shuffle(picked)
        words.append(" ".join(w[: rng.randint(3, len(w))] for w in picked))
    return prefix, words


def floor_search(rows: list[tuple[str, str, str]], q: str) -> list[str]:
    """Filter every code of the package in Python: a code prefix, or every
    word contained in the description."""
    t = q.strip()
    key = t.replace(".", "").upper()
    hits = [c for c, nd, _ in rows if nd.startswith(key)]
    if hits:
        return hits
    toks = t.lower().split()
    return [c for c, _, d in rows if all(w in d for w in toks)]


def start_cost(ref: Path, runs: int = 15) -> None:
    """Program start (main window module imported) with and without opening
    the index and running one search, each in a fresh interpreter."""
    base = "import time; t=time.perf_counter(); import app.ui.main_window; t1=time.perf_counter();"
    with_codes = (
        base + "from app.codes.icd10 import Icd10Index; i=Icd10Index(__import__('pathlib')"
        f".Path({str(ref)!r})); i.ensure(); i.search('e119'); i.search('diabetes type 2');"
    )
    tail = "print(time.perf_counter()-t, time.perf_counter()-t1)"
    pkg_only = "import time; t=time.perf_counter(); import simple_icd_10_cm; print(time.perf_counter()-t, 0)"

    def once(code: str) -> tuple[float, float, float]:
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        return time.perf_counter() - t, float(out[0]), float(out[1])

    # Interleaved, so both kinds of start see the same machine load.
    plain, coded = [], []
    for _ in range(runs):
        plain.append(once(base + tail))
        coded.append(once(with_codes + tail))
    w0, i0 = [r[0] for r in plain], [r[1] for r in plain]
    w1, i1, a1 = [r[0] for r in coded], [r[1] for r in coded], [r[2] for r in coded]
    ip = [once(pkg_only)[1] for _ in range(3)]
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(
        f"start without code sets: process {ms(w0):.0f} ms (imports {ms(i0):.0f} ms); "
        f"with the ICD-10-CM index opened and searched: process {ms(w1):.0f} ms "
        f"(imports {ms(i1):.0f} ms)"
    )
    best = lambda xs: min(xs) * 1000  # noqa: E731
    print(
        f"start-up cost of the code sets: {ms(a1):.1f} ms measured in-process; process to "
        f"process {ms(w1) - ms(w0):+.0f} ms by medians, {best(w1) - best(w0):+.0f} ms by "
        f"best runs ({runs} interleaved runs each); target <= 100 ms"
    )
    print(f"for comparison, importing simple_icd_10_cm itself: {ms(ip):.0f} ms")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    idx = Icd10Index(REFERENCE)
    t = time.perf_counter()
    fresh = not idx.is_current()
    idx.ensure()
    if fresh:
        print(f"built the index in {time.perf_counter() - t:.1f} s ({idx.path})")
    print(f"ICD-10-CM {idx.release}: {idx.billable_count} billable codes indexed")

    pkg = _package()
    rng = random.Random(SEED)
    prefix, words = queries(pkg, rng)
    rows = [
        (c, c.replace(".", ""), pkg.get_description(c).lower()) for c in pkg.get_all_codes(True)
    ]

    for q in prefix + words:  # warm the page cache once
        idx.search(q)
    results: dict[str, dict[str, float]] = {}
    for label, qs in (("code prefix", prefix), ("words", words)):
        ours = [t for q in qs for t in timings(lambda q=q: idx.search(q), 1)]
        s_ours = summary(f"index, {label} ({len(qs)} queries)", ours)
        floor = [t for q in qs[:N_FLOOR] for t in timings(lambda q=q: floor_search(rows, q), 1)]
        s_floor = summary(f"floor, {label} ({N_FLOOR} queries)", floor)
        ratio = s_floor["median_ms"] / s_ours["median_ms"]
        print(f"  {label}: index is {ratio:.0f}x faster than the floor (median to median)")
        results[label] = s_ours | {"ratio": ratio}
    both = [t for q in prefix + words for t in timings(lambda q=q: idx.search(q), 1)]
    summary("index, all queries", both)
    ok = all(
        r["median_ms"] < 3 and r["p99_ms"] < 10 and r["ratio"] >= 100 for r in results.values()
    )
    print("search targets met" if ok else "SEARCH TARGETS NOT MET")
    idx.close()
    start_cost(REFERENCE)
