"""The coding worklist: checked-in and completed visits not yet coded, and
visits being coded, oldest first. Enter opens the highlighted one; "New visit
for a patient" codes a visit that had no appointment."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import encounters, office
from app.services.encounters import WorkItem
from app.ui import ops
from app.ui.context import UiContext
from app.ui.widgets import ROW_ROLE, SORT_ROLE, Column, RowTableModel, shortcut

COLUMNS: list[Column[WorkItem]] = [
    Column("Date of service", lambda w: w.day),
    Column("Patient", lambda w: w.patient_name),
    Column("Account", lambda w: w.account_no),
    Column("Provider", lambda w: w.provider),
    Column("Status", lambda w: w.status),
    Column("Reason", lambda w: w.reason),
]


class Worklist(QWidget):
    """Emits ``open_item(kind, id)`` for an appointment or an encounter."""

    open_item = Signal(str, int)
    opened_encounter = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.count = QLabel()
        self.count.setObjectName("worklistCount")
        self.new_btn = QPushButton("&New visit for a patient...")
        self.new_btn.setObjectName("newVisit")
        self.refresh_btn = QPushButton("Refresh (F5)")
        head.addWidget(self.count, 1)
        head.addWidget(self.new_btn)
        head.addWidget(self.refresh_btn)
        lay.addLayout(head)
        self.model: RowTableModel[WorkItem] = RowTableModel(COLUMNS, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the list (arrows move in it)
        self.table.setObjectName("worklist")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda _i: self.open_current())
        lay.addWidget(self.table)
        hint = QLabel(
            "Enter opens the highlighted visit. Visits checked in or completed at the "
            "front desk appear here until they are coded."
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.new_btn.clicked.connect(self.new_visit)
        self.refresh_btn.clicked.connect(self.reload)
        shortcut(self, "F5", self.reload)
        shortcut(self.table, "Return", self.open_current).setContext(
            Qt.ShortcutContext.WidgetShortcut
        )
        shortcut(self.table, "Enter", self.open_current).setContext(
            Qt.ShortcutContext.WidgetShortcut
        )

    def reload(self) -> None:
        rows = ops.run(self, self.ctx, encounters.worklist)  # audited: a write
        if isinstance(rows, ops.Failed):
            return
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        n = len(rows)
        self.count.setText(f"<b>{n} visit{'s' if n != 1 else ''} to code</b>")
        if n and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def current(self) -> WorkItem | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        item: WorkItem = self.proxy.data(idx, ROW_ROLE)
        return item

    def open_current(self) -> None:
        item = self.current()
        if item is not None:
            self.open_item.emit(item.kind, item.id)

    def new_visit(self) -> None:
        dlg = NewVisitDialog(self.ctx, self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.encounter_id is not None:
            self.opened_encounter.emit(dlg.encounter_id)


class NewVisitDialog(QDialog):
    """Find a patient (last, first or account number), pick the date and the
    provider; Enter starts the visit."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.encounter_id: int | None = None
        self.setWindowTitle("New visit for a patient")
        self.setObjectName("NewVisitDialog")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setPlaceholderText("Last, first  or  account number")
        self.results = QListWidget()
        self.results.setObjectName("patientResults")
        self.dos = QDateEdit(QDate.currentDate())
        self.dos.setObjectName("newDos")
        self.dos.setDisplayFormat("MM/dd/yyyy")
        self.dos.setCalendarPopup(True)
        self.provider = QComboBox()
        self.provider.setObjectName("newProvider")
        form.addRow("&Patient", self.search)
        form.addRow("", self.results)
        form.addRow("Date of &service", self.dos)
        form.addRow("&Provider", self.provider)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c62828;")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start the visit")
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        provs = ops.query(self, ctx, lambda s, _a: office.providers(s))
        if not isinstance(provs, ops.Failed):
            for p in provs:
                self.provider.addItem(p.display_name, p.id)
        self.search.textChanged.connect(self._find)

    def _find(self, text: str) -> None:
        self.results.clear()
        if len(text.strip()) < 2:
            return
        hits = ops.run(self, self.ctx, encounters.find_patients, text)  # audited
        if isinstance(hits, ops.Failed):
            return
        for h in hits:
            it = QListWidgetItem(f"{h.name}   #{h.account_no}   born {h.dob:%m/%d/%Y}")
            it.setData(Qt.ItemDataRole.UserRole, h.id)
            self.results.addItem(it)
        if hits:
            self.results.setCurrentRow(0)

    def start(self) -> None:
        it = self.results.currentItem()
        if it is None:
            self.message.setText("Find the patient first (type part of the last name).")
            return
        dos: date = self.dos.date().toPython()  # type: ignore[assignment]
        res = ops.run(
            self,
            self.ctx,
            encounters.start_for_patient,
            it.data(Qt.ItemDataRole.UserRole),
            dos,
            self.provider.currentData(),
            on_invalid=lambda e: self.message.setText(e.message),
            changed="encounters",
        )
        if isinstance(res, ops.Failed):
            return
        self.encounter_id = res
        self.accept()
