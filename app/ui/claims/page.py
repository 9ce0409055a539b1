"""The claims work area: the list with its filters, the selected claim, the
check with its Fix buttons, batch printing and corrections."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.models.claims import ClaimStatus
from app.models.insurance import Payer
from app.models.practice import Provider
from app.services import claim_print, claims
from app.services.auth import Permission
from app.services.claims import OPEN_STATUSES, ClaimFilter, ClaimRow, status_label
from app.ui import ops
from app.ui.claims.detail import ClaimDetailPanel
from app.ui.claims.dialogs import AlignmentDialog, CorrectionDialog
from app.ui.claims.printing import (
    DATA_ONLY,
    FULL_FORM,
    BatchResult,
    BatchRunner,
    PdfSink,
    PrinterSink,
    summary,
)
from app.ui.context import UiContext
from app.ui.widgets import ROW_ROLE, SORT_ROLE, Column, RowTableModel, shortcut

AGES = [
    ("Any age", None, None),
    ("0-30 days", 0, 30),
    ("31-60 days", 31, 60),
    ("61-90 days", 61, 90),
    ("91-120 days", 91, 120),
    ("Over 120 days", 121, None),
]


def _days_left_text(days: int) -> str:
    return f"{days}" if days >= 0 else f"past by {-days}"


class ClaimsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner: BatchRunner | None = None
        self.last_result: BatchResult | None = None
        lay = QVBoxLayout(self)

        # ------------------------------------------------------------ toolbar
        bar = QHBoxLayout()
        title = QLabel("<h2>Claims</h2>")
        bar.addWidget(title)
        self.new_button = QPushButton("&New claims from coded visits")
        self.new_button.setObjectName("newClaims")
        self.new_button.setToolTip("Make and check a claim for every coded visit that has none")
        self.new_button.clicked.connect(self.make_new_claims)
        self.check_all_button = QPushButton("Check &all drafts")
        self.check_all_button.setObjectName("checkAll")
        self.check_all_button.clicked.connect(self.check_all)
        self.print_button = QToolButton()
        self.print_button.setObjectName("printMenu")
        self.print_button.setText("&Print")
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.print_button)
        self.act_print_ready = menu.addAction("Print all ready claims...", self.print_ready)
        self.act_print_ready.setObjectName("printReady")
        self.act_print_selected = menu.addAction("Print selected claims...", self.print_selected)
        self.act_print_selected.setObjectName("printSelected")
        menu.addSeparator()
        self.act_save_ready = menu.addAction("Save all ready claims as PDF...", self.save_ready)
        self.act_save_ready.setObjectName("saveReady")
        self.act_save_selected = menu.addAction(
            "Save selected claims as PDF...", self.save_selected
        )
        self.act_save_selected.setObjectName("saveSelected")
        menu.addSeparator()
        self.act_align = menu.addAction("Red form alignment...", self.alignment)
        self.act_align.setObjectName("alignment")
        self.print_button.setMenu(menu)
        self.paper = QComboBox()
        self.paper.setObjectName("paper")
        self.paper.addItem("Red CMS-1500 forms (data only)", DATA_ONLY)
        self.paper.addItem("Plain paper (whole form)", FULL_FORM)
        self.paper.setToolTip("What the printer has in it")
        for w in (self.new_button, self.check_all_button, self.print_button):
            bar.addWidget(w)
        bar.addWidget(QLabel("Paper:"))
        bar.addWidget(self.paper)
        bar.addStretch(1)
        lay.addLayout(bar)
        can_print = ctx.can(Permission.CLAIM_PRINT)
        self.print_button.setEnabled(can_print)

        # ------------------------------------------------------------ filters
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Claim no. or patient's last name (Ctrl+F)")
        self.search.setMinimumWidth(260)
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem("Open claims", "open")
        self.status.addItem("All statuses", None)
        for st in ClaimStatus:
            self.status.addItem(status_label(st), st.value)
        self.payer = QComboBox()
        self.payer.setObjectName("payerFilter")
        self.provider = QComboBox()
        self.provider.setObjectName("providerFilter")
        self.use_dates = QCheckBox("Service from")
        self.use_dates.setObjectName("useDates")
        self.date_from = QDateEdit()
        self.date_from.setObjectName("dateFrom")
        self.date_to = QDateEdit()
        self.date_to.setObjectName("dateTo")
        today = QDate.currentDate()
        for d, value in ((self.date_from, today.addMonths(-1)), (self.date_to, today)):
            d.setCalendarPopup(True)
            d.setDisplayFormat("MM/dd/yyyy")
            d.setDate(value)
            d.setEnabled(False)
        self.age = QComboBox()
        self.age.setObjectName("ageFilter")
        for label, lo, hi in AGES:
            self.age.addItem(label, (lo, hi))
        for w in (
            self.search,
            QLabel("Status"),
            self.status,
            QLabel("Payer"),
            self.payer,
            QLabel("Provider"),
            self.provider,
        ):
            filters.addWidget(w)
        filters.addStretch(1)
        when = QHBoxLayout()
        for w in (
            self.use_dates,
            self.date_from,
            QLabel("to"),
            self.date_to,
            QLabel("Age"),
            self.age,
        ):
            when.addWidget(w)
        when.addStretch(1)
        lay.addLayout(filters)
        lay.addLayout(when)

        # ------------------------------------------------------------ list + detail
        self.model: RowTableModel[ClaimRow] = RowTableModel(
            [
                Column("Claim", lambda r: r.claim_no),
                Column("Status", lambda r: r.status_label),
                Column("Service", lambda r: r.date_of_service),
                Column("Patient", lambda r: r.patient),
                Column("Payer", lambda r: r.payer),
                Column(
                    "Rank",
                    lambda r: r.rank,
                    display=lambda v: {1: "Primary", 2: "Secondary"}.get(v, str(v)),
                ),
                Column("Provider", lambda r: r.provider),
                Column("Total", lambda r: r.total_charge, align_right=True),
                Column("Days since service", lambda r: r.days_since_dos, align_right=True),
                Column(
                    "Days left to file",
                    lambda r: r.days_left,
                    align_right=True,
                    display=_days_left_text,
                ),
            ]
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab goes on to the claim's detail
        self.table.setObjectName("claimsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.detail = ClaimDetailPanel()
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("claimsSplit")
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("claimCount")
        self.message = QLabel()
        self.message.setObjectName("batchMessage")
        self.message.setWordWrap(True)
        foot = QHBoxLayout()
        foot.addWidget(self.count_label)
        foot.addWidget(self.message, 1)
        lay.addLayout(foot)

        self.detail.connect_actions(
            check=self.check_current,
            replace=lambda: self.correct("replace"),
            void=lambda: self.correct("void"),
            secondary=self.make_secondary,
            reference=self.edit_reference,
            discard=self.discard,
        )
        self.detail.problems.fix_requested.connect(self.ctx.open_record)

        # ------------------------------------------------------------ behaviour
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        for combo in (self.status, self.payer, self.provider, self.age):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.use_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(lambda _d: self.reload())
        self.date_to.dateChanged.connect(lambda _d: self.reload())
        shortcut(self, "Ctrl+F", self.search.setFocus)
        shortcut(self, "F5", self.reload)
        shortcut(self, "Ctrl+K", self.check_current)
        shortcut(self, "Ctrl+P", self.print_ready)
        ctx.changed.connect(self._changed)

        self._fill_choices()
        self.reload()

    # ---------------------------------------------------------------- loading

    def _fill_choices(self) -> None:
        def load(s, _actor):  # type: ignore[no-untyped-def]
            from sqlalchemy import select

            payers = list(s.execute(select(Payer.id, Payer.name).order_by(Payer.name)))
            provs = list(
                s.execute(
                    select(Provider.id, Provider.first_name, Provider.last_name).order_by(
                        Provider.last_name
                    )
                )
            )
            return payers, provs

        got = ops.query(self, self.ctx, load)
        if isinstance(got, ops.Failed):
            return
        payers, provs = got
        for combo, rows, label in (
            (self.payer, [(pid, name) for pid, name in payers], "All payers"),
            (self.provider, [(pid, f"{f} {la}") for pid, f, la in provs], "All providers"),
        ):
            combo.blockSignals(True)
            current = combo.currentData()
            combo.clear()
            combo.addItem(label, None)
            for rid, name in rows:
                combo.addItem(name, rid)
            i = combo.findData(current)
            combo.setCurrentIndex(max(0, i))
            combo.blockSignals(False)

    def current_filter(self) -> ClaimFilter:
        st = self.status.currentData()
        statuses: tuple[ClaimStatus, ...] = ()
        if st == "open":
            statuses = OPEN_STATUSES
        elif st:
            statuses = (ClaimStatus(st),)
        lo, hi = self.age.currentData() or (None, None)
        dates = self.use_dates.isChecked()
        return ClaimFilter(
            statuses=statuses,
            payer_id=self.payer.currentData(),
            provider_id=self.provider.currentData(),
            dos_from=self.date_from.date().toPython() if dates else None,  # type: ignore[arg-type]
            dos_to=self.date_to.date().toPython() if dates else None,  # type: ignore[arg-type]
            min_age_days=lo,
            max_age_days=hi,
            text=self.search.text(),
        )

    def reload(self) -> None:
        keep = self.current_claim_id()
        result = ops.query(self, self.ctx, claims.list_claims, self.current_filter())
        if isinstance(result, ops.Failed):
            return
        self.model.set_rows(result.rows)
        shown = len(result.rows)
        self.count_label.setText(
            f"{result.total:,} claim{'s' if result.total != 1 else ''}"
            if shown == result.total
            else f"Showing the newest {shown:,} of {result.total:,} claims: narrow the filter"
        )
        if keep is not None and not self.select_claim(keep):
            self.detail.show_detail(None)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.reload()

    def _changed(self, topic: str) -> None:
        if topic in ("claims", "ledger", "patients", "settings", "payers", "providers"):
            if topic in ("payers", "providers"):
                self._fill_choices()
            self.reload()

    # ---------------------------------------------------------------- selection

    def current_claim_id(self) -> int | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        row: ClaimRow = self.proxy.data(idx, ROW_ROLE)
        return row.id

    def selected_claim_ids(self) -> list[int]:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        ids = [self.proxy.data(self.proxy.index(r, 0), ROW_ROLE).id for r in sorted(rows)]
        return ids

    def select_claim(self, claim_id: int) -> bool:
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            if self.proxy.data(idx, ROW_ROLE).id == claim_id:
                self.table.setCurrentIndex(idx)
                self.table.scrollTo(idx)
                self._show_current()
                return True
        return False

    def _show_current(self) -> None:
        cid = self.current_claim_id()
        if cid is None:
            self.detail.show_detail(None)
            return
        self._load_detail(cid)

    def _load_detail(self, claim_id: int) -> None:
        d = ops.run(self, self.ctx, claims.claim_detail, claim_id)
        if isinstance(d, ops.Failed):
            return
        if self.detail.detail is None or self.detail.detail.id != claim_id:
            self.detail.problems.clear("Run the check (Ctrl+K) to see what this claim still needs.")
        self.detail.show_detail(d)

    def open_record(self, kind: str, record_id: object) -> bool:
        """Show one claim (e.g. from the payments area or a duplicate warning)."""
        if kind != "claim" or not isinstance(record_id, int):
            return False
        if self.select_claim(record_id):
            return True
        # Not in the current view: widen the filter to everything and look again.
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.status.setCurrentIndex(self.status.findData(None))
        for combo in (self.payer, self.provider, self.age):
            combo.setCurrentIndex(0)
        self.use_dates.setChecked(False)
        self.reload()
        if self.select_claim(record_id):
            return True
        self._load_detail(record_id)  # older than the list shows: the detail alone
        return self.detail.detail is not None

    # ---------------------------------------------------------------- actions

    def make_new_claims(self) -> None:
        made = ops.run(self, self.ctx, claims.make_claims_for_coded_visits, changed="claims")
        if isinstance(made, ops.Failed):
            return
        ready = sum(1 for m in made if m.status is ClaimStatus.READY)
        self.message.setText(
            f"Made {len(made)} claim{'s' if len(made) != 1 else ''}: {ready} ready to print, "
            f"{len(made) - ready} with something to fix."
            if made
            else "Every coded visit already has its claim."
        )

    def check_current(self) -> None:
        cid = self.current_claim_id()
        if cid is None:
            return
        outcome = ops.run(self, self.ctx, claims.check_claim, cid)
        if isinstance(outcome, ops.Failed):
            return
        self.detail.problems.show_outcome(outcome)
        self.detail.tabs.setCurrentIndex(0)
        self.reload()

    def check_all(self) -> None:
        outcomes = ops.run(self, self.ctx, claims.check_drafts, changed="claims")
        if isinstance(outcomes, ops.Failed):
            return
        ready = sum(1 for o in outcomes if not o.errors)
        self.message.setText(
            f"Checked {len(outcomes)} claim{'s' if len(outcomes) != 1 else ''}: {ready} ready, "
            f"{len(outcomes) - ready} with something to fix."
        )

    def correct(self, kind: str) -> None:
        d = self.detail.detail
        if d is None:
            return
        dlg = CorrectionDialog(kind, d.claim_no, d.payer_claim_ref, self)
        if not dlg.exec():
            return
        made = ops.run(
            self,
            self.ctx,
            claims.correct_claim,
            d.id,
            kind,
            dlg.reference(),
            dlg.note(),
            changed="claims",
        )
        if isinstance(made, ops.Failed):
            return
        self.message.setText(
            f"Claim {made.claim_no} made ({'replaces' if kind == 'replace' else 'voids'} "
            f"{d.claim_no}). Check it, then print it."
        )
        self.open_record("claim", made.id)

    def make_secondary(self) -> None:
        d = self.detail.detail
        if d is None:
            return
        made = ops.run(self, self.ctx, claims.make_secondary, d.id, changed="claims")
        if isinstance(made, ops.Failed):
            return
        self.message.setText(f"Secondary claim {made.claim_no} made from {d.claim_no}.")
        self.open_record("claim", made.id)

    def edit_reference(self) -> None:
        d = self.detail.detail
        if d is None:
            return
        text, ok = QInputDialog.getText(
            self,
            "Payer's claim number",
            "The payer's own number for this claim (claim control number / ICN, from the EOB):",
            QLineEdit.EchoMode.Normal,
            d.payer_claim_ref,
        )
        if ok:
            ops.run(self, self.ctx, claims.set_payer_reference, d.id, text, changed="claims")

    def discard(self) -> None:
        d = self.detail.detail
        if d is None:
            return
        if (
            QMessageBox.question(
                self,
                "Discard draft",
                f"Discard claim {d.claim_no}? It never went to the payer; it is kept, closed, "
                "in the history.",
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        ops.run(self, self.ctx, claims.discard_draft, d.id, changed="claims")

    # ---------------------------------------------------------------- printing

    def _ids_for(self, which: str) -> list[int] | None:
        if which == "ready":
            ids = ops.query(self, self.ctx, claim_print.ready_claim_ids)
            if isinstance(ids, ops.Failed):
                return None
            if not ids:
                self.message.setText("No claims are ready to print. Run the check on the drafts.")
                return None
            return ids
        chosen = self.selected_claim_ids()
        if not chosen:
            self.message.setText("Select the claims to print first.")
            return None
        job = ops.query(self, self.ctx, claim_print.printable, chosen)
        if isinstance(job, ops.Failed):
            return None
        if job.skipped:
            QMessageBox.information(
                self,
                "Some claims left out",
                "These claims are not through the check and are left out:\n"
                + "\n".join(job.skipped),
            )
        return job.claim_ids or None

    def print_ready(self) -> None:
        self._print("ready")

    def print_selected(self) -> None:
        self._print("selected")

    def save_ready(self) -> None:
        self._save("ready")

    def save_selected(self) -> None:
        self._save("selected")

    def ask_printer(self):  # type: ignore[no-untyped-def]
        """Qt's print dialog; returns the chosen QPrinter or None."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, self)
        dlg.setWindowTitle("Print claims")
        if dlg.exec() != QPrintDialog.DialogCode.Accepted:
            return None
        return printer

    def ask_save_path(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save claims as PDF", str(Path.home() / "claims.pdf"), "PDF files (*.pdf)"
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    def _print(self, which: str) -> None:
        ids = self._ids_for(which)
        if not ids:
            return
        printer = self.ask_printer()
        if printer is None:
            return
        kind = self.paper.currentData()
        name = printer.printerName() or "printer"
        offsets = ops.query(self, self.ctx, lambda s, _a: claim_print.printer_offsets(s, name))
        dx, dy = (0.0, 0.0) if isinstance(offsets, ops.Failed) else offsets
        sink = PrinterSink(printer, kind, dx, dy)
        self._run_batch(ids, sink, f"printer {name}", "claims_printed", "Printed")

    def _save(self, which: str) -> None:
        ids = self._ids_for(which)
        if not ids:
            return
        path = self.ask_save_path()
        if path is None:
            return
        sink = PdfSink(path, self.paper.currentData())
        self._run_batch(ids, sink, f"PDF file {path.name}", "claims_saved_pdf", "Saved")

    def _run_batch(
        self, ids: list[int], sink: PdfSink | PrinterSink, destination: str, action: str, verb: str
    ) -> None:
        if self.runner is not None:
            self.message.setText("A batch is already running.")
            return
        self.message.setText("")
        self.runner = BatchRunner(
            self, self.ctx.store, self.ctx.actor, ids, sink, destination, action
        )

        def finished(result: BatchResult) -> None:
            self.last_result = result
            self.runner = None
            self.message.setText(summary(result, verb))
            if result.error:
                QMessageBox.warning(self, "Claims not printed", result.error)
            if result.printed:
                self.ctx.changed.emit("claims")

        self.runner.done.connect(finished)
        self.runner.start()

    def alignment(self) -> None:
        AlignmentDialog(self.ctx, self).exec()
