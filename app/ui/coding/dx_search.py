"""ICD-10-CM search for the coding screen: type a code prefix or words, move
with Up/Down, Enter adds the highlighted code. A category is not added: the
message names billable codes under it. The highlighted code's description,
chapter and Excludes1 notes are shown beside the list."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.codes.icd10 import Icd10Index, IcdHit

GREY = QBrush(QColor("#777777"))


class DiagnosisSearch(QWidget):
    """Emits ``chosen(code)`` for a billable code picked with Enter or a double-click."""

    chosen = Signal(str)

    def __init__(self, index: Icd10Index, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.ready = False
        self.search = QLineEdit()
        self.search.setObjectName("dxSearch")
        self.search.setPlaceholderText(
            "Add a diagnosis: code (E11.9, e119) or words (diabetes type 2)"
        )
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("dxResults")
        self.results.setMaximumHeight(130)
        self.detail = QLabel()
        self.detail.setObjectName("dxDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setMinimumWidth(200)
        self.detail.setStyleSheet("font-size: 11px;")
        self.message = QLabel()
        self.message.setObjectName("dxMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        self.message.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.search)
        row = QHBoxLayout()
        row.addWidget(self.results, 3, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.detail, 2)
        lay.addLayout(row)
        lay.addWidget(self.message)

        self.search.textChanged.connect(self._run)
        self.search.installEventFilter(self)
        self.results.currentItemChanged.connect(lambda *_: self._show_detail())
        self.results.itemActivated.connect(lambda _item: self.choose())
        self.set_ready(False)

    def set_ready(self, ready: bool, note: str = "") -> None:
        self.ready = ready
        self.search.setEnabled(ready)
        if not ready:
            self.detail.setText(
                note
                or "Preparing the ICD-10-CM code set (once after installing or upgrading it)..."
            )
        else:
            self.detail.clear()

    # Up/Down/Enter typed in the search box work the result list.
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.results.setCurrentRow(max(0, min(self.results.count() - 1, row)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose()
                return True
        return super().eventFilter(obj, event)

    def _run(self, text: str) -> None:
        self.message.hide()
        self.results.clear()
        if not self.ready or not text.strip():
            self.detail.clear()
            return
        for h in self.index.search(text, limit=60):
            item = QListWidgetItem(
                f"{h.code}  {h.description}" + ("" if h.billable else "  (not billable)")
            )
            item.setData(Qt.ItemDataRole.UserRole, h)
            if not h.billable:
                item.setForeground(GREY)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        else:
            self.detail.setText("No ICD-10-CM code matches.")

    def current(self) -> IcdHit | None:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show_detail(self) -> None:
        h = self.current()
        if h is None:
            self.detail.clear()
            return
        d = self.index.detail(h.code)
        if d is None:
            self.detail.clear()
            return
        ex = "".join(f"<li>{note} <i>({src})</i></li>" for src, note in d.excludes1[:5])
        more = f"<li>... {len(d.excludes1) - 5} more</li>" if len(d.excludes1) > 5 else ""
        billable = "billable" if d.billable else "<b>not billable</b> (pick a code under it)"
        self.detail.setText(
            f"<b>{d.code}</b> {d.description}<br>{billable}<br>"
            f"Chapter {d.chapter}: {d.chapter_title}"
            + (f"<br><b>Excludes1</b><ul style='margin:0'>{ex}{more}</ul>" if ex else "")
        )

    def choose(self) -> None:
        h = self.current()
        if h is None:
            return
        problem = self.index.diagnosis_problem(h.code)
        if problem:
            self.message.setText(problem)
            self.message.show()
            return
        self.message.hide()
        self.chosen.emit(h.code)
        self.search.clear()
