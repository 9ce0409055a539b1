"""Claims: printing a batch of 1,000 claims data-only, and the claims list
filtered over 50,000 claims.

    .venv/bin/python -m bench claims

1. 1,000 claims of 1-12 lines (1,500-odd forms) read from the store, mapped
   and drawn into one data-only PDF (our path), against reportlab drawing
   the same characters at the same fixed positions with no claim logic (the
   floor), in the same run. Targets: under 2 s, within 5x of the floor.
2. ``claims.list_claims`` with the filters the biller uses, over a synthetic
   office with 50,000+ claims. Target: under 100 ms each.
"""

from __future__ import annotations

import io
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, insert, select

from app.demo import OfficeSize, build_office
from app.models.claims import Claim, ClaimStatus
from app.models.insurance import Payer
from app.models.practice import Provider
from app.models.staff import User
from app.reports.cms1500 import field_map
from app.reports.cms1500.data_only import ClaimPdf
from app.reports.cms1500.grid import cells, col_x, compose_lines, line_y
from app.services import claim_print, claims
from app.services.auth import actor_for
from app.store.engine import open_store
from app.store.keys import new_key
from bench.common import office_store, summary, timings

BATCH = 1000
LIST_CLAIMS = 50_000


def _batch_store(tmp: Path):  # type: ignore[no-untyped-def]
    """A small office plus 1,000 ready claims of 1-12 lines each."""
    st = open_store(tmp / "batch.medbill", new_key(), create=True)
    rng = random.Random(7)
    with st.unit_of_work() as s:
        build_office(s, OfficeSize(patients=300, years=1, visits_per_year=600))
        template = s.execute(select(Claim).order_by(Claim.id).limit(1)).scalar_one().snapshot
        base = s.execute(select(func.max(Claim.id))).scalar_one()
        enc_id, pat_id, pol_id, payer_id, prov_id = s.execute(
            select(
                Claim.encounter_id,
                Claim.patient_id,
                Claim.policy_id,
                Claim.payer_id,
                Claim.provider_id,
            ).limit(1)
        ).one()
        line = template["lines"][0]
        rows = []
        for i in range(1, BATCH + 1):
            n = rng.randint(1, 12)
            snap = dict(template)
            snap["claim_no"] = f"26{base + i:07d}"
            snap["diagnoses"] = ["E11.9", "I10", "E78.5", "Z23", "J02.9", "R05.9"][
                : rng.randint(1, 6)
            ]
            snap["lines"] = [
                {
                    **line,
                    "line_no": k,
                    "code": rng.choice(["99213", "36415", "85025", "93000"]),
                    "pointers": "AB"[: rng.randint(1, 2)],
                    "modifiers": ["25"] if k == 1 else [],
                }
                for k in range(1, n + 1)
            ]
            rows.append(
                dict(
                    id=base + i,
                    claim_no=snap["claim_no"],
                    encounter_id=enc_id,
                    patient_id=pat_id,
                    policy_id=pol_id,
                    payer_id=payer_id,
                    provider_id=prov_id,
                    date_of_service=date.today(),
                    rank=1,
                    frequency="1",
                    original_claim_id=None,
                    primary_claim_id=None,
                    payer_claim_ref="",
                    status=ClaimStatus.READY,
                    total_charge=Decimal("100.00"),
                    amount_paid=Decimal("0.00"),
                    snapshot=snap,
                    created_at=datetime.now(UTC),
                    created_by=None,
                )
            )
        s.execute(insert(Claim), rows)
        user = s.execute(select(User).where(User.username == "biller")).scalar_one()
        return st, actor_for(user), [r["id"] for r in rows]


def bench_batch() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as d:
        st, actor, ids = _batch_store(Path(d))
        # The floor's input: the same characters at the same places, precomputed.
        with st.read_session() as s, s.begin():
            snaps = [
                c.snapshot for c in s.execute(select(Claim).where(Claim.id.in_(ids))).scalars()
            ]
        pages = [compose_lines(cells(f)) for snap in snaps for f in field_map(snap)]
        chars = sum(len(t.replace(" ", "")) for p in pages for t in p.values())

        def ours() -> None:
            out = io.BytesIO()
            pdf = ClaimPdf(out)
            with st.read_session() as s, s.begin():
                done = claim_print.render_claims(s, actor, ids, pdf)
            pdf.close()
            assert len(done) == BATCH and pdf.pages == len(pages)

        def floor() -> None:
            c = Canvas(io.BytesIO(), pagesize=(612, 792), pageCompression=1, invariant=1)
            x = col_x(1)
            for page in pages:
                t = c.beginText()
                t.setFont("Courier", 12)
                for line, text in page.items():
                    t.setTextOrigin(x, 792 - line_y(line))
                    t.textOut(text)
                c.drawText(t)
                c.showPage()
            c.save()

        ours()  # warm caches (fonts, statement cache)
        t_ours = timings(ours, 5)
        t_floor = timings(floor, 5)
        st.close()
    med_ours = statistics.median(t_ours)
    med_floor = statistics.median(t_floor)
    print(f"batch: {BATCH} claims, {len(pages)} forms, {chars:,} characters")
    summary("  our path (store -> field map -> grid -> PDF)", t_ours)
    summary("  floor (reportlab, same characters, fixed places)", t_floor)
    print(f"  ratio ours/floor: {med_ours / med_floor:.2f}x (target < 5x; total < 2 s)")
    return {"ours_s": med_ours, "floor_s": med_floor}


def bench_list() -> None:
    st = office_store(patients=10_000, years=8)
    with st.read_session() as s, s.begin():
        n = s.execute(select(func.count()).select_from(Claim)).scalar_one()
        user = s.execute(select(User).where(User.username == "biller")).scalar_one()
        actor = actor_for(user)
        payer_id = s.execute(select(Payer.id).order_by(Payer.id).limit(1)).scalar_one()
        prov_id = s.execute(select(Provider.id).order_by(Provider.id.desc()).limit(1)).scalar_one()
    assert n >= LIST_CLAIMS, n
    today = date.today()
    F = claims.ClaimFilter
    cases = {
        "open claims (the default view)": F(statuses=claims.OPEN_STATUSES),
        "everything": F(),
        "denied": F(statuses=(ClaimStatus.DENIED,)),
        "one payer, last 90 days": F(payer_id=payer_id, dos_from=today - timedelta(days=90)),
        "one provider": F(provider_id=prov_id),
        "age 61-90": F(min_age_days=61, max_age_days=90),
        "patient name 'smi'": F(text="smi"),
        "patient name 's' (many patients)": F(text="s"),
        "claim number": F(text="25000"),
    }
    print(f"list: {n:,} claims")
    worst = 0.0
    for label, f in cases.items():

        def run(f=f) -> None:
            with st.read_session() as s, s.begin():
                claims.list_claims(s, actor, f, today=today)

        run()
        res = summary(f"  {label}", timings(run, 20))
        worst = max(worst, res["median_ms"])
    print(f"  slowest median {worst:.1f} ms (target < 100 ms)")
    st.close()


def main() -> None:
    t = time.perf_counter()
    bench_batch()
    bench_list()
    print(f"(bench took {time.perf_counter() - t:.0f} s)")
