"""The coding screen (an encounter / superbill).

Top to bottom in the order of the claim form: the visit (date of service,
rendering provider, the policy it bills, place of service, referring
provider, prior authorization, date of current illness, related-to), the
diagnoses A-L, the service lines (a table edited in place: code, modifiers,
pointers, units, charge, dates, NDC), the checks (live, all at once), and
the charges on the ledger once the visit is coded.

Keys: Ctrl+D diagnosis search, Ctrl+P procedure search, Ctrl+N new line,
Ctrl+Delete remove the line, Ctrl+G the drug (NDC) columns, Ctrl+Up/Down move a diagnosis, Delete removes it,
Ctrl+S save, Ctrl+Return mark coded, Esc back to the worklist.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.codes import modifiers, pos
from app.codes.icd10 import Icd10Index
from app.errors import Problem, ValidationError
from app.money import MoneyError, fmt, parse_money
from app.services import encounters, fee_schedule
from app.services.encounter_checks import (
    LETTERS,
    MAX_DIAGNOSES,
    REFERRING_QUALIFIERS,
    EncounterInput,
    LineInput,
    Review,
    is_drug_code,
)
from app.services.encounters import EncounterView, LastVisit, LedgerRow
from app.ui import ops
from app.ui.coding.dx_search import DiagnosisSearch
from app.ui.context import UiContext
from app.ui.widgets import INVALID_STYLE, Column, EntryGrid, RowTableModel, shortcut

RED = QColor("#ffd6d6")
AMBER = QColor("#fff1c9")
ERROR_FG = QBrush(QColor("#c62828"))
WARN_FG = QBrush(QColor("#8a5a00"))
DEFAULT_FG = QBrush(QColor("#666666"))

# Service line columns.
COLS = [
    "Code",
    "Description",
    "Modifiers",
    "Pointers",
    "Units",
    "Charge",
    "From",
    "To",
    "NDC",
    "NDC unit",
    "NDC qty",
]
C_CODE, C_DESC, C_MODS, C_PTRS, C_UNITS, C_CHARGE, C_FROM, C_TO, C_NDC, C_NDCU, C_NDCQ = range(11)
NDC_COLUMNS = (C_NDC, C_NDCU, C_NDCQ)
# What the short columns are sized to hold (the description takes the rest).
COLUMN_SAMPLES = {
    C_CODE: "G0444",
    C_MODS: "25 59 XU",
    C_PTRS: "ABCD",
    C_UNITS: "99",
    C_CHARGE: "10,000.00",
    C_FROM: "00/00/0000",
    C_TO: "00/00/0000",
    C_NDC: "00000-0000-00",
    C_NDCU: "UN",
    C_NDCQ: "999.99",
}
FIELD_COLUMNS = {
    "code": [C_CODE],
    "modifiers": [C_MODS],
    "pointers": [C_PTRS],
    "units": [C_UNITS],
    "charge": [C_CHARGE],
    "dates": [C_FROM, C_TO],
    "ndc": [C_NDC, C_NDCU, C_NDCQ],
    "provider_id": [C_CODE],
}
CODED_NOTE = "This visit is coded. Reopen it to change its diagnoses or lines."
LINE_ID = Qt.ItemDataRole.UserRole + 10
EXPLICIT = Qt.ItemDataRole.UserRole + 11


def _parse_date(text: str) -> date | None:
    t = text.strip()
    if not t:
        return None
    for f in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%m%d%Y"):
        try:
            return datetime.strptime(t, f).date()
        except ValueError:
            continue
    raise ValueError(t)


def _ds(d: date | None) -> str:
    return d.strftime("%m/%d/%Y") if d else ""


LEDGER_COLUMNS: list[Column[LedgerRow]] = [
    Column("Date", lambda r: r.entry_date),
    Column("Line", lambda r: r.line_no or "removed"),
    Column("Code", lambda r: r.code),
    Column("Entry", lambda r: r.kind),
    Column("Billed to", lambda r: r.billed_to),
    Column("Amount", lambda r: r.amount, align_right=True),
    Column("Memo", lambda r: r.memo),
]


class LinesTable(EntryGrid):
    """The service lines; ``commit_editor`` keeps what is typed in an open cell
    when a shortcut (Ctrl+S, Ctrl+Enter) acts before the cell is left. Tab
    walks the cells that take typing (not the description, not hidden drug
    columns) and leaves the table after the last line's last cell.

    The description takes the width the other columns leave, but never less
    than ``MIN_DESCRIPTION`` px: with the drug columns shown on a narrow
    window the table scrolls sideways rather than cut it to a word."""

    MIN_DESCRIPTION = 200

    def fit_description(self) -> None:
        others = sum(
            self.columnWidth(c)
            for c in range(self.columnCount())
            if c != C_DESC and not self.isColumnHidden(c)
        )
        self.setColumnWidth(C_DESC, max(self.MIN_DESCRIPTION, self.viewport().width() - others))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # the window, or a scroll bar came or went
            self.fit_description()
        return super().viewportEvent(event)

    def commit_editor(self) -> None:
        w = QApplication.focusWidget()
        editing = self.state() == QAbstractItemView.State.EditingState
        if w is not None and editing and self.isAncestorOf(w):
            self.commitData(w)
            self.closeEditor(w, QAbstractItemDelegate.EndEditHint.NoHint)


class EncounterForm(QWidget):
    """One encounter at a time; ``back`` asks to return to the worklist."""

    back = Signal()

    def __init__(self, ctx: UiContext, icd: Icd10Index, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.icd = icd
        self.setObjectName("encounterForm")
        self.view: EncounterView | None = None
        self.ready = False
        self._filling = False
        self.dirty = False
        self._local: list[Problem] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.recheck)
        self._build()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("patientBanner")
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel()
        self.status.setObjectName("statusBanner")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.banner, 1)
        top.addWidget(self.status, 1)
        outer.addLayout(top)

        # The form scrolls on the left; the checks and favourites stay in view.
        split = QSplitter()
        split.setObjectName("codingSplit")
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        scroll.setWidget(body)
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        split.addWidget(scroll)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([920, 300])
        outer.addWidget(split, 1)
        lay = QVBoxLayout(body)

        # -------------------------------------------------------- the visit
        visit = QGroupBox("Visit")
        grid = QGridLayout(visit)
        self.dos = QDateEdit()
        self.dos.setObjectName("dos")
        self.dos.setDisplayFormat("MM/dd/yyyy")
        self.dos.setCalendarPopup(True)
        self.provider = QComboBox()
        self.provider.setObjectName("provider")
        self.policy = QComboBox()
        self.policy.setObjectName("policy")
        self.pos = QComboBox()
        self.pos.setObjectName("pos")
        for code, meaning in pos.PLACES.items():
            self.pos.addItem(f"{code} - {meaning}", code)
        self.referring_name = QLineEdit()
        self.referring_name.setObjectName("referringName")
        self.referring_npi = QLineEdit()
        self.referring_npi.setObjectName("referringNpi")
        self.referring_npi.setMaxLength(10)
        self.referring_qualifier = QComboBox()
        self.referring_qualifier.setObjectName("referringQualifier")
        self.referring_qualifier.addItem("", "")
        for q, meaning in REFERRING_QUALIFIERS.items():
            self.referring_qualifier.addItem(f"{q} - {meaning}", q)
        self.prior_auth = QLineEdit()
        self.prior_auth.setObjectName("priorAuth")
        self.illness_date = QLineEdit()
        self.illness_date.setObjectName("illnessDate")
        self.illness_date.setPlaceholderText("MM/DD/YYYY")
        self.related_employment = QCheckBox("&Employment")
        self.related_employment.setObjectName("relatedEmployment")
        self.related_auto = QCheckBox("&Auto accident, state")
        self.related_auto.setObjectName("relatedAuto")
        self.auto_state = QLineEdit()
        self.auto_state.setObjectName("autoState")
        self.auto_state.setMaxLength(2)
        self.auto_state.setMaximumWidth(50)
        self.related_other = QCheckBox("&Other accident")
        self.related_other.setObjectName("relatedOther")
        related = QHBoxLayout()
        for w in (self.related_employment, self.related_auto, self.auto_state, self.related_other):
            related.addWidget(w)
        related.addStretch(1)

        for combo in (self.provider, self.policy, self.pos, self.referring_qualifier):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)

        def row(r: int, c: int, label: str, w: QWidget) -> None:
            lab = QLabel(label)
            lab.setBuddy(w)
            grid.addWidget(lab, r, c * 2)
            grid.addWidget(w, r, c * 2 + 1)

        row(0, 0, "Date of &service", self.dos)
        row(0, 1, "Rendering &provider", self.provider)
        row(1, 0, "&Bills", self.policy)
        row(1, 1, "Place of ser&vice", self.pos)
        row(2, 0, "&Referring provider", self.referring_name)
        row(2, 1, "Referring &NPI", self.referring_npi)
        row(3, 0, "Referring &qualifier", self.referring_qualifier)
        row(3, 1, "Prior a&uthorization", self.prior_auth)
        row(4, 0, "Date of current &illness", self.illness_date)
        lab = QLabel("Related to")
        grid.addWidget(lab, 5, 0)
        grid.addLayout(related, 5, 1, 1, 3)
        self.header_fields: dict[str, QWidget] = {
            "date_of_service": self.dos,
            "provider_id": self.provider,
            "policy_id": self.policy,
            "place_of_service": self.pos,
            "referring_name": self.referring_name,
            "referring_npi": self.referring_npi,
            "referring_qualifier": self.referring_qualifier,
            "prior_auth": self.prior_auth,
            "illness_date": self.illness_date,
            "auto_state": self.auto_state,
        }
        lay.addWidget(visit)

        # -------------------------------------------------------- diagnoses + favourites
        dxbox = QGroupBox("Diagnoses (ICD-10-CM), A-L in claim order")
        dxl = QVBoxLayout(dxbox)
        self.dx_search = DiagnosisSearch(self.icd)
        self.diagnoses = QListWidget()
        self.diagnoses.setObjectName("diagnoses")
        self.diagnoses.setMinimumHeight(80)
        self.diagnoses.setMaximumHeight(110)
        dxl.addWidget(self.dx_search)
        dxl.addWidget(QLabel("On this visit (Ctrl+Up/Down to reorder, Delete to remove):"))
        dxl.addWidget(self.diagnoses)
        lay.addWidget(dxbox)
        favbox = QGroupBox("Favourites of the provider (Enter adds)")
        fl = QVBoxLayout(favbox)
        self.fav_procedures = QListWidget()
        self.fav_procedures.setObjectName("favProcedures")
        self.fav_diagnoses = QListWidget()
        self.fav_diagnoses.setObjectName("favDiagnoses")
        for fav in (self.fav_procedures, self.fav_diagnoses):
            # A narrow column: end long descriptions with "..." (the whole one
            # is the tooltip) rather than hide them behind a sideways scroll.
            fav.setTextElideMode(Qt.TextElideMode.ElideRight)
            fav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fl.addWidget(QLabel("Procedures"))
        fl.addWidget(self.fav_procedures)
        fl.addWidget(QLabel("Diagnoses"))
        fl.addWidget(self.fav_diagnoses)

        # -------------------------------------------------------- service lines
        linebox = QGroupBox("Service lines (CPT/HCPCS)")
        ll = QVBoxLayout(linebox)
        prow = QHBoxLayout()
        self.proc_search = QLineEdit()
        self.proc_search.setObjectName("procSearch")
        self.proc_search.setPlaceholderText(
            "Add a line: code or words from the fee schedule, Enter adds it"
        )
        self.proc_results = QListWidget()
        self.proc_results.setObjectName("procResults")
        self.proc_results.setMaximumHeight(90)
        self.proc_results.hide()
        self.add_line_btn = QPushButton("Add &line")
        self.add_line_btn.setObjectName("addLine")
        self.remove_line_btn = QPushButton("Remove line")
        self.remove_line_btn.setObjectName("removeLine")
        prow.addWidget(self.proc_search, 1)
        prow.addWidget(self.add_line_btn)
        prow.addWidget(self.remove_line_btn)
        ll.addLayout(prow)
        ll.addWidget(self.proc_results)
        self.lines = LinesTable(0, len(COLS))
        self.lines.setObjectName("lines")
        self.lines.setHorizontalHeaderLabels(COLS)
        self.lines.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.setMinimumHeight(170)
        # One row per line: the short columns are as wide as what they hold,
        # the description takes the rest (a long one ends in "...", the whole
        # of it is the tooltip). The drug (NDC) columns show only when a line
        # is a drug (J-code) or has an NDC, or when asked for (Ctrl+G).
        self.lines.setWordWrap(False)
        self.lines.setTextElideMode(Qt.TextElideMode.ElideRight)
        hh = self.lines.horizontalHeader()
        fm, hfm = self.lines.fontMetrics(), hh.fontMetrics()
        for c, sample in COLUMN_SAMPLES.items():
            width = max(fm.horizontalAdvance(sample), hfm.horizontalAdvance(COLS[c]) + 8) + 14
            self.lines.setColumnWidth(c, width)
        ll.addWidget(self.lines)
        # Ctrl+G rather than an Alt letter: every letter of it is taken on
        # this screen or by the front desk's tabs.
        self.ndc_toggle = QCheckBox("Drug (NDC) columns (Ctrl+G)")
        self.ndc_toggle.setObjectName("ndcColumns")
        self.ndc_toggle.setToolTip(
            "Show the NDC, NDC unit and NDC quantity of every line. They show by "
            "themselves when a line is a drug (J-code) or already has an NDC."
        )
        self._ndc_wanted = False  # the biller asked for them on this visit
        below = QHBoxLayout()
        below.addWidget(self.ndc_toggle)
        below.addStretch(1)
        self.total = QLabel()
        self.total.setObjectName("total")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        below.addWidget(self.total)
        ll.addLayout(below)
        self._show_ndc_columns()
        lay.addWidget(linebox)

        # -------------------------------------------------------- checks
        checkbox = QGroupBox("Checks")
        cl = QVBoxLayout(checkbox)
        self.summary = QLabel()
        self.summary.setObjectName("problemsSummary")
        self.problems = QListWidget()
        self.problems.setObjectName("problems")
        self.problems.setMinimumHeight(90)
        self.summary.setWordWrap(True)
        self.problems.setWordWrap(True)
        cl.addWidget(self.summary)
        cl.addWidget(self.problems)
        side_lay.addWidget(checkbox, 2)
        side_lay.addWidget(favbox, 3)

        # -------------------------------------------------------- ledger
        self.ledger_box = QGroupBox("Charges on the ledger")
        lgl = QVBoxLayout(self.ledger_box)
        self.ledger_model: RowTableModel[LedgerRow] = RowTableModel(LEDGER_COLUMNS, self)
        self.ledger = QTableView()
        self.ledger.setTabKeyNavigation(False)
        self.ledger.setObjectName("encounterLedger")
        self.ledger.setModel(self.ledger_model)
        self.ledger.horizontalHeader().setStretchLastSection(True)
        self.ledger.setMinimumHeight(120)
        lgl.addWidget(self.ledger)
        lay.addWidget(self.ledger_box)

        # -------------------------------------------------------- buttons
        buttons = QHBoxLayout()
        self.copy_btn = QPushButton("&Copy from the last visit")
        self.copy_btn.setObjectName("copyLast")
        self.save_btn = QPushButton("Save (Ctrl+S)")
        self.save_btn.setObjectName("save")
        self.coded_btn = QPushButton("&Mark coded (Ctrl+Enter)")
        self.coded_btn.setObjectName("markCoded")
        self.reopen_btn = QPushButton("Re&open...")
        self.reopen_btn.setObjectName("reopen")
        self.back_btn = QPushButton("Back to the worklist (Esc)")
        self.back_btn.setObjectName("back")
        buttons.addWidget(self.copy_btn)
        buttons.addStretch(1)
        for b in (self.save_btn, self.coded_btn, self.reopen_btn, self.back_btn):
            buttons.addWidget(b)
        outer.addLayout(buttons)

        # -------------------------------------------------------- wiring
        for w in (
            self.referring_name,
            self.referring_npi,
            self.prior_auth,
            self.illness_date,
            self.auto_state,
        ):
            w.textEdited.connect(self._changed)
            w.returnPressed.connect(self.save)  # Enter in a visit field saves
        for cb in (self.provider, self.policy, self.pos, self.referring_qualifier):
            cb.currentIndexChanged.connect(self._changed)
        for ch in (self.related_employment, self.related_auto, self.related_other):
            ch.toggled.connect(self._changed)
        self.dos.dateChanged.connect(self._changed)
        self.dx_search.chosen.connect(self.add_diagnosis)
        self.lines.itemChanged.connect(self._line_edited)
        self.ndc_toggle.toggled.connect(self._ndc_toggled)
        self.proc_search.textChanged.connect(self._proc_lookup)
        self.proc_search.returnPressed.connect(self._proc_choose)
        self.proc_results.itemActivated.connect(lambda _i: self._proc_choose())
        self.fav_procedures.itemActivated.connect(
            lambda i: self.add_line(i.data(Qt.ItemDataRole.UserRole))
        )
        self.fav_diagnoses.itemActivated.connect(
            lambda i: self.add_diagnosis(i.data(Qt.ItemDataRole.UserRole))
        )
        self.add_line_btn.clicked.connect(lambda: self.add_line(""))
        self.remove_line_btn.clicked.connect(self.remove_line)
        self.copy_btn.clicked.connect(self.copy_last_visit)
        self.save_btn.clicked.connect(self.save)
        self.coded_btn.clicked.connect(self.mark_coded)
        self.reopen_btn.clicked.connect(self.reopen)
        self.back_btn.clicked.connect(self.leave)

        shortcut(self, "Ctrl+D", self.dx_search.search.setFocus)
        shortcut(self, "Ctrl+P", self.proc_search.setFocus)
        shortcut(self, "Ctrl+N", lambda: self.add_line(""))
        shortcut(self, "Ctrl+G", self._ndc_key)
        shortcut(self, "Ctrl+Delete", self.remove_line)
        shortcut(self, "Ctrl+S", self.save)
        shortcut(self, "Ctrl+Return", self.mark_coded)
        shortcut(self, "Ctrl+Enter", self.mark_coded)
        dx = self.diagnoses
        for keys, fn in (
            ("Ctrl+Up", lambda: self.move_diagnosis(-1)),
            ("Ctrl+Down", lambda: self.move_diagnosis(1)),
            ("Delete", self.remove_diagnosis),
        ):
            sc = shortcut(dx, keys, fn)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)

        order = [
            self.dos,
            self.provider,
            self.policy,
            self.pos,
            self.referring_name,
            self.referring_npi,
            self.referring_qualifier,
            self.prior_auth,
            self.illness_date,
            self.related_employment,
            self.related_auto,
            self.auto_state,
            self.related_other,
            self.dx_search.search,
            self.dx_search.results,
            self.diagnoses,
            self.proc_search,
            self.lines,  # Ctrl+P, type, Tab: the lines (Ctrl+N / Ctrl+Delete add and remove)
            self.add_line_btn,
            self.remove_line_btn,
            self.ndc_toggle,
            self.problems,
            self.fav_procedures,
            self.fav_diagnoses,
            self.copy_btn,
            self.save_btn,
            self.coded_btn,
            self.reopen_btn,
            self.back_btn,
        ]
        for a, b in itertools.pairwise(order):
            QWidget.setTabOrder(a, b)

    # ------------------------------------------------------------ opening

    def set_ready(self, ready: bool, note: str = "") -> None:
        """The ICD-10-CM index is (or is not yet) usable."""
        self.ready = ready
        if self._coded:
            self.dx_search.set_ready(False, CODED_NOTE)
        else:
            self.dx_search.set_ready(ready, note)

    @property
    def _coded(self) -> bool:
        return bool(self.view and self.view.is_coded)

    def open(self, encounter_id: int) -> bool:
        view = ops.run(self, self.ctx, encounters.load, encounter_id, icd=self.icd)  # audited
        if isinstance(view, ops.Failed):
            return False
        self._load_lists(view)
        self.show_view(view)
        return True

    def _load_lists(self, view: EncounterView) -> None:
        choices = ops.query(self, self.ctx, encounters.choices, view.patient.id)
        if isinstance(choices, ops.Failed):
            return
        self._filling = True
        self.provider.clear()
        for c in choices.providers:
            self.provider.addItem(c.label, c.id)
        self.policy.clear()
        for c in choices.policies:
            self.policy.addItem(c.label, c.id)
        self.policy.addItem("Self-pay (the patient pays)", None)
        self._filling = False

    def show_view(self, view: EncounterView) -> None:
        """Fill the form from a stored encounter."""
        self.view = view
        p = view.patient
        self.banner.setText(
            f"<h3 style='margin:0'>{p.name}</h3>Account {p.account_no} &middot; born "
            f"{_ds(p.dob)} &middot; sex {p.sex}"
            + (f" &middot; <b>died {_ds(p.date_of_death)}</b>" if p.date_of_death else "")
        )
        d = view.data
        self._filling = True
        try:
            if d.date_of_service:
                self.dos.setDate(QDate(d.date_of_service))
            self._select(self.provider, d.provider_id)
            self._select(self.policy, d.policy_id)
            self._select(self.pos, d.place_of_service)
            self.referring_name.setText(d.referring_name)
            self.referring_npi.setText(d.referring_npi)
            self._select(self.referring_qualifier, d.referring_qualifier)
            self.prior_auth.setText(d.prior_auth)
            self.illness_date.setText(_ds(d.illness_date))
            self.related_employment.setChecked(d.related_employment)
            self.related_auto.setChecked(d.related_auto)
            self.auto_state.setText(d.auto_state)
            self.related_other.setChecked(d.related_other)
            self.diagnoses.clear()
            for code in d.diagnoses:
                self._dx_item(code)
            self.lines.setRowCount(0)
            for ln in d.lines:
                self._line_row(ln)
        finally:
            self._filling = False
        self._ndc_wanted = False
        self._show_ndc_columns()
        self.dirty = False
        coded = view.is_coded
        self.status.setText(
            f"<b>Coded</b> {view.coded_at} by {view.coded_by}; its charges are on the ledger. "
            "Reopen it to change anything (its charges are reversed first)."
            if coded
            else "<b>Being coded.</b> Checks update as you type; Ctrl+Enter marks it coded."
        )
        if view.claims:
            self.status.setText(
                self.status.text()
                + "<br>Claims: "
                + ", ".join(f"{c.claim_no} ({c.status.replace('_', ' ')})" for c in view.claims)
            )
        self._set_editable(not coded)
        self._show_review(view.review)
        self._load_favourites(d.provider_id)
        self._load_ledger()

    def _select(self, combo: QComboBox, value: object) -> None:
        i = combo.findData(value)
        combo.setCurrentIndex(i if i >= 0 else -1)

    def _set_editable(self, editable: bool) -> None:
        for w in [
            *self.header_fields.values(),
            self.related_employment,
            self.related_auto,
            self.related_other,
            self.proc_search,
            self.add_line_btn,
            self.remove_line_btn,
            self.copy_btn,
            self.save_btn,
            self.coded_btn,
            self.fav_procedures,
            self.fav_diagnoses,
        ]:
            w.setEnabled(editable)
        if editable:
            self.dx_search.set_ready(self.ready)
        else:
            self.dx_search.set_ready(False, CODED_NOTE)
        self.lines.setEditTriggers(
            (
                QAbstractItemView.EditTrigger.AnyKeyPressed
                | QAbstractItemView.EditTrigger.DoubleClicked
                | QAbstractItemView.EditTrigger.EditKeyPressed
            )
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        self.reopen_btn.setVisible(not editable)

    def _load_favourites(self, provider_id: int | None) -> None:
        self.fav_procedures.clear()
        self.fav_diagnoses.clear()
        if provider_id is None:
            return
        fav = ops.query(self, self.ctx, encounters.favourites, provider_id, icd=self.icd)
        if isinstance(fav, ops.Failed):
            return
        for lst, favs in (
            (self.fav_procedures, fav.procedures),
            (self.fav_diagnoses, fav.diagnoses),
        ):
            for f in favs:
                it = QListWidgetItem(f"{f.code}  {f.description}")
                it.setData(Qt.ItemDataRole.UserRole, f.code)
                it.setToolTip(
                    f"{f.code} {f.description}\nUsed {f.uses} time{'s' if f.uses != 1 else ''} "
                    "by this provider in the last two years. Enter adds it."
                )
                lst.addItem(it)

    def _load_ledger(self) -> None:
        if self.view is None:
            return
        rows = ops.query(self, self.ctx, encounters.ledger_rows, self.view.id)
        if isinstance(rows, ops.Failed):
            return
        self.ledger_model.set_rows(rows)
        self.ledger_box.setVisible(bool(rows))

    # ------------------------------------------------------------ diagnoses

    def _dx_item(self, code: str) -> QListWidgetItem:
        it = QListWidgetItem(code)
        it.setData(Qt.ItemDataRole.UserRole, code)
        self.diagnoses.addItem(it)
        return it

    def dx_codes(self) -> list[str]:
        return [
            str(self.diagnoses.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.diagnoses.count())
        ]

    def add_diagnosis(self, code: str) -> None:
        if self._coded or not code:
            return
        if code in self.dx_codes():
            self.dx_search.message.setText(f"{code} is already on this visit")
            self.dx_search.message.show()
            return
        if self.diagnoses.count() >= MAX_DIAGNOSES:
            self.dx_search.message.setText("A claim holds at most 12 diagnoses (A-L)")
            self.dx_search.message.show()
            return
        self._dx_item(code)
        self._changed()

    def move_diagnosis(self, step: int) -> None:
        row = self.diagnoses.currentRow()
        new = row + step
        if self._coded or row < 0 or not 0 <= new < self.diagnoses.count():
            return
        it = self.diagnoses.takeItem(row)
        self.diagnoses.insertItem(new, it)
        self.diagnoses.setCurrentRow(new)
        self._changed()

    def remove_diagnosis(self) -> None:
        row = self.diagnoses.currentRow()
        if self._coded or row < 0:
            return
        self.diagnoses.takeItem(row)
        self._changed()

    # ------------------------------------------------------------ lines

    def _cell(self, text: str, editable: bool = True) -> QTableWidgetItem:
        it = QTableWidgetItem(text)
        if not editable:
            it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
        return it

    def _line_row(self, ln: LineInput) -> int:
        r = self.lines.rowCount()
        self.lines.insertRow(r)
        code = self._cell(ln.code)
        code.setData(LINE_ID, ln.line_id)
        self.lines.setItem(r, C_CODE, code)
        self.lines.setItem(r, C_DESC, self._cell("", editable=False))
        self.lines.setItem(r, C_MODS, self._cell(" ".join(ln.modifiers)))
        self.lines.setItem(r, C_PTRS, self._cell(ln.pointers))
        self.lines.setItem(r, C_UNITS, self._cell(str(ln.units)))
        charge = self._cell(fmt(ln.charge) if ln.charge is not None else "")
        charge.setData(EXPLICIT, ln.charge is not None)
        charge.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.lines.setItem(r, C_CHARGE, charge)
        self.lines.setItem(r, C_FROM, self._cell(_ds(ln.from_date)))
        self.lines.setItem(r, C_TO, self._cell(_ds(ln.to_date)))
        self.lines.setItem(r, C_NDC, self._cell(ln.ndc))
        self.lines.setItem(r, C_NDCU, self._cell(ln.ndc_unit))
        self.lines.setItem(r, C_NDCQ, self._cell(ln.ndc_quantity))
        return r

    def add_line(self, code: str = "") -> None:
        if self._coded:
            return
        self._filling = True
        try:
            r = self._line_row(LineInput(code=code))
        finally:
            self._filling = False
        self._show_ndc_columns()
        self.lines.setFocus()
        self.lines.setCurrentCell(r, C_PTRS if code else C_CODE)
        self._changed()

    def remove_line(self) -> None:
        r = self.lines.currentRow()
        if self._coded or r < 0:
            return
        self.lines.removeRow(r)
        self._show_ndc_columns()
        self._changed()

    def _line_edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        if item.column() == C_CHARGE:
            self._filling = True
            item.setData(EXPLICIT, bool(item.text().strip()))
            item.setForeground(QBrush())
            item.setFont(QFont())
            self._filling = False
        if item.column() == C_CODE:
            self._show_ndc_columns()
        self._changed()

    def _line_needs_ndc(self, r: int) -> bool:
        return is_drug_code(self._text(r, C_CODE)) or any(self._text(r, c) for c in NDC_COLUMNS)

    def _show_ndc_columns(self) -> None:
        """The NDC columns show when a line needs them or the biller asked."""
        needed = any(self._line_needs_ndc(r) for r in range(self.lines.rowCount()))
        for c in NDC_COLUMNS:
            self.lines.setColumnHidden(c, not (needed or self._ndc_wanted))
        self.lines.fit_description()
        self.ndc_toggle.blockSignals(True)
        self.ndc_toggle.setChecked(needed or self._ndc_wanted)
        self.ndc_toggle.blockSignals(False)
        # A drug line keeps them in view; the check box cannot hide them then.
        self.ndc_toggle.setEnabled(not needed)

    def _ndc_toggled(self, on: bool) -> None:
        self._ndc_wanted = on
        self._show_ndc_columns()
        if on:
            self._to_ndc_cell()

    def _ndc_key(self) -> None:
        """Ctrl+G: show or hide the drug columns; with a drug line on the
        visit (they stay shown) go to the NDC of the current line."""
        if self.ndc_toggle.isEnabled():
            self.ndc_toggle.toggle()
        else:
            self._to_ndc_cell()

    def _to_ndc_cell(self) -> None:
        r = self.lines.currentRow()
        if r >= 0:
            self.lines.setFocus()
            self.lines.setCurrentCell(r, C_NDC)

    def _text(self, r: int, c: int) -> str:
        it = self.lines.item(r, c)
        return it.text().strip() if it else ""

    def line_inputs(self) -> list[LineInput]:
        out: list[LineInput] = []
        for r in range(self.lines.rowCount()):
            n = r + 1
            code_item = self.lines.item(r, C_CODE)
            units_text = self._text(r, C_UNITS)
            try:
                units = int(units_text) if units_text else 0
            except ValueError:
                units = 0
                self._local.append(
                    Problem(f"line{n}.units", f"Line {n}: units must be a whole number")
                )
            charge: Decimal | None = None
            charge_item = self.lines.item(r, C_CHARGE)
            if charge_item is not None and charge_item.data(EXPLICIT):
                try:
                    charge = parse_money(charge_item.text())
                except MoneyError as exc:
                    self._local.append(Problem(f"line{n}.charge", f"Line {n}: charge {exc}"))
            dates: list[date | None] = []
            for c in (C_FROM, C_TO):
                try:
                    dates.append(_parse_date(self._text(r, c)))
                except ValueError:
                    dates.append(None)
                    self._local.append(Problem(f"line{n}.dates", f"Line {n}: dates are MM/DD/YYYY"))
            out.append(
                LineInput(
                    code=self._text(r, C_CODE).upper(),
                    modifiers=[m for m in re.split(r"[\s,;/-]+", self._text(r, C_MODS)) if m],
                    pointers=self._text(r, C_PTRS).upper(),
                    units=units,
                    charge=charge,
                    from_date=dates[0],
                    to_date=dates[1],
                    ndc=self._text(r, C_NDC),
                    ndc_unit=self._text(r, C_NDCU).upper(),
                    ndc_quantity=self._text(r, C_NDCQ),
                    line_id=code_item.data(LINE_ID) if code_item else None,
                )
            )
        return out

    def _proc_lookup(self, text: str) -> None:
        self.proc_results.clear()
        if not text.strip():
            self.proc_results.hide()
            return
        hits = ops.query(self, self.ctx, fee_schedule.search_procedures, text, 12)
        if isinstance(hits, ops.Failed):
            return
        for h in hits:
            price = fmt(h.price) if h.price is not None else "no price"
            where = "" if h.on_fee_schedule else "  (HCPCS, not on the fee schedule)"
            it = QListWidgetItem(f"{h.code}  {h.description}  {price}{where}")
            it.setData(Qt.ItemDataRole.UserRole, h.code)
            self.proc_results.addItem(it)
        self.proc_results.setVisible(bool(hits))
        if hits:
            self.proc_results.setCurrentRow(0)

    def _proc_choose(self) -> None:
        it = self.proc_results.currentItem()
        text = self.proc_search.text().strip().upper()
        code = it.data(Qt.ItemDataRole.UserRole) if it else text
        if not code:
            return
        self.proc_search.clear()
        self.add_line(code)

    # ------------------------------------------------------------ checks

    def _changed(self, *_args: object) -> None:
        if self._filling or self.view is None:
            return
        self.dirty = True
        self._timer.start()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc that no field used (an open cell editor cancels its edit first).
        if event.key() == Qt.Key.Key_Escape:
            self.leave()
            return
        super().keyPressEvent(event)

    def collect(self) -> EncounterInput:
        """What is on the screen, as the service's input."""
        self.lines.commit_editor()
        self._local = []
        illness: date | None = None
        try:
            illness = _parse_date(self.illness_date.text())
        except ValueError:
            self._local.append(Problem("illness_date", "Date of current illness is MM/DD/YYYY"))
        return EncounterInput(
            date_of_service=self.dos.date().toPython(),  # type: ignore[arg-type]
            provider_id=self.provider.currentData(),
            policy_id=self.policy.currentData(),
            place_of_service=self.pos.currentData() or "",
            referring_name=self.referring_name.text(),
            referring_npi=self.referring_npi.text(),
            referring_qualifier=self.referring_qualifier.currentData() or "",
            prior_auth=self.prior_auth.text(),
            illness_date=illness,
            related_employment=self.related_employment.isChecked(),
            related_auto=self.related_auto.isChecked(),
            auto_state=self.auto_state.text(),
            related_other=self.related_other.isChecked(),
            notes=self.view.data.notes if self.view else "",
            diagnoses=self.dx_codes(),
            lines=self.line_inputs(),
        )

    def recheck(self) -> None:
        """Run every check on what is typed and show them all."""
        if self.view is None or self._coded or not self.ready:
            return
        data = self.collect()
        review = ops.query(
            self, self.ctx, encounters.review_draft, self.view.patient.id, data, icd=self.icd
        )
        if isinstance(review, ops.Failed):
            return
        self._show_review(review)

    def _show_review(self, review: Review) -> None:
        problems = list(self._local) + list(review.problems)
        self._filling = True
        try:
            # Diagnoses: letter, code, description; errors red, warnings amber.
            by_field: dict[str, list[Problem]] = {}
            for p in problems:
                by_field.setdefault(p.field, []).append(p)
            for i in range(self.diagnoses.count()):
                it = self.diagnoses.item(i)
                ltr = LETTERS[i] if i < len(LETTERS) else "#"
                dxr = review.diagnoses[i] if i < len(review.diagnoses) else None
                code = it.data(Qt.ItemDataRole.UserRole)
                it.setText(f"{ltr}   {code}   {dxr.description if dxr else ''}")
                ps = by_field.get(f"dx.{ltr}", [])
                it.setBackground(_colour(ps))
                it.setToolTip("\n".join(p.message for p in ps))
            # Lines: description, charge from the fee schedule when not set.
            for r in range(self.lines.rowCount()):
                lr = review.lines[r] if r < len(review.lines) else None
                desc = self.lines.item(r, C_DESC)
                if desc is not None:
                    desc.setText(lr.description if lr else "")
                    desc.setToolTip(lr.description if lr else "")
                ch = self.lines.item(r, C_CHARGE)
                if ch is not None and lr is not None:
                    if ch.data(EXPLICIT):
                        tip = (
                            f"Set by you; the fee schedule says {fmt(lr.default_charge)}"
                            if lr.default_charge is not None and lr.default_charge != lr.charge
                            else ""
                        )
                        ch.setToolTip(tip)
                    else:
                        ch.setText(fmt(lr.charge) if lr.charge is not None else "")
                        ch.setForeground(DEFAULT_FG)
                        ch.setToolTip("From the fee schedule x units; type to change it")
                mods = self.lines.item(r, C_MODS)
                if mods is not None:
                    meanings = [
                        f"{m}: {modifiers.meaning(m) or 'not a known modifier'}"
                        for m in re.split(r"[\s,;/-]+", mods.text().strip().upper())
                        if m
                    ]
                    mods.setToolTip("\n".join(meanings))
                n = r + 1
                for col in range(len(COLS)):
                    cell = self.lines.item(r, col)
                    if cell is not None and col != C_DESC:
                        cell.setBackground(QBrush())
                        if col not in (C_MODS, C_CHARGE):
                            cell.setToolTip("")
                for key, cols in FIELD_COLUMNS.items():
                    ps = by_field.get(f"line{n}.{key}", [])
                    if not ps:
                        continue
                    for col in cols:
                        cell = self.lines.item(r, col)
                        if cell is not None:
                            cell.setBackground(_colour(ps))
                            cell.setToolTip("\n".join(p.message for p in ps))
            self.total.setText(f"Total charges: {fmt(review.total)}")
            # Header fields.
            for fld, w in self.header_fields.items():
                ps = [p for p in by_field.get(fld, []) if p.severity == "error"]
                w.setStyleSheet(INVALID_STYLE if ps else "")
                w.setToolTip("\n".join(p.message for p in by_field.get(fld, [])))
            # The list of every problem.
            self.problems.clear()
            errors = [p for p in problems if p.severity == "error"]
            warnings = [p for p in problems if p.severity != "error"]
            for p in errors + warnings:
                it = QListWidgetItem(("Warning: " if p.severity != "error" else "") + p.message)
                it.setForeground(ERROR_FG if p.severity == "error" else WARN_FG)
                it.setData(Qt.ItemDataRole.UserRole, p.field)
                self.problems.addItem(it)
            if self._coded:
                self.summary.setText("Coded.")
            elif errors:
                self.summary.setText(
                    f"<span style='color:#c62828'><b>{len(errors)} problem"
                    f"{'s' if len(errors) != 1 else ''} to fix</b></span> before marking coded"
                    + (
                        f"; {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
                        if warnings
                        else ""
                    )
                )
            else:
                self.summary.setText(
                    "<span style='color:#2e7d32'><b>Ready to mark coded.</b></span>"
                    + (
                        f" {len(warnings)} warning{'s' if len(warnings) != 1 else ''} to look at."
                        if warnings
                        else ""
                    )
                )
        finally:
            self._filling = False

    def _on_invalid(self, exc: ValidationError) -> None:
        # The service refused: show its problems with the live ones.
        self.recheck()
        QMessageBox.warning(self, "Not coded yet", exc.message)

    # ------------------------------------------------------------ actions

    def save(self) -> bool:
        if self.view is None or self._coded:
            return False
        data = self.collect()
        if self._local:
            QMessageBox.warning(self, "Please correct", "\n".join(p.message for p in self._local))
            return False
        view = ops.run(
            self,
            self.ctx,
            encounters.save,
            self.view.id,
            data,
            icd=self.icd,
            on_invalid=self._on_invalid,
            changed="encounters",
        )
        if isinstance(view, ops.Failed):
            return False
        self.show_view(view)
        return True

    def mark_coded(self) -> None:
        if self.view is None or self._coded:
            return
        data = self.collect()
        if self._local:
            self.recheck()
            return
        res = ops.run(
            self,
            self.ctx,
            encounters.mark_coded,
            self.view.id,
            data,
            icd=self.icd,
            on_invalid=self._on_invalid,
            changed="encounters",
        )
        if isinstance(res, ops.Failed):
            return
        self.ctx.changed.emit("ledger")
        self.open(self.view.id)
        self.status.setText(
            self.status.text()
            + f"<br>{res.charges} charge{'s' if res.charges != 1 else ''} posted, "
            f"total {fmt(res.total)}, dated {_ds(res.entry_date)}."
        )

    def reopen(self) -> None:
        if self.view is None or not self._coded:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Reopen the visit",
            "Its charges will be reversed on the ledger. Why is it reopened?",
        )
        if not ok:
            return
        res = ops.run(self, self.ctx, encounters.reopen, self.view.id, reason, changed="encounters")
        if isinstance(res, ops.Failed):
            return
        self.ctx.changed.emit("ledger")
        self.ctx.changed.emit("claims")  # a claim not sent yet waits for the new coding
        self.open(self.view.id)

    def copy_last_visit(self) -> None:
        if self.view is None or self._coded:
            return
        last = ops.run(
            self,
            self.ctx,
            encounters.last_visit,
            self.view.patient.id,
            before_encounter_id=self.view.id,
        )
        if isinstance(last, ops.Failed):
            return
        if last is None:
            QMessageBox.information(self, "MedBill Desk", "This patient has no earlier visit.")
            return
        self.apply_copy(last)

    def apply_copy(self, last: LastVisit, ask: bool = True) -> None:
        if ask and (self.diagnoses.count() or self.lines.rowCount()):
            answer = QMessageBox.question(
                self,
                "Copy from the last visit",
                f"Replace this visit's diagnoses and lines with those of the visit on "
                f"{_ds(last.date_of_service)}?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._filling = True
        try:
            self.diagnoses.clear()
            for code in last.diagnoses:
                self._dx_item(code)
            self.lines.setRowCount(0)
            for ln in last.lines:
                self._line_row(ln)
        finally:
            self._filling = False
        self._show_ndc_columns()
        self._changed()

    def leave(self) -> None:
        if self.dirty and not self._coded:
            answer = QMessageBox.question(
                self,
                "Leave the visit",
                "Save the changes to this visit before leaving?",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save and not self.save():
                return
        self.dirty = False
        self.back.emit()


def _colour(problems: list[Problem]) -> QBrush:
    if any(p.severity == "error" for p in problems):
        return QBrush(RED)
    if problems:
        return QBrush(AMBER)
    return QBrush()
