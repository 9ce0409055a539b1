"""Property tests over random sequences of posting, reversal and transfer.

Each example gets a fresh patient (primary + secondary policy, a two-line
visit billed to both) in the test's store and runs random operations through
the services. After every operation:

- nothing is created or lost: every payment's money is on lines, held as its
  credit, or refunded, exactly; the whole ledger moved by exactly what the
  operation posted;
- every line's balance equals its charge minus what was paid and adjusted on
  it, and transfers on a line sum to zero;
- no responsible party's part of a line is below zero, and every amount held
  without a line is an explicit credit tied to a payment;
- for the forward operations, the ledger agrees with an independent model of
  who owes what (computed here from the operation, not read back).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.errors import UserFacingError, ValidationError
from app.models.insurance import Policy
from app.models.ledger import (
    AdjustmentType,
    EntryKind,
    LedgerEntry,
    Party,
    Payment,
    PaymentMethod,
    PaymentSource,
    Refund,
)
from app.models.patient import Patient
from app.money import ZERO, from_cents, sum_money
from app.services import ledger, payments, posting
from app.services.posting import EobLine
from tests import factories
from tests import factories_money as fm

ON = date(2026, 4, 6)
CHARGES = ("120.00", "40.00")

cents = st.one_of(st.integers(0, 15000), st.sampled_from([0, 1, 1000, 2000, 4000, 12000]))
op = st.one_of(
    st.tuples(st.just("eob"), st.integers(0, 1), st.integers(0, 1), cents, cents, cents),
    st.tuples(st.just("takeback"), st.integers(0, 1), st.integers(0, 1), cents),
    st.tuples(st.just("pay"), cents, st.booleans()),
    st.tuples(st.just("transfer"), st.integers(0, 1), st.integers(0, 2), st.integers(0, 2), cents),
    st.tuples(st.just("write_off"), st.integers(0, 2), cents),
    st.tuples(st.just("refund"), cents),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
)


@dataclass
class Model:
    """Who owes what on each line, and the credits, as the operations say."""

    parts: dict[tuple[int, ledger.Resp], Decimal] = field(
        default_factory=lambda: defaultdict(lambda: ZERO)
    )
    patient_credit: Decimal = ZERO
    payer_credit: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    def part(self, line: int, r: ledger.Resp) -> Decimal:
        return self.parts[(line, r)]

    def move(self, line: int, r: ledger.Resp, delta: Decimal) -> None:
        self.parts[(line, r)] += delta


def _ledger_total(s) -> Decimal:
    return sum_money(s.execute(select(func.sum(LedgerEntry.amount))).scalar())


def _check_invariants(s, pat_id: int, lines: list[int], charges: list[Decimal]) -> None:
    entries = list(s.execute(select(LedgerEntry).where(LedgerEntry.patient_id == pat_id)).scalars())
    # Lines: balance = charge - paid - adjusted; transfers net to zero.
    for lid, charge in zip(lines, charges, strict=True):
        on = [e for e in entries if e.service_line_id == lid]
        by = defaultdict(lambda: ZERO)
        for e in on:
            by[e.kind] += e.amount
        assert by[EntryKind.TRANSFER] == ZERO
        assert by[EntryKind.CHARGE] in (charge, ZERO)  # billed, or the charge reversed
        charge = by[EntryKind.CHARGE]
        paid = -(by[EntryKind.INSURANCE_PAYMENT] + by[EntryKind.PATIENT_PAYMENT])
        adjusted = -(by[EntryKind.ADJUSTMENT] + by[EntryKind.WRITE_OFF])
        assert ledger.line_balance(s, lid) == charge - paid - adjusted
        assert by[EntryKind.REFUND] == ZERO  # refunds come out of credits, not lines
        for r, v in ledger.portions(s, [lid])[lid].items():
            assert v > ZERO, (r, v)
    # Nothing held without a line except as a payment's credit, never below zero.
    lineless = [e for e in entries if e.service_line_id is None]
    assert all(e.payment_id is not None for e in lineless)
    per_payment = defaultdict(lambda: ZERO)
    for e in lineless:
        per_payment[e.payment_id] += e.amount
    assert all(v <= ZERO for v in per_payment.values()), per_payment
    # Money received is all accounted for: on lines + credit + refunded.
    for pay in s.execute(
        select(Payment).where(
            Payment.id.in_({e.payment_id for e in entries if e.payment_id is not None})
        )
    ).scalars():
        mine = [e for e in entries if e.payment_id == pay.id]
        received = -sum((e.amount for e in mine if e.kind in ledger.PAYMENT_KINDS), ZERO)
        refunded = sum((e.amount for e in mine if e.kind is EntryKind.REFUND), ZERO)
        on_lines, credit = ledger.payment_posted(s, pay.id)
        assert on_lines + credit + refunded == received
        if pay.source is PaymentSource.PATIENT:
            receipt = min(e.id for e in mine if e.service_line_id is None)
            voided = any(e.reverses_id == receipt for e in mine)
            assert received == (ZERO if voided else pay.amount)
        else:
            assert posting.check_status(s, pay.id).posted == received - sum(
                (
                    r.amount
                    for r in s.execute(
                        select(Refund).where(Refund.offset_payment_id == pay.id)
                    ).scalars()
                ),
                ZERO,
            )
    refund_rows = sum_money(
        s.execute(select(func.sum(Refund.amount)).where(Refund.patient_id == pat_id)).scalar()
    )
    refund_entries = sum(
        (e.amount for e in entries if e.kind is EntryKind.REFUND and e.reverses_id is None),
        ZERO,
    )
    assert refund_rows == refund_entries


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, min_size=1, max_size=14))
def test_random_postings_keep_the_ledger_whole(office, ops) -> None:
    store = office.store
    with store.unit_of_work() as s:
        pat = factories.patient(s, "Prop", "Erty")
        p1 = factories.payer(s, "Plan One")
        p2 = factories.payer(s, "Plan Two")
        pol1 = factories.policy(s, pat, p1, 1)
        pol2 = factories.policy(s, pat, p2, 2)
        v = fm.visit(
            s,
            pat,
            office.provider_id,
            date(2026, 3, 2),
            [("99214", CHARGES[0]), ("85025", CHARGES[1])],
            pol1,
        )
        c1 = fm.claim(s, v, pol1)
        c2 = fm.claim(s, v, pol2, rank=2, primary=c1)
        pat_id, lines = pat.id, v.line_ids
        payer_ids = (p1.id, p2.id)
        resps = [
            ledger.Resp(Party.INSURANCE, pol1.id, p1.id),
            ledger.Resp(Party.INSURANCE, pol2.id, p2.id),
            ledger.PATIENT,
        ]
        claims = (c1.id, c2.id)
    model = Model()
    for lid, ch in zip(lines, CHARGES, strict=True):
        model.move(lid, resps[0], Decimal(ch))
    with store.session() as s, s.begin():
        # The charges may be reversed too.
        txns: list[str] = [
            s.execute(
                select(LedgerEntry.txn).where(LedgerEntry.service_line_id == lines[0])
            ).scalar_one()
        ]
    refs = iter(range(1, 10_000))

    for step in ops:
        kind = step[0]
        with store.session() as s, s.begin():
            before = _ledger_total(s)
        posted_txn: str | None = None
        try:
            with store.session() as s, s.begin():
                if kind == "eob":
                    _, which, li, paid_c, contr_c, coins_c = step
                    paid, contr, coins = (
                        from_cents(paid_c),
                        from_cents(contr_c),
                        from_cents(coins_c),
                    )
                    r, nxt = resps[which], resps[which + 1]
                    lid = lines[li]
                    owed = model.part(lid, r)
                    chk = fm.payer_check(
                        s, office.biller, payer_ids[which], str(paid), ref=f"R{next(refs)}"
                    )
                    rest = owed - contr - coins
                    nothing = paid == ZERO and contr == ZERO and coins == ZERO
                    try:
                        res = posting.post_eob(
                            s,
                            office.biller,
                            chk,
                            claims[which],
                            [EobLine(lid, paid=paid, contractual=contr, coinsurance=coins)],
                        )
                    except ValidationError:
                        assert rest < ZERO or nothing
                        raise
                    assert rest >= ZERO and not nothing
                    posted_txn = res.txn
                    applied = min(paid, rest)
                    model.move(lid, r, -contr - coins - applied)
                    model.move(lid, nxt, coins)
                    model.payer_credit[payer_ids[which]] += paid - applied
                elif kind == "takeback":
                    _, which, li, amt_c = step
                    amt = from_cents(amt_c)
                    r, lid = resps[which], lines[li]
                    chk = fm.payer_check(
                        s, office.biller, payer_ids[which], "0.00", ref=f"T{next(refs)}"
                    )
                    if amt == ZERO:
                        raise ValidationError([])
                    res = posting.post_eob(
                        s, office.biller, chk, claims[which], [EobLine(lid, paid=-amt)]
                    )
                    posted_txn = res.txn
                    model.move(lid, r, amt)
                elif kind == "pay":
                    _, amt_c, leave = step
                    amt = from_cents(amt_c)
                    owing = sum((model.part(lid, ledger.PATIENT) for lid in lines), ZERO)
                    try:
                        pr = payments.take_patient_payment(
                            s,
                            office.receptionist,
                            patient_id=pat_id,
                            amount=amt,
                            method=PaymentMethod.CASH,
                            received=ON,
                            leave_credit=leave,
                        )
                    except ValidationError:
                        assert amt <= ZERO or (amt > owing and not leave)
                        raise
                    assert amt > ZERO
                    left = amt
                    for lid in lines:  # same date of service: line order
                        x = min(left, model.part(lid, ledger.PATIENT))
                        model.move(lid, ledger.PATIENT, -x)
                        left -= x
                    assert pr.credit == left
                    model.patient_credit += left
                    posted_txn = "pay"
                elif kind == "transfer":
                    _, li, a, b, amt_c = step
                    amt, lid = from_cents(amt_c), lines[li]
                    src, dst = resps[a], resps[b]
                    try:
                        ledger.transfer(s, office.biller, [ledger.Move(lid, src, dst, amt)], on=ON)
                    except ValidationError:
                        assert amt <= ZERO or src == dst or amt > model.part(lid, src)
                        raise
                    model.move(lid, src, -amt)
                    model.move(lid, dst, amt)
                    posted_txn = "transfer"
                elif kind == "write_off":  # any party's part: a payer's or the patient's
                    _, who, amt_c = step
                    amt, r = from_cents(amt_c), resps[who]
                    owing = sum((model.part(lid, r) for lid in lines), ZERO)
                    try:
                        ledger.write_off(
                            s,
                            office.manager,
                            pat_id,
                            amt,
                            AdjustmentType.SMALL_BALANCE,
                            on=ON,
                            party=r,
                        )
                    except ValidationError:
                        assert amt <= ZERO or amt > owing
                        raise
                    left = amt
                    for lid in lines:
                        x = min(left, model.part(lid, r))
                        model.move(lid, r, -x)
                        left -= x
                    posted_txn = "write_off"
                elif kind == "refund":
                    amt = from_cents(step[1])
                    try:
                        ledger.refund(
                            s,
                            office.biller,
                            pat_id,
                            amt,
                            to=PaymentSource.PATIENT,
                            method=PaymentMethod.CASH,
                            on=ON,
                        )
                    except ValidationError:
                        assert amt <= ZERO or amt > model.patient_credit
                        raise
                    model.patient_credit -= amt
                    posted_txn = "refund"
                elif kind == "reverse":
                    if not txns:
                        raise ValidationError([])
                    txn = txns[step[1] % len(txns)]
                    ledger.reverse_txn(s, office.biller, txn, on=ON, memo="property test")
                    posted_txn = "reverse"
        except UserFacingError:  # refused (the model said so above), nothing posted
            posted_txn = None
        with store.session() as s, s.begin():
            after = _ledger_total(s)
            _check_invariants(s, pat_id, lines, [Decimal(c) for c in CHARGES])
            if posted_txn is None:
                assert after == before  # a refused operation leaves nothing behind
                continue
            last_txn = s.execute(
                select(LedgerEntry.txn).order_by(LedgerEntry.id.desc()).limit(1)
            ).scalar_one()
            if kind not in ("reverse", "pay"):
                txns.append(last_txn)
            if kind == "pay":
                # Receipt and application are two postings; both may be reversed.
                pay_id = s.execute(select(func.max(Payment.id))).scalar_one()
                pay_txns = s.execute(
                    select(LedgerEntry.txn).where(LedgerEntry.payment_id == pay_id)
                ).scalars()
                txns.extend(sorted(set(pay_txns)))
            if kind == "reverse":
                # Undoing moves the ledger by exactly minus what was undone
                # (money moved to credit nets to zero); resync the model.
                rev = list(
                    s.execute(select(LedgerEntry).where(LedgerEntry.txn == last_txn)).scalars()
                )
                undone = sum((e.amount for e in rev if e.reverses_id is not None), ZERO)
                moved = sum((e.amount for e in rev if e.reverses_id is None), ZERO)
                assert moved == ZERO
                assert after - before == undone
                model.parts.clear()
                for lid in lines:
                    for r, v in ledger.portions(s, [lid])[lid].items():
                        model.move(lid, r, v)
                model.patient_credit = sum(
                    (c.amount for c in ledger.credits(s, [pat_id], Party.PATIENT)), ZERO
                )
                model.payer_credit.clear()
                for c in ledger.credits(s, [pat_id], Party.INSURANCE):
                    model.payer_credit[c.payer_id] += c.amount
                continue
            # The ledger agrees with the model.
            for lid in lines:
                got = ledger.portions(s, [lid])[lid]
                want = {r: model.part(lid, r) for r in resps if model.part(lid, r) != ZERO}
                assert got == want, (step, got, want)
            pc = sum((c.amount for c in ledger.credits(s, [pat_id], Party.PATIENT)), ZERO)
            assert pc == model.patient_credit
            for pid in payer_ids:
                got_c = sum(
                    (c.amount for c in ledger.credits(s, [pat_id], Party.INSURANCE, pid)), ZERO
                )
                assert got_c == model.payer_credit[pid]
            assert ledger.patient_balance(s, pat_id) == sum(
                model.parts.values(), ZERO
            ) - model.patient_credit - sum(model.payer_credit.values(), ZERO)
    # The patient row is still there and the whole account reconciles.
    with store.session() as s, s.begin():
        assert s.get(Patient, pat_id) is not None
        assert s.get(Policy, resps[0].policy_id) is not None
