"""The Coding work area: the worklist, the coding screen, the fee schedule."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from app.codes.icd10 import index_for
from app.services import encounters
from app.ui import ops
from app.ui.coding.encounter_form import EncounterForm
from app.ui.coding.fee_schedule_view import FeeScheduleView
from app.ui.coding.work import IndexPreparer
from app.ui.coding.worklist import Worklist
from app.ui.context import UiContext

TAB_WORKLIST, TAB_VISIT, TAB_FEES = range(3)


class CodingPage(QWidget):
    """Implements ``open_record`` for "encounter" and "fee_item"."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.icd = index_for(ctx.paths)
        lay = QVBoxLayout(self)
        self.index_note = QLabel()
        self.index_note.setObjectName("indexNote")
        self.index_note.setWordWrap(True)
        self.index_note.hide()
        lay.addWidget(self.index_note)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("codingTabs")
        self.worklist = Worklist(ctx)
        self.form = EncounterForm(ctx, self.icd)
        self.fees = FeeScheduleView(ctx)
        self.tabs.addTab(self.worklist, "&Worklist")
        self.tabs.addTab(self.form, "Visi&t")
        self.tabs.addTab(self.fees, "Fee sche&dule")
        self.tabs.setTabEnabled(TAB_VISIT, False)
        lay.addWidget(self.tabs)

        self.worklist.open_item.connect(self._open_item)
        self.worklist.opened_encounter.connect(self.open_encounter)
        self.form.back.connect(self.show_worklist)
        self.tabs.currentChanged.connect(self._tab_changed)
        ctx.changed.connect(self._on_changed)

        self.preparer: IndexPreparer | None = None
        if self.icd.is_current():
            self.icd.ensure()
            self.form.set_ready(True)
        else:
            self.index_note.setText(
                "Preparing the ICD-10-CM code set for searching (once after installing or "
                "upgrading it; this takes a few seconds). The worklist and fee schedule "
                "can be used meanwhile."
            )
            self.index_note.show()
            self.preparer = IndexPreparer(self.icd, self)
            self.preparer.done.connect(self._index_done)
            self.preparer.start()
        self.worklist.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.tabs.currentIndex() == TAB_WORKLIST:
            QTimer.singleShot(0, self.worklist.table.setFocus)

    def _index_done(self, ok: bool, message: str) -> None:
        self.index_note.setVisible(not ok)
        self.index_note.setText(message)
        self.form.set_ready(ok, message)
        if ok and self.form.view is not None:
            self.form.open(self.form.view.id)

    def _on_changed(self, topic: str) -> None:
        if topic in ("appointments", "encounters", "patients"):
            self.worklist.reload()
        if topic in ("fee_schedule", "payers"):
            self.fees.reload()

    def _tab_changed(self, index: int) -> None:
        if index == TAB_FEES:
            self.fees.reload()
        elif index == TAB_WORKLIST:
            self.worklist.reload()

    def _open_item(self, kind: str, item_id: int) -> None:
        if kind == "appointment":
            res = ops.run(
                self, self.ctx, encounters.start_from_appointment, item_id, changed="encounters"
            )
            if isinstance(res, ops.Failed):
                return
            self.open_encounter(res)
        else:
            self.open_encounter(item_id)

    def open_encounter(self, encounter_id: int) -> bool:
        if not self.form.ready:
            # Opening needs the code set; building it on this thread would freeze the screen.
            self.index_note.show()
            QMessageBox.information(
                self,
                "MedBill Desk",
                "The ICD-10-CM code set is still being prepared (once after installing or "
                "upgrading it). Open the visit again in a few seconds.",
            )
            return False
        if not self.form.open(encounter_id):
            return False
        self.tabs.setTabEnabled(TAB_VISIT, True)
        self.tabs.setCurrentIndex(TAB_VISIT)
        self.form.dx_search.search.setFocus() if self.form.ready else self.form.dos.setFocus()
        return True

    def show_worklist(self) -> None:
        self.tabs.setCurrentIndex(TAB_WORKLIST)
        self.worklist.table.setFocus()

    def open_record(self, kind: str, record_id: object) -> bool:
        if kind == "encounter" and isinstance(record_id, int):
            return self.open_encounter(record_id)
        if kind == "fee_item" and isinstance(record_id, int):
            self.tabs.setCurrentIndex(TAB_FEES)
            return self.fees.select_item(record_id)
        return False
