"""Pieces every front-desk screen shares: a keyboard-first form dialog
(Enter saves, Esc cancels and asks first if something was typed), field
rows with their problem labels, coverage badges, and the yes/no question
and message the screens ask through (tests replace them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import Problem, ValidationError
from app.services.coverage import CoverageState
from app.ui.widgets import ProblemMarker, shortcut

BADGE_COLORS = {
    CoverageState.VERIFIED: ("#1b5e20", "#e8f5e9"),
    CoverageState.STALE: ("#8a5a00", "#fff4e0"),
    CoverageState.NEVER: ("#8a5a00", "#fff4e0"),
    CoverageState.INACTIVE: ("#b71c1c", "#ffebee"),
    None: ("#37474f", "#eceff1"),
}


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question (tests replace this function)."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def may_discard(parent: QWidget, typed: bool) -> bool:
    """Esc or Cancel on a form: True when it may close (nothing was typed,
    or the person agrees to lose what was)."""
    return not typed or ask_yes_no(
        parent, parent.windowTitle(), "Discard what you typed in this form?"
    )


def tell(parent: QWidget | None, title: str, text: str) -> None:
    """An information message (tests replace this function)."""
    QMessageBox.information(parent, title, text)


def day_text(d: date | None) -> str:
    return d.strftime("%m/%d/%Y") if d else ""


def badge_label(text: str, state: CoverageState | None, object_name: str = "") -> QLabel:
    lab = QLabel()
    if object_name:
        lab.setObjectName(object_name)
    set_badge(lab, text, state)
    return lab


def set_badge(lab: QLabel, text: str, state: CoverageState | None) -> None:
    fg, bg = BADGE_COLORS.get(state, BADGE_COLORS[None])
    lab.setText(text)
    lab.setStyleSheet(
        f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg};"
        " border-radius: 4px; padding: 2px 8px; font-weight: bold; }"
    )


def banner_label(object_name: str = "patientBanner") -> QLabel:
    """The patient line at the top of every patient screen."""
    lab = QLabel()
    lab.setObjectName(object_name)
    lab.setStyleSheet("font-size: 16px; font-weight: bold; padding: 4px 0;")
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


class Fields:
    """Input widgets laid out in rows of the paper form, each with its
    problem label, by the field names the services use."""

    def __init__(self, columns: int = 2) -> None:
        self.box = QWidget()
        self.grid = QGridLayout(self.box)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(2)
        self.columns = columns
        self.widgets: dict[str, QWidget] = {}
        self.problems: dict[str, QLabel] = {}
        self._row = 0
        self._col = 0
        self.changed: list[Callable[[], None]] = []

    def section(self, title: str) -> None:
        self._newline()
        lab = QLabel(f"<b>{title}</b>")
        lab.setStyleSheet("padding-top: 8px; color: #37474f;")
        self.grid.addWidget(lab, self._row, 0, 1, self.columns * 2)
        self._row += 1

    def newline(self) -> None:
        """The next field starts a new row (a field that stands alone)."""
        self._newline()

    def _newline(self) -> None:
        if self._col:
            self._row += 2
            self._col = 0

    def add(self, name: str, label: str, widget: QWidget, *, span: bool = False) -> QWidget:
        if span:
            self._newline()
        widget.setObjectName(name)
        lab = QLabel(label)
        lab.setBuddy(widget)
        problem = QLabel()
        col = self._col * 2
        width = self.columns * 2 - 1 if span else 1
        self.grid.addWidget(lab, self._row, col, Qt.AlignmentFlag.AlignRight)
        self.grid.addWidget(widget, self._row, col + 1, 1, width)
        self.grid.addWidget(problem, self._row + 1, col + 1, 1, width)
        self.widgets[name] = widget
        self.problems[name] = problem
        if span or self._col + 1 >= self.columns:
            self._row += 2
            self._col = 0
        else:
            self._col += 1
        _watch(widget, self._touched)
        return widget

    def _touched(self) -> None:
        for fn in self.changed:
            fn()

    def line(
        self, name: str, label: str, *, width: int = 0, placeholder: str = "", span: bool = False
    ) -> QLineEdit:
        w = QLineEdit()
        if width:
            w.setMaxLength(width)
        if placeholder:
            w.setPlaceholderText(placeholder)
        self.add(name, label, w, span=span)
        return w

    def date(self, name: str, label: str) -> QLineEdit:
        return self.line(name, label, placeholder="MM/DD/YYYY")

    def combo(
        self, name: str, label: str, items: Sequence[tuple[str, Any]], *, span: bool = False
    ) -> QComboBox:
        w = QComboBox()
        for text, data in items:
            w.addItem(text, data)
        self.add(name, label, w, span=span)
        return w

    def check(self, name: str, label: str, text: str, *, span: bool = False) -> QCheckBox:
        w = QCheckBox(text)
        self.add(name, label, w, span=span)
        return w

    def text(self, name: str, label: str) -> QPlainTextEdit:
        w = QPlainTextEdit()
        w.setTabChangesFocus(True)
        w.setFixedHeight(60)
        self.add(name, label, w, span=True)
        return w

    def value(self, name: str) -> str:
        w = self.widgets[name]
        if isinstance(w, QLineEdit):
            return w.text()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QComboBox):
            data = w.currentData()
            return w.currentText() if data is None else str(data)
        raise TypeError(name)

    def set(self, name: str, value: Any) -> None:
        w = self.widgets[name]
        if isinstance(w, QLineEdit):
            if isinstance(value, date):
                value = day_text(value)
            w.setText("" if value is None else str(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value or "")
        elif isinstance(w, QComboBox):
            i = w.findData(value)
            if i < 0:
                i = w.findText(str(value or ""))
            w.setCurrentIndex(max(i, 0))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))

    def marker(self, summary: QLabel) -> ProblemMarker:
        return ProblemMarker(
            {n: (self.widgets[n], self.problems[n]) for n in self.widgets}, summary
        )


def _watch(w: QWidget, fn: Callable[[], None]) -> None:
    if isinstance(w, QLineEdit):
        w.textEdited.connect(lambda _t: fn())
    elif isinstance(w, QPlainTextEdit):
        w.textChanged.connect(fn)
    elif isinstance(w, QComboBox):
        w.activated.connect(lambda _i: fn())
    elif isinstance(w, QCheckBox):
        w.clicked.connect(lambda _c: fn())


class FormDialog(QDialog):
    """A form in a dialog: fields top to bottom in the paper form's order,
    Enter (or Ctrl+Enter anywhere) saves, Esc cancels and asks first when
    something was typed. ``save`` returns True when the dialog may close."""

    def __init__(self, title: str, parent: QWidget | None = None, *, columns: int = 2) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.dirty = False
        self.banner = banner_label("formBanner")
        self.banner.hide()
        self.fields = Fields(columns)
        self.fields.changed.append(self._mark_dirty)
        self.summary = QLabel()
        self.summary.setObjectName("problemSummary")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields.box)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.summary)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.buttons)
        self._marker: ProblemMarker | None = None
        shortcut(self, "Ctrl+Return", self._save)
        shortcut(self, "Ctrl+Enter", self._save)
        self.resize(760, 640)

    def finish_fields(self) -> None:
        """Call after adding the fields: wires the problem marker."""
        grid = self.fields.grid
        grid.setRowStretch(grid.rowCount(), 1)  # the fields stay at the top
        self._marker = self.fields.marker(self.summary)
        self.dirty = False

    def _mark_dirty(self) -> None:
        self.dirty = True

    def show_problems(self, err: ValidationError | Sequence[Problem]) -> None:
        problems = err.problems if isinstance(err, ValidationError) else list(err)
        if self._marker is not None:
            self._marker.show(problems)

    def clear_problems(self) -> None:
        if self._marker is not None:
            self._marker.clear()

    def _save(self) -> None:
        if self.save():
            self.dirty = False
            self.accept()

    def save(self) -> bool:  # pragma: no cover - every form overrides it
        raise NotImplementedError

    def reject(self) -> None:
        if may_discard(self, self.dirty):
            super().reject()


def group(title: str, *widgets: QWidget, horizontal: bool = False) -> QGroupBox:
    box = QGroupBox(title)
    lay: QHBoxLayout | QVBoxLayout = QHBoxLayout(box) if horizontal else QVBoxLayout(box)
    for w in widgets:
        lay.addWidget(w)
    return box


def returning(exc_type: type[Exception], fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a service so that ``exc_type`` comes back as a value instead of
    a message box (the screen shows its own panel for it). The service
    raised before writing, so the unit of work commits nothing."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except exc_type as exc:
            return exc

    return call


def table(model: QObject, name: str) -> QTableView:
    """A read-only, row-selecting table the keyboard can drive."""
    t = QTableView()
    t.setObjectName(name)
    t.setModel(model)  # type: ignore[arg-type]
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Tab leaves the table for the next field or button (arrows move in it);
    # otherwise Tab walks the cells and the keyboard cannot get out.
    t.setTabKeyNavigation(False)
    t.verticalHeader().hide()
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    t.setAlternatingRowColors(True)
    return t
