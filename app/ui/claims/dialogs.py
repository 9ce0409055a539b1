"""Dialogs of the claims area: a correction (replace / void) and the red-form
alignment for a printer."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import Problem, ValidationError
from app.reports.cms1500.data_only import ALIGNMENT_MARKS, alignment_page
from app.reports.cms1500.grid import Cell, col_x, line_y
from app.services import claim_print
from app.services.claim_check import original_ref_problem
from app.ui import ops
from app.ui.claims.printing import courier
from app.ui.context import UiContext
from app.ui.widgets import ProblemMarker


class CorrectionDialog(QDialog):
    """Asks for the payer's reference of the original claim (item 22) and a note."""

    def __init__(self, kind: str, claim_no: str, payer_ref: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("correctionDialog")
        replace = kind == "replace"
        self.setWindowTitle(f"{'Replace' if replace else 'Void'} claim {claim_no}")
        lay = QVBoxLayout(self)
        what = (
            "A replacement claim (frequency 7) is made from the visit and the patient's records; "
            "until it is printed, each check takes them as they are then, so the coding can be "
            "fixed after this (reopen the visit in Coding once the replacement is made). "
            if replace
            else "A void (frequency 8) repeats the claim and tells the payer to cancel it. "
        )
        intro = QLabel(
            what + "Item 22 quotes the original: enter the payer's claim number (ICN / claim "
            "control number from the EOB). Without one, the office's claim number is used."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.ref = QLineEdit(payer_ref)
        self.ref.setObjectName("originalRef")
        self.ref.setPlaceholderText(claim_no)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("correctionNote")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(60)
        self.ref_problem = QLabel()
        self.ref_problem.setObjectName("originalRefProblem")
        self.summary = QLabel()
        self.marker = ProblemMarker({"original_ref": (self.ref, self.ref_problem)}, self.summary)
        form.addRow("Payer's claim &number:", self.ref)
        form.addRow("", self.ref_problem)
        form.addRow("&Why:", self.note_edit)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Make replacement" if replace else "Make void"
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def reference(self) -> str:
        return self.ref.text().strip()

    def accept(self) -> None:
        # Item 22 must carry the whole number: say so here, with the dialog still open.
        problem = original_ref_problem(self.reference() or self.ref.placeholderText())
        if problem:
            self.marker.show([Problem("original_ref", problem)])
            self.ref.setFocus()
            return
        super().accept()

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()

    def reject(self) -> None:
        typed = self.note_edit.toPlainText().strip()
        if typed and (
            QMessageBox.question(self, "Discard", "Close without making the correction?")
            != QMessageBox.StandardButton.Yes
        ):
            return
        super().reject()


class AlignmentDialog(QDialog):
    """Print the alignment test page on a red form, measure, keep the offsets."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("alignmentDialog")
        self.setWindowTitle("Red form alignment")
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Put a red CMS-1500 form in the printer and print the test page. Each X should "
            "sit in the middle of its box and each word on its line. Measure how far the "
            "marks are off and enter it here: right and down are positive, in points "
            "(72 per inch, about 2.8 per millimetre). Print again until it sits right."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.printer = QComboBox()
        self.printer.setObjectName("alignPrinter")
        self.printer.setEditable(True)
        from PySide6.QtPrintSupport import QPrinterInfo

        names = QPrinterInfo.availablePrinterNames()
        self.printer.addItems(names)
        default = QPrinterInfo.defaultPrinterName()
        if default:
            self.printer.setCurrentText(default)
        self.dx = QDoubleSpinBox()
        self.dy = QDoubleSpinBox()
        for spin, name in ((self.dx, "alignDx"), (self.dy, "alignDy")):
            spin.setObjectName(name)
            spin.setRange(-claim_print.MAX_OFFSET, claim_print.MAX_OFFSET)
            spin.setSingleStep(0.5)
            spin.setDecimals(1)
            spin.setSuffix(" pt")
        form.addRow("&Printer:", self.printer)
        form.addRow("&Horizontal (right +):", self.dx)
        form.addRow("&Vertical (down +):", self.dy)
        lay.addLayout(form)
        self.problem = QLabel()
        self.marker = ProblemMarker(
            {
                "printer": (self.printer, QLabel()),
                "dx": (self.dx, QLabel()),
                "dy": (self.dy, QLabel()),
            },
            self.problem,
        )
        lay.addWidget(self.problem)
        row = QHBoxLayout()
        self.print_button = QPushButton("Print &test page")
        self.print_button.setObjectName("printTestPage")
        self.print_button.clicked.connect(self.print_test_page)
        self.pdf_button = QPushButton("Save test page as P&DF...")
        self.pdf_button.setObjectName("saveTestPage")
        self.pdf_button.clicked.connect(self.save_test_page)
        row.addWidget(self.print_button)
        row.addWidget(self.pdf_button)
        row.addStretch(1)
        lay.addLayout(row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.printer.currentTextChanged.connect(self._load)
        self._load(self.printer.currentText())

    def _load(self, name: str) -> None:
        got = ops.query(self, self.ctx, lambda s, _a: claim_print.printer_offsets(s, name.strip()))
        if not isinstance(got, ops.Failed):
            self.dx.setValue(got[0])
            self.dy.setValue(got[1])

    def save(self) -> None:
        self.marker.clear()

        def invalid(exc: ValidationError) -> None:
            self.marker.show(exc.problems)

        ok = ops.run(
            self,
            self.ctx,
            claim_print.save_printer_offsets,
            self.printer.currentText(),
            self.dx.value(),
            self.dy.value(),
            on_invalid=invalid,
            changed="settings",
        )
        if not isinstance(ok, ops.Failed):
            self.accept()

    def _marks(self) -> list[Cell]:
        name = self.printer.currentText().strip() or "this printer"
        return [
            Cell(2, 41, "ALIGNMENT TEST"),
            Cell(3, 41, name.upper()[:31]),
            Cell(4, 41, f"DX {self.dx.value():+.1f} DY {self.dy.value():+.1f} PT"),
            Cell(5, 41, "EACH X MID-BOX"),
            *ALIGNMENT_MARKS,
        ]

    def print_test_page(self) -> None:
        from PySide6.QtGui import QPainter
        from PySide6.QtPrintSupport import QPrinter

        from app.ui.claims.printing import PrinterSink

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.printer.currentText().strip():
            printer.setPrinterName(self.printer.currentText().strip())
        PrinterSink(printer, "data")  # full page, Letter, no margins
        p = QPainter()
        if not p.begin(printer):
            QMessageBox.warning(self, "Alignment", "The printer could not start the job.")
            return
        scale = printer.resolution() / 72.0
        p.setFont(courier())
        p.setPen(Qt.GlobalColor.black)
        dx, dy = self.dx.value(), self.dy.value()
        for c in self._marks():
            p.drawText(QPointF(col_x(c.col, dx) * scale, line_y(c.line, dy) * scale), c.text)
        p.end()

    def save_test_page(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save alignment test page", "alignment-test.pdf", "PDF files (*.pdf)"
        )
        if not name:
            return
        alignment_page(name, self.printer.currentText(), self.dx.value(), self.dy.value())
