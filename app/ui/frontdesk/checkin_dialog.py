"""Check-in: the coverage gate and the copay.

Enter checks the patient in. When the gate stops the visit the dialog says
why and offers the three ways out: verify now (the verification form opens;
on saving, check-in runs again), bill the visit as self-pay, or (office
manager only) override with a typed reason. Once checked in, the copay due
is filled in: Enter takes it, then Ctrl+P prints the receipt.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.models.ledger import PaymentMethod
from app.money import fmt
from app.services import checkin, policies
from app.services.appointments import AppointmentRow, appointment_row
from app.services.checkin import CheckedIn, CopayTaken, CoverageNotVerified, GateCheck, Way
from app.services.policies import PolicyScreen
from app.ui import ops, printing
from app.ui.context import UiContext
from app.ui.frontdesk.common import (
    badge_label,
    banner_label,
    may_discard,
    returning,
    set_badge,
)
from app.ui.frontdesk.policy_forms import VerificationDialog
from app.ui.widgets import ProblemMarker, shortcut

METHODS = [
    ("Cash", PaymentMethod.CASH),
    ("Check", PaymentMethod.CHECK),
    ("Card", PaymentMethod.CARD),
]


def choose_save_path(parent: QWidget, suggested: str) -> Path | None:
    """Where to save a receipt (tests replace this function)."""
    name, _ = QFileDialog.getSaveFileName(parent, "Save receipt as", suggested, "PDF (*.pdf)")
    return Path(name) if name else None


class CheckInDialog(QDialog):
    """Check in one appointment and take its copay. Emits ``done`` when
    anything changed (the day list reloads)."""

    done = Signal()

    def __init__(self, ctx: UiContext, appointment_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkInDialog")
        self.setWindowTitle("Check in")
        self.setModal(True)
        self.ctx = ctx
        self.appointment_id = appointment_id
        self.row: AppointmentRow | None = None
        self.check: GateCheck | None = None
        self.payment: CopayTaken | None = None
        self.verify_dialog: VerificationDialog | None = None
        # Something typed and not yet used (an override reason, a payment not
        # taken): Esc and Close ask before it is lost.
        self.typed = False

        self.banner = banner_label()
        self.visit = QLabel()
        self.visit.setObjectName("checkInVisit")
        self.badge = badge_label("", None, "gateBadge")
        self.state = QLabel()
        self.state.setObjectName("gateMessage")
        self.state.setWordWrap(True)
        self.check_in_button = QPushButton("&Check in")
        self.check_in_button.setObjectName("checkInButton")

        # The three ways out, shown when the gate stops the visit.
        self.stop_box = QGroupBox("Coverage not verified: choose one")
        self.stop_box.setObjectName("gateStop")
        self.verify_button = QPushButton("&Verify now")
        self.verify_button.setObjectName("verifyNow")
        self.self_pay_button = QPushButton("Bill as &self-pay")
        self.self_pay_button.setObjectName("selfPay")
        self.override_reason = QLineEdit()
        self.override_reason.setObjectName("override_reason")
        self.override_reason.setPlaceholderText("Reason for the override (office manager)")
        self.override_problem = QLabel()
        self.override_button = QPushButton("&Override and check in")
        self.override_button.setObjectName("overrideButton")
        sl = QVBoxLayout(self.stop_box)
        r1 = QHBoxLayout()
        r1.addWidget(self.verify_button)
        r1.addWidget(self.self_pay_button)
        r1.addStretch(1)
        sl.addLayout(r1)
        r2 = QHBoxLayout()
        r2.addWidget(self.override_reason, 1)
        r2.addWidget(self.override_button)
        sl.addLayout(r2)
        sl.addWidget(self.override_problem)
        self.stop_box.hide()

        # The copay.
        self.pay_box = QGroupBox("Copay")
        self.pay_box.setObjectName("copayBox")
        self.due = QLabel()
        self.due.setObjectName("copayDue")
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.method = QComboBox()
        self.method.setObjectName("method")
        for text, m in METHODS:
            self.method.addItem(text, m.value)
        self.reference = QLineEdit()
        self.reference.setObjectName("reference")
        self.reference.setPlaceholderText("Check number")
        self.card_last4 = QLineEdit()
        self.card_last4.setObjectName("card_last4")
        # Room for a whole card number typed by mistake: it is refused with a
        # message and cleared, never cut to its first four digits and kept.
        self.card_last4.setMaxLength(25)
        self.card_last4.setPlaceholderText("Last four digits only")
        self.take_button = QPushButton("&Take payment")
        self.take_button.setObjectName("takePayment")
        self.paid = QLabel()
        self.paid.setObjectName("paymentStatus")
        self.print_button = QPushButton("&Print receipt (Ctrl+P)")
        self.print_button.setObjectName("printReceipt")
        self.save_button = QPushButton("Save receipt &as...")
        self.save_button.setObjectName("saveReceipt")
        form = QFormLayout(self.pay_box)
        form.addRow(self.due)
        problems = {}
        for label, w in (
            ("Amount", self.amount),
            ("Paid by", self.method),
            ("Check number", self.reference),
            ("Card, last four", self.card_last4),
        ):
            msg = QLabel()
            form.addRow(label, w)
            form.addRow("", msg)
            problems[w.objectName()] = (w, msg)
        row = QHBoxLayout()
        row.addWidget(self.take_button)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        form.addRow(row)
        form.addRow(self.paid)
        self.pay_problems = QLabel()
        form.addRow(self.pay_problems)
        self.pay_marker = ProblemMarker(problems, self.pay_problems)
        self.pay_box.setEnabled(False)
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)

        close = QPushButton("Close")
        close.setObjectName("closeCheckIn")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.visit)
        head = QHBoxLayout()
        head.addWidget(self.badge)
        head.addWidget(self.state, 1)
        head.addWidget(self.check_in_button)
        lay.addLayout(head)
        lay.addWidget(self.stop_box)
        lay.addWidget(self.pay_box)
        lay.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        lay.addLayout(bottom)

        self.check_in_button.clicked.connect(lambda: self.check_in(Way.VERIFIED))
        self.verify_button.clicked.connect(self.verify_now)
        self.self_pay_button.clicked.connect(lambda: self.check_in(Way.SELF_PAY))
        self.override_button.clicked.connect(lambda: self.check_in(Way.OVERRIDE))
        self.override_reason.installEventFilter(self)
        self.take_button.clicked.connect(self.take_payment)
        self.print_button.clicked.connect(self.print_receipt)
        self.save_button.clicked.connect(self.save_receipt)
        self.method.currentIndexChanged.connect(self._method_fields)
        for box in (self.override_reason, self.amount, self.reference, self.card_last4):
            box.textEdited.connect(self._typed)
        self.method.activated.connect(self._typed)
        shortcut(self, "Ctrl+P", self.print_receipt)
        for b in (
            self.verify_button,
            self.self_pay_button,
            self.override_button,
            self.print_button,
            self.save_button,
            self.take_button,
        ):
            b.setAutoDefault(False)
        self._method_fields()
        self.resize(720, 560)
        self.refresh()

    # ---------------------------------------------------------------- state

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Enter on the override reason overrides, and is used up there: it
        # must not go on to the copay's default button and take the money.
        if (
            obj is self.override_reason
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.check_in(Way.OVERRIDE)
            return True
        return super().eventFilter(obj, event)

    def _typed(self, *_args: object) -> None:
        self.typed = True

    def reject(self) -> None:
        if may_discard(self, self.typed):
            super().reject()

    def refresh(self) -> None:
        row = ops.query(self, self.ctx, appointment_row, self.appointment_id)
        if not isinstance(row, AppointmentRow):
            return
        self.row = row
        self.banner.setText(f"{row.patient}   Account {row.account_no}   DOB {row.dob:%m/%d/%Y}")
        self.visit.setText(
            f"{row.day:%m/%d/%Y} {row.time_text} with {row.provider}: {row.visit_type}"
            + (f", {row.reason}" if row.reason else "")
            + f"   ({row.status_label})"
        )
        check = ops.query(self, self.ctx, checkin.gate, self.appointment_id)
        if isinstance(check, GateCheck):
            self.check = check
            state = check.state if check.insured else None
            set_badge(self.badge, row.badge, state)
            self.state.setText(check.message)
        checked = row.status.value in ("checked_in", "completed")
        self.check_in_button.setEnabled(not checked)
        if checked:
            self.stop_box.hide()
            self._enable_payment(row)
        else:
            self.check_in_button.setDefault(True)
            self.check_in_button.setFocus()

    def _enable_payment(self, row: AppointmentRow) -> None:
        self.pay_box.setEnabled(True)
        self.check_in_button.setDefault(False)
        self.state.setText(f"Checked in ({row.badge}).")
        due = row.copay_due if not row.self_pay else None
        left = (due - row.paid) if due is not None else None
        if due is None:
            self.due.setText("No copay on file for this visit. Type an amount to take a payment.")
        else:
            self.due.setText(
                f"Copay due {fmt(due, symbol=True)}"
                + (f"; paid {fmt(row.paid, symbol=True)}" if row.paid else "")
            )
        if self.payment is None:
            if left is not None and left > 0:
                self.amount.setText(fmt(left))
            self.take_button.setDefault(True)
            self.amount.setFocus()
            self.amount.selectAll()

    def _method(self) -> PaymentMethod:
        return PaymentMethod(self.method.currentData())

    def _method_fields(self) -> None:
        m = self._method()
        self.reference.setEnabled(m is PaymentMethod.CHECK)
        self.card_last4.setEnabled(m is PaymentMethod.CARD)

    # ---------------------------------------------------------------- the gate

    def check_in(self, way: Way) -> None:
        self.override_problem.clear()
        result = ops.run(
            self,
            self.ctx,
            returning(CoverageNotVerified, checkin.check_in),
            self.appointment_id,
            way=way,
            override_reason=self.override_reason.text(),
            on_invalid=lambda e: self.override_problem.setText(
                "\n".join(p.message for p in e.problems)
            ),
            changed="appointments",
        )
        if isinstance(result, CoverageNotVerified):
            self._stopped(result.check)
            return
        if isinstance(result, CheckedIn):
            self.typed = False  # the reason is stored (or was not needed)
            self.stop_box.hide()
            self.done.emit()
            self.refresh()

    def _stopped(self, check: GateCheck) -> None:
        self.check = check
        set_badge(self.badge, check.state.label if check.state else "No insurance", check.state)
        self.state.setText(check.message)
        self.stop_box.show()
        self.verify_button.setEnabled(check.policy_id is not None)
        can = check.can_override and check.policy_id is not None
        self.override_reason.setEnabled(can)
        self.override_button.setEnabled(can)
        if not check.can_override:
            self.override_reason.setPlaceholderText("Override: office manager only")
        self.check_in_button.setDefault(False)
        (self.verify_button if check.policy_id is not None else self.self_pay_button).setFocus()

    def verify_now(self) -> None:
        if self.check is None or self.check.policy_id is None:
            return
        screen = ops.query(self, self.ctx, policies.screen_data, self.check.patient_id)
        if not isinstance(screen, PolicyScreen):
            return
        pol = next((p for p in screen.policies if p.id == self.check.policy_id), None)
        if pol is None:
            return
        self.verify_dialog = VerificationDialog(self.ctx, pol, screen.banner.text, self)
        self.verify_dialog.saved.connect(lambda _id: self.check_in(Way.VERIFIED))
        self.verify_dialog.open()

    # ---------------------------------------------------------------- the copay

    def take_payment(self) -> None:
        self.pay_marker.clear()
        method = self._method()
        result = ops.run(
            self,
            self.ctx,
            checkin.take_copay,
            self.appointment_id,
            amount=self.amount.text(),
            method=method,
            reference=self.reference.text() if method is PaymentMethod.CHECK else "",
            card_last4=self.card_last4.text() if method is PaymentMethod.CARD else "",
            on_invalid=self._payment_problems,
            changed="ledger",
        )
        if isinstance(result, CopayTaken):
            self.typed = False
            self.payment = result
            self.paid.setText(
                f"Payment of {fmt(result.amount, symbol=True)} recorded "
                f"(receipt R{result.payment_id:07d})."
            )
            self.take_button.setEnabled(False)
            self.take_button.setDefault(False)
            self.print_button.setEnabled(True)
            self.save_button.setEnabled(True)
            self.print_button.setDefault(True)
            self.print_button.setFocus()
            self.done.emit()
            self.refresh()

    def _payment_problems(self, err: ValidationError) -> None:
        if any(p.field == "card_last4" for p in err.problems) and (
            sum(ch.isdigit() for ch in self.card_last4.text()) > 4
        ):
            self.card_last4.clear()  # a full card number does not stay on screen
        self.pay_marker.show(err.problems)

    def print_receipt(self) -> None:
        if self.payment is None:
            return
        got = printing.print_receipt(self, self.ctx, self.payment.payment_id, self._printed)
        if got is not None and got.job is None:
            self._receipt_note("Receipt not printed.")

    def _printed(self, outcome: printing.Outcome, _pages: int) -> None:
        self._receipt_note(
            "Receipt sent to the printer."
            if outcome is printing.Outcome.PRINTED
            else "Receipt not printed."
        )

    def _receipt_note(self, note: str) -> None:
        self.paid.setText(self.paid.text().split(" Receipt")[0] + " " + note)

    def save_receipt(self) -> None:
        if self.payment is None:
            return
        target = choose_save_path(self, f"receipt-R{self.payment.payment_id:07d}.pdf")
        if target is None:
            return
        ops.run(self, self.ctx, checkin.save_receipt_as, self.payment.payment_id, target)
