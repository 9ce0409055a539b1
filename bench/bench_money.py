"""Money numbers on the ten-year synthetic office (5,000 patients, ~75,000
visits, ~580,000 ledger entries):

- aging by payer and by patient (``app.services.aging.aging``) under 1 s and
  within 2x of the one SQL aggregate that computes it, timed in the same run;
- 1,000 statements in one PDF under 5 s (gathering what they show from the
  ledger and drawing them), with the plain floor of drawing the same pages.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.models.staff import Role, User
from app.reports.statement import render_statements
from app.services import aging, statements
from app.services.auth import actor_for
from bench.common import office_store, summary, timings


def main() -> None:
    t0 = time.perf_counter()
    store = office_store(5000, years=10)
    print(f"office store ready in {time.perf_counter() - t0:.1f} s")
    counts = store.table_counts()
    print(f"ledger entries: {counts['ledger_entry']:,}, service lines: {counts['service_line']:,}")
    today = date.today()
    with store.session() as s:
        biller = actor_for(
            s.execute(select(User).where(User.role == Role.BILLER)).scalars().first()
        )

    # ---- aging: our path vs the bare aggregate, alternating, same run
    def ours() -> aging.AgingReport:
        with store.session() as s, s.begin():
            rep = aging.aging(s, biller, today)
            s.rollback()  # the audit row of the view is not kept by the benchmark
            return rep

    sql, params = aging.aging_sql(today)

    def floor() -> list[tuple[object, ...]]:
        raw = store.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql, params)
            return cur.fetchall()
        finally:
            raw.close()

    ours()
    floor()  # warm the page cache
    a, b = [], []
    for _ in range(7):
        a += timings(ours, 1)
        b += timings(floor, 1)
    m_ours = summary("aging (service)", a)["median_ms"]
    m_floor = summary("aging floor: one SQL aggregate", b)["median_ms"]
    rep = ours()
    with store.session() as s:
        ledger_total = aging.ledger_total(s, today)
    print(
        f"aging total {rep.total.total:,} = ledger {ledger_total:,}: "
        f"{'OK' if rep.total.total == ledger_total else 'MISMATCH'}; "
        f"{len(rep.payers)} payers, {len(rep.patients):,} patients"
    )
    ratio = m_ours / m_floor
    print(
        f"AGING: {m_ours:.0f} ms (target < 1000 ms), floor {m_floor:.0f} ms, "
        f"ratio {ratio:.2f}x (target <= 2x)"
    )

    def billed() -> None:
        with store.session() as s, s.begin():
            aging.aging(s, biller, today, aging.Basis.BILLED)
            s.rollback()

    summary("aging (last bill date, for reference)", timings(billed, 3))

    # ---- statements: 1,000 guarantors with something on their account
    with store.session() as s:
        cands = statements.candidates(s, biller, minimum=aging.ZERO + 1)
        gids = [c.guarantor_id for c in cands][:1000]
        if len(gids) < 1000:
            from app.models.patient import Patient

            extra = s.execute(
                select(Patient.id)
                .where(Patient.guarantor_patient_id.is_(None), Patient.id.not_in(gids))
                .order_by(Patient.id)
                .limit(1000 - len(gids))
            ).scalars()
            gids += list(extra)
    print(f"statements for {len(gids)} guarantors ({len(cands)} would be in a batch today)")
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "statements.pdf"
        runs, draw_only, pages = [], [], 0
        for _ in range(3):
            t = time.perf_counter()
            with store.session() as s, s.begin():
                docs = statements.make_pdf(s, biller, gids, today, out)
            runs.append(time.perf_counter() - t)
            t = time.perf_counter()
            render_statements(docs, Path(d) / "floor.pdf")
            draw_only.append(time.perf_counter() - t)
        pages = out.read_bytes().count(b"/Type /Page\n") or out.read_bytes().count(b"/Type /Page")
        size = out.stat().st_size
    m_run = statistics.median(runs)
    m_draw = statistics.median(draw_only)
    print(
        f"STATEMENTS: {len(gids)} statements ({pages} pages, {size / 1e6:.1f} MB) in "
        f"{m_run:.2f} s (target < 5 s); drawing alone {m_draw:.2f} s, "
        f"gathering from the ledger {m_run - m_draw:.2f} s; ratio to drawing {m_run / m_draw:.2f}x"
    )
    store.close()


if __name__ == "__main__":
    main()
