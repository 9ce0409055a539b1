"""Form rows with their problem message under each field.

``FieldForm`` adds labelled inputs to a ``QFormLayout`` in paper order (so
the tab order is the paper's), names each input for tests, and shows a
``ValidationError``'s problems next to their fields through ``ProblemMarker``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.errors import Problem
from app.ui.widgets import ProblemMarker

W = TypeVar("W", bound=QWidget)


class FieldForm:
    def __init__(self, layout: QFormLayout, summary: QLabel, *, name_prefix: str = "") -> None:
        self.layout = layout
        self.summary = summary
        self.prefix = name_prefix
        self.inputs: dict[str, QWidget] = {}
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self._marker: ProblemMarker | None = None
        summary.setObjectName(name_prefix + "summary")
        summary.hide()

    def add(self, key: str, label: str, widget: W, *, beside: QWidget | None = None) -> W:
        """A row: label, the input (with ``beside`` to its right), its problem line."""
        widget.setObjectName(self.prefix + key)
        problem = QLabel()
        problem.setObjectName(self.prefix + key + "_problem")
        problem.hide()
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        if beside is None:
            lay.addWidget(widget)
        else:
            row = QHBoxLayout()
            row.addWidget(widget, 1)
            row.addWidget(beside)
            lay.addLayout(row)
        lay.addWidget(problem)
        self.layout.addRow(label, box)
        row_label = self.layout.labelForField(box)
        if isinstance(row_label, QLabel):
            row_label.setBuddy(widget)
        self.inputs[key] = widget
        self._fields[key] = (widget, problem)
        return widget

    def line(
        self,
        key: str,
        label: str,
        *,
        placeholder: str = "",
        password: bool = False,
        max_length: int = 0,
        width: int = 0,
    ) -> QLineEdit:
        edit = QLineEdit()
        if placeholder:
            edit.setPlaceholderText(placeholder)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if max_length:
            edit.setMaxLength(max_length)
        if width:
            edit.setMaximumWidth(width)
        return self.add(key, label, edit)

    def text(self, key: str) -> str:
        w = self.inputs[key]
        return w.text() if isinstance(w, QLineEdit) else ""

    def set_text(self, key: str, value: str) -> None:
        w = self.inputs[key]
        if isinstance(w, QLineEdit):
            w.setText(value)

    def anything_typed(self) -> bool:
        return any(isinstance(w, QLineEdit) and w.text().strip() for w in self.inputs.values())

    def clear_inputs(self) -> None:
        for w in self.inputs.values():
            if isinstance(w, QLineEdit):
                w.clear()

    @property
    def marker(self) -> ProblemMarker:
        if self._marker is None:
            self._marker = ProblemMarker(self._fields, self.summary)
        return self._marker

    def show(self, problems: Sequence[Problem], *, strip_prefix: str = "") -> bool:
        """Mark the problems; True when there were none (``clear`` then)."""
        if strip_prefix:
            problems = [
                Problem(p.field.removeprefix(strip_prefix), p.message, p.severity) for p in problems
            ]
        errors = [p for p in problems if p.severity == "error"]
        if not errors:
            self.marker.clear()
            return True
        self.marker.show(errors)
        return False

    def clear(self) -> None:
        self.marker.clear()


def message_line(object_name: str = "message") -> QLabel:
    """The red line under a small form that says what is wrong."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    return label


def ask(parent: QWidget | None, text: str) -> bool:
    """A yes/no question whose safe answer (No) is the default."""
    answer = QMessageBox.question(
        parent,
        APP_NAME,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
