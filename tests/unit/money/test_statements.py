"""Statements: content read back from the PDF, the window-envelope layout,
batch selection, notices, cancel, and the whole money cycle of one visit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pdfplumber
import pytest
from sqlalchemy import func, select

from app.models.claims import ClaimStatus
from app.models.insurance import Policy
from app.models.ledger import Party, PaymentMethod
from app.models.patient import Patient
from app.models.statements import Statement, StatementRun
from app.money import money
from app.reports import statement as report
from app.services import aging, ledger, payments, posting, settings, statements
from app.services.posting import EobLine
from tests import factories
from tests import factories_money as fm
from tests.golden_files import check_golden

ON = date(2026, 6, 1)


def _words(pdf_path, page=0):
    with pdfplumber.open(pdf_path) as pdf:
        p = pdf.pages[page]
        return p.extract_text(), p.extract_words(), len(pdf.pages)


def _inside(words, text, box):
    """``text`` is printed wholly inside ``box`` = (x, top, w, h) in points."""
    x, top, w, h = box
    inside = [
        wd["text"]
        for wd in words
        if x <= wd["x0"] and wd["x1"] <= x + w and top <= wd["top"] and wd["bottom"] <= top + h
    ]
    assert text in " ".join(inside), (text, inside)


def test_whole_cycle_of_one_visit(office, m, tmp_path) -> None:
    """Charge 200.00 -> primary allows 150.00, pays 120.00, 30.00 coinsurance ->
    transfer to the secondary, which pays 20.00 -> 10.00 to the patient ->
    the statement shows 10.00 -> the patient pays -> balance 0.00."""
    store = office.store
    with store.unit_of_work() as s:
        pat = s.get(Patient, m.patient_id)
        pol1, pol2 = s.get(Policy, m.primary_id), s.get(Policy, m.secondary_id)
        v = fm.visit(s, pat, office.provider_id, date(2026, 3, 2), [("99214", "200.00")], pol1)
        line = v.line_ids[0]
        c1 = fm.claim(s, v, pol1)
        r1 = ledger.Resp(Party.INSURANCE, pol1.id, pol1.payer_id)
        r2 = ledger.Resp(Party.INSURANCE, pol2.id, pol2.payer_id)
        assert ledger.portions(s, [line])[line] == {r1: money("200.00")}

    with store.unit_of_work() as s:
        chk = fm.payer_check(s, office.biller, m.payer1, "120.00", ref="P-1")
        posting.post_eob(
            s,
            office.biller,
            chk,
            c1.id,
            [
                EobLine(
                    line,
                    paid=money("120.00"),
                    allowed=money("150.00"),
                    coinsurance=money("30.00"),
                    contractual=money("50.00"),
                )
            ],
        )
        assert ledger.portions(s, [line])[line] == {r2: money("30.00")}
        assert ledger.line_balance(s, line) == money("30.00")
        assert ledger.payer_balance(s, m.payer1) == money("0.00")
        assert ledger.payer_balance(s, m.payer2) == money("30.00")
        assert ledger.patient_balance(s, pat.id, Party.PATIENT) == money("0.00")
        # Still with the secondary: no statement yet (its claim is waiting).
        c2 = fm.claim(s, v, pol2, rank=2, primary=c1)
        assert [c.guarantor_id for c in statements.candidates(s, office.biller)] == []

    with store.unit_of_work() as s:
        chk2 = fm.payer_check(s, office.biller, m.payer2, "20.00", ref="S-1")
        pv = posting.post_eob(
            s,
            office.biller,
            chk2,
            c2.id,
            [
                EobLine(
                    line, paid=money("20.00"), allowed=money("150.00"), coinsurance=money("10.00")
                )
            ],
        ).preview
        assert pv.next_label == "Patient" and pv.new_status is ClaimStatus.PAID
        assert ledger.portions(s, [line])[line] == {ledger.PATIENT: money("10.00")}
        assert ledger.patient_balance(s, pat.id) == money("10.00")

    with store.unit_of_work() as s:
        cands = statements.candidates(s, office.biller)
        assert [(c.guarantor_id, c.balance, c.notice_no) for c in cands] == [
            (pat.id, money("10.00"), 1)
        ]
        pdf = tmp_path / "cycle.pdf"
        docs = statements.make_pdf(s, office.biller, [pat.id], ON, pdf)
        statements.record_statements(s, office.biller, docs, ON)
    text, _, _ = _words(pdf)
    assert "Amount due $10.00" in text
    assert "200.00 140.00 50.00 0.00 10.00" in text  # charge, both payers, adjusted, paid, owe

    with store.unit_of_work() as s:
        payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=pat.id,
            amount=money("10.00"),
            method=PaymentMethod.CHECK,
            reference="311",
            received=date(2026, 6, 12),
        )
        assert ledger.line_balance(s, line) == money("0.00")
        assert ledger.portions(s, [line])[line] == {}
        assert ledger.patient_balance(s, pat.id) == money("0.00")
        assert ledger.claim_balance(s, c1.id) == money("0.00")
        assert statements.candidates(s, office.biller) == []


def _family(s, office):
    """A father (guarantor) and daughter with open balances, a credit and a
    line still pending with insurance."""
    fm.fee_items(s)
    payer = factories.payer(s, "Prairie Health Plan")
    dad = factories.patient(
        s,
        "Dorsey",
        "Paul",
        account_no="A20417",
        address1="88 Birch Road",
        city="Springfield",
        state="IL",
        zip="62704",
    )
    kid = factories.patient(
        s,
        "Dorsey",
        "Mia",
        account_no="A20418",
        guarantor_is_patient=False,
        guarantor_patient_id=dad.id,
    )
    pol = factories.policy(s, dad, payer, 1, copay=None)
    v1 = fm.visit(
        s, dad, office.provider_id, date(2026, 1, 12), [("99213", "115.00"), ("36415", "15.00")]
    )
    v2 = fm.visit(s, kid, office.provider_id, date(2026, 4, 20), [("99214", "165.00")])
    v3 = fm.visit(s, dad, office.provider_id, date(2026, 5, 18), [("85025", "28.00")], pol)
    fm.claim(s, v3, pol, status=ClaimStatus.DENIED)
    s.flush()
    return dad, kid, v1, v2, v3


def test_golden_statement_read_back_from_the_pdf(office, tmp_path) -> None:
    with office.store.unit_of_work() as s:
        dad, _kid, v1, _v2, _v3 = _family(s, office)
        settings.put(
            s, office.manager, "statement_message", "Please call 217-555-0100 about payment plans."
        )
        payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=dad.id,
            amount=money("60.00"),
            method=PaymentMethod.CASH,
            received=date(2026, 2, 3),
            lines=[ledger.Allocation(v1.line_ids[0], money("50.00"))],
            leave_credit=True,
        )
        pdf = tmp_path / "golden.pdf"
        docs = statements.make_pdf(s, office.biller, [dad.id], ON, pdf)
    # 115.00 + 15.00 + 165.00 owed, 50.00 paid on the visit, 10.00 held as credit.
    assert docs[0].amount_due == money("235.00")
    text, words, pages = _words(pdf)
    assert pages == 1
    check_golden("money/statement.txt", text + "\n")
    _inside(words, "88 BIRCH ROAD", report.ADDRESS_WINDOW)
    _inside(words, "PAUL DORSEY", report.ADDRESS_WINDOW)
    _inside(words, "SPRINGFIELD, IL 62704", report.ADDRESS_WINDOW)
    _inside(words, "Maple Street Family Medicine", report.RETURN_WINDOW)
    tear = report.PAGE_H - report.STUB_Y
    stub = [w for w in words if w["top"] > tear]
    stub_text = " ".join(w["text"] for w in stub)
    assert "REMITTANCE" in stub_text and "Amount enclosed" in stub_text
    assert "$235.00" in stub_text and "A20417" in stub_text


def test_long_statement_continues_on_more_pages(office, tmp_path) -> None:
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Long", "Account")
        for i in range(40):
            fm.visit(s, pat, office.provider_id, date(2026, 1, 1 + i % 28), [("99213", "115.00")])
        pdf = tmp_path / "long.pdf"
        statements.make_pdf(s, office.biller, [pat.id], ON, pdf)
    text, _, pages = _words(pdf)
    assert pages == 2 and "Continued on the next page." in text
    assert "Amount due $4,600.00" in text
    text2, _, _ = _words(pdf, 1)
    assert "page 2 of 2" in text2


def test_batch_picks_by_minimum_and_waiting_claims_then_says_second_notice(
    office, tmp_path
) -> None:
    with office.store.unit_of_work() as s:
        dad, kid, *_ = _family(s, office)
        small = factories.patient(s, "Small", "Balance")
        fm.visit(s, small, office.provider_id, date(2026, 5, 1), [("36415", "4.00")])
        waiting = factories.patient(s, "Waiting", "Onclaim")
        pw = factories.policy(s, waiting, factories.payer(s, "Other Plan"), 1)
        vw = fm.visit(s, waiting, office.provider_id, date(2026, 5, 1), [("99213", "115.00")])
        fm.visit(s, waiting, office.provider_id, date(2026, 5, 2), [("36415", "15.00")])
        fm.claim(s, vw, pw)  # printed: waiting on the payer
    with office.store.unit_of_work() as s:
        cands = statements.candidates(s, office.biller)
        assert [(c.name, c.balance, c.patients, c.notice_no) for c in cands] == [
            ("Paul Dorsey", money("295.00"), 2, 1)
        ]
        assert {
            c.guarantor_id for c in statements.candidates(s, office.biller, minimum=money("1.00"))
        } == {
            dad.id,
            small.id,
        }
        # Cancel half-way: no file left, nothing recorded.
        pdf = tmp_path / "batch.pdf"
        with pytest.raises(statements.Cancelled):
            statements.make_pdf(
                s, office.biller, [dad.id, small.id], ON, pdf, progress=lambda done, total: False
            )
        assert not pdf.exists()
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 0
    with office.store.unit_of_work() as s:
        docs = statements.make_pdf(s, office.biller, [c.guarantor_id for c in cands], ON, pdf)
        run = statements.record_statements(s, office.biller, docs, ON)
        assert (run.count, run.total) == (1, money("295.00"))
    with office.store.unit_of_work() as s:
        again = statements.candidates(s, office.biller)
        assert [(c.notice_no, c.last_sent) for c in again] == [(2, ON)]
        docs = statements.make_pdf(s, office.biller, [dad.id], date(2026, 7, 1), pdf)
        assert "SECOND NOTICE" in _words(pdf)[0]
        statements.record_statements(s, office.biller, docs, date(2026, 7, 1))
        assert [r.notice_no for r in statements.sent(s, office.biller, guarantor_id=dad.id)] == [
            2,
            1,
        ]
        # A payment starts the count again.
        payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=kid.id,
            amount=money("20.00"),
            method=PaymentMethod.CASH,
            received=date(2026, 7, 5),
        )
        assert statements.candidates(s, office.biller)[0].notice_no == 1
        assert s.execute(select(func.count()).select_from(StatementRun)).scalar() == 2


def test_collections_list_shows_old_balances_with_statements_sent(office, tmp_path) -> None:
    with office.store.unit_of_work() as s:
        dad, *_ = _family(s, office)
        recent = factories.patient(s, "Recent", "Visit")
        fm.visit(s, recent, office.provider_id, date(2026, 6, 1), [("99213", "115.00")])
        docs = statements.make_pdf(s, office.biller, [dad.id, recent.id], ON, tmp_path / "a.pdf")
        statements.record_statements(s, office.biller, docs, ON)
        rows = aging.collections(s, office.biller, date(2026, 6, 30))
        assert [(r.account_no, r.balance, r.over_90, r.statements_sent) for r in rows] == [
            ("A20417", money("295.00"), money("130.00"), 1)
        ]
        out = tmp_path / "collections.csv"
        assert aging.export_collections_csv(s, office.biller, date(2026, 6, 30), out) == 1
        line = out.read_text().splitlines()[1]
        assert line.startswith('A20417,"Dorsey, Paul",')
        # Amounts as plain numbers, as a spreadsheet reads them in any locale.
        assert ",295.00,130.00,1," in line
        from app.models.audit import AuditEvent

        assert (
            s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "collections_exported")
            ).scalar()
            == 1
        )


def test_statement_aging_applies_credit_to_the_oldest() -> None:
    d = date(2026, 6, 30)
    rows = [(date(2026, 1, 1), Decimal("50.00")), (date(2026, 6, 20), Decimal("30.00"))]
    assert statements._statement_aging(rows, Decimal("60.00"), d) == (
        Decimal("20.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_many_and_few_accounts_read_the_ledger_the_same_way(office, monkeypatch) -> None:
    """Above FEW_PATIENTS the open lines come from one pass over the ledger:
    the statements must be the same either way."""
    with office.store.unit_of_work() as s:
        dad, *_ = _family(s, office)
        payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=dad.id,
            amount=money("20.00"),
            method=PaymentMethod.CASH,
            received=date(2026, 2, 3),
            leave_credit=True,
            lines=[],
        )
        few = statements.statement_docs(s, [dad.id], ON)
        monkeypatch.setattr(statements, "FEW_PATIENTS", 0)
        many = statements.statement_docs(s, [dad.id], ON)
    assert few == many
    assert few[0].credit == money("20.00") and len(few[0].rows) == 4
