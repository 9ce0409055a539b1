"""Payments work area: insurance EOBs, patient payments, refunds, statements,
aging, collections, a patient's ledger, the day sheet (for the front desk and
the biller; the office manager has it under Reports), and (office manager)
the office's own bills. The page opens "payment", "ledger" (a patient's), "statement" and "bill"
records."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.models.ledger import Payment, PaymentSource
from app.services.auth import Permission
from app.ui import ops
from app.ui.context import UiContext


class PaymentsPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("paymentsTabs")
        lay.addWidget(self.tabs)
        self.eob = self.patient = self.refunds = self.statements = None
        self.aging = self.collections = self.ledger = self.payables = None
        self.day_sheet = None
        can = ctx.can
        if can(Permission.PAYMENT_INSURANCE):
            from app.ui.payments.eob import EobPage

            self.eob = EobPage(ctx)
            self.tabs.addTab(self.eob, "Insurance &EOB")
        if can(Permission.PAYMENT_PATIENT):
            from app.ui.payments.patient_payment import PatientPaymentPage

            self.patient = PatientPaymentPage(ctx)
            self.tabs.addTab(self.patient, "Patient pa&yment")
        if can(Permission.REFUND):
            from app.ui.payments.refunds_page import RefundsPage

            self.refunds = RefundsPage(ctx)
            self.tabs.addTab(self.refunds, "Re&funds")
        if can(Permission.STATEMENTS):
            from app.ui.payments.statements_page import StatementsPage

            self.statements = StatementsPage(ctx)
            self.tabs.addTab(self.statements, "S&tatements")
        if can(Permission.AR_VIEW):
            from app.ui.payments.ar_pages import AgingPage, CollectionsPage

            self.aging = AgingPage(ctx)
            self.collections = CollectionsPage(ctx)
            self.tabs.addTab(self.aging, "A&ging")
            self.tabs.addTab(self.collections, "Co&llections")
        if can(Permission.PAYMENT_PATIENT):
            from app.ui.payments.ar_pages import LedgerPage

            self.ledger = LedgerPage(ctx)
            self.tabs.addTab(self.ledger, "Patient le&dger")
            for src in (self.aging, self.collections):
                if src is not None:
                    src.open_patient.connect(self.show_ledger)
        if can(Permission.PAYMENT_PATIENT) and not can(Permission.REPORTS):
            # Whoever takes patient payments balances the cash drawer with the
            # day sheet; the office manager has it in the Reports area.
            from app.ui.reports.day_sheet_view import DaySheetView

            self.day_sheet = DaySheetView(ctx)
            self.tabs.addTab(self.day_sheet, "Day s&heet")
        if can(Permission.PAYABLES):
            from app.ui.payments.payables_page import PayablesPage

            self.payables = PayablesPage(ctx)
            self.tabs.addTab(self.payables, "Office &bills")

    def show_ledger(self, patient_id: int) -> None:
        if self.ledger is not None:
            self.tabs.setCurrentWidget(self.ledger)
            self.ledger.load(patient_id)

    def open_record(self, kind: str, record_id: object) -> bool:
        """Show a payment, a patient's ledger (by the patient's id), a
        statement or a bill."""
        if not isinstance(record_id, int):
            return False
        if kind == "payment":
            got = ops.query(self, self.ctx, lambda s, a: _payment_facts(s, record_id))
            if isinstance(got, ops.Failed) or got is None:
                return False
            source, patient_id = got
            if source is PaymentSource.PAYER and self.eob is not None:
                self.tabs.setCurrentWidget(self.eob)
                return self.eob.open_payment(record_id)
            if source is PaymentSource.PATIENT and self.patient is not None and patient_id:
                self.tabs.setCurrentWidget(self.patient)
                return self.patient.open_payment(patient_id)
            return False
        if kind == "ledger" and self.ledger is not None:
            self.show_ledger(record_id)
            return self.ledger.patient_id == record_id
        if kind == "statement" and self.statements is not None:
            self.tabs.setCurrentWidget(self.statements)
            return self.statements.open_statement(record_id)
        if kind == "bill" and self.payables is not None:
            self.tabs.setCurrentWidget(self.payables)
            return self.payables.open_bill(record_id)
        return False


def _payment_facts(s, payment_id: int):  # type: ignore[no-untyped-def]
    p = s.get(Payment, payment_id)
    return None if p is None else (p.source, p.patient_id)


def create_page(ctx: UiContext) -> QWidget:
    return PaymentsPage(ctx)
