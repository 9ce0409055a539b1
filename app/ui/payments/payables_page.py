"""The office's own bills (office manager): open bills by due date with the
overdue ones in red, paying a bill (whole or part), entering a bill, vendors,
recurring bills, AP aging and what was paid this month by category."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import Problem
from app.models.ledger import PaymentMethod
from app.models.payables import ExpenseCategory
from app.money import ZERO, fmt
from app.services import payables as ap
from app.ui import ops
from app.ui.context import UiContext
from app.ui.payments.common import DateEdit, MoneyEdit, RowsView, form_row, status
from app.ui.widgets import Column, ProblemMarker, shortcut
from app.validation import format_phone

AP_HEADINGS = ("Not due", "1-30", "31-60", "61-90", "Over 90")


def _elide_column(view: RowsView, column: int, width: int) -> None:
    """A long vendor name is cut short ("...") rather than the money columns
    after it pushed out of sight."""
    view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().resizeSection(column, width)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)


def _typed_amount(edit: MoneyEdit, problems: list[Problem]) -> list[Problem]:
    """The service sees 0.00 for an amount field that holds no amount; when
    something was typed there, say that it is not an amount instead of
    "must be more than 0.00"."""
    typed = edit.text().strip()
    if not typed or edit.value() is not None:
        return problems
    said = f"'{typed}' is not an amount (e.g. 1,200.00)"
    return [Problem(p.field, said) if p.field == "amount" else p for p in problems]


def _bill_status(r: ap.BillRow) -> str:
    if r.voided:
        return "Voided"
    if r.open <= ZERO:
        return "Paid"
    return "Part paid" if r.paid > ZERO else "Open"


def ask_text(parent: QWidget, title: str, text: str) -> tuple[str, bool]:
    """A line of text, e.g. a reason (tests replace this function)."""
    return QInputDialog.getText(parent, title, text)


def ask_date(parent: QWidget, title: str, text: str, value: date) -> date | None:
    """A date, prefilled (tests replace this function)."""
    dlg = QDialog(parent)
    dlg.setWindowTitle(title)
    lay = QVBoxLayout(dlg)
    label = QLabel(text)
    label.setWordWrap(True)
    lay.addWidget(label)
    edit = DateEdit("askDate", value)
    lay.addWidget(edit)
    bb = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    bb.accepted.connect(dlg.accept)
    bb.rejected.connect(dlg.reject)
    lay.addWidget(bb)
    return edit.value() if dlg.exec() == QDialog.DialogCode.Accepted else None


def _categories(combo: QComboBox) -> None:
    for c in ExpenseCategory:
        combo.addItem(c.label, c)


class PayablesPage(QWidget):
    paid = Signal(int)  # bill id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("payablesPage")
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.show_paid = QCheckBox("Show &paid and voided bills")
        self.show_paid.setObjectName("apShowPaid")
        self.overdue = QLabel("")
        self.overdue.setObjectName("apOverdue")
        top.addWidget(QLabel("<b>Bills by due date</b> (overdue in red)"))
        top.addWidget(self.overdue, 1)
        top.addWidget(self.show_paid)
        lay.addLayout(top)
        split = QSplitter()
        self.bills = RowsView(
            "apBills",
            [
                # What is owed and how late come right after whose bill it
                # is: beside the forms the list shows only its first columns.
                Column("Due", lambda r: r.due_date),
                Column("Vendor", lambda r: r.vendor),
                Column("Invoice", lambda r: r.invoice_no),
                Column("Open", lambda r: r.open, align_right=True),
                Column("Days late", lambda r: r.days_late or None, align_right=True),
                Column("Amount", lambda r: r.amount, align_right=True),
                Column("Paid", lambda r: r.paid, align_right=True),
                Column("Status", _bill_status),
                Column("Category", lambda r: r.category.label),
                Column("Dated", lambda r: r.bill_date),
            ],
            red_if=lambda r: r.overdue,
        )
        _elide_column(self.bills, 1, 160)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(self.bills, 1)
        row = QHBoxLayout()
        self.void_btn = QPushButton("V&oid bill...")
        self.void_btn.setObjectName("apVoid")
        self.void_btn.setToolTip("A bill entered by mistake, while nothing is paid on it")
        row.addWidget(self.void_btn)
        row.addStretch(1)
        left_lay.addLayout(row)
        split.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("apTabs")
        self.tabs.addTab(self._pay_tab(), "Pa&y bill")
        self.tabs.addTab(self._bill_tab(), "&New bill")
        self.tabs.addTab(self._vendor_tab(), "&Vendors")
        self.tabs.addTab(self._recurring_tab(), "&Recurring")
        self.tabs.addTab(self._reports_tab(), "Re&ports")
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        # Room for the list's due date, vendor, invoice, open amount and days
        # late, and for the AP aging's buckets and total beside it.
        split.setSizes([520, 640])
        lay.addWidget(split, 1)
        self.result = QLabel("")
        self.result.setObjectName("apResult")
        lay.addWidget(self.result)
        self.show_paid.toggled.connect(lambda _b: self.reload())
        self.void_btn.clicked.connect(self.void_bill)
        self.bills.selectionModel().currentRowChanged.connect(lambda *_: self._bill_selected())
        self.reload()

    # ---------------------------------------------------------------- tabs

    def _pay_tab(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.pay_bill_label = QLabel("Pick a bill on the left.")
        self.pay_bill_label.setObjectName("apPayBill")
        self.pay_bill_label.setWordWrap(True)
        form.addRow(self.pay_bill_label)
        self.pay_amount = MoneyEdit("apPayAmount")
        self.pay_date = DateEdit("apPayDate")
        self.pay_method = QComboBox()
        self.pay_method.setObjectName("apPayMethod")
        for m in (PaymentMethod.CHECK, PaymentMethod.EFT, PaymentMethod.CARD, PaymentMethod.CASH):
            self.pay_method.addItem(m.value.capitalize(), m)
        self.pay_check = QLineEdit()
        self.pay_check.setObjectName("apPayCheck")
        self.pay_memo = QLineEdit()
        self.pay_memo.setObjectName("apPayMemo")
        errs = {k: QLabel() for k in ("amount", "check_no", "paid_date", "bill")}
        form_row(form, "&Amount:", self.pay_amount, errs["amount"])
        form_row(form, "&Date paid:", self.pay_date, errs["paid_date"])
        form_row(form, "&Method:", self.pay_method)
        form_row(form, "Check &number:", self.pay_check, errs["check_no"])
        form_row(form, "M&emo:", self.pay_memo)
        self.pay_summary = QLabel()
        form.addRow(self.pay_summary)
        self.pay_marker = ProblemMarker(
            {
                "amount": (self.pay_amount, errs["amount"]),
                "check_no": (self.pay_check, errs["check_no"]),
                "paid_date": (self.pay_date, errs["paid_date"]),
                "bill": (self.bills, errs["bill"]),
            },
            self.pay_summary,
        )
        self.pay_btn = QPushButton("&Pay  (Enter)")
        self.pay_btn.setObjectName("apPaySave")
        form.addRow(self.pay_btn)
        self.pay_btn.clicked.connect(self.pay)
        for e in (self.pay_amount, self.pay_check, self.pay_memo):
            e.returnPressed.connect(self.pay)
        self.history = RowsView(
            "apPayments",
            [
                Column("Paid", lambda r: r.paid_date),
                Column("Amount", lambda r: r.amount, align_right=True),
                Column("Method", lambda r: r.method.value.capitalize()),
                Column("Check", lambda r: r.check_no),
            ],
        )
        form.addRow(self.history)
        return w

    def _bill_tab(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.bill_vendor = QComboBox()
        self.bill_vendor.setObjectName("apBillVendor")
        self.bill_invoice = QLineEdit()
        self.bill_invoice.setObjectName("apBillInvoice")
        self.bill_date = DateEdit("apBillDate")
        self.bill_due = DateEdit("apBillDue", date.today() + timedelta(days=30))
        self.bill_amount = MoneyEdit("apBillAmount")
        self.bill_category = QComboBox()
        self.bill_category.setObjectName("apBillCategory")
        _categories(self.bill_category)
        self.bill_memo = QLineEdit()
        self.bill_memo.setObjectName("apBillMemo")
        errs = {k: QLabel() for k in ("vendor", "invoice_no", "amount", "due_date")}
        form_row(form, "&Vendor:", self.bill_vendor, errs["vendor"])
        form_row(form, "&Invoice number:", self.bill_invoice, errs["invoice_no"])
        form_row(form, "Bill &date:", self.bill_date)
        form_row(form, "D&ue date:", self.bill_due, errs["due_date"])
        form_row(form, "&Amount:", self.bill_amount, errs["amount"])
        form_row(form, "&Category:", self.bill_category)
        form_row(form, "&Memo:", self.bill_memo)
        self.bill_summary = QLabel()
        form.addRow(self.bill_summary)
        self.bill_marker = ProblemMarker(
            {
                "vendor": (self.bill_vendor, errs["vendor"]),
                "invoice_no": (self.bill_invoice, errs["invoice_no"]),
                "amount": (self.bill_amount, errs["amount"]),
                "due_date": (self.bill_due, errs["due_date"]),
            },
            self.bill_summary,
        )
        self.bill_btn = QPushButton("&Save bill  (Enter)")
        self.bill_btn.setObjectName("apBillSave")
        form.addRow(self.bill_btn)
        self.bill_btn.clicked.connect(self.add_bill)
        for e in (self.bill_invoice, self.bill_amount, self.bill_memo):
            e.returnPressed.connect(self.add_bill)
        self.bill_vendor.currentIndexChanged.connect(self._vendor_category)
        shortcut(w, "Escape", self._clear_bill)
        return w

    def _vendor_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.vendor_list = RowsView(
            "apVendors",
            [
                Column("Vendor", lambda r: r.name),
                Column("Phone", lambda r: r.phone, display=format_phone),
                Column("Category", lambda r: r.default_category.label),
                Column("Open", lambda r: r.open_balance, align_right=True),
            ],
        )
        lay.addWidget(self.vendor_list, 1)
        form = QFormLayout()
        self.v_editing = QLabel("New vendor")
        self.v_editing.setObjectName("apVendorEditing")
        form.addRow(self.v_editing)
        self.v_name = QLineEdit()
        self.v_name.setObjectName("apVendorName")
        self.v_address = QLineEdit()
        self.v_address.setObjectName("apVendorAddress")
        self.v_address.setMinimumWidth(320)
        self.v_city = QLineEdit()
        self.v_city.setObjectName("apVendorCity")
        self.v_state = QLineEdit()
        self.v_state.setObjectName("apVendorState")
        self.v_state.setMaxLength(2)
        self.v_state.setMaximumWidth(50)
        self.v_zip = QLineEdit()
        self.v_zip.setObjectName("apVendorZip")
        self.v_zip.setMaximumWidth(110)
        self.v_phone = QLineEdit()
        self.v_phone.setObjectName("apVendorPhone")
        self.v_category = QComboBox()
        self.v_category.setObjectName("apVendorCategory")
        _categories(self.v_category)
        errs = {k: QLabel() for k in ("name", "phone", "state", "zip")}
        form_row(form, "&Name:", self.v_name, errs["name"])
        form_row(form, "Stree&t:", self.v_address)
        place = QHBoxLayout()
        for field in (self.v_city, self.v_state, self.v_zip):
            place.addWidget(field)
        place.addWidget(errs["state"])
        place.addWidget(errs["zip"], 1)
        city = QLabel("Cit&y, state, ZIP:")
        city.setBuddy(self.v_city)
        form.addRow(city, place)
        form_row(form, "&Phone:", self.v_phone, errs["phone"])
        form_row(form, "&Category:", self.v_category)
        self.v_summary = QLabel()
        form.addRow(self.v_summary)
        self.v_marker = ProblemMarker(
            {
                "name": (self.v_name, errs["name"]),
                "phone": (self.v_phone, errs["phone"]),
                "state": (self.v_state, errs["state"]),
                "zip": (self.v_zip, errs["zip"]),
            },
            self.v_summary,
        )
        buttons = QHBoxLayout()
        self.v_btn = QPushButton("&Add vendor")
        self.v_btn.setObjectName("apVendorSave")
        self.v_new = QPushButton("New &vendor")
        self.v_new.setObjectName("apVendorNew")
        buttons.addWidget(self.v_btn)
        buttons.addWidget(self.v_new)
        buttons.addStretch(1)
        form.addRow(buttons)
        lay.addLayout(form)
        self.v_editing_id: int | None = None
        self.v_btn.clicked.connect(self.save_vendor)
        self.v_new.clicked.connect(self.new_vendor)
        for e in (self.v_name, self.v_address, self.v_city, self.v_state, self.v_zip, self.v_phone):
            e.returnPressed.connect(self.save_vendor)
        self.vendor_list.activated.connect(lambda _i: self.edit_vendor())
        shortcut(self.vendor_list, "F2", self.edit_vendor)
        return w

    def _recurring_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.rec_list = RowsView(
            "apRecurring",
            [
                Column("Vendor", lambda r: r.vendor),
                Column("Amount", lambda r: r.amount, align_right=True),
                Column("Category", lambda r: r.category.label),
                Column("Day", lambda r: r.day_of_month, align_right=True),
                Column("Next bill", lambda r: r.next_date if r.active else None),
                Column("Status", lambda r: "Running" if r.active else "Stopped"),
            ],
        )
        lay.addWidget(self.rec_list, 1)
        row = QHBoxLayout()
        self.make_due = QPushButton("&Make the bills that are due")
        self.make_due.setObjectName("apMakeDue")
        self.r_stop = QPushButton("S&top")
        self.r_stop.setObjectName("apRecStop")
        self.r_restart = QPushButton("Res&tart...")
        self.r_restart.setObjectName("apRecRestart")
        for b in (self.make_due, self.r_stop, self.r_restart):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        form = QFormLayout()
        self.r_vendor = QComboBox()
        self.r_vendor.setObjectName("apRecVendor")
        self.r_amount = MoneyEdit("apRecAmount")
        self.r_category = QComboBox()
        self.r_category.setObjectName("apRecCategory")
        _categories(self.r_category)
        self.r_next = DateEdit("apRecNext")
        self.r_day = QSpinBox()
        self.r_day.setRange(1, 31)
        self.r_day.setObjectName("apRecDay")
        self.r_due = QSpinBox()
        self.r_due.setRange(0, 120)
        self.r_due.setValue(15)
        self.r_due.setObjectName("apRecDueDays")
        errs = {k: QLabel() for k in ("vendor", "amount")}
        form_row(form, "&Vendor:", self.r_vendor, errs["vendor"])
        form_row(form, "&Amount:", self.r_amount, errs["amount"])
        form_row(form, "&Category:", self.r_category)
        form_row(form, "&First bill on:", self.r_next)
        form_row(form, "Day of the &month:", self.r_day)
        form_row(form, "Days until &due:", self.r_due)
        self.r_summary = QLabel()
        form.addRow(self.r_summary)
        self.r_marker = ProblemMarker(
            {"vendor": (self.r_vendor, errs["vendor"]), "amount": (self.r_amount, errs["amount"])},
            self.r_summary,
        )
        self.r_btn = QPushButton("Add &recurring bill")
        self.r_btn.setObjectName("apRecSave")
        form.addRow(self.r_btn)
        lay.addLayout(form)
        self.make_due.clicked.connect(self.make_due_bills)
        self.r_btn.clicked.connect(self.add_recurring)
        self.r_stop.clicked.connect(self.stop_recurring)
        self.r_restart.clicked.connect(self.restart_recurring)
        self.rec_list.selectionModel().currentRowChanged.connect(lambda *_: self._rec_selected())
        return w

    def _reports_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel("<b>AP aging</b> (what the office owes, by days past due)"))
        cols: list[Column[ap.ApAgingRow]] = [Column("Vendor", lambda r: r.vendor)]
        # Short headings (the line above says "days past due") so that every
        # bucket and the total fit beside the bills list.
        for i, label in enumerate(AP_HEADINGS):
            cols.append(Column(label, lambda r, i=i: r.buckets[i], align_right=True))
        cols.append(Column("Total", lambda r: r.total, align_right=True))
        self.aging = RowsView("apAging", cols)
        _elide_column(self.aging, 0, 160)
        lay.addWidget(self.aging, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Paid by category</b> in the month of"))
        self.month = DateEdit("apMonth")
        self.month.setDisplayFormat("MMMM yyyy")
        row.addWidget(self.month)
        row.addStretch(1)
        lay.addLayout(row)
        self.by_category = RowsView(
            "apByCategory",
            [
                Column("Category", lambda r: r[0]),
                Column("Paid", lambda r: r[1], align_right=True),
            ],
        )
        lay.addWidget(self.by_category, 1)
        self.month.dateChanged.connect(lambda _d: self._reports())
        return w

    # ---------------------------------------------------------------- data

    def reload(self, select_bill: int | None = None) -> None:
        today = date.today()
        rows = ops.query(self, self.ctx, ap.bills, today, open_only=not self.show_paid.isChecked())
        if isinstance(rows, ops.Failed):
            return
        keep = select_bill or (self.bills.current().bill_id if self.bills.current() else None)
        self.bills.set_rows(rows)
        if keep is not None:
            self.bills.select_where(lambda r: r.bill_id == keep)
        late = [r for r in rows if r.overdue]
        self.overdue.setText(
            f"{len(late)} overdue, {fmt(sum((r.open for r in late), ZERO))}"
            if late
            else "none overdue"
        )
        vendors = ops.query(self, self.ctx, ap.vendors)
        if not isinstance(vendors, ops.Failed):
            self.vendor_list.set_rows(vendors)
            for combo in (self.bill_vendor, self.r_vendor):
                current = combo.currentData()
                combo.blockSignals(True)
                combo.clear()
                combo.addItem("(pick a vendor)", None)
                for v in vendors:
                    combo.addItem(v.name, v.vendor_id)
                combo.setCurrentIndex(max(0, combo.findData(current)))
                combo.blockSignals(False)
            self._vendors = {v.vendor_id: v for v in vendors}
        rec = ops.query(self, self.ctx, ap.recurring)
        if not isinstance(rec, ops.Failed):
            keep_rec = self.rec_list.current()
            self.rec_list.set_rows(rec)
            if keep_rec is not None:
                self.rec_list.select_where(lambda r: r.recurring_id == keep_rec.recurring_id)
            self._rec_selected()
        self._reports()
        self._bill_selected()

    def _reports(self) -> None:
        aging = ops.query(self, self.ctx, ap.ap_aging, date.today())
        if not isinstance(aging, ops.Failed):
            self.aging.set_rows(aging)
        cats = ops.query(self, self.ctx, ap.paid_by_category, self.month.value())
        if not isinstance(cats, ops.Failed):
            total = sum((v for _, v in cats), ZERO)
            self.by_category.set_rows([(c.label, v) for c, v in cats] + [("Total", total)])

    def _rec_selected(self) -> None:
        r = self.rec_list.current()
        self.r_stop.setEnabled(r is not None and r.active)
        self.r_restart.setEnabled(r is not None and not r.active)

    def _bill_selected(self) -> None:
        r = self.bills.current()
        self.void_btn.setEnabled(r is not None and not r.voided and r.paid == ZERO)
        if r is None:
            self.pay_bill_label.setText("Pick a bill on the left.")
            self.history.set_rows([])
            return
        self.pay_bill_label.setText(
            f"<b>{r.vendor}</b> invoice {r.invoice_no}, due {r.due_date:%m/%d/%Y}: "
            f"{fmt(r.amount)}, paid {fmt(r.paid)}, open <b>{fmt(r.open)}</b>"
        )
        self.pay_amount.set_value(r.open if r.open > ZERO else None)
        hist = ops.query(self, self.ctx, ap.bill_payments, r.bill_id)
        if not isinstance(hist, ops.Failed):
            self.history.set_rows(hist)

    def _vendor_category(self) -> None:
        v = getattr(self, "_vendors", {}).get(self.bill_vendor.currentData())
        if v is not None:
            self.bill_category.setCurrentIndex(self.bill_category.findData(v.default_category))

    # ---------------------------------------------------------------- actions

    def pay(self) -> None:
        r = self.bills.current()
        if r is None:
            self.pay_marker.show([Problem("bill", "Pick the bill to pay")])
            return
        amount = self.pay_amount.value()
        if amount is None:
            self.pay_marker.show([Problem("amount", "Type the amount paid (e.g. 1,200.00)")])
            return
        got = ops.run(
            self,
            self.ctx,
            ap.pay_bill,
            r.bill_id,
            amount=amount,
            paid_date=self.pay_date.value(),
            method=PaymentMethod(self.pay_method.currentData()),
            check_no=self.pay_check.text(),
            memo=self.pay_memo.text(),
            on_invalid=lambda exc: self.pay_marker.show(exc.problems),
            changed="payables",
        )
        if isinstance(got, ops.Failed):
            return
        self.pay_marker.clear()
        self.pay_check.clear()
        self.pay_memo.clear()
        left = r.open - amount
        status(
            self.result,
            f"Paid {fmt(amount)} to {r.vendor} (invoice {r.invoice_no}); "
            + ("the bill is paid in full." if left == ZERO else f"{fmt(left)} still open."),
        )
        self.paid.emit(r.bill_id)
        self.reload(select_bill=r.bill_id)

    def add_bill(self) -> None:
        amount = self.bill_amount.value()
        got = ops.run(
            self,
            self.ctx,
            ap.add_bill,
            ap.BillInput(
                self.bill_vendor.currentData() or 0,
                self.bill_invoice.text(),
                self.bill_date.value(),
                self.bill_due.value(),
                amount if amount is not None else Decimal("0.00"),
                ExpenseCategory(self.bill_category.currentData()),
                self.bill_memo.text(),
            ),
            on_invalid=lambda exc: self.bill_marker.show(
                _typed_amount(self.bill_amount, exc.problems)
            ),
            changed="payables",
        )
        if isinstance(got, ops.Failed):
            return
        self._clear_bill()
        status(self.result, "Bill saved.")
        self.reload(select_bill=got)

    def _clear_bill(self) -> None:
        self.bill_marker.clear()
        for e in (self.bill_invoice, self.bill_amount, self.bill_memo):
            e.clear()
        self.bill_invoice.setFocus()

    def _vendor_input(self) -> ap.VendorInput:
        return ap.VendorInput(
            self.v_name.text(),
            self.v_address.text(),
            self.v_city.text(),
            self.v_state.text(),
            self.v_zip.text(),
            self.v_phone.text(),
            ExpenseCategory(self.v_category.currentData()),
        )

    def save_vendor(self) -> None:
        """Add the vendor typed, or save the changes to the one being edited."""
        vid = self.v_editing_id
        if vid is None:
            got = ops.run(
                self,
                self.ctx,
                ap.add_vendor,
                self._vendor_input(),
                on_invalid=lambda exc: self.v_marker.show(exc.problems),
                changed="payables",
            )
        else:
            got = ops.run(
                self,
                self.ctx,
                ap.update_vendor,
                vid,
                self._vendor_input(),
                on_invalid=lambda exc: self.v_marker.show(exc.problems),
                changed="payables",
            )
        if isinstance(got, ops.Failed):
            return
        name = self.v_name.text().strip()
        self.new_vendor()
        status(self.result, f"Vendor {name} " + ("added." if vid is None else "saved."))
        self.reload()

    def new_vendor(self) -> None:
        self.v_editing_id = None
        self.v_marker.clear()
        for e in (self.v_name, self.v_address, self.v_city, self.v_state, self.v_zip, self.v_phone):
            e.clear()
        self.v_editing.setText("New vendor")
        self.v_btn.setText("&Add vendor")
        self.v_name.setFocus()

    def edit_vendor(self) -> None:
        """Put the selected vendor in the form (Enter or F2 on the list)."""
        v = self.vendor_list.current()
        if v is None:
            return
        data = v.as_input()
        self.v_editing_id = v.vendor_id
        self.v_marker.clear()
        self.v_name.setText(data.name)
        self.v_address.setText(data.address1)
        self.v_city.setText(data.city)
        self.v_state.setText(data.state)
        self.v_zip.setText(data.zip)
        self.v_phone.setText(format_phone(data.phone))
        self.v_category.setCurrentIndex(self.v_category.findData(data.default_category))
        self.v_editing.setText(f"Editing <b>{v.name}</b>")
        self.v_btn.setText("&Save changes")
        self.v_name.setFocus()
        self.v_name.selectAll()

    def void_bill(self) -> None:
        r = self.bills.current()
        if r is None:
            return
        reason, ok = ask_text(
            self,
            "Void bill",
            f"Void {r.vendor}'s invoice {r.invoice_no} of {fmt(r.amount)}? "
            "It stays on file, marked voided. Why?",
        )
        if not ok:
            return
        got = ops.run(self, self.ctx, ap.void_bill, r.bill_id, reason, changed="payables")
        if isinstance(got, ops.Failed):
            return
        status(self.result, f"{r.vendor}'s invoice {r.invoice_no} is voided.")
        self.reload()

    def stop_recurring(self) -> None:
        r = self.rec_list.current()
        if r is None:
            return
        got = ops.run(self, self.ctx, ap.stop_recurring, r.recurring_id, changed="payables")
        if isinstance(got, ops.Failed):
            return
        status(self.result, f"{r.vendor}'s recurring bill is stopped: no more bills from it.")
        self.reload()

    def restart_recurring(self) -> None:
        r = self.rec_list.current()
        if r is None:
            return
        first = ap.next_occurrence(date.today(), r.day_of_month)
        when = ask_date(
            self,
            "Restart the recurring bill",
            f"{r.vendor}, {fmt(r.amount)} a month. The next bill is dated (the months it was "
            "stopped are not billed):",
            first,
        )
        if when is None:
            return
        got = ops.run(
            self, self.ctx, ap.restart_recurring, r.recurring_id, when, changed="payables"
        )
        if isinstance(got, ops.Failed):
            return
        status(self.result, f"{r.vendor}'s recurring bill runs again from {when:%m/%d/%Y}.")
        self.reload()

    def add_recurring(self) -> None:
        amount = self.r_amount.value()
        vendor = self.r_vendor.currentData()
        if vendor is None:
            self.r_marker.show([Problem("vendor", "Pick the vendor")])
            return
        got = ops.run(
            self,
            self.ctx,
            ap.add_recurring,
            ap.RecurringInput(
                vendor,
                amount if amount is not None else Decimal("0.00"),
                ExpenseCategory(self.r_category.currentData()),
                self.r_next.value(),
                self.r_day.value(),
                self.r_due.value(),
            ),
            on_invalid=lambda exc: self.r_marker.show(_typed_amount(self.r_amount, exc.problems)),
            changed="payables",
        )
        if isinstance(got, ops.Failed):
            return
        self.r_marker.clear()
        self.r_amount.clear()
        status(self.result, "Recurring bill added.")
        self.reload()

    def make_due_bills(self) -> None:
        got = ops.run(self, self.ctx, ap.create_due_bills, date.today(), changed="payables")
        if isinstance(got, ops.Failed):
            return
        status(self.result, f"{len(got)} bill(s) made from recurring bills.")
        self.reload()

    def open_bill(self, bill_id: int) -> bool:
        self.show_paid.setChecked(True)
        self.reload(select_bill=bill_id)
        cur = self.bills.current()
        self.tabs.setCurrentIndex(0)
        return cur is not None and cur.bill_id == bill_id
