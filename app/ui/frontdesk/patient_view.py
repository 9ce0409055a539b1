"""One patient, opened (an audited view): the banner with the account
number and coverage of the primary policy; the account (what the patient
owes and what insurance has yet to pay, from the ledger) with keys to print
the statement and open the ledger in Payments; the details, insurance,
visits and merged records; keys to edit, open the insurance, book a visit
and (office manager) merge a duplicate into this record."""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import Problem, ValidationError
from app.money import fmt
from app.services import patients
from app.services.auth import Permission
from app.services.patients import MergedRecord, PatientRecord, VisitRow
from app.services.policies import PolicySummary
from app.ui import ops, printing
from app.ui.context import UiContext
from app.ui.frontdesk import common
from app.ui.frontdesk.common import badge_label, banner_label, day_text, set_badge, table
from app.ui.frontdesk.search import PatientSearch
from app.ui.widgets import Column, RowTableModel, shortcut
from app.validation import format_phone


class PatientView(QWidget):
    """Emits ``edit``, ``insurance``, ``book`` with the patient id."""

    edit_requested = Signal(int)
    insurance_requested = Signal(int)
    book_requested = Signal(int)
    merged = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientView")
        self.ctx = ctx
        self.record: PatientRecord | None = None
        self.banner = banner_label()
        self.badge = badge_label("", None, "coverageBadge")
        head = QHBoxLayout()
        head.addWidget(self.banner, 1)
        head.addWidget(self.badge)

        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, keys, slot, perm in (
            ("edit", "&Edit patient", "F2", self._edit, Permission.PATIENT_EDIT),
            ("insurance", "&Insurance", "F3", self._insurance, Permission.PATIENT_VIEW),
            ("book", "&Book a visit", "F4", self._book, Permission.SCHEDULE),
            (
                "merge",
                "&Merge a duplicate into this record...",
                "",
                self._merge,
                Permission.PATIENT_MERGE,
            ),
        ):
            b = QPushButton(f"{text} ({keys})" if keys else text)
            b.setObjectName(f"patient_{key}")
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            b.setVisible(ctx.can(perm))
            if keys and ctx.can(perm):
                shortcut(self, keys, slot)
            row.addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)

        # The account: "what do I owe?" answered at the desk.
        self.balance = QLabel()
        self.balance.setObjectName("patientBalance")
        self.balance.setTextFormat(Qt.TextFormat.RichText)
        self.account_result = QLabel()
        self.account_result.setObjectName("patientAccountResult")
        # A long outcome wraps under itself instead of widening the page (which
        # squeezed the work areas' list on the left).
        self.account_result.setWordWrap(True)
        self.account_result.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        account = QHBoxLayout()
        account.addWidget(self.balance)
        for key, text, keys, slot, perm, why in (
            (
                "statement",
                "Print &statement",
                "F6",
                self._print_statement,
                Permission.STATEMENTS,
                "the biller or the office manager prints statements",
            ),
            (
                "ledger",
                "Open &ledger",
                "F7",
                self._open_ledger,
                Permission.PAYMENT_PATIENT,
                "the ledger is in the Payments area, which your role does not have",
            ),
        ):
            b = QPushButton(f"{text} ({keys})")
            b.setObjectName(f"patient_{key}")
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            if ctx.can(perm):
                shortcut(self, keys, slot)
            else:
                b.setToolTip(f"Not for your role ({ctx.actor.role.label}): {why}.")
            account.addWidget(b)
            self.buttons[key] = b
        save = QPushButton("Sa&ve statement as PDF...")
        save.setObjectName("patient_save_statement")
        save.setAutoDefault(False)
        save.clicked.connect(self._save_statement)
        save.setVisible(ctx.can(Permission.STATEMENTS) and ctx.can(Permission.EXPORT))
        account.insertWidget(account.count() - 1, save)
        self.buttons["save_statement"] = save
        account.addWidget(self.account_result, 1)

        self.details = QLabel()
        self.details.setObjectName("patientDetails")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.policy_model: RowTableModel[PolicySummary] = RowTableModel(
            [
                Column("Order", lambda p: p.order),
                Column("Payer", lambda p: p.payer),
                Column("Member ID", lambda p: p.member_id),
                Column("Copay", lambda p: p.copay, align_right=True),
                Column("Coverage", lambda p: p.coverage.label),
                Column("Last verified", lambda p: p.last_verified),
            ],
            self,
        )
        self.visit_model: RowTableModel[VisitRow] = RowTableModel(
            [
                Column("Date", lambda v: v.day),
                Column("Time", lambda v: v.start),
                Column("Provider", lambda v: v.provider),
                Column("Visit", lambda v: v.what),
                Column("Status", lambda v: v.status),
            ],
            self,
        )
        self.merged_model: RowTableModel[MergedRecord] = RowTableModel(
            [
                Column("Account", lambda m: m.account_no),
                Column("Name", lambda m: m.name),
                Column("Date of birth", lambda m: m.dob),
                Column("Merged", lambda m: m.merged_at),
                Column("By", lambda m: m.merged_by),
                Column("Why", lambda m: m.reason),
                Column(
                    "Moved", lambda m: ", ".join(f"{k} {v}" for k, v in sorted(m.moved.items()))
                ),
            ],
            self,
        )
        self.tabs = QTabWidget()
        self.tabs.setObjectName("patientTabs")
        self.tabs.addTab(self.details, "Details")
        self.tabs.addTab(table(self.policy_model, "patientPolicies"), "Insurance")
        self.tabs.addTab(table(self.visit_model, "patientVisits"), "Visits")
        self.tabs.addTab(table(self.merged_model, "mergedRecords"), "Merged records")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addLayout(row)
        lay.addLayout(account)
        lay.addWidget(self.tabs, 1)
        self.merge_dialog: MergeDialog | None = None
        # A payment, adjustment or write-off anywhere, or a visit coded (its
        # charges) or reopened, changes what is owed.
        ctx.changed.connect(
            lambda topic: self.refresh() if topic in ("ledger", "encounters") else None
        )

    @property
    def patient_id(self) -> int | None:
        return self.record.details.id if self.record else None

    def open(self, patient_id: int) -> bool:
        """Open (audited) and show a patient."""
        result = ops.run(self, self.ctx, patients.open_patient, patient_id)
        if not isinstance(result, PatientRecord):
            return False
        self.show_record(result)
        return True

    def refresh(self) -> None:
        """Show the open patient again after a change (not a new view)."""
        if self.patient_id is None:
            return
        result = ops.query(self, self.ctx, patients.patient_record, self.patient_id)
        if isinstance(result, PatientRecord):
            self.show_record(result)

    def show_record(self, rec: PatientRecord) -> None:
        self.record = rec
        d = rec.details
        self.banner.setText(d.header)
        primary = next((p for p in rec.policies if p.rank == 1), None)
        if primary is None:
            set_badge(self.badge, "Self-pay", None)
        else:
            set_badge(self.badge, f"{primary.payer}: {primary.coverage.label}", primary.coverage)
            self.badge.setToolTip(primary.coverage_reason)
        self.balance.setText(_account_html(rec))
        self.balance.setToolTip(
            f"From the ledger: the account's balance is {fmt(rec.balance, symbol=True)}"
        )
        self.account_result.clear()
        self.details.setText(_details_html(rec))
        self.policy_model.set_rows(rec.policies)
        self.visit_model.set_rows(rec.visits)
        self.merged_model.set_rows(rec.merged)
        self.tabs.setTabText(3, f"Merged records ({len(rec.merged)})")
        editable = d.merged_into_id is None
        for key in ("edit", "insurance", "book", "merge"):
            self.buttons[key].setEnabled(editable)
        self.buttons["statement"].setEnabled(editable and self.ctx.can(Permission.STATEMENTS))
        self.buttons["save_statement"].setEnabled(editable)
        self.buttons["ledger"].setEnabled(self.ctx.can(Permission.PAYMENT_PATIENT))
        if self.ctx.can(Permission.STATEMENTS):
            self.buttons["statement"].setToolTip(
                "The statement goes to the guarantor, "
                f"{d.guarantor_text}, for every patient on that account"
                if d.data.guarantor_patient_id is not None
                else "The patient's statement, recorded as sent once it is printed"
            )

    def _edit(self) -> None:
        if self.patient_id is not None and self.buttons["edit"].isEnabled():
            self.edit_requested.emit(self.patient_id)

    def _insurance(self) -> None:
        if self.patient_id is not None and self.buttons["insurance"].isEnabled():
            self.insurance_requested.emit(self.patient_id)

    def _book(self) -> None:
        if self.patient_id is not None and self.buttons["book"].isEnabled():
            self.book_requested.emit(self.patient_id)

    def _print_statement(self) -> None:
        """The statement PDF the Payments area prints, recorded as sent and
        audited once the print dialog is confirmed."""
        if self.patient_id is None or not self.buttons["statement"].isEnabled():
            return
        got = printing.print_statement(
            self, self.ctx, self.patient_id, date.today(), on_finished=self._statement_printed
        )
        if got is None:
            return
        if got.job is None:
            self._say("The statement was not printed; nothing was recorded.", ok=False)
        else:
            doc = got.made[0]
            self._say(
                f"Statement for {doc.guarantor_name} ({doc.account_no}) made and recorded: "
                f"{fmt(doc.amount_due, symbol=True)} due. Printing..."
            )

    def _save_statement(self) -> None:
        """The statement saved where the person chooses (an audited export,
        recorded as sent), as the patient's ledger in Payments saves it."""
        from app.ui.payments.ar_pages import save_account_pdf

        if self.patient_id is None or not self.buttons["save_statement"].isVisible():
            return
        name = save_account_pdf(self, self.ctx, "statement", self.patient_id)
        if name is not None:
            self._say(f"The statement was saved as {name.name} and recorded as sent.")

    def _statement_printed(self, outcome: printing.Outcome, pages: int) -> None:
        if outcome is printing.Outcome.PRINTED:
            self._say(f"The statement went to the printer ({pages} page(s)).")
        else:
            self._say("The statement was not printed.", ok=False)

    def _say(self, text: str, ok: bool = True) -> None:
        self.account_result.setStyleSheet("" if ok else "color: #c62828;")
        self.account_result.setText(text)

    def _open_ledger(self) -> None:
        if self.patient_id is not None and self.buttons["ledger"].isEnabled():
            self.ctx.open_record("ledger", self.patient_id)

    def _merge(self) -> None:
        if self.record is None:
            return
        self.merge_dialog = MergeDialog(self.ctx, self.record, self)
        self.merge_dialog.merged.connect(self._after_merge)
        self.merge_dialog.open()

    def _after_merge(self, keep_id: int) -> None:
        self.refresh()
        self.tabs.setCurrentIndex(3)
        self.merged.emit(keep_id)


def _account_html(rec: PatientRecord) -> str:
    """What the patient owes now (or the credit held) and what insurance
    has yet to pay."""
    mine = rec.patient_part
    own = (
        f"Credit <b>{fmt(-mine, symbol=True)}</b>"
        if mine < 0
        else f"Patient owes <b>{fmt(mine, symbol=True)}</b>"
    )
    return f"{own} &nbsp; Insurance pending <b>{fmt(rec.insurance_part, symbol=True)}</b>"


def _details_html(rec: PatientRecord) -> str:
    d = rec.details
    x = d.data
    e = escape

    def row(label: str, value: object) -> str:
        text = day_text(value) if hasattr(value, "strftime") else str(value or "")  # type: ignore[arg-type]
        return f"<tr><td style='color:#546e7a;padding-right:12px'>{e(label)}</td><td>{e(text)}</td></tr>"

    sex = {"M": "Male", "F": "Female", "U": "Unknown"}.get(str(x.sex), "")
    if x.guarantor_is_patient:
        guarantor = "The patient"
    elif x.guarantor_patient_id is not None:
        guarantor = f"{d.guarantor_text} ({x.guarantor_relationship}), a patient here"
    else:
        place = f"{x.guarantor_city} {x.guarantor_state} {x.guarantor_zip}".strip()
        guarantor = ", ".join(
            v
            for v in (
                f"{x.guarantor_first_name} {x.guarantor_last_name} ({x.guarantor_relationship})",
                x.guarantor_address1,
                place,
                format_phone(x.guarantor_phone) if x.guarantor_phone else "",
            )
            if v
        )
    parts = [
        row("Account", d.account_no),
        row("Date of birth", x.dob),
        row("Sex", sex),
        row("Address", ", ".join(v for v in (x.address1, x.address2) if v)),
        row("", f"{x.city}, {x.state} {x.zip}"),
        row(
            "Home / mobile / work",
            " / ".join(v or "-" for v in (x.phone_home, x.phone_mobile, x.phone_work)),
        ),
        row("E-mail", x.email),
        row(
            "Marital / employment",
            " / ".join(v or "-" for v in (x.marital_status, x.employment_status)),
        ),
        row("SSN", d.ssn_shown or "-"),
        row("Preferred language", x.preferred_language),
        row(
            "Emergency contact",
            f"{x.emergency_name} {x.emergency_relationship} {x.emergency_phone}".strip(),
        ),
        row("Guarantor", guarantor),
        row("Signature on file (12)", x.signature_on_file),
        row("Insured signature (13)", x.insured_signature_on_file),
        row("Privacy notice", x.privacy_notice_ack),
    ]
    if x.date_of_death:
        parts.append(row("Date of death", x.date_of_death))
    if x.notes:
        parts.append(row("Notes", x.notes))
    note = ""
    if d.merged_into_id:
        note = (
            f"<p style='color:#b71c1c'><b>This record was merged into account "
            f"{e(d.merged_into_account)}.</b> Work on that record.</p>"
        )
    return note + "<table>" + "".join(parts) + "</table>"


class PatientPicker(QDialog):
    """Find a patient with the search box; Enter picks."""

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientPicker")
        self.setWindowTitle(title)
        self.setModal(True)
        self.chosen_id: int | None = None
        self.search = PatientSearch(ctx, self)
        lay = QVBoxLayout(self)
        lay.addWidget(self.search)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.search.chosen.connect(self._chosen)
        self.resize(820, 420)
        self.search.focus()

    def _chosen(self, patient_id: int) -> None:
        self.chosen_id = patient_id
        self.accept()


class MergeDialog(QDialog):
    """Office manager: pick the duplicate, type why, confirm."""

    merged = Signal(int)

    def __init__(self, ctx: UiContext, keep: PatientRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge a duplicate record")
        self.setModal(True)
        self.ctx = ctx
        self.keep = keep
        self.duplicate_id: int | None = None
        self.duplicate_text = ""
        self.search = PatientSearch(ctx, self)
        self.chosen = QLabel("Find the duplicate record above and press Enter.")
        self.chosen.setObjectName("mergeChosen")
        self.reason = QLineEdit()
        self.reason.setObjectName("mergeReason")
        self.reason.setPlaceholderText(
            "Why these are the same person (required; goes on the record)"
        )
        self.reason_problem = QLabel()
        self.reason_problem.setObjectName("mergeReasonProblem")
        self.reason_problem.setStyleSheet("color: #c62828;")
        self.confirm = QPushButton("Merge into this record")
        self.confirm.setObjectName("mergeConfirm")
        self.confirm.setEnabled(False)
        self.confirm.setAutoDefault(False)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                f"<b>Keep:</b> {escape(keep.details.header)}<br>"
                "Visits, policies, payments, claims and ledger entries of the duplicate "
                "move to this record; the duplicate stays on file, inactive, marked merged."
            )
        )
        lay.addWidget(self.search, 1)
        lay.addWidget(self.chosen)
        lay.addWidget(self.reason)
        lay.addWidget(self.reason_problem)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.confirm)
        row.addWidget(cancel)
        lay.addLayout(row)
        self.search.chosen.connect(self._pick)
        self.reason.returnPressed.connect(self._merge)
        self.confirm.clicked.connect(self._merge)
        cancel.clicked.connect(self.reject)
        self.resize(860, 520)
        self.search.focus()

    def _pick(self, patient_id: int) -> None:
        if patient_id == self.keep.details.id:
            self.chosen.setText("That is the record being kept; choose the duplicate.")
            return
        hit = next((h for h in self.search.hits() if h.id == patient_id), None)
        self.duplicate_id = patient_id
        self.duplicate_text = (
            f"{hit.name}   Account {hit.account_no}   DOB {day_text(hit.dob)}"
            if hit
            else f"Patient {patient_id}"
        )
        self.chosen.setText(f"<b>Merge away:</b> {escape(self.duplicate_text)}")
        self.confirm.setEnabled(True)
        self.reason.setFocus()

    def _merge(self) -> None:
        """A merge cannot be undone: it needs the reason, then a yes."""
        if self.duplicate_id is None:
            return
        self.reason_problem.clear()
        if not self.reason.text().strip():
            self._problems(
                ValidationError(
                    [Problem("reason", "Reason is required: say why these are the same person")]
                )
            )
            return
        if not common.ask_yes_no(
            self,
            "Merge records",
            f"Merge {self.duplicate_text} into {self.keep.details.header}?\n\n"
            "Its visits, policies, payments, claims and ledger entries move to the "
            "record kept. A merge cannot be undone.",
        ):
            return
        result = ops.run(
            self,
            self.ctx,
            patients.merge,
            self.keep.details.id,
            self.duplicate_id,
            reason=self.reason.text(),
            on_invalid=self._problems,
            changed="patients",
        )
        if isinstance(result, ops.Failed):
            return
        self.accept()
        self.merged.emit(self.keep.details.id)

    def _problems(self, err: ValidationError) -> None:
        self.reason_problem.setText("\n".join(p.message for p in err.problems))
        self.reason.setFocus()
