"""Refunds of credits, to the patient or to the payer whose credit it is."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from app.errors import Problem
from app.models.insurance import Payer
from app.models.ledger import Party, PaymentMethod, PaymentSource
from app.models.patient import Patient
from app.money import ZERO, fmt
from app.services import ledger
from app.services.auth import Actor
from app.ui import ops
from app.ui.context import UiContext
from app.ui.payments.common import (
    DateEdit,
    MoneyEdit,
    PatientFinder,
    RowsView,
    form_row,
    status,
)
from app.ui.widgets import Column, ProblemMarker


def _credits(s, actor: Actor, patient_id: int) -> list[tuple[ledger.Credit, str]]:  # type: ignore[no-untyped-def]
    names = dict(s.execute(select(Payer.id, Payer.name)).all())
    return [
        (c, "Patient" if c.party is Party.PATIENT else names.get(c.payer_id, "Payer"))
        for c in ledger.credits(s, [patient_id])
    ]


def _account(s, actor: Actor, patient_id: int) -> str:  # type: ignore[no-untyped-def]
    """Whose account is open: "Evans, Barbara (100246)"."""
    p = s.get(Patient, patient_id)
    return "" if p is None else f"{p.last_name}, {p.first_name} ({p.account_no})"


class RefundsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("refundsPage")
        self.patient_id: int | None = None
        self.account_name = ""
        lay = QVBoxLayout(self)
        self.finder = PatientFinder(ctx, "refundFinder")
        lay.addWidget(self.finder)
        # Whose money is refunded, in words: the finder keeps only what was typed.
        self.account_label = QLabel("Find the patient whose credit is refunded.")
        self.account_label.setObjectName("refundAccount")
        lay.addWidget(self.account_label)
        lay.addWidget(
            QLabel("<b>Credits on the account</b> (money received and not applied to a visit)")
        )
        self.credits = RowsView(
            "refundCredits",
            [
                Column("Received", lambda r: r[0].received),
                Column("Whose", lambda r: r[1]),
                Column("Credit", lambda r: r[0].amount, align_right=True),
            ],
        )
        self.credits.setMaximumHeight(160)
        lay.addWidget(self.credits)
        form = QFormLayout()
        self.amount = MoneyEdit("refundAmount")
        self.method = QComboBox()
        self.method.setObjectName("refundMethod")
        for m in (PaymentMethod.CHECK, PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.EFT):
            self.method.addItem(m.value.capitalize(), m)
        self.reference = QLineEdit()
        self.reference.setObjectName("refundReference")
        self.reason = QLineEdit()
        self.reason.setObjectName("refundReason")
        self.on = DateEdit("refundDate")
        errs = {k: QLabel() for k in ("amount", "reference", "payer")}
        for label, w, key in (
            ("&Amount:", self.amount, "amount"),
            ("&Method:", self.method, None),
            ("Check &number:", self.reference, "reference"),
            ("&Why:", self.reason, None),
            ("&Date:", self.on, None),
        ):
            form_row(form, label, w, errs[key] if key else None)
        lay.addLayout(form)
        self.summary = QLabel()
        lay.addWidget(self.summary)
        self.marker = ProblemMarker(
            {
                "amount": (self.amount, errs["amount"]),
                "reference": (self.reference, errs["reference"]),
                "payer": (self.credits, errs["payer"]),
            },
            self.summary,
        )
        self.save_btn = QPushButton("&Refund the selected credit")
        self.save_btn.setObjectName("refundSave")
        lay.addWidget(self.save_btn)
        self.result = QLabel("")
        self.result.setObjectName("refundResult")
        lay.addWidget(self.result)
        lay.addStretch(1)
        self.finder.picked.connect(self.load)
        self.save_btn.clicked.connect(self.save)
        self.credits.activated.connect(lambda _i: self._fill())

    def load(self, patient_id: int) -> None:
        got = ops.query(self, self.ctx, _credits, patient_id)
        who = ops.query(self, self.ctx, _account, patient_id)
        if isinstance(got, ops.Failed) or isinstance(who, ops.Failed):
            return
        self.patient_id = patient_id
        self.account_name = who
        self.account_label.setText(
            f"<b>{escape(who)}</b>: {len(got)} credit(s), "
            f"{fmt(sum((c.amount for c, _ in got), ZERO))} in all"
        )
        self.credits.set_rows(got)
        self._fill()
        if not got:
            status(self.result, "This account holds no credit.", ok=False)
        else:
            self.result.clear()

    def _fill(self) -> None:
        r = self.credits.current()
        if r is not None:
            self.amount.set_value(r[0].amount)
            self.amount.setFocus()

    def save(self) -> None:
        r = self.credits.current()
        if r is None or self.patient_id is None:
            return
        credit: ledger.Credit = r[0]
        amount = self.amount.value()
        if amount is None:
            self.marker.show([Problem("amount", "Type the amount to refund")])
            return
        to_payer = credit.party is Party.INSURANCE
        got = ops.run(
            self,
            self.ctx,
            ledger.refund,
            self.patient_id,
            amount,
            to=PaymentSource.PAYER if to_payer else PaymentSource.PATIENT,
            method=PaymentMethod(self.method.currentData()),
            on=self.on.value(),
            reference=self.reference.text(),
            reason=self.reason.text(),
            payer_id=credit.payer_id if to_payer else None,
            on_invalid=lambda exc: self.marker.show(exc.problems),
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        self.marker.clear()
        for w in (self.reference, self.reason):
            w.clear()
        self.load(self.patient_id)
        to = r[1] if to_payer else "the patient"
        status(
            self.result,
            f"Refunded {fmt(got.amount)} to {to}, from the account of {self.account_name}.",
        )
