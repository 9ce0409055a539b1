"""The fee schedule editor: the office's codes, prices, what each payer
allows, active or not; import from CSV/XLSX with a preview of every bad row;
the starter list; CMS's HCPCS Level II file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from app.errors import ValidationError
from app.models.insurance import Payer
from app.money import fmt
from app.services import fee_schedule as fs
from app.services.auth import Permission
from app.services.fee_schedule import (
    FeeItemInput,
    FeeItemRow,
    ImportPreview,
    PreviewBad,
    PreviewRow,
)
from app.ui import ops
from app.ui.coding.work import run_job
from app.ui.context import UiContext
from app.ui.widgets import ROW_ROLE, SORT_ROLE, Column, ProblemMarker, RowTableModel, shortcut


def _payers(s, _actor) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [
        (p.id, p.name)
        for p in s.execute(select(Payer).where(Payer.active).order_by(Payer.name)).scalars()
    ]


class FeeScheduleView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.payers: list[tuple[int, str]] = []
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("feeSearch")
        self.search.setPlaceholderText("Find a code or words")
        self.add_btn = QPushButton("&Add code...")
        self.add_btn.setObjectName("feeAdd")
        self.import_btn = QPushButton("&Import CSV/XLSX...")
        self.import_btn.setObjectName("feeImport")
        self.starter_btn = QPushButton("Load the &starter list")
        self.starter_btn.setObjectName("feeStarter")
        self.hcpcs_btn = QPushButton("Import HC&PCS file...")
        self.hcpcs_btn.setObjectName("hcpcsImport")
        top.addWidget(self.search, 1)
        for b in (self.add_btn, self.import_btn, self.starter_btn, self.hcpcs_btn):
            top.addWidget(b)
        lay.addLayout(top)
        self.model: RowTableModel[FeeItemRow] = RowTableModel([], self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)
        self.table.setObjectName("feeTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda _i: self.edit_current())
        lay.addWidget(self.table)
        self.note = QLabel()
        self.note.setObjectName("feeNote")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)

        can_edit = ctx.can(Permission.FEE_SCHEDULE_EDIT)
        for b in (self.add_btn, self.import_btn, self.starter_btn, self.hcpcs_btn):
            b.setEnabled(can_edit)
        self.search.textChanged.connect(lambda _t: self.reload())
        self.add_btn.clicked.connect(lambda: self.edit(None))
        self.import_btn.clicked.connect(self.import_file)
        self.starter_btn.clicked.connect(self.load_starter)
        self.hcpcs_btn.clicked.connect(self.import_hcpcs)
        sc = shortcut(self.table, "Return", self.edit_current)
        sc.setContext(Qt.ShortcutContext.WidgetShortcut)

    def reload(self) -> None:
        payers = ops.query(self, self.ctx, _payers)
        if not isinstance(payers, ops.Failed):
            self.payers = payers
        cols: list[Column[FeeItemRow]] = [
            Column("Code", lambda r: r.code),
            Column("Description", lambda r: r.description),
            Column("Price", lambda r: r.price, align_right=True),
            Column("Active", lambda r: "Yes" if r.active else "No"),
        ]
        for pid, name in self.payers:
            cols.append(
                Column(f"Allowed: {name}", lambda r, pid=pid: r.allowed.get(pid), align_right=True)
            )
        self.model.columns = cols
        rows = ops.query(self, self.ctx, fs.list_items, text=self.search.text())
        if isinstance(rows, ops.Failed):
            return
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        n_hcpcs = ops.query(self, self.ctx, lambda s, _a: fs.hcpcs_count(s))
        unpriced = sum(1 for r in rows if r.price is None and r.active)
        self.note.setText(
            f"{len(rows)} codes shown; {unpriced} active without a price (a visit line with "
            f"one needs its charge typed). HCPCS Level II reference: "
            f"{n_hcpcs if not isinstance(n_hcpcs, ops.Failed) else '?'} codes. Enter edits "
            "the highlighted code."
        )

    def select_item(self, fee_item_id: int) -> bool:
        self.search.clear()
        self.reload()
        for r in range(self.proxy.rowCount()):
            row: FeeItemRow = self.proxy.data(self.proxy.index(r, 0), ROW_ROLE)
            if row.id == fee_item_id:
                self.table.selectRow(r)
                self.table.setFocus()
                return True
        return False

    def edit_current(self) -> None:
        idx = self.table.currentIndex()
        if idx.isValid():
            self.edit(self.proxy.data(idx, ROW_ROLE))

    def edit(self, row: FeeItemRow | None) -> None:
        if not self.ctx.can(Permission.FEE_SCHEDULE_EDIT):
            QMessageBox.information(
                self, "MedBill Desk", "Your role may read the fee schedule, not change it."
            )
            return
        dlg = FeeItemDialog(self.ctx, row, self.payers, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.reload()
            if dlg.saved_id is not None:
                self.select_item(dlg.saved_id)

    def import_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a fee schedule", "", "Fee schedules (*.csv *.xlsx)"
        )
        if name:
            self.import_path(Path(name))

    def import_path(self, path: Path) -> None:
        preview = run_job(
            self,
            self.ctx,
            "Reading the fee schedule file...",
            lambda s, a, progress: fs.preview_import(s, a, path),
        )
        if isinstance(preview, ops.Failed):
            return
        dlg = ImportPreviewDialog(preview, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        res = run_job(
            self,
            self.ctx,
            "Importing the fee schedule...",
            fs.apply_import,
            preview,
            changed="fee_schedule",
        )
        if not isinstance(res, ops.Failed):
            QMessageBox.information(
                self,
                "Fee schedule imported",
                f"{res.added} codes added, {res.changed} changed; "
                f"{res.skipped_bad} bad rows left out.",
            )
        self.reload()

    def load_starter(self) -> None:
        res = run_job(
            self,
            self.ctx,
            "Adding the starter codes...",
            lambda s, a, progress: fs.load_starter(s, a),
            changed="fee_schedule",
        )
        if not isinstance(res, ops.Failed):
            QMessageBox.information(
                self,
                "Starter list",
                f"{res.added} starter codes added (without prices: type the office's prices).",
            )
        self.reload()

    def import_hcpcs(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import CMS's HCPCS Level II file", "", "HCPCS files (*.txt);;All files (*)"
        )
        if name:
            self.import_hcpcs_path(Path(name))

    def import_hcpcs_path(self, path: Path) -> None:
        res = run_job(
            self,
            self.ctx,
            "Importing HCPCS Level II codes...",
            fs.import_hcpcs_file,
            path,
            changed="fee_schedule",
        )
        if not isinstance(res, ops.Failed):
            QMessageBox.information(
                self,
                "HCPCS imported",
                f"{res.added} codes added, {res.updated} updated, {res.unchanged} unchanged. "
                f"Left out: {res.skipped_cpt} CPT codes, {res.modifier_lines} modifier lines.",
            )
        self.reload()


class FeeItemDialog(QDialog):
    """One code: Enter saves, Esc cancels (asking first when something changed)."""

    def __init__(
        self,
        ctx: UiContext,
        row: FeeItemRow | None,
        payers: list[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.saved_id: int | None = None
        self.setObjectName("FeeItemDialog")
        self.setWindowTitle("Fee schedule code" if row else "Add a code")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.code = QLineEdit(row.code if row else "")
        self.code.setObjectName("feeCode")
        self.code.setMaxLength(5)
        self.description = QLineEdit(row.description if row else "")
        self.description.setObjectName("feeDescription")
        self.price = QLineEdit(fmt(row.price) if row and row.price is not None else "")
        self.price.setObjectName("feePrice")
        self.active = QCheckBox("Active (offered when coding)")
        self.active.setObjectName("feeActive")
        self.active.setChecked(row.active if row else True)
        labels = {}
        for key, label, w in (
            ("code", "&Code", self.code),
            ("description", "&Description", self.description),
            ("price", "&Price", self.price),
        ):
            msg = QLabel()
            labels[key] = (w, msg)
            form.addRow(label, w)
            form.addRow("", msg)
        form.addRow("", self.active)
        self.allowed: dict[int, QLineEdit] = {}
        for pid, name in payers:
            e = QLineEdit(fmt(row.allowed.get(pid)) if row and row.allowed.get(pid) else "")
            e.setObjectName(f"allowed_{pid}")
            e.setPlaceholderText("blank: none agreed")
            self.allowed[pid] = e
            form.addRow(f"Allowed by {name}", e)
        lay.addLayout(form)
        self.summary = QLabel()
        lay.addWidget(self.summary)
        self.marker = ProblemMarker(labels, self.summary)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._initial = self._state()

    def _state(self) -> tuple[object, ...]:
        return (
            self.code.text(),
            self.description.text(),
            self.price.text(),
            self.active.isChecked(),
            tuple(e.text() for e in self.allowed.values()),
        )

    def reject(self) -> None:
        if self._state() != self._initial:
            answer = QMessageBox.question(self, "Discard changes", "Discard what you typed?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()

    def save(self) -> None:
        data = FeeItemInput(
            self.code.text(), self.description.text(), self.price.text(), self.active.isChecked()
        )

        def work(s, actor):  # type: ignore[no-untyped-def]
            saved = fs.save_item(s, actor, data, self.row.id if self.row else None)
            for pid, e in self.allowed.items():
                fs.set_allowed(s, actor, saved.id, pid, e.text())
            return saved

        res = ops.run(self, self.ctx, work, on_invalid=self._invalid, changed="fee_schedule")
        if isinstance(res, ops.Failed):
            return
        self.saved_id = res.id
        self.accept()

    def _invalid(self, exc: ValidationError) -> None:
        self.marker.show(exc.problems)


class ImportPreviewDialog(QDialog):
    """What an import would do: new codes, changes, unchanged rows, and every
    bad row with its reasons. "Import" applies the good rows."""

    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setObjectName("ImportPreviewDialog")
        self.setWindowTitle(f"Import preview: {preview.file_name}")
        self.resize(900, 600)
        lay = QVBoxLayout(self)
        c = preview.counts
        summary = QLabel(
            f"<b>{c['new']} new, {c['change']} changed, {c['same']} unchanged, "
            f"<span style='color:#c62828'>{c['bad']} bad row{'s' if c['bad'] != 1 else ''}</span></b>"
            " (bad rows are left out; fix them in the file and import again)"
        )
        summary.setObjectName("previewSummary")
        lay.addWidget(summary)
        if preview.problems:
            probs = QLabel("<br>".join(preview.problems))
            probs.setObjectName("previewProblems")
            probs.setStyleSheet("color: #c62828;")
            probs.setWordWrap(True)
            lay.addWidget(probs)
        for n in preview.notes:
            lay.addWidget(QLabel(n))
        lay.addWidget(QLabel("Bad rows:"))
        self.bad_model: RowTableModel[PreviewBad] = RowTableModel(
            [
                Column("Row", lambda b: b.row_no),
                Column("As typed", lambda b: b.text),
                Column("Why", lambda b: "; ".join(b.reasons)),
            ],
            self,
        )
        self.bad_model.set_rows(preview.bad)
        bad = QTableView()
        bad.setTabKeyNavigation(False)
        bad.setObjectName("previewBad")
        bad.setModel(self.bad_model)
        bad.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(bad, 1)
        lay.addWidget(QLabel("Rows to import:"))
        self.rows_model: RowTableModel[PreviewRow] = RowTableModel(
            [
                Column("Row", lambda r: r.row_no),
                Column("Code", lambda r: r.code),
                Column("What", lambda r: r.action),
                Column("Description", lambda r: r.description),
                Column("Price", lambda r: r.price, align_right=True),
                Column("Changes", lambda r: "; ".join(r.changes)),
            ],
            self,
        )
        self.rows_model.set_rows([r for r in preview.rows if r.action != "same"])
        rows = QTableView()
        rows.setTabKeyNavigation(False)
        rows.setObjectName("previewRows")
        rows.setModel(self.rows_model)
        rows.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(rows, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_btn = buttons.addButton(
            "&Import the good rows", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_btn.setObjectName("applyImport")
        self.apply_btn.setEnabled(preview.can_apply)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
