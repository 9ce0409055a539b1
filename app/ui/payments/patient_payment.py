"""Patient payments at the desk, by mail or on a statement: find the account,
type the amount, see it spread oldest first (or type your own amounts per
line), and save only when it is applied exactly or the rest is left as a
credit on purpose."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.ledger import PaymentMethod
from app.money import ZERO, MoneyError, fmt, parse_money
from app.services import checkin, ledger, payments
from app.ui import ops, printing
from app.ui.context import UiContext
from app.ui.payments.common import (
    DateEdit,
    EntryGrid,
    MoneyEdit,
    PatientFinder,
    RowsView,
    form_row,
    status,
)
from app.ui.widgets import Column, ProblemMarker, shortcut

C_APPLY = 4


class PatientPaymentPage(QWidget):
    saved = Signal(object)  # PaymentResult

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("patientPaymentPage")
        self.account: payments.Account | None = None
        self.patient_id: int | None = None
        self._manual = False
        self._filling = False
        lay = QVBoxLayout(self)
        self.finder = PatientFinder(ctx, "payFinder")
        lay.addWidget(self.finder)
        self.account_label = QLabel("Find the patient whose account is paying.")
        self.account_label.setObjectName("payAccount")
        lay.addWidget(self.account_label)

        self.lines = EntryGrid(0, 5)
        self.lines.setObjectName("payLines")
        self.lines.setHorizontalHeaderLabels(["DOS", "Patient", "Code", "Owed", "Apply"])
        self.lines.verticalHeader().setVisible(False)
        self.lines.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.lines.horizontalHeader().setStretchLastSection(True)
        self.lines.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        lay.addWidget(self.lines, 1)

        form = QFormLayout()
        self.amount = MoneyEdit("payAmount")
        self.method = QComboBox()
        self.method.setObjectName("payMethod")
        for m in (PaymentMethod.CASH, PaymentMethod.CHECK, PaymentMethod.CARD, PaymentMethod.OTHER):
            self.method.addItem(m.value.capitalize(), m)
        self.reference = QLineEdit()
        self.reference.setObjectName("payReference")
        self.card = QLineEdit()
        self.card.setObjectName("payCard")
        self.card.setMaxLength(4)
        self.card.setPlaceholderText("last 4 digits only")
        self.received = DateEdit("payDate")
        self.memo = QLineEdit()
        self.memo.setObjectName("payMemo")
        self.memo.setPlaceholderText("e.g. paid on statement, at check-in")
        self.leave_credit = QCheckBox("&Leave the rest as a credit on the account")
        self.leave_credit.setObjectName("payLeaveCredit")
        self.errors: dict[str, QLabel] = {
            k: QLabel() for k in ("amount", "reference", "card_last4", "lines")
        }
        for label, w, key in (
            ("&Amount:", self.amount, "amount"),
            ("&Method:", self.method, None),
            ("Check &number:", self.reference, "reference"),
            ("Car&d last 4:", self.card, "card_last4"),
            ("&Received:", self.received, None),
            ("M&emo:", self.memo, None),
        ):
            form_row(form, label, w, self.errors[key] if key else None)
        form.addRow("", self.leave_credit)
        lay.addLayout(form)
        self.summary = QLabel()
        self.marker = ProblemMarker(
            {
                "amount": (self.amount, self.errors["amount"]),
                "reference": (self.reference, self.errors["reference"]),
                "card_last4": (self.card, self.errors["card_last4"]),
            },
            self.summary,
        )
        self.running = QLabel("")
        self.running.setObjectName("payRunning")
        f = self.running.font()
        f.setBold(True)
        self.running.setFont(f)
        lay.addWidget(self.running)
        lay.addWidget(self.summary)
        btns = QHBoxLayout()
        self.save_btn = QPushButton("&Save payment  (Enter)")
        self.save_btn.setObjectName("paySave")
        self.oldest_btn = QPushButton("Apply &oldest first")
        self.oldest_btn.setObjectName("payOldest")
        self.credit_btn = QPushButton("Apply account &credit")
        self.credit_btn.setObjectName("payApplyCredit")
        self.receipt_btn = QPushButton("Print rece&ipt")
        self.receipt_btn.setObjectName("payReceipt")
        self.save_receipt_btn = QPushButton("Save receipt...")
        self.save_receipt_btn.setObjectName("paySaveReceipt")
        btns.addWidget(self.save_btn)
        btns.addWidget(self.oldest_btn)
        btns.addWidget(self.credit_btn)
        btns.addStretch(1)
        btns.addWidget(self.receipt_btn)
        btns.addWidget(self.save_receipt_btn)
        lay.addLayout(btns)
        self.result = QLabel("")
        self.result.setObjectName("payResult")
        lay.addWidget(self.result)
        lay.addWidget(QLabel("<b>Payments on this account</b>"))
        self.history = RowsView(
            "payHistory",
            [
                Column("Received", lambda r: r.received),
                Column("From", lambda r: r.who),
                Column("Method", lambda r: r.method.value.capitalize()),
                Column("Number", lambda r: r.reference),
                Column("Amount", lambda r: r.amount, align_right=True),
                Column("On visits", lambda r: r.on_lines, align_right=True),
                Column("Credit", lambda r: r.credit, align_right=True),
            ],
        )
        self.history.setMaximumHeight(150)
        lay.addWidget(self.history)
        self.void_btn = QPushButton("&Void the selected payment (bounced check, keyed twice)...")
        self.void_btn.setObjectName("payVoid")
        lay.addWidget(self.void_btn, 0, Qt.AlignmentFlag.AlignLeft)

        self.finder.picked.connect(self.load)
        self.amount.textEdited.connect(lambda _t: self._amount_changed())
        for w in (self.amount, self.reference, self.card, self.memo):
            w.returnPressed.connect(self.save)
        self.lines.cellChanged.connect(self._apply_edited)
        self.leave_credit.toggled.connect(lambda _b: self._update_running())
        self.method.currentIndexChanged.connect(lambda _i: self._method_changed())
        self.save_btn.clicked.connect(self.save)
        self.oldest_btn.clicked.connect(self.oldest_first)
        self.credit_btn.clicked.connect(self.apply_credit)
        self.void_btn.clicked.connect(self.void)
        self.receipt_btn.clicked.connect(self.print_receipt)
        self.save_receipt_btn.clicked.connect(self.save_receipt)
        self.last_payment: int | None = None
        shortcut(self, "Escape", self.ask_clear)
        self._method_changed()
        self._update_running()

    # ---------------------------------------------------------------- account

    def load(self, patient_id: int) -> None:
        got = ops.run(self, self.ctx, payments.account, patient_id)
        if isinstance(got, ops.Failed):
            return
        self.patient_id = patient_id
        self.account = got
        hist = ops.query(self, self.ctx, payments.patient_payments, patient_id)
        if not isinstance(hist, ops.Failed):
            self.history.set_rows(hist)
        self.account_label.setText(
            f"<b>{got.name} ({got.account_no})</b>: owes {fmt(got.owed)} on {len(got.lines)} "
            f"visit line(s); unapplied credit {fmt(got.credit)}; due {fmt(got.due)}"
        )
        self._filling = True
        self.lines.setRowCount(len(got.lines))
        for i, ln in enumerate(got.lines):
            for col, text in enumerate(
                (f"{ln.dos:%m/%d/%Y}", ln.patient_name, ln.code, fmt(ln.owed), "")
            ):
                item = QTableWidgetItem(text)
                if col != C_APPLY:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.lines.setItem(i, col, item)
        self._filling = False
        self._manual = False
        self.credit_btn.setEnabled(got.credit > ZERO and got.owed > ZERO)
        self._amount_changed()
        self.amount.setFocus()

    def _method_changed(self) -> None:
        m = PaymentMethod(self.method.currentData())
        self.reference.setEnabled(m in (PaymentMethod.CHECK, PaymentMethod.OTHER))
        self.card.setEnabled(m is PaymentMethod.CARD)

    def _amount_changed(self) -> None:
        if not self._manual:
            self.oldest_first(keep_manual=False)
        self._update_running()

    def oldest_first(self, keep_manual: bool = False) -> None:
        if self.account is None:
            return
        amount = self.amount.value() or ZERO
        allocs = {
            a.service_line_id: a.amount for a in payments.oldest_first(self.account.lines, amount)
        }
        self._filling = True
        for i, ln in enumerate(self.account.lines):
            v = allocs.get(ln.service_line_id)
            self.lines.item(i, C_APPLY).setText(fmt(v) if v else "")
        self._filling = False
        self._manual = keep_manual
        self._update_running()

    def _apply_edited(self, row: int, col: int) -> None:
        if self._filling or col != C_APPLY:
            return
        self._manual = True
        self._update_running()

    def allocations(self) -> tuple[list[ledger.Allocation], list[str]]:
        out, bad = [], []
        assert self.account is not None
        for i, ln in enumerate(self.account.lines):
            t = self.lines.item(i, C_APPLY).text().strip()
            if not t:
                continue
            try:
                v = parse_money(t)
            except MoneyError:
                bad.append(f"the {ln.dos:%m/%d/%Y} {ln.code} line: '{t}' is not an amount")
                continue
            if v:
                out.append(ledger.Allocation(ln.service_line_id, v))
        return out, bad

    def _update_running(self) -> None:
        amount = self.amount.value()
        if self.account is None or amount is None:
            typed = self.amount.text().strip()
            if self.account is not None and typed:
                # Say why Save stays grey, not just leave it grey.
                self.running.setStyleSheet("color: #c62828;")
                self.running.setText(f"Amount: '{typed}' is not an amount (e.g. 40.00)")
            else:
                self.running.setText("")
            self.save_btn.setEnabled(False)
            return
        allocs, bad = self.allocations()
        applied = sum((a.amount for a in allocs), ZERO)
        rest = amount - applied
        text = f"Received {fmt(amount)} - applied {fmt(applied)} - unapplied {fmt(rest)}"
        ok = (
            amount > ZERO
            and not bad
            and rest >= ZERO
            and (rest == ZERO or self.leave_credit.isChecked())
        )
        if bad:
            # Say which Apply cell stops the save, not just that it is disabled.
            text += "  (" + "; ".join(bad) + ")"
        elif rest > ZERO and not self.leave_credit.isChecked():
            text += "  (apply it, or tick 'leave the rest as a credit')"
        if rest < ZERO:
            text += "  (more is applied than was received)"
        self.running.setStyleSheet("" if ok else "color: #c62828;")
        self.running.setText(text)
        self.save_btn.setEnabled(ok)

    # ---------------------------------------------------------------- saving

    def save(self) -> None:
        if self.account is None or self.patient_id is None:
            return
        self._update_running()
        if not self.save_btn.isEnabled():
            return
        allocs, _ = self.allocations()
        self.marker.clear()
        got = ops.run(
            self,
            self.ctx,
            payments.take_patient_payment,
            patient_id=self.patient_id,
            amount=self.amount.value(),
            method=PaymentMethod(self.method.currentData()),
            received=self.received.value(),
            reference=self.reference.text() if self.reference.isEnabled() else "",
            card_last4=self.card.text() if self.card.isEnabled() else "",
            memo=self.memo.text(),
            lines=allocs,
            leave_credit=self.leave_credit.isChecked(),
            on_invalid=lambda exc: self.marker.show(exc.problems),
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        msg = f"Saved: {fmt(got.amount)} received, {fmt(got.applied)} applied"
        if got.credit:
            msg += f", {fmt(got.credit)} left as credit"
        self.saved.emit(got)
        self._reset_form()
        self.load(self.patient_id)
        self.last_payment = got.payment_id
        self.history.select_where(lambda r: r.payment_id == got.payment_id)
        status(self.result, msg + ". Print a receipt with Alt+I.")

    def _reset_form(self) -> None:
        for w in (self.amount, self.reference, self.card, self.memo):
            w.clear()
        self.leave_credit.setChecked(False)
        self._manual = False

    def apply_credit(self) -> None:
        if self.patient_id is None:
            return
        got = ops.run(
            self,
            self.ctx,
            payments.apply_account_credit,
            self.patient_id,
            on=date.today(),
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        self.load(self.patient_id)
        status(self.result, f"Applied {fmt(got)} of the account's credit.")

    def void(self) -> None:
        r = self.history.current()
        if r is None or self.patient_id is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Void payment",
            f"Why is the {fmt(r.amount)} payment of {r.received:%m/%d/%Y} voided?",
        )
        if not ok:
            return
        got = ops.run(
            self,
            self.ctx,
            payments.void_payment,
            r.payment_id,
            on=date.today(),
            reason=reason,
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        self.load(self.patient_id)
        status(self.result, "The payment was voided; what it paid is owed again.")

    def _receipt_payment(self) -> int | None:
        r = self.history.current()
        return r.payment_id if r is not None else self.last_payment

    def print_receipt(self) -> None:
        pid = self._receipt_payment()
        if pid is None:
            return
        got = printing.print_receipt(self, self.ctx, pid, self._printed)
        if got is None:
            return
        if got.job is None:
            status(self.result, "The receipt was not printed.", ok=False)
        else:
            r = got.made
            status(self.result, f"Receipt {r.receipt_no} for {fmt(r.amount)} sent to the printer.")

    def _printed(self, outcome: printing.Outcome, _pages: int) -> None:
        if outcome is not printing.Outcome.PRINTED:
            status(self.result, "The receipt was not printed.", ok=False)

    def save_receipt(self) -> None:
        pid = self._receipt_payment()
        if pid is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the receipt", f"receipt-R{pid:07d}.pdf", "PDF files (*.pdf)"
        )
        if name:
            ops.run(self, self.ctx, checkin.save_receipt_as, pid, Path(name))

    def typed_anything(self) -> bool:
        return any(w.text().strip() for w in (self.amount, self.reference, self.card, self.memo))

    def ask_clear(self) -> None:
        if (
            self.typed_anything()
            and QMessageBox.question(self, "Clear the payment?", "Throw away what was typed?")
            != QMessageBox.StandardButton.Yes
        ):
            return
        self._reset_form()
        if self.account is not None and self.patient_id is not None:
            self.load(self.patient_id)
        self.finder.search.setFocus()

    def open_payment(self, patient_id: int) -> bool:
        self.load(patient_id)
        return self.account is not None
