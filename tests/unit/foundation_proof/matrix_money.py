"""Role matrix rows for the money area: patient payments and the patient
ledger, payers' checks and EOBs, moving and writing off balances, refunds,
statements, the aging and collections, and the office's own bills."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy.orm import Session

from app.models.insurance import Policy
from app.models.ledger import AdjustmentType, Party, PaymentMethod, PaymentSource
from app.models.patient import Patient
from app.models.payables import ExpenseCategory
from app.services import aging, ledger, payables, payments, posting, statements
from app.services.auth import Permission
from app.services.ledger import Allocation, Move, Resp
from app.services.posting import EobLine
from tests import factories
from tests import factories_money as fm
from tests.unit.foundation_proof.matrix import Env, ServiceCall, patient_payment

TODAY = date.today()


def D(text: str) -> Decimal:
    return Decimal(text)


# ---------------------------------------------------------------- patients' money


def _self_pay_visit(s: Session, e: Env) -> SimpleNamespace:
    """A coded visit today; its 115.00 is the patient's to pay."""
    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    v = fm.visit(s, pat, e.provider_id, TODAY, [("99213", "115.00")])
    return SimpleNamespace(encounter_id=v.encounter_id, line_id=v.line_ids[0])


def _patient_credit(s: Session, e: Env) -> SimpleNamespace:
    """A self-pay visit owing and an unapplied 20.00 from the patient."""
    made = _self_pay_visit(s, e)
    made.payment_id = patient_payment(s, e)
    return made


def _insured_line(s: Session, e: Env) -> SimpleNamespace:
    """A policy on file and a visit whose charge is still the patient's."""
    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    pol = factories.policy(s, pat, factories.payer(s))
    v = fm.visit(s, pat, e.provider_id, TODAY, [("99213", "115.00")])
    return SimpleNamespace(line_id=v.line_ids[0], policy_id=pol.id, payer_id=pol.payer_id)


# ---------------------------------------------------------------- payers' money


def _claim(
    s: Session, e: Env, charge: str = "200.00", pol: Policy | None = None
) -> SimpleNamespace:
    """An insured visit billed on a printed claim (the charge is the payer's)."""
    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    pol = pol or factories.policy(s, pat, factories.payer(s))
    v = fm.visit(s, pat, e.provider_id, TODAY, [("99214", charge)], pol)
    c = fm.claim(s, v, pol)
    resp = Resp(Party.INSURANCE, pol.id, pol.payer_id)
    return SimpleNamespace(
        line_id=v.line_ids[0], claim_id=c.id, policy=pol, payer_id=pol.payer_id, resp=resp
    )


def _check(s: Session, e: Env, payer_id: int, amount: str, ref: str = "CHK1001") -> int:
    return fm.payer_check(s, e.manager, payer_id, amount, ref=ref, received=TODAY)


def _claim_and_check(s: Session, e: Env) -> SimpleNamespace:
    made = _claim(s, e)
    made.payment_id = _check(s, e, made.payer_id, "120.00")
    return made


def _eob(made: SimpleNamespace, paid: str = "120.00", contractual: str = "50.00") -> list[EobLine]:
    """The EOB's line: paid, the contractual adjustment, and the rest coinsurance."""
    rest = D("200.00") - D(paid) - D(contractual)
    return [
        EobLine(
            made.line_id,
            paid=D(paid),
            allowed=D("150.00"),
            coinsurance=max(rest, D("0.00")),
            contractual=D(contractual),
        )
    ]


def _posted_eob(s: Session, e: Env) -> SimpleNamespace:
    made = _claim_and_check(s, e)
    made.txn = posting.post_eob(s, e.manager, made.payment_id, made.claim_id, _eob(made)).txn
    return made


def _payer_credit(s: Session, e: Env) -> SimpleNamespace:
    """The payer overpaid one claim by 10.00 (its credit on the account), and
    a second claim to the same payer is still owed."""
    first = _claim(s, e)
    chk = _check(s, e, first.payer_id, "160.00")
    posting.post_eob(
        s,
        e.manager,
        chk,
        first.claim_id,
        [EobLine(first.line_id, paid=D("160.00"), contractual=D("50.00"))],
    )
    second = _claim(s, e, "115.00", first.policy)
    return SimpleNamespace(
        payment_id=chk, owing_line=second.line_id, payer_id=first.payer_id, next_check=None
    )


def _payer_credit_and_next_check(s: Session, e: Env) -> SimpleNamespace:
    made = _payer_credit(s, e)
    made.next_check = _check(s, e, made.payer_id, "50.00", ref="CHK1002")
    return made


def _moved_to_patient(s: Session, e: Env) -> str:
    """A posting to reverse: 15.00 of a claim's line moved to the patient."""
    made = _claim(s, e)
    moved = ledger.transfer(
        s, e.manager, [Move(made.line_id, made.resp, ledger.PATIENT, D("15.00"))], on=TODAY
    )
    return moved[0].txn


def _written_off(s: Session, e: Env) -> str:
    """A posting to reverse: the office manager's courtesy write-off."""
    _self_pay_visit(s, e)
    done = ledger.write_off(
        s, e.manager, e.patient_id, D("15.00"), AdjustmentType.COURTESY, on=TODAY
    )
    return done[0].txn


def _refunded(s: Session, e: Env) -> str:
    """A posting to reverse: 20.00 of the patient's credit refunded."""
    patient_payment(s, e)
    return ledger.refund(
        s,
        e.manager,
        e.patient_id,
        D("20.00"),
        to=PaymentSource.PATIENT,
        method=PaymentMethod.CHECK,
        reference="1001",
        on=TODAY,
        reason="paid twice",
    ).txn


# ---------------------------------------------------------------- statements


def _statement_run(s: Session, e: Env) -> int:
    _self_pay_visit(s, e)
    docs = statements.statement_docs(s, [e.patient_id], TODAY)
    return statements.record_statements(s, e.manager, docs, TODAY).id


def _in_collections(s: Session, e: Env) -> None:
    """A self-pay visit 100 days ago, still owed after a statement: the
    account belongs on the collections list."""
    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    fm.visit(s, pat, e.provider_id, TODAY - timedelta(days=100), [("99214", "165.00")])
    docs = statements.statement_docs(s, [e.patient_id], TODAY - timedelta(days=60))
    statements.record_statements(s, e.manager, docs, TODAY - timedelta(days=60))


# ---------------------------------------------------------------- the office's bills


def _vendor(s: Session, e: Env) -> int:
    return payables.add_vendor(
        s,
        e.manager,
        payables.VendorInput("Prairie Medical Supply", default_category=ExpenseCategory.SUPPLIES),
    )


def _bill(s: Session, e: Env) -> int:
    return payables.add_bill(
        s,
        e.manager,
        payables.BillInput(
            _vendor(s, e),
            "INV-4471",
            TODAY - timedelta(days=10),
            TODAY + timedelta(days=20),
            D("300.00"),
            ExpenseCategory.SUPPLIES,
        ),
    )


def _paid_bill(s: Session, e: Env) -> int:
    bid = _bill(s, e)
    payables.pay_bill(
        s,
        e.manager,
        bid,
        amount=D("120.00"),
        paid_date=TODAY,
        method=PaymentMethod.CHECK,
        check_no="2201",
    )
    return bid


def _recurring(s: Session, e: Env, *, stopped: bool = False) -> int:
    """Rent, billed monthly from the first of last month (so one is due)."""
    vid = payables.add_vendor(s, e.manager, payables.VendorInput("Oak Street Realty"))
    first = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    rid = payables.add_recurring(
        s, e.manager, payables.RecurringInput(vid, D("1800.00"), ExpenseCategory.RENT, first)
    )
    if stopped:
        payables.stop_recurring(s, e.manager, rid)
    return rid


ROWS: list[ServiceCall] = [
    # a patient's money
    ServiceCall(
        "ledger.record_patient_payment",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: ledger.record_patient_payment(
            s,
            a,
            patient_id=e.patient_id,
            amount=D("20.00"),
            method=PaymentMethod.CASH,
            received=TODAY,
        ),
    ),
    ServiceCall(
        "payments.take_patient_payment",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.take_patient_payment(
            s,
            a,
            patient_id=e.patient_id,
            amount=D("40.00"),
            method=PaymentMethod.CHECK,
            reference="1042",
            received=TODAY,
        ),
        prepare=_self_pay_visit,
    ),
    ServiceCall(
        "ledger.apply_credit",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: ledger.apply_credit(
            s, a, e.made.payment_id, [Allocation(e.made.line_id, D("20.00"))], on=TODAY
        ),
        prepare=_patient_credit,
        case="patient",
    ),
    ServiceCall(
        "payments.apply_account_credit",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.apply_account_credit(s, a, e.patient_id, on=TODAY),
        prepare=_patient_credit,
    ),
    ServiceCall(
        # Cash taken by the office manager: voiding someone else's cash is
        # the manager's (the taker may void their own the same day).
        "payments.void_payment",
        (Permission.PAYMENT_PATIENT, Permission.WRITE_OFF),
        lambda s, a, e: payments.void_payment(s, a, e.made, on=TODAY, reason="keyed twice"),
        prepare=patient_payment,
        case="patient",
    ),
    ServiceCall(
        "payments.account",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.account(s, a, e.patient_id),
        prepare=_patient_credit,
    ),
    ServiceCall(
        "payments.patient_payments",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.patient_payments(s, a, e.patient_id),
        prepare=_patient_credit,
    ),
    ServiceCall(
        "payments.find_patients",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.find_patients(s, a, "smith"),
    ),
    ServiceCall(
        "payments.line_parties",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.line_parties(s, a, e.patient_id),
        prepare=_insured_line,
    ),
    ServiceCall(
        "payments.patient_ledger",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.patient_ledger(s, a, e.patient_id),
        prepare=_patient_credit,
    ),
    ServiceCall(
        "payments.ledger_printed",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.ledger_printed(s, a, e.patient_id),
        prepare=_patient_credit,
    ),
    ServiceCall(
        "payments.ledger_pdf",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.ledger_pdf(s, a, e.patient_id, e.folder / "ledger.pdf"),
        prepare=_patient_credit,
    ),
    ServiceCall(
        "payments.print_patient_ledger",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.print_patient_ledger(s, a, e.patient_id, e.folder / "ledger.pdf"),
        prepare=_patient_credit,
    ),
    ServiceCall(
        "payments.record_saved_copy",
        Permission.EXPORT,
        lambda s, a, e: payments.record_saved_copy(
            s, a, "patient ledger", e.patient_id, "ledger.pdf"
        ),
    ),
    ServiceCall(
        "ledger.refund",
        Permission.REFUND,
        lambda s, a, e: ledger.refund(
            s,
            a,
            e.patient_id,
            D("20.00"),
            to=PaymentSource.PATIENT,
            method=PaymentMethod.CASH,
            on=TODAY,
            reason="paid twice",
        ),
        prepare=patient_payment,
    ),
    ServiceCall(
        "ledger.write_off",
        Permission.WRITE_OFF,
        lambda s, a, e: ledger.write_off(
            s, a, e.patient_id, D("15.00"), AdjustmentType.SMALL_BALANCE, on=TODAY
        ),
        prepare=_self_pay_visit,
    ),
    # moving a balance between parties
    ServiceCall(
        "payments.move_balance",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: payments.move_balance(
            s,
            a,
            e.made.line_id,
            ledger.PATIENT,
            Resp(Party.INSURANCE, e.made.policy_id, e.made.payer_id),
            D("10.00"),
            on=TODAY,
            reason="payer to be billed",
        ),
        prepare=_insured_line,
    ),
    ServiceCall(
        "ledger.transfer",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: ledger.transfer(
            s, a, [Move(e.made.line_id, e.made.resp, ledger.PATIENT, D("15.00"))], on=TODAY
        ),
        prepare=_claim,
    ),
    ServiceCall(
        "ledger.reverse_txn",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: ledger.reverse_txn(s, a, e.made, on=TODAY, memo="moved by mistake"),
        prepare=_moved_to_patient,
    ),
    ServiceCall(
        "ledger.reverse_txn",
        (Permission.PAYMENT_INSURANCE, Permission.WRITE_OFF),
        lambda s, a, e: ledger.reverse_txn(s, a, e.made, on=TODAY, memo="written off wrongly"),
        prepare=_written_off,
        case="write-off",
    ),
    ServiceCall(
        "ledger.reverse_txn",
        (Permission.PAYMENT_INSURANCE, Permission.REFUND),
        lambda s, a, e: ledger.reverse_txn(s, a, e.made, on=TODAY, memo="check never sent"),
        prepare=_refunded,
        case="refund",
    ),
    # payers' checks and EOBs
    ServiceCall(
        "posting.record_payer_payment",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.record_payer_payment(
            s,
            a,
            payer_id=e.made,
            amount=D("120.00"),
            method=PaymentMethod.CHECK,
            reference="CHK2001",
            received=TODAY,
        ),
        prepare=lambda s, e: factories.payer(s).id,
    ),
    ServiceCall(
        "posting.payer_payments",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.payer_payments(s, a, open_only=True),
        prepare=_claim_and_check,
    ),
    ServiceCall(
        "posting.find_claims",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.find_claims(s, a, "smith"),
        prepare=_claim,
    ),
    ServiceCall(
        "posting.claim_for_posting",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.claim_for_posting(s, a, e.made.claim_id),
        prepare=_claim,
    ),
    ServiceCall(
        "posting.preview_eob",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.preview_eob(s, a, e.made.payment_id, e.made.claim_id, _eob(e.made)),
        prepare=_claim_and_check,
    ),
    ServiceCall(
        "posting.post_eob",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.post_eob(s, a, e.made.payment_id, e.made.claim_id, _eob(e.made)),
        prepare=_claim_and_check,
    ),
    ServiceCall(
        "posting.claim_postings",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.claim_postings(s, a, e.made.claim_id),
        prepare=_posted_eob,
    ),
    ServiceCall(
        "posting.reverse_eob",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: posting.reverse_eob(s, a, e.made.txn, on=TODAY, memo="wrong claim"),
        prepare=_posted_eob,
    ),
    ServiceCall(
        "payments.void_payment",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: payments.void_payment(
            s, a, e.made.payment_id, on=TODAY, reason="check returned by the bank"
        ),
        prepare=_posted_eob,
        case="payer",
    ),
    ServiceCall(
        "ledger.apply_credit",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: ledger.apply_credit(
            s, a, e.made.payment_id, [Allocation(e.made.owing_line, D("10.00"))], on=TODAY
        ),
        prepare=_payer_credit,
        case="payer",
    ),
    ServiceCall(
        # Kept out of the payer's next check: a refund of the payer's credit.
        "posting.recoup_credit",
        (Permission.PAYMENT_INSURANCE, Permission.REFUND),
        lambda s, a, e: posting.recoup_credit(
            s, a, e.made.next_check, e.patient_id, D("10.00"), on=TODAY
        ),
        prepare=_payer_credit_and_next_check,
    ),
    # statements
    ServiceCall(
        "statements.candidates",
        Permission.STATEMENTS,
        lambda s, a, e: statements.candidates(s, a),
        prepare=_self_pay_visit,
    ),
    ServiceCall(
        "statements.make_pdf",
        Permission.STATEMENTS,
        lambda s, a, e: statements.make_pdf(
            s, a, [e.patient_id], TODAY, e.folder / "statements.pdf"
        ),
        prepare=_self_pay_visit,
    ),
    ServiceCall(
        "statements.record_statements",
        Permission.STATEMENTS,
        lambda s, a, e: statements.record_statements(
            s, a, statements.statement_docs(s, [e.patient_id], TODAY), TODAY
        ),
        prepare=_self_pay_visit,
    ),
    ServiceCall(
        "statements.statement_pdf",
        Permission.STATEMENTS,
        lambda s, a, e: statements.statement_pdf(
            s, a, e.patient_id, TODAY, e.folder / "statement.pdf"
        ),
        prepare=_self_pay_visit,
    ),
    ServiceCall(
        "statements.print_statement",
        Permission.STATEMENTS,
        lambda s, a, e: statements.print_statement(
            s, a, e.patient_id, TODAY, e.folder / "statement.pdf"
        ),
        prepare=_self_pay_visit,
    ),
    ServiceCall(
        "statements.sent",
        Permission.STATEMENTS,
        lambda s, a, e: statements.sent(s, a, guarantor_id=e.patient_id),
        prepare=_statement_run,
    ),
    ServiceCall(
        "statements.run_reprinted",
        Permission.STATEMENTS,
        lambda s, a, e: statements.run_reprinted(s, a, e.made),
        prepare=_statement_run,
    ),
    # accounts receivable
    ServiceCall(
        "aging.aging",
        Permission.AR_VIEW,
        lambda s, a, e: aging.aging(s, a, TODAY),
        prepare=_claim,
    ),
    ServiceCall(
        "aging.collections",
        Permission.AR_VIEW,
        lambda s, a, e: aging.collections(s, a, TODAY),
        prepare=_in_collections,
    ),
    ServiceCall(
        "aging.export_aging_csv",
        (Permission.EXPORT, Permission.AR_VIEW),
        lambda s, a, e: aging.export_aging_csv(
            s, a, TODAY, aging.Basis.SERVICE, e.folder / "aging.csv"
        ),
        prepare=_claim,
    ),
    ServiceCall(
        "aging.export_collections_csv",
        (Permission.EXPORT, Permission.AR_VIEW),
        lambda s, a, e: aging.export_collections_csv(s, a, TODAY, e.folder / "collections.csv"),
        prepare=_in_collections,
    ),
    # the office's own bills
    ServiceCall(
        "payables.add_vendor",
        Permission.PAYABLES,
        lambda s, a, e: payables.add_vendor(
            s, a, payables.VendorInput("Prairie Medical Supply", city="Springfield", state="IL")
        ),
    ),
    ServiceCall(
        "payables.update_vendor",
        Permission.PAYABLES,
        lambda s, a, e: payables.update_vendor(
            s, a, e.made, payables.VendorInput("Prairie Medical Supply Co", phone="217-555-0160")
        ),
        prepare=_vendor,
    ),
    ServiceCall(
        "payables.vendors",
        Permission.PAYABLES,
        lambda s, a, e: payables.vendors(s, a),
        prepare=_bill,
    ),
    ServiceCall(
        "payables.add_bill",
        Permission.PAYABLES,
        lambda s, a, e: payables.add_bill(
            s,
            a,
            payables.BillInput(
                e.made,
                "INV-5120",
                TODAY,
                TODAY + timedelta(days=30),
                D("84.50"),
                ExpenseCategory.SUPPLIES,
            ),
        ),
        prepare=_vendor,
    ),
    ServiceCall(
        "payables.pay_bill",
        Permission.PAYABLES,
        lambda s, a, e: payables.pay_bill(
            s,
            a,
            e.made,
            amount=D("100.00"),
            paid_date=TODAY,
            method=PaymentMethod.CHECK,
            check_no="2202",
        ),
        prepare=_bill,
    ),
    ServiceCall(
        "payables.void_bill",
        Permission.PAYABLES,
        lambda s, a, e: payables.void_bill(s, a, e.made, "entered twice"),
        prepare=_bill,
    ),
    ServiceCall(
        "payables.bills",
        Permission.PAYABLES,
        lambda s, a, e: payables.bills(s, a, TODAY),
        prepare=_bill,
    ),
    ServiceCall(
        "payables.ap_aging",
        Permission.PAYABLES,
        lambda s, a, e: payables.ap_aging(s, a, TODAY + timedelta(days=45)),
        prepare=_bill,
    ),
    ServiceCall(
        "payables.bill_payments",
        Permission.PAYABLES,
        lambda s, a, e: payables.bill_payments(s, a, e.made),
        prepare=_paid_bill,
    ),
    ServiceCall(
        "payables.paid_by_category",
        Permission.PAYABLES,
        lambda s, a, e: payables.paid_by_category(s, a, TODAY),
        prepare=_paid_bill,
    ),
    ServiceCall(
        "payables.add_recurring",
        Permission.PAYABLES,
        lambda s, a, e: payables.add_recurring(
            s, a, payables.RecurringInput(e.made, D("95.00"), ExpenseCategory.SUPPLIES, TODAY)
        ),
        prepare=_vendor,
    ),
    ServiceCall(
        "payables.recurring",
        Permission.PAYABLES,
        lambda s, a, e: payables.recurring(s, a),
        prepare=_recurring,
    ),
    ServiceCall(
        "payables.stop_recurring",
        Permission.PAYABLES,
        lambda s, a, e: payables.stop_recurring(s, a, e.made),
        prepare=_recurring,
    ),
    ServiceCall(
        "payables.restart_recurring",
        Permission.PAYABLES,
        lambda s, a, e: payables.restart_recurring(s, a, e.made, TODAY),
        prepare=lambda s, e: _recurring(s, e, stopped=True),
    ),
    ServiceCall(
        "payables.create_due_bills",
        Permission.PAYABLES,
        lambda s, a, e: payables.create_due_bills(s, a, TODAY),
        prepare=_recurring,
    ),
]
