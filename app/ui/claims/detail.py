"""One claim: what the check found (with Fix buttons), its lines, its dated
history and the ledger entries on it, and the corrections that apply."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.money import fmt
from app.services.claim_check import ClaimProblem
from app.services.claims import (
    CheckOutcome,
    ClaimDetail,
    HistoryRow,
    LedgerRow,
    LineRow,
    status_label,
)
from app.ui.widgets import Column, RowTableModel

SEVERITY_STYLE = {
    "error": "color: #b71c1c; font-weight: bold;",
    "warning": "color: #8d5a00; font-weight: bold;",
}


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _table(model: RowTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ProblemList(QWidget):
    """The check's findings, each with its item, what to fix, and a Fix button
    that asks the main window to open the record."""

    fix_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemList")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("Run the check (Ctrl+K) to see what this claim still needs.")
        self.summary.setObjectName("checkSummary")
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.body = QWidget()
        self.rows = QVBoxLayout(self.body)
        self.rows.addStretch(1)
        self.scroll.setWidget(self.body)
        outer.addWidget(self.scroll, 1)
        self.problems: list[ClaimProblem] = []
        self.fix_buttons: list[QPushButton] = []

    def clear(self, text: str = "") -> None:
        while self.rows.count() > 1:
            item = self.rows.takeAt(0)
            w = item.widget()
            if w is not None:
                w.deleteLater()
        self.problems = []
        self.fix_buttons = []
        if text:
            self.summary.setText(text)

    def show_outcome(self, outcome: CheckOutcome) -> None:
        self.clear()
        errors = [p for p in outcome.problems if p.severity == "error"]
        warnings = [p for p in outcome.problems if p.severity != "error"]
        left = "" if outcome.days_left is None else self._days_left(outcome.days_left)
        if not errors:
            head = f"Claim {outcome.claim_no} passes the check: {status_label(outcome.status).lower()}."
        else:
            head = (
                f"Claim {outcome.claim_no}: {len(errors)} to fix before it can print"
                f"{f', {len(warnings)} to look at' if warnings else ''}."
            )
        self.summary.setText(f"{head} {left}".strip())
        self.problems = list(outcome.problems)
        for i, p in enumerate(self.problems):
            self.rows.insertWidget(i, self._row(i, p))

    @staticmethod
    def _days_left(days: int) -> str:
        if days < 0:
            return f"Past the filing limit by {_days(-days)}."
        return f"{_days(days)} left to file."

    def _row(self, i: int, p: ClaimProblem) -> QWidget:
        frame = QFrame()
        frame.setObjectName(f"problem_{i}")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QHBoxLayout(frame)
        sev = QLabel("Error" if p.severity == "error" else "Check")
        sev.setStyleSheet(SEVERITY_STYLE.get(p.severity, ""))
        sev.setMinimumWidth(44)
        item = QLabel(f"Item {p.item}" if p.item != "-" else "")
        item.setMinimumWidth(70)
        msg = QLabel(p.message)
        msg.setObjectName(f"problemText_{i}")
        msg.setWordWrap(True)
        msg.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fix = QPushButton(p.fix_label)
        fix.setObjectName(f"fix_{i}")
        fix.setToolTip(f"Opens the {p.fix_kind} to fix this; then run the check again.")
        fix.clicked.connect(lambda _=False, k=p.fix_kind, r=p.fix_id: self.fix_requested.emit(k, r))
        self.fix_buttons.append(fix)
        lay.addWidget(sev)
        lay.addWidget(item)
        lay.addWidget(msg, 1)
        lay.addWidget(fix)
        return frame


class ClaimDetailPanel(QWidget):
    """The right-hand side of the claims page for the selected claim."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("claimDetail")
        lay = QVBoxLayout(self)
        self.header = QLabel("Select a claim.")
        self.header.setObjectName("claimHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.header)

        buttons = QHBoxLayout()
        self.check_button = QPushButton("&Check")
        self.check_button.setObjectName("checkClaim")
        self.check_button.setToolTip("Run the claim check (Ctrl+K)")
        self.replace_button = QPushButton("&Replace...")
        self.replace_button.setObjectName("replaceClaim")
        self.replace_button.setToolTip(
            "Send a corrected claim (frequency 7) that replaces this one"
        )
        self.void_button = QPushButton("&Void...")
        self.void_button.setObjectName("voidClaim")
        self.void_button.setToolTip("Tell the payer to cancel this claim (frequency 8)")
        self.secondary_button = QPushButton("Make &secondary claim")
        self.secondary_button.setObjectName("makeSecondary")
        self.reference_button = QPushButton("Payer's claim &no...")
        self.reference_button.setObjectName("payerReference")
        self.discard_button = QPushButton("&Discard draft")
        self.discard_button.setObjectName("discardDraft")
        self.buttons = (
            self.check_button,
            self.replace_button,
            self.void_button,
            self.secondary_button,
            self.reference_button,
            self.discard_button,
        )
        for b in self.buttons:
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("claimTabs")
        self.problems = ProblemList()
        self.tabs.addTab(self.problems, "Check")
        self.lines_model: RowTableModel[LineRow] = RowTableModel(
            [
                Column("#", lambda r: r.line_no),
                Column("Date", lambda r: r.date_of_service),
                Column("Code", lambda r: r.code),
                Column("Modifiers", lambda r: r.modifiers),
                Column("Pointer", lambda r: r.pointers),
                Column("Units", lambda r: r.units, align_right=True),
                Column("Charge", lambda r: r.charge, align_right=True),
                Column("Paid by other payer", lambda r: r.prior_paid, align_right=True),
            ]
        )
        self.tabs.addTab(_table(self.lines_model, "claimLines"), "Lines")
        self.history_model: RowTableModel[HistoryRow] = RowTableModel(
            [
                Column("When", lambda r: r.at),
                Column("Status", lambda r: status_label(r.status)),
                Column("By", lambda r: r.user),
                Column("Note", lambda r: r.note),
            ]
        )
        self.tabs.addTab(_table(self.history_model, "claimHistory"), "History")
        self.ledger_model: RowTableModel[LedgerRow] = RowTableModel(
            [
                Column("Date", lambda r: r.entry_date),
                Column("Entry", lambda r: r.kind),
                Column("Line", lambda r: r.line_code),
                Column("Party", lambda r: r.party),
                Column("Amount", lambda r: r.amount, align_right=True),
                Column("Reason", lambda r: r.carc),
                Column("Memo", lambda r: r.memo),
            ]
        )
        self.tabs.addTab(_table(self.ledger_model, "claimLedger"), "Ledger")
        lay.addWidget(self.tabs, 1)
        self.detail: ClaimDetail | None = None
        self.show_detail(None)

    def show_detail(self, d: ClaimDetail | None) -> None:
        self.detail = d
        for b in self.buttons:
            b.setEnabled(d is not None)
        if d is None:
            self.header.setText("Select a claim to see what it bills, its check and its history.")
            self.problems.clear("")
            for m in (self.lines_model, self.history_model, self.ledger_model):
                m.set_rows([])
            return
        kind = {"7": " - replacement", "8": " - void"}.get(d.frequency, "")
        rank = {1: "primary", 2: "secondary", 3: "tertiary"}.get(d.rank, f"payer {d.rank}")
        extra = []
        if d.original_claim_no:
            extra.append(f"{'replaces' if d.frequency == '7' else 'voids'} {d.original_claim_no}")
        if d.primary_claim_no:
            extra.append(f"after {d.primary_claim_no}")
        if d.payer_claim_ref:
            extra.append(f"payer's no. {d.payer_claim_ref}")
        left = (
            f"past the filing limit by {_days(-d.days_left)}"
            if d.days_left < 0
            else f"{_days(d.days_left)} left to file"
        )
        ago = "today" if d.days_since_dos == 0 else f"{_days(d.days_since_dos)} ago"
        self.header.setText(
            f"<b>Claim {d.claim_no}</b>{kind} &nbsp; <b>{status_label(d.status)}</b><br>"
            f"{d.patient} (acct {d.account_no}) &middot; {d.payer} ({rank}) &middot; "
            f"ID {d.member_id}<br>"
            f"Service {d.date_of_service:%m/%d/%Y} ({ago}, {left}) "
            f"&middot; {d.provider} &middot; total {fmt(d.total_charge, symbol=True)}"
            f"{f' &middot; paid {fmt(d.insurance_paid, symbol=True)}' if d.insurance_paid else ''}"
            f" &middot; {d.forms} form{'s' if d.forms != 1 else ''}"
            + (f"<br>{'; '.join(extra)}" if extra else "")
        )
        self.replace_button.setEnabled(d.can_correct)
        self.void_button.setEnabled(d.can_correct)
        self.secondary_button.setEnabled(d.can_make_secondary)
        self.discard_button.setEnabled(d.status.value in ("draft", "ready"))
        self.lines_model.set_rows(d.lines)
        self.history_model.set_rows(d.history)
        self.ledger_model.set_rows(d.ledger)

    def connect_actions(self, **handlers: Callable[[], None]) -> None:
        for name, fn in handlers.items():
            getattr(self, f"{name}_button").clicked.connect(fn)
