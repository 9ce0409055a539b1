"""The one search box with typeahead: results follow every keystroke.
Down moves into the results, Enter opens the patient."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import settings
from app.services.patients_search import PatientHit, SearchResult, search_patients
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.common import BADGE_COLORS
from app.ui.widgets import Column, RowTableModel

PLACEHOLDER = "Find a patient: name (smi jo), date of birth, account, phone or member ID"


class HitModel(RowTableModel[PatientHit]):
    """Search results; the coverage column is coloured like the badges."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Account", lambda h: h.account_no),
                Column("Name", lambda h: h.name),
                Column("Date of birth", lambda h: h.dob),
                Column("Phone", lambda h: h.phone),
                Column("Primary payer", lambda h: h.payer),
                Column("Coverage", lambda h: h.badge),
            ],
            parent,  # type: ignore[arg-type]
        )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if index.isValid() and index.column() == 5:
            hit = self.rows[index.row()]
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(BADGE_COLORS.get(hit.coverage, BADGE_COLORS[None])[0])
            if role == Qt.ItemDataRole.ToolTipRole and hit.last_verified:
                return f"Last verified {hit.last_verified.astimezone():%m/%d/%Y}"
        return super().data(index, role)


class PatientSearch(QWidget):
    """Emits ``chosen(patient_id)``."""

    chosen = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.box = QLineEdit()
        self.box.setObjectName("patientSearch")
        self.box.setPlaceholderText(PLACEHOLDER)
        self.box.setClearButtonEnabled(True)
        self.box.setStyleSheet("font-size: 15px; padding: 4px;")
        self.model = HitModel(self)
        self.table = QTableView()
        self.table.setObjectName("searchResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab moves on, as in common.table
        self.table.verticalHeader().hide()
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel()
        self.status.setObjectName("searchStatus")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.status)
        self._window: int | None = None
        # Coalesce keystrokes that arrive together; each search takes ~1 ms.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.run)
        self.box.textChanged.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(self._enter_in_box)
        self.box.installEventFilter(self)
        self.table.activated.connect(lambda i: self._choose(i.row()))
        self.table.installEventFilter(self)
        ctx.changed.connect(self._changed)

    def _changed(self, topic: str) -> None:
        if topic == "settings":
            self._window = None
        if topic in ("patients", "policies", "verifications", "settings") and self.box.text():
            self.run()

    def window_days(self) -> int:
        if self._window is None:
            got = ops.query(
                self, self.ctx, lambda s, _a: int(settings.get(s, "verification_window_days"))
            )
            self._window = int(got) if not isinstance(got, ops.Failed) else 30
        return self._window

    def run(self) -> None:
        self._timer.stop()
        text = self.box.text()
        if not text.strip():
            self.model.set_rows([])
            self.status.clear()
            return
        result = ops.query(self, self.ctx, search_patients, text, window_days=self.window_days())
        if isinstance(result, SearchResult):
            self.model.set_rows(result.hits)
            n = len(result.hits)
            if result.more:
                self.status.setText(f"First {n} matches shown: type more to narrow.")
            else:
                self.status.setText(
                    f"{n} patient{'s' if n != 1 else ''} found." if n else "No patient found."
                )
            if n:
                self.table.selectRow(0)

    def hits(self) -> list[PatientHit]:
        return list(self.model.rows)

    def _enter_in_box(self) -> None:
        self._timer.stop()
        self.run()
        if len(self.model.rows) >= 1:
            row = self.table.currentIndex().row()
            self._choose(row if row >= 0 else 0)

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.chosen.emit(self.model.rows[row].id)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if (
                obj is self.box
                and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown)
                and self.model.rows
            ):
                self.table.setFocus()
                if self.table.currentIndex().row() < 0:
                    self.table.selectRow(0)
                return True
            if obj is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.table.currentIndex().row())
                return True
            if obj is self.table and key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
                self.box.setFocus()
                return True
        return super().eventFilter(obj, event)

    def focus(self) -> None:
        self.box.setFocus()
        self.box.selectAll()
