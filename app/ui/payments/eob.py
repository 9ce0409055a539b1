"""Posting a payer's EOB by hand: the check, the claim, a line grid, a live
preview of what moves where, and the running balance of the check."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from app.codes import adjustment_codes
from app.errors import ValidationError
from app.models.insurance import Payer
from app.models.ledger import PaymentMethod
from app.money import MoneyError, fmt, parse_money
from app.services import posting
from app.services.auth import Actor
from app.services.posting import EobLine
from app.ui import ops
from app.ui.context import UiContext
from app.ui.payments.common import (
    DateEdit,
    EntryGrid,
    MoneyEdit,
    RowsView,
    form_row,
    status,
)
from app.ui.widgets import Column, shortcut

# Grid columns: (header, editable)
GRID = (
    ("Line", False),
    ("DOS", False),
    ("Code", False),
    ("Charge", False),
    ("Payer owes", False),
    ("Allowed", True),
    ("Paid", True),
    ("Deductible", True),
    ("Coinsurance", True),
    ("Copay", True),
    ("Contractual", True),
    ("Denial (e.g. CO-16)", True),
    ("RARC", True),
)
C_ALLOWED, C_PAID, C_DED, C_COINS, C_COPAY, C_CONTR, C_DENIAL, C_RARC = range(5, 13)
STATUS_LABELS = {
    "paid": "Paid",
    "partly_paid": "Partly paid",
    "denied": "Denied",
}


GROUPS = {
    "CO": "the office writes it off",
    "PR": "the patient owes it",
    "OA": "other adjustment",
    "PI": "the payer adjusted it",
}


def code_hint(col: int, typed: str) -> str:
    """What a denial (CARC, with its group) or remark code means, for the line
    under the grid while the biller types it."""
    text = typed.strip().upper().replace(" ", "-")
    if not text:
        return ""
    if col == C_RARC:
        desc = adjustment_codes.rarc(text)
        return f"{text}: {desc}" if desc else f"{text}: not in the list of common remark codes"
    grp, _, code = text.partition("-")
    if not code:
        grp, code = ("CO", grp) if grp[:1].isdigit() or grp not in GROUPS else (grp, "")
    desc = adjustment_codes.carc(code) if code else None
    head = f"{grp}-{code}" if code else grp
    say = GROUPS.get(grp, "the group is CO, PR, OA or PI")
    if not code:
        return f"{head}: {say}"
    if desc is None:
        return f"{head}: not in the list of common reason codes ({say})"
    return f"{head}: {desc} ({say})"


class _CodeDelegate(QStyledItemDelegate):
    """The denial and RARC cells' editor says what the code means as it is typed."""

    typed = Signal(int, str)  # column, text

    def createEditor(self, parent, option, index):  # type: ignore[no-untyped-def]
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            col = index.column()
            editor.textEdited.connect(lambda text: self.typed.emit(col, text))
        return editor


def _payers(s, actor: Actor) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [
        (pid, name)
        for pid, name in s.execute(
            select(Payer.id, Payer.name).where(Payer.active.is_(True)).order_by(Payer.name)
        )
    ]


class EobPage(QWidget):
    posted = Signal(object)  # EobResult

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("eobPage")
        self.claim: posting.ClaimForPosting | None = None
        self.check: posting.CheckRow | None = None
        self._filling = False
        lay = QVBoxLayout(self)

        # ---- the check
        box = QGroupBox("Check or EFT")
        bl = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(QLabel("&Open checks:"))
        self.check_combo = QComboBox()
        self.check_combo.setObjectName("checkCombo")
        self.check_combo.setMinimumWidth(420)
        row.itemAt(0).widget().setBuddy(self.check_combo)  # type: ignore[union-attr]
        row.addWidget(self.check_combo, 1)
        bl.addLayout(row)
        new = QHBoxLayout()
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payerCombo")
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("checkMethod")
        self.method_combo.addItem("Check", PaymentMethod.CHECK)
        self.method_combo.addItem("EFT", PaymentMethod.EFT)
        self.check_no = QLineEdit()
        self.check_no.setObjectName("checkNo")
        self.check_no.setPlaceholderText("Check / EFT number")
        self.check_amount = MoneyEdit("checkAmount")
        self.check_date = DateEdit("checkDate")
        self.record_btn = QPushButton("&Record check")
        self.record_btn.setObjectName("recordCheck")
        for label, w in (
            ("New: payer", self.payer_combo),
            ("", self.method_combo),
            ("number", self.check_no),
            ("amount", self.check_amount),
            ("received", self.check_date),
        ):
            if label:
                new.addWidget(QLabel(label))
            new.addWidget(w)
        new.addWidget(self.record_btn)
        bl.addLayout(new)
        self.check_status = QLabel("Pick a check, or record a new one.")
        self.check_status.setObjectName("checkStatus")
        f = self.check_status.font()
        f.setBold(True)
        self.check_status.setFont(f)
        bl.addWidget(self.check_status)
        lay.addWidget(box)

        # ---- the claim
        row = QHBoxLayout()
        row.addWidget(QLabel("&Claim:"))
        self.claim_search = QLineEdit()
        self.claim_search.setObjectName("claimSearch")
        self.claim_search.setPlaceholderText(
            "Claim number, patient (last, first) or account - Enter"
        )
        row.itemAt(0).widget().setBuddy(self.claim_search)  # type: ignore[union-attr]
        row.addWidget(self.claim_search, 1)
        self.claim_dos = DateEdit("claimDos")
        row.addWidget(QLabel("date of service"))
        row.addWidget(self.claim_dos)
        self.any_date = QPushButton("Any date")
        self.any_date.setCheckable(True)
        self.any_date.setChecked(True)
        self.any_date.setObjectName("claimAnyDate")
        row.addWidget(self.any_date)
        lay.addLayout(row)
        self.claim_results = RowsView(
            "claimResults",
            [
                Column("Claim", lambda r: r.claim_no),
                Column("Patient", lambda r: r.patient_name),
                Column("Account", lambda r: r.account_no),
                Column("DOS", lambda r: r.dos),
                Column("Payer", lambda r: r.payer_name),
                Column("Rank", lambda r: {1: "Primary", 2: "Secondary"}.get(r.rank, str(r.rank))),
                Column("Status", lambda r: r.status.value.replace("_", " ").capitalize()),
                Column("Charge", lambda r: r.total_charge, align_right=True),
            ],
        )
        self.claim_results.setMaximumHeight(140)
        lay.addWidget(self.claim_results)
        self.claim_label = QLabel("")
        self.claim_label.setObjectName("claimLabel")
        self.claim_label.setWordWrap(True)
        lay.addWidget(self.claim_label)

        # ---- the lines
        self.grid = EntryGrid(0, len(GRID))
        self.grid.setObjectName("eobGrid")
        self.grid.setHorizontalHeaderLabels([h for h, _ in GRID])
        self.grid.verticalHeader().setVisible(False)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.grid.setMinimumHeight(120)
        self.code_delegate = _CodeDelegate(self.grid)
        self.grid.setItemDelegateForColumn(C_DENIAL, self.code_delegate)
        self.grid.setItemDelegateForColumn(C_RARC, self.code_delegate)
        lay.addWidget(self.grid, 1)
        self.code_hint = QLabel("")
        self.code_hint.setObjectName("codeHint")
        self.code_hint.setWordWrap(True)
        lay.addWidget(self.code_hint)
        form = QFormLayout()
        self.post_date = DateEdit("postDate")
        form_row(form, "Post &date:", self.post_date)
        lay.addLayout(form)
        self.preview = QLabel("")
        self.preview.setObjectName("eobPreview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.preview)
        btns = QHBoxLayout()
        self.post_btn = QPushButton("&Post EOB  (Ctrl+Enter)")
        self.post_btn.setObjectName("postEob")
        self.clear_btn = QPushButton("Clear  (Esc)")
        self.clear_btn.setObjectName("clearEob")
        self.reverse_btn = QPushButton("Re&verse a posting...")
        self.reverse_btn.setObjectName("reverseEob")
        btns.addWidget(self.post_btn)
        btns.addWidget(self.clear_btn)
        btns.addStretch(1)
        self.recoup_btn = QPushButton("Rec&oup a payer credit...")
        self.recoup_btn.setObjectName("recoupCredit")
        btns.addWidget(self.recoup_btn)
        btns.addWidget(self.reverse_btn)
        lay.addLayout(btns)
        self.result = QLabel("")
        self.result.setObjectName("eobResult")
        self.result.setWordWrap(True)
        lay.addWidget(self.result)

        self.check_combo.currentIndexChanged.connect(self._check_picked)
        self.record_btn.clicked.connect(self.record_check)
        self.check_amount.returnPressed.connect(self.record_check)
        self.claim_search.returnPressed.connect(self.find_claims)
        self.claim_dos.dateChanged.connect(lambda _d: self.any_date.setChecked(False))
        self.claim_results.activated.connect(lambda _i: self._claim_picked())
        self.grid.cellChanged.connect(self._cell_changed)
        self.grid.currentCellChanged.connect(lambda r, c, _r, _c: self._show_code(r, c))
        self.code_delegate.typed.connect(lambda c, text: self.code_hint.setText(code_hint(c, text)))
        self.post_btn.clicked.connect(self.post)
        self.clear_btn.clicked.connect(self.ask_clear)
        self.reverse_btn.clicked.connect(self.reverse_posting)
        self.recoup_btn.clicked.connect(self.recoup)
        shortcut(self, "Ctrl+Return", self.post)
        shortcut(self, "Ctrl+Enter", self.post)
        shortcut(self, "Escape", self.ask_clear)
        self.reload()

    # ---------------------------------------------------------------- checks

    def reload(self, select_payment: int | None = None) -> None:
        payers = ops.query(self, self.ctx, _payers)
        if not isinstance(payers, ops.Failed):
            self.payer_combo.clear()
            for pid, name in payers:
                self.payer_combo.addItem(name, pid)
        keep = select_payment or (self.check.payment_id if self.check else None)
        rows = ops.query(self, self.ctx, posting.payer_payments, open_only=True)
        if isinstance(rows, ops.Failed):
            return
        if keep is not None and keep not in {r.payment_id for r in rows}:
            one = ops.query(self, self.ctx, posting.payer_payments, payment_ids=[keep])
            if not isinstance(one, ops.Failed):
                rows = one + rows
        self.check_combo.blockSignals(True)
        self.check_combo.clear()
        self.check_combo.addItem("(pick a check)", None)
        for r in rows:
            self.check_combo.addItem(
                f"{r.received:%m/%d/%Y}  {r.label}  left {fmt(r.left)}", r.payment_id
            )
        self.check_combo.blockSignals(False)
        idx = self.check_combo.findData(keep) if keep is not None else 0
        self.check_combo.setCurrentIndex(max(idx, 0))
        self._check_picked()

    def _check_picked(self) -> None:
        pid = self.check_combo.currentData()
        if pid is None:
            self.check = None
            self.check_status.setText("Pick a check, or record a new one.")
            self._refresh_preview()
            return
        got = ops.query(self, self.ctx, lambda s, a: posting.check_status(s, pid))
        if isinstance(got, ops.Failed):
            return
        self.check = got
        self.post_date.set_value(got.received)
        self._show_check()
        self._refresh_preview()

    def _show_check(self, this_claim: Decimal | None = None) -> None:
        c = self.check
        if c is None:
            return
        text = (
            f"{c.method.value.upper()} {c.reference} from {c.payer_name}: "
            f"amount {fmt(c.amount)} - posted {fmt(c.posted)} - left {fmt(c.left)}"
        )
        if this_claim is not None:
            text += f" - this claim {fmt(this_claim)} - left after {fmt(c.left - this_claim)}"
        self.check_status.setText(text)

    def record_check(self) -> None:
        amount = self.check_amount.value()
        if amount is None:
            QMessageBox.warning(self, "Please correct", "Type the check amount (e.g. 1,234.56).")
            self.check_amount.setFocus()
            return
        got = ops.run(
            self,
            self.ctx,
            posting.record_payer_payment,
            payer_id=self.payer_combo.currentData(),
            amount=amount,
            method=PaymentMethod(self.method_combo.currentData()),
            reference=self.check_no.text(),
            received=self.check_date.value(),
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        self.check_no.clear()
        self.check_amount.clear()
        self.reload(select_payment=got.payment_id)
        self.claim_search.setFocus()

    # ---------------------------------------------------------------- claims

    def find_claims(self) -> None:
        dos = None if self.any_date.isChecked() else self.claim_dos.value()
        payer = self.check.payer_id if self.check else None
        got = ops.query(
            self, self.ctx, posting.find_claims, self.claim_search.text(), payer_id=payer, dos=dos
        )
        if isinstance(got, ops.Failed):
            return
        self.claim_results.set_rows(got)
        if len(got) == 1:
            self.load_claim(got[0].claim_id)
        elif got:
            self.claim_results.setFocus()
        else:
            self.claim_label.setText(
                "No claim found" + (" for this check's payer." if payer else ".")
            )

    def _claim_picked(self) -> None:
        r = self.claim_results.current()
        if r is not None:
            self.load_claim(r.claim_id)

    def load_claim(self, claim_id: int) -> None:
        got = ops.run(self, self.ctx, posting.claim_for_posting, claim_id)
        if isinstance(got, ops.Failed):
            return
        self.claim = got
        c = got.claim
        rank = {1: "primary", 2: "secondary", 3: "tertiary"}.get(c.rank, "")
        self.claim_label.setText(
            f"<b>Claim {c.claim_no}</b> - {c.patient_name} ({c.account_no}) - "
            f"DOS {c.dos:%m/%d/%Y} - {c.payer_name} ({rank}) - status "
            f"{c.status.value.replace('_', ' ')} - after this payer: {got.next_label}"
        )
        self._filling = True
        self.grid.setRowCount(len(got.lines))
        for i, ln in enumerate(got.lines):
            values = [
                str(ln.line_no),
                f"{ln.dos:%m/%d/%Y}",
                ln.code,
                fmt(ln.charge),
                fmt(ln.payer_owes),
            ]
            for col, (_, editable) in enumerate(GRID):
                item = QTableWidgetItem(values[col] if col < len(values) else "")
                if not editable:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setForeground(QBrush(QColor("#555555")))
                if col in (3, 4) or C_ALLOWED <= col <= C_CONTR:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.grid.setItem(i, col, item)
        self._filling = False
        self.result.clear()
        self._refresh_preview()
        if got.lines:
            self.grid.setFocus()
            self.grid.setCurrentCell(0, C_ALLOWED)

    # ---------------------------------------------------------------- the grid

    def _cell(self, row: int, col: int) -> str:
        item = self.grid.item(row, col)
        return item.text().strip() if item else ""

    def _show_code(self, row: int, col: int) -> None:
        """The meaning of the denial / remark code of the cell in focus."""
        if col in (C_DENIAL, C_RARC):
            self.code_hint.setText(code_hint(col, self._cell(row, col)))
        else:
            self.code_hint.clear()

    def _cell_changed(self, row: int, col: int) -> None:
        if self._filling or self.claim is None:
            return
        if col in (C_DENIAL, C_RARC):
            hint = code_hint(col, self._cell(row, col))
            self.grid.item(row, col).setToolTip(hint)
            if row == self.grid.currentRow() and col == self.grid.currentColumn():
                self.code_hint.setText(hint)
        # Allowed on a primary claim: the contractual adjustment is what the
        # payer does not allow, unless the biller typed one.
        if col == C_ALLOWED and self.claim.claim.rank == 1 and not self._cell(row, C_CONTR):
            try:
                allowed = parse_money(self._cell(row, C_ALLOWED))
                charge = self.claim.lines[row].payer_owes
                if Decimal("0") <= allowed <= charge:
                    self._filling = True
                    self.grid.item(row, C_CONTR).setText(fmt(charge - allowed))
                    self._filling = False
            except MoneyError:
                pass
        self._refresh_preview()

    def eob_lines(self) -> tuple[list[EobLine], list[str]]:
        """The grid as EOB lines, and the cells that are not amounts."""
        lines: list[EobLine] = []
        bad: list[str] = []
        assert self.claim is not None
        for r, ln in enumerate(self.claim.lines):
            vals: dict[int, Decimal | None] = {}
            for col in (C_ALLOWED, C_PAID, C_DED, C_COINS, C_COPAY, C_CONTR):
                t = self._cell(r, col)
                item = self.grid.item(r, col)
                try:
                    vals[col] = parse_money(t) if t else None
                    item.setBackground(QBrush())
                except MoneyError:
                    vals[col] = None
                    item.setBackground(QBrush(QColor("#ffe0e0")))
                    bad.append(f"Line {ln.line_no}: {GRID[col][0].lower()} '{t}' is not an amount")
            denial = self._cell(r, C_DENIAL).upper().replace(" ", "-")
            grp, _, code = denial.partition("-")
            if denial and not code:
                grp, code = "CO", grp
            typed = any(v is not None for v in vals.values()) or denial or self._cell(r, C_RARC)
            if not typed:
                continue
            zero = Decimal("0.00")
            lines.append(
                EobLine(
                    ln.service_line_id,
                    paid=vals[C_PAID] or zero,
                    allowed=vals[C_ALLOWED],
                    deductible=vals[C_DED] or zero,
                    coinsurance=vals[C_COINS] or zero,
                    copay=vals[C_COPAY] or zero,
                    contractual=vals[C_CONTR] or zero,
                    denial_group=grp if denial else "",
                    denial_code=code if denial else "",
                    rarc=self._cell(r, C_RARC),
                )
            )
        return lines, bad

    def _refresh_preview(self) -> None:
        if self.claim is None or self.check is None:
            self.preview.setText(
                "" if self.claim is None else "<i>Pick the check this EOB came with.</i>"
            )
            return
        lines, bad = self.eob_lines()
        if not lines and not bad:
            self.preview.setText("<i>Type what the EOB says for each line.</i>")
            self._show_check()
            return
        pv = ops.query(
            self,
            self.ctx,
            posting.preview_eob,
            self.check.payment_id,
            self.claim.claim.claim_id,
            lines,
            on=self.post_date.value(),
        )
        if isinstance(pv, ops.Failed):
            return
        self._show_check(pv.this_claim)
        problems = bad + [p.message for p in pv.problems]
        parts = [
            f"Paid <b>{fmt(pv.paid)}</b>",
            f"adjusted <b>{fmt(pv.adjusted)}</b>",
            f"to {pv.next_label} <b>{fmt(pv.to_next)}</b>",
            f"left with payer <b>{fmt(pv.left_with_payer)}</b>",
        ]
        if pv.overpaid:
            parts.append(f"overpaid (held as payer credit) <b>{fmt(pv.overpaid)}</b>")
        text = " - ".join(parts) + (
            f"<br>The claim becomes <b>{STATUS_LABELS.get(pv.new_status.value, pv.new_status.value)}</b>."
        )
        if pv.warnings:
            text += (
                "<br><span style='color:#9a5b00'><b>Check the EOB:</b> "
                + "<br>".join(html.escape(w) for w in pv.warnings)
                + "</span>"
            )
        if problems:
            text += "<br><span style='color:#c62828'>" + "<br>".join(problems) + "</span>"
        self.preview.setText(text)

    # ---------------------------------------------------------------- posting

    def post(self) -> None:
        if self.claim is None or self.check is None:
            QMessageBox.information(self, "MedBill Desk", "Pick the check and the claim first.")
            return
        if self.grid.state() == QAbstractItemView.State.EditingState:
            # Commit the cell being typed in before posting.
            self.grid.setCurrentCell(self.grid.currentRow(), self.grid.currentColumn())
        lines, bad = self.eob_lines()
        if bad:
            QMessageBox.warning(self, "Please correct", "\n".join(bad))
            return

        def invalid(exc: ValidationError) -> None:
            status(self.result, "\n".join(p.message for p in exc.problems), ok=False)

        got = ops.run(
            self,
            self.ctx,
            posting.post_eob,
            self.check.payment_id,
            self.claim.claim.claim_id,
            lines,
            on=self.post_date.value(),
            on_invalid=invalid,
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        c = self.claim.claim
        self.posted.emit(got)
        self.reload()
        self.load_claim(c.claim_id)
        status(
            self.result,
            f"Posted. Claim {c.claim_no} is now {STATUS_LABELS.get(got.status.value, got.status.value)}. "
            f"{c.patient_name} owes {fmt(got.patient_owes)}.",
        )
        self.claim_search.selectAll()
        self.claim_search.setFocus()

    def typed_anything(self) -> bool:
        if self.claim is None:
            return False
        return any(
            self._cell(r, c)
            for r in range(self.grid.rowCount())
            for c in range(C_ALLOWED, len(GRID))
        )

    def ask_clear(self) -> None:
        if (
            self.typed_anything()
            and QMessageBox.question(
                self, "Clear the EOB?", "Throw away what was typed for this claim?"
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        self.claim = None
        self.grid.setRowCount(0)
        self.claim_label.clear()
        self.preview.clear()
        self.code_hint.clear()
        self.claim_search.setFocus()

    def reverse_posting(self) -> None:
        if self.claim is None:
            QMessageBox.information(
                self, "MedBill Desk", "Open the claim whose posting to reverse."
            )
            return
        rows = ops.query(self, self.ctx, posting.claim_postings, self.claim.claim.claim_id)
        if isinstance(rows, ops.Failed):
            return
        live = [r for r in rows if not r.reversed]
        if not live:
            QMessageBox.information(self, "MedBill Desk", "This claim has no posting to reverse.")
            return
        labels = [f"{r.posted:%m/%d/%Y}  {r.check}  paid {fmt(r.paid)}" for r in live]
        choice, ok = QInputDialog.getItem(self, "Reverse a posting", "Posting:", labels, 0, False)
        if not ok:
            return
        memo, ok = QInputDialog.getText(self, "Reverse a posting", "Why is it reversed?")
        if not ok:
            return
        row = live[labels.index(choice)]
        txn = row.txn
        got = ops.run(
            self, self.ctx, posting.reverse_eob, txn, on=date.today(), memo=memo, changed="ledger"
        )
        if isinstance(got, ops.Failed):
            return
        self.reload()
        self.load_claim(self.claim.claim.claim_id)
        # After load_claim, which clears the result line for a fresh claim.
        c = self.claim.claim
        now = STATUS_LABELS.get(c.status.value, c.status.value.replace("_", " ").capitalize())
        status(
            self.result,
            f"Reversed the {row.posted:%m/%d/%Y} posting of {row.check} (paid {fmt(row.paid)}). "
            f"Claim {c.claim_no} is {now} again.",
        )

    def recoup(self) -> None:
        """The payer kept part of this patient's overpayment out of this check."""
        if self.claim is None or self.check is None:
            QMessageBox.information(
                self, "MedBill Desk", "Pick the check and a claim of the patient first."
            )
            return
        text, ok = QInputDialog.getText(
            self,
            "Recoup a payer credit",
            f"Amount {self.check.payer_name} kept out of {self.check.reference} "
            f"from {self.claim.claim.patient_name}'s credit:",
        )
        if not ok:
            return
        try:
            amount = parse_money(text)
        except MoneyError as exc:
            QMessageBox.warning(self, "Please correct", str(exc))
            return
        got = ops.run(
            self,
            self.ctx,
            posting.recoup_credit,
            self.check.payment_id,
            self.claim.claim.patient_id,
            amount,
            on=self.post_date.value(),
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        status(self.result, f"Recouped {fmt(amount)} of the payer's credit from this check.")
        self.reload()

    def open_payment(self, payment_id: int) -> bool:
        self.reload(select_payment=payment_id)
        return self.check is not None and self.check.payment_id == payment_id
