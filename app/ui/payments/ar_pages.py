"""A/R screens: the aging (by payer and by patient), the collections list,
and a patient's ledger with its running balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.errors import Problem
from app.models.ledger import AdjustmentType
from app.money import ZERO, fmt
from app.services import aging, ledger, payments, statements
from app.services.auth import Actor, Permission
from app.ui import ops, printing
from app.ui.context import UiContext
from app.ui.payments.background import BackgroundCall
from app.ui.payments.common import (
    DateEdit,
    MoneyEdit,
    PatientFinder,
    RowsView,
    choose_pdf_path,
    form_row,
    status,
)
from app.ui.widgets import Column, ProblemMarker


def _bucket_columns(first: str) -> list[Column[aging.AgingRow]]:
    cols: list[Column[aging.AgingRow]] = [Column(first, lambda r: r.name)]
    for i, label in enumerate(aging.BUCKETS):
        cols.append(Column(label, lambda r, i=i: r.buckets[i], align_right=True))
    cols.append(Column("Total", lambda r: r.total, align_right=True))
    return cols


class AgingPage(QWidget):
    open_patient = Signal(int)
    computed = Signal()  # the aging (or its failure) is on screen

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("agingPage")
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("As &of:"))
        self.as_of = DateEdit("agingDate")
        row.itemAt(0).widget().setBuddy(self.as_of)  # type: ignore[union-attr]
        row.addWidget(self.as_of)
        row.addWidget(QLabel("counted from"))
        self.basis = QComboBox()
        self.basis.setObjectName("agingBasis")
        for b in aging.Basis:
            self.basis.addItem(b.label, b)
        row.addWidget(self.basis)
        self.run_btn = QPushButton("&Show")
        self.run_btn.setObjectName("agingRun")
        self.export_btn = QPushButton("&Export CSV...")
        self.export_btn.setObjectName("agingExport")
        row.addWidget(self.run_btn)
        row.addStretch(1)
        row.addWidget(self.export_btn)
        lay.addLayout(row)
        busy_row = QHBoxLayout()
        self.busy = QProgressBar()
        self.busy.setObjectName("agingBusy")
        self.busy.setRange(0, 0)  # no steps to count: a busy bar
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.totals = QLabel("")
        self.totals.setObjectName("agingTotals")
        busy_row.addWidget(self.busy)
        busy_row.addWidget(self.totals, 1)
        lay.addLayout(busy_row)
        split = QSplitter(Qt.Orientation.Vertical)
        self.payers = RowsView("agingPayers", _bucket_columns("Payer"))
        self.patients = RowsView("agingPatients", _bucket_columns("Patient"))
        split.addWidget(self.payers)
        split.addWidget(self.patients)
        split.setStretchFactor(1, 3)
        lay.addWidget(split, 1)
        self.can_export = ctx.can(Permission.EXPORT)
        self.export_btn.setEnabled(self.can_export)
        self.call: BackgroundCall | None = None
        self.run_btn.clicked.connect(self.run)
        self.export_btn.clicked.connect(self.export)
        self.patients.activated.connect(self._patient)

    def run(self) -> None:
        """Compute the aging off the GUI thread (up to a second or two on ten
        years of history); the screen stays live with a busy bar."""
        if self.call is not None:
            return
        as_of, basis = self.as_of.value(), aging.Basis(self.basis.currentData())
        self.call = BackgroundCall(self.ctx, aging.aging, as_of, basis)
        self.call.finished.connect(self._shown)
        self.call.failed.connect(self._failed)
        self._busy(True)
        self.totals.setText(f"Computing the aging as of {as_of:%m/%d/%Y}...")
        self.call.start()

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.run_btn.setEnabled(not on)
        self.export_btn.setEnabled(self.can_export and not on)
        self.as_of.setEnabled(not on)
        self.basis.setEnabled(not on)

    def _failed(self, message: str) -> None:
        self.call = None
        self._busy(False)
        status(self.totals, message, ok=False)
        self.computed.emit()

    def _shown(self, got: aging.AgingReport) -> None:
        self.call = None
        self._busy(False)
        self.payers.set_rows([*got.payers, got.payer_total])
        self.patients.set_rows([*got.patients, got.patient_total])
        t = got.total
        self.totals.setStyleSheet("")
        self.totals.setText(
            f"<b>Total A/R {fmt(t.total)}</b>: payers {fmt(got.payer_total.total)}, patients "
            f"{fmt(got.patient_total.total)}; over 90 days {fmt(t.over_90)}"
        )
        self.computed.emit()

    def _patient(self, _index: object) -> None:
        r = self.patients.current()
        if r is not None and r.key is not None:
            self.open_patient.emit(r.key)

    def export(self) -> None:
        """Save the aging as CSV (audited). It is computed again for the file,
        off the GUI thread like *Show* (a second on ten years of history),
        and the screen shows what was saved."""
        if self.call is not None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export the aging",
            f"aging-{self.as_of.value():%Y-%m-%d}.csv",
            "CSV files (*.csv)",
        )
        if not name:
            return
        as_of, basis, path = self.as_of.value(), aging.Basis(self.basis.currentData()), Path(name)
        self.call = BackgroundCall(self.ctx, aging.export_aging_csv, as_of, basis, path)
        self.call.finished.connect(lambda report: self._exported(report, path))
        self.call.failed.connect(self._failed)
        self._busy(True)
        self.totals.setText(f"Saving the aging as of {as_of:%m/%d/%Y} to {path.name}...")
        self.call.start()

    def _exported(self, report: aging.AgingReport, path: Path) -> None:
        self._shown(report)
        self.totals.setText(self.totals.text() + f" - saved to {path.name}")


class CollectionsPage(QWidget):
    open_patient = Signal(int)
    exported = Signal()  # the export (or its failure) is on screen

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("collectionsPage")
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("As &of:"))
        self.as_of = DateEdit("collectionsDate")
        row.itemAt(0).widget().setBuddy(self.as_of)  # type: ignore[union-attr]
        row.addWidget(self.as_of)
        self.run_btn = QPushButton("&Show")
        self.run_btn.setObjectName("collectionsRun")
        self.export_btn = QPushButton("&Export CSV...")
        self.export_btn.setObjectName("collectionsExport")
        row.addWidget(self.run_btn)
        row.addStretch(1)
        row.addWidget(self.export_btn)
        lay.addLayout(row)
        lay.addWidget(
            QLabel(
                "Patient balances over 90 days old (from the date of service) that have been sent statements."
            )
        )
        self.list = RowsView(
            "collectionsList",
            [
                Column("Account", lambda r: r.account_no),
                Column("Guarantor", lambda r: r.name),
                Column("Phone", lambda r: r.phone, display=lambda p: _phone(p)),
                Column("Balance", lambda r: r.balance, align_right=True),
                Column("Over 90 days", lambda r: r.over_90, align_right=True),
                Column("Statements", lambda r: r.statements_sent, align_right=True),
                Column("Last statement", lambda r: r.last_statement),
                Column("Last payment", lambda r: r.last_payment),
            ],
        )
        lay.addWidget(self.list, 1)
        note_row = QHBoxLayout()
        self.busy = QProgressBar()
        self.busy.setObjectName("collectionsBusy")
        self.busy.setRange(0, 0)  # no steps to count: a busy bar
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.note = QLabel("")
        self.note.setObjectName("collectionsNote")
        note_row.addWidget(self.busy)
        note_row.addWidget(self.note, 1)
        lay.addLayout(note_row)
        self.can_export = ctx.can(Permission.EXPORT)
        self.export_btn.setEnabled(self.can_export)
        self.call: BackgroundCall | None = None
        self.run_btn.clicked.connect(self.run)
        self.export_btn.clicked.connect(self.export)
        self.list.activated.connect(self._open)

    def run(self) -> None:
        got = ops.query(self, self.ctx, aging.collections, self.as_of.value())
        if isinstance(got, ops.Failed):
            return
        self.list.set_rows(got)
        self.note.setStyleSheet("")
        self.note.setText(
            f"{len(got)} account(s)"
            if got
            else f"No account owes money over 90 days old after a statement, as of "
            f"{self.as_of.value():%m/%d/%Y}."
        )

    def _open(self, _i: object) -> None:
        r = self.list.current()
        if r is not None:
            self.open_patient.emit(r.guarantor_id)

    def export(self) -> None:
        """Save the collections list as CSV (audited), computed for the file in
        its own thread with the busy bar, as the aging's export is."""
        if self.call is not None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export the collections list",
            f"collections-{self.as_of.value():%Y-%m-%d}.csv",
            "CSV files (*.csv)",
        )
        if not name:
            return
        as_of, path = self.as_of.value(), Path(name)
        self.call = BackgroundCall(self.ctx, aging.export_collections_csv, as_of, path)
        self.call.finished.connect(lambda n: self._exported(n, path))
        self.call.failed.connect(self._export_failed)
        self._busy(True)
        self.note.setStyleSheet("")
        self.note.setText(f"Saving the collections list as of {as_of:%m/%d/%Y} to {path.name}...")
        self.call.start()

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.run_btn.setEnabled(not on)
        self.export_btn.setEnabled(self.can_export and not on)
        self.as_of.setEnabled(not on)

    def _exported(self, count: int, path: Path) -> None:
        self.call = None
        self._busy(False)
        self.note.setText(f"{count} account(s) saved to {path.name}")
        self.exported.emit()

    def _export_failed(self, message: str) -> None:
        self.call = None
        self._busy(False)
        status(self.note, message, ok=False)
        self.exported.emit()


def _phone(p: str) -> str:
    from app.validation import format_phone

    return format_phone(p)


def _parties(lines: list[payments.LineParties]) -> list[payments.PartyPart]:
    """Each party's total over the lines, patient last."""
    totals: dict[ledger.Resp, Decimal] = {}
    labels: dict[ledger.Resp, str] = {}
    for ln in lines:
        for p in ln.parts:
            totals[p.resp] = totals.get(p.resp, ZERO) + p.amount
            labels[p.resp] = p.label
    return [
        payments.PartyPart(r, labels[r], v)
        for r, v in sorted(totals.items(), key=lambda kv: kv[0].sort_key)
        if v > ZERO
    ]


class WriteOffDialog(QDialog):
    """Write off one party's balance (the patient's, or a payer's): bad
    debt, small balance or courtesy, oldest line first. Office manager."""

    def __init__(self, ctx: UiContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.patient_id = ctx, patient_id
        self.setWindowTitle("Write off")
        self.setObjectName("writeOffDialog")
        form = QFormLayout(self)
        lines = ops.query(self, ctx, payments.line_parties, patient_id)
        self.parties = _parties(lines if isinstance(lines, list) else [])
        self.party = QComboBox()
        self.party.setObjectName("woParty")
        for p in self.parties:
            self.party.addItem(f"{p.label} owes {fmt(p.amount)}", p.resp)
        self.owes = QLabel()
        self.owes.setObjectName("woOwes")
        self.amount = MoneyEdit("woAmount")
        self.kind = QComboBox()
        self.kind.setObjectName("woKind")
        for k in ledger.WRITE_OFF_TYPES:
            self.kind.addItem(k.value.replace("_", " ").capitalize(), k)
        self.memo = QLineEdit()
        self.memo.setObjectName("woMemo")
        self.on = DateEdit("woDate")
        errs = {k: QLabel() for k in ("amount", "kind", "memo")}
        form_row(form, "Whose &balance:", self.party)
        form.addRow(self.owes)
        form_row(form, "&Amount:", self.amount, errs["amount"])
        form_row(form, "&Kind:", self.kind)
        form_row(form, "&Why:", self.memo, errs["memo"])
        form_row(form, "&Date:", self.on)
        self.summary = QLabel()
        form.addRow(self.summary)
        self.marker = ProblemMarker(
            {
                "amount": (self.amount, errs["amount"]),
                "kind": (self.kind, errs["kind"]),
                "memo": (self.memo, errs["memo"]),
            },
            self.summary,
        )
        bb = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        bb.accepted.connect(self.save)
        bb.rejected.connect(self.reject)
        form.addRow(bb)
        self.party.currentIndexChanged.connect(lambda _i: self._party())
        self._party()
        if not self.parties:
            self.owes.setText("Nobody owes anything on this account.")
            bb.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def _party(self) -> None:
        i = self.party.currentIndex()
        if 0 <= i < len(self.parties):
            p = self.parties[i]
            self.owes.setText(
                f"{p.label} owes {fmt(p.amount)}; the oldest line is written off first."
            )
            self.amount.set_value(p.amount)

    def save(self) -> None:
        amount = self.amount.value()
        if amount is None:
            self.marker.show([Problem("amount", "Type the amount to write off")])
            return
        resp = self.party.currentData()
        got = ops.run(
            self,
            self.ctx,
            ledger.write_off,
            self.patient_id,
            amount,
            AdjustmentType(self.kind.currentData()),
            on=self.on.value(),
            memo=self.memo.text(),
            party=resp if resp is not None else ledger.PATIENT,
            on_invalid=lambda exc: self.marker.show(exc.problems),
            changed="ledger",
        )
        if not isinstance(got, ops.Failed):
            self.accept()


class MoveBalanceDialog(QDialog):
    """Move a line's balance by hand to another responsible party (the
    patient, the secondary, back to a payer), with the reason. Biller."""

    moved = Signal()

    def __init__(self, ctx: UiContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.patient_id = ctx, patient_id
        self.setWindowTitle("Move a balance")
        self.setObjectName("moveBalanceDialog")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("The lines with a balance, and who owes it:"))
        self.lines = RowsView(
            "moveLines",
            [
                Column("Service date", lambda r: r.dos),
                Column("Code", lambda r: r.code),
                Column("Balance", lambda r: r.balance, align_right=True),
                Column(
                    "Owed by",
                    lambda r: "; ".join(f"{p.label} {fmt(p.amount)}" for p in r.parts),
                ),
            ],
        )
        self.lines.setMinimumHeight(150)
        lay.addWidget(self.lines, 1)
        form = QFormLayout()
        self.source = QComboBox()
        self.source.setObjectName("moveFrom")
        self.target = QComboBox()
        self.target.setObjectName("moveTo")
        self.amount = MoneyEdit("moveAmount")
        self.on = DateEdit("moveDate")
        self.reason = QLineEdit()
        self.reason.setObjectName("moveReason")
        self.reason.setPlaceholderText("e.g. secondary on file after all; payer asked to rebill")
        errs = {k: QLabel() for k in ("amount", "target", "reason")}
        form_row(form, "&From:", self.source)
        form_row(form, "&To:", self.target, errs["target"])
        form_row(form, "&Amount:", self.amount, errs["amount"])
        form_row(form, "&Date:", self.on)
        form_row(form, "&Why:", self.reason, errs["reason"])
        lay.addLayout(form)
        self.preview = QLabel()
        self.preview.setObjectName("movePreview")
        self.preview.setWordWrap(True)
        lay.addWidget(self.preview)
        self.summary = QLabel()
        lay.addWidget(self.summary)
        self.marker = ProblemMarker(
            {
                "amount": (self.amount, errs["amount"]),
                "target": (self.target, errs["target"]),
                "reason": (self.reason, errs["reason"]),
            },
            self.summary,
        )
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.move_btn = bb.addButton("&Move  (Enter)", QDialogButtonBox.ButtonRole.ApplyRole)
        self.move_btn.setObjectName("moveSave")
        for b in bb.buttons():
            b.setAutoDefault(False)  # Enter in a field moves; it never closes the dialog
        bb.rejected.connect(self.reject)
        self.move_btn.clicked.connect(self.save)
        self.amount.returnPressed.connect(self.save)
        self.reason.returnPressed.connect(self.save)
        lay.addWidget(bb)
        self.result = QLabel()
        self.result.setObjectName("moveResult")
        lay.addWidget(self.result)
        self.lines.selectionModel().currentRowChanged.connect(lambda *_: self._line())
        self.source.currentIndexChanged.connect(lambda _i: self._source())
        for w in (self.target,):
            w.currentIndexChanged.connect(lambda _i: self._preview())
        self.amount.textChanged.connect(lambda _t: self._preview())
        self.resize(760, 520)
        self.reload()

    def reload(self, keep: int | None = None) -> None:
        got = ops.query(self, self.ctx, payments.line_parties, self.patient_id)
        if isinstance(got, ops.Failed):
            return
        self.lines.set_rows(got)
        if keep is not None:
            self.lines.select_where(lambda r: r.service_line_id == keep)
        self._line()

    def _line(self) -> None:
        ln = self.lines.current()
        self.source.blockSignals(True)
        self.source.clear()
        if ln is not None:
            for p in ln.parts:
                if p.amount > ZERO:
                    self.source.addItem(f"{p.label} ({fmt(p.amount)})", p.resp)
        self.source.blockSignals(False)
        self._source()

    def _source(self) -> None:
        ln = self.lines.current()
        src = self.source.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        if ln is not None:
            for p in ln.targets:
                if p.resp != src:
                    self.target.addItem(p.label, p.resp)
        self.target.blockSignals(False)
        part = next((p for p in ln.parts if p.resp == src), None) if ln else None
        self.amount.set_value(part.amount if part else None)
        self._preview()

    def _preview(self) -> None:
        ln = self.lines.current()
        amount = self.amount.value()
        if ln is None or amount is None or self.source.currentIndex() < 0:
            self.preview.setText("")
            return
        src = self.source.currentText().split(" (")[0]
        self.preview.setText(
            f"Moves <b>{fmt(amount)}</b> of the {ln.dos:%m/%d/%Y} {ln.code} line from "
            f"<b>{src}</b> to <b>{self.target.currentText()}</b>."
        )

    def save(self) -> None:
        ln = self.lines.current()
        if ln is None or self.source.currentData() is None:
            return
        amount = self.amount.value()
        if amount is None:
            self.marker.show([Problem("amount", "Type the amount to move")])
            return
        if self.target.currentData() is None:
            self.marker.show([Problem("target", "Pick who the balance moves to")])
            return
        got = ops.run(
            self,
            self.ctx,
            payments.move_balance,
            ln.service_line_id,
            self.source.currentData(),
            self.target.currentData(),
            amount,
            on=self.on.value(),
            reason=self.reason.text(),
            on_invalid=lambda exc: self.marker.show(exc.problems),
            changed="ledger",
        )
        if isinstance(got, ops.Failed):
            return
        self.marker.clear()
        status(self.result, self.preview.text().replace("Moves", "Moved"))
        self.reason.clear()
        self.moved.emit()
        self.reload(keep=ln.service_line_id)


class LedgerPage(QWidget):
    """A patient's ledger: every entry with the running balance, printable."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ledgerPage")
        self.patient_id: int | None = None
        self.view: payments.LedgerView | None = None
        lay = QVBoxLayout(self)
        self.finder = PatientFinder(ctx, "ledgerFinder")
        lay.addWidget(self.finder)
        self.header = QLabel("Find a patient to see their ledger.")
        self.header.setObjectName("ledgerHeader")
        lay.addWidget(self.header)
        self.rows = RowsView(
            "ledgerRows",
            [
                Column("Date", lambda r: r.entry_date),
                Column("Entry", lambda r: r.kind),
                Column("Service", lambda r: r.service),
                Column("Party", lambda r: r.who),
                Column("Detail", lambda r: r.detail),
                Column("Amount", lambda r: r.amount, align_right=True),
                Column("Balance", lambda r: r.balance, align_right=True),
            ],
        )
        self.rows.setSortingEnabled(False)
        lay.addWidget(self.rows, 1)
        row = QHBoxLayout()
        self.print_btn = QPushButton("&Print ledger...")
        self.print_btn.setObjectName("ledgerPrint")
        self.stmt_btn = QPushButton("Print a &statement...")
        self.stmt_btn.setObjectName("ledgerStatement")
        self.save_btn = QPushButton("Sa&ve as PDF")
        self.save_btn.setObjectName("ledgerSave")
        save_menu = QMenu(self.save_btn)
        save_menu.addAction("The &ledger...", lambda: self.save_pdf("ledger"))
        self.save_statement_action = save_menu.addAction(
            "A &statement...", lambda: self.save_pdf("statement")
        )
        self.save_btn.setMenu(save_menu)
        self.move_btn = QPushButton("&Move a balance...")
        self.move_btn.setObjectName("ledgerMove")
        self.wo_btn = QPushButton("&Write off...")
        self.wo_btn.setObjectName("ledgerWriteOff")
        self.rev_btn = QPushButton("&Reverse the selected posting...")
        self.rev_btn.setObjectName("ledgerReverse")
        self.buttons = [
            self.print_btn,
            self.stmt_btn,
            self.save_btn,
            self.move_btn,
            self.wo_btn,
            self.rev_btn,
        ]
        for b in self.buttons:
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.result = QLabel("")
        self.result.setObjectName("ledgerResult")
        lay.addWidget(self.result)
        self.wo_btn.setVisible(ctx.can(Permission.WRITE_OFF))
        self.stmt_btn.setVisible(ctx.can(Permission.STATEMENTS))
        self.save_btn.setVisible(ctx.can(Permission.EXPORT))
        self.save_statement_action.setVisible(ctx.can(Permission.STATEMENTS))
        self.rev_btn.setVisible(ctx.can(Permission.PAYMENT_INSURANCE))
        self.move_btn.setVisible(ctx.can(Permission.PAYMENT_INSURANCE))
        self.move_dialog: MoveBalanceDialog | None = None
        self.wo_dialog: WriteOffDialog | None = None
        self.finder.picked.connect(self.load)
        self.print_btn.clicked.connect(self.print_ledger)
        self.stmt_btn.clicked.connect(self.print_statement)
        self.wo_btn.clicked.connect(self.write_off)
        self.move_btn.clicked.connect(self.move_balance)
        self.rev_btn.clicked.connect(self.reverse)
        self._enable()

    def _enable(self) -> None:
        for b in self.buttons:
            b.setEnabled(self.view is not None)

    def load(self, patient_id: int) -> None:
        got = ops.run(self, self.ctx, payments.patient_ledger, patient_id)
        if isinstance(got, ops.Failed):
            return
        self.patient_id, self.view = patient_id, got
        self.rows.set_rows(got.rows)
        if got.rows:
            self.rows.selectRow(len(got.rows) - 1)
        self.header.setText(
            f"<b>{got.name} ({got.account_no})</b>: balance {fmt(got.balance)} - patient owes "
            f"{fmt(got.patient_part)}, insurance owes {fmt(got.insurance_part)}"
        )
        self._enable()

    def print_ledger(self) -> None:
        if self.patient_id is None:
            return
        pid = self.patient_id
        got = printing.make_and_print(
            self,
            self.ctx,
            "patient ledger",
            payments.ledger_pdf,
            lambda s, a, _v: payments.ledger_printed(s, a, pid),
            pid,
            on_finished=lambda outcome, n: self._printed("The ledger", outcome, n),
        )
        if got is not None and got.job is None:
            status(self.result, "The ledger was not printed.", ok=False)

    def print_statement(self) -> None:
        if self.patient_id is None:
            return
        got = printing.print_statement(
            self,
            self.ctx,
            self.patient_id,
            date.today(),
            on_finished=lambda outcome, n: self._printed("The statement", outcome, n),
        )
        if got is None:
            return
        if got.job is None:
            status(self.result, "The statement was not printed; nothing was recorded.", ok=False)
        else:
            due = got.made[0].amount_due
            status(self.result, f"Statement made and recorded: {fmt(due)} due. Printing...")

    def _printed(self, what: str, outcome: printing.Outcome, pages: int) -> None:
        if outcome is printing.Outcome.PRINTED:
            status(self.result, f"{what} went to the printer ({pages} page(s)).")
        else:
            status(self.result, f"{what} was not printed.", ok=False)

    def save_pdf(self, what: str) -> None:
        """Save the ledger or a statement as a PDF where the person chooses."""
        if self.patient_id is None:
            return
        name = save_account_pdf(self, self.ctx, what, self.patient_id)
        if name is not None:
            status(self.result, f"Saved as {name.name}.")

    def write_off(self) -> None:
        if self.patient_id is None or self.view is None:
            return
        pid = self.patient_id
        self.wo_dialog = WriteOffDialog(self.ctx, pid, self)
        self.wo_dialog.accepted.connect(lambda: self._written_off(pid))
        self.wo_dialog.open()

    def _written_off(self, patient_id: int) -> None:
        self.load(patient_id)
        status(self.result, "Written off.")

    def move_balance(self) -> None:
        if self.patient_id is None:
            return
        pid = self.patient_id
        self.move_dialog = MoveBalanceDialog(self.ctx, pid, self)
        self.move_dialog.moved.connect(lambda: self.load(pid))
        self.move_dialog.open()

    def reverse(self) -> None:
        r = self.rows.current()
        if r is None or self.patient_id is None:
            return
        memo, ok = QInputDialog.getText(
            self,
            "Reverse a posting",
            f"Reverse the whole posting of {r.entry_date:%m/%d/%Y} ({r.kind}). Why?",
        )
        if not ok:
            return
        got = ops.run(
            self, self.ctx, ledger.reverse_txn, r.txn, on=date.today(), memo=memo, changed="ledger"
        )
        if not isinstance(got, ops.Failed):
            self.load(self.patient_id)
            status(self.result, "The posting was reversed.")


def save_account_pdf(parent: QWidget, ctx: UiContext, what: str, patient_id: int) -> Path | None:
    """Save a patient's ledger or statement (``what``) as a PDF where the
    person chooses: an audited export; a saved statement is recorded as
    sent (the ledger here and the front desk's patient screen). The file
    saved, or None (not chosen, or refused with the message shown)."""
    suggested = "patient-ledger.pdf" if what == "ledger" else "statement.pdf"
    name = choose_pdf_path(parent, f"Save the {what} as PDF", suggested)
    if name is None:
        return None
    on = date.today()

    def save(s: Session, a: Actor, target: Path) -> None:
        payments.record_saved_copy(s, a, what, patient_id, target.name)  # may refuse first
        if what == "ledger":
            payments.ledger_pdf(s, a, patient_id, target)
        else:
            docs = statements.statement_pdf(s, a, patient_id, on, target)
            statements.record_statements(s, a, docs, on)

    got = ops.run(parent, ctx, save, name, changed="statements")
    return None if isinstance(got, ops.Failed) else name
