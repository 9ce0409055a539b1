"""Office reports on a ten-year synthetic office (5,000 patients, ~580,000
ledger entries): the totals of one month, the 12-month chart series, and the
whole month review (totals, previous month, last year, breakdowns, series).

The floor is the same SQL our path sends to the store (captured from the
path itself), replayed on a bare DB-API cursor with ``fetchall`` and nothing
else, timed in the same run. Targets: one month under 500 ms, the 12-month
series under 2 s, each within 2x of its floor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import event, func, select

from app.models.ledger import LedgerEntry
from app.models.staff import User
from app.services import month_close, month_totals
from app.services.auth import actor_for
from app.services.ledger import month_key
from app.store.engine import Store
from bench.common import office_store, summary, timings

REPEAT = 15
TARGETS = {"month totals": 500.0, "12-month series": 2000.0}


def captured_sql(store: Store, fn: Callable[[Any], object]) -> list[tuple[str, Any]]:
    """The statements (with their DB-API parameters) that ``fn(session)`` runs."""
    seen: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        with store.read_session() as s, s.begin():
            fn(s)
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    return [(q, p) for q, p in seen if q.lstrip().upper().startswith("SELECT")]


def bare(store: Store, statements: list[tuple[str, Any]]) -> Callable[[], None]:
    raw = store.engine.raw_connection()
    cur = raw.cursor()

    def run() -> None:
        cur.execute("BEGIN")
        for q, p in statements:
            cur.execute(q, p).fetchall()
        cur.execute("COMMIT")

    return run


def measure(store: Store, label: str, fn: Callable[[Any], object]) -> dict[str, float]:
    def ours() -> None:
        with store.read_session() as s, s.begin():
            fn(s)

    ours()  # warm the page cache once for both
    floor = bare(store, captured_sql(store, fn))
    floor()
    a = summary(f"{label} (ours)", timings(ours, REPEAT))
    b = summary(f"{label} (bare SQL floor)", timings(floor, REPEAT))
    ratio = a["median_ms"] / b["median_ms"]
    target = TARGETS.get(label)
    verdict = []
    if target is not None:
        verdict.append(f"target {target:.0f} ms: {'ok' if a['median_ms'] < target else 'MISSED'}")
    verdict.append(f"2x of floor: {'ok' if ratio <= 2 else 'MISSED'}")
    print(f"{label}: ratio {ratio:.2f}x ({'; '.join(verdict)})")
    return {"ours": a["median_ms"], "floor": b["median_ms"], "ratio": ratio}


def main() -> None:
    store = office_store(5000, years=10)
    with store.read_session() as s, s.begin():
        n = s.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
        manager = actor_for(s.execute(select(User).where(User.username == "manager")).scalar_one())
    month = month_totals.shift_month(month_key(date.today()), -1)
    print(f"ten-year office: {n:,} ledger entries; month {month}")
    measure(store, "month totals", lambda s: month_totals.month_totals(s, month))
    measure(store, "12-month series", lambda s: month_totals.series(s, month))
    measure(store, "month review", lambda s: month_close.review_month(s, manager, month))
    store.close()


if __name__ == "__main__":
    main()
