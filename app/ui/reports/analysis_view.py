"""Practice analysis for a range of days: procedure codes, the top 25
diagnoses, the payer mix, the collection rate and days in A/R. Runs off the
GUI thread (a range of years reads much of the ledger)."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.money import fmt
from app.services.practice_analysis import (
    DiagnosisRow,
    PayerMixRow,
    PracticeAnalysis,
    practice_analysis,
)
from app.ui.context import UiContext
from app.ui.reports.jobs import run_in_background
from app.ui.reports.month_view import PROCEDURE_COLUMNS, table_view
from app.ui.reports.range_bar import RangeBar
from app.ui.widgets import Column, RowTableModel, shortcut


def pct(v: object) -> str:
    return "" if v is None else f"{v}%"


DIAGNOSES: list[Column[DiagnosisRow]] = [
    Column("Diagnosis", lambda d: d.code),
    Column("Description", lambda d: d.description),
    Column("Visits", lambda d: d.visits, True),
    Column("Charges", lambda d: d.charges, True),
    Column("Payments", lambda d: d.payments, True),
]
PAYER_MIX: list[Column[PayerMixRow]] = [
    Column("Payer", lambda m: m.payer),
    Column("Charges", lambda m: m.charges, True),
    Column("Share of charges", lambda m: m.charge_share, True, pct),
    Column("Collections", lambda m: m.collections, True),
    Column("Share of collections", lambda m: m.collection_share, True, pct),
]


class AnalysisView(QWidget):
    shown = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.analysis: PracticeAnalysis | None = None
        today = QDate.currentDate()
        top = RangeBar(
            "analysis", QDate(today.year(), 1, 1), today, "R&un", self.run, ("F&rom:", "T&o:")
        )
        self.start, self.end, self.run_button = top.start, top.end, top.button
        self.run_button.setObjectName("runAnalysis")
        self.range = top
        self.summary = QLabel()
        self.summary.setObjectName("analysisSummary")
        self.summary.setWordWrap(True)
        self.procedures = RowTableModel(PROCEDURE_COLUMNS)
        self.diagnoses = RowTableModel(DIAGNOSES)
        self.payer_mix = RowTableModel(PAYER_MIX)
        self.tabs = QTabWidget()
        self.tabs.addTab(table_view("analysisProcedures", self.procedures), "Procedure codes")
        self.tabs.addTab(table_view("analysisDiagnoses", self.diagnoses), "Top 25 diagnoses")
        self.tabs.addTab(table_view("analysisPayerMix", self.payer_mix), "Payer mix")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)
        shortcut(self, "Return", self.run)
        shortcut(self, "Enter", self.run)

    def run(self) -> None:
        run_in_background(
            self,
            self.ctx,
            "Analysing the practice...",
            practice_analysis,
            *self.range.dates(),
            readonly=True,
            cancellable=False,
            on_done=self.show_analysis,
        )

    def show_analysis(self, a: PracticeAnalysis) -> None:
        self.analysis = a
        self.procedures.set_rows(a.procedures)
        self.diagnoses.set_rows(a.diagnoses)
        self.payer_mix.set_rows(a.payer_mix)
        rate = pct(a.collection_rate) or "- (no charges net of contractual adjustments)"
        dar = f"{a.days_in_ar} days" if a.days_in_ar is not None else "- (no charges in these days)"
        n = a.other_diagnoses
        more = f" ({n} more diagnos{'es' if n != 1 else 'is'} not listed.)" if n else ""
        self.summary.setText(
            f"<b>{a.start:%m/%d/%Y} to {a.end:%m/%d/%Y}</b> ({a.days} days): charges "
            f"{fmt(a.charges)}, contractual adjustments {fmt(a.contractual)}, collections "
            f"{fmt(a.collections)}. <b>Collection rate {rate}</b> (collections / (charges - "
            f"contractual)). A/R at the end {fmt(a.ar_end)}, average charges per day "
            f"{fmt(a.average_daily_charges)}: <b>days in A/R {dar}</b>.{more}"
        )
        self.shown.emit()
