"""Batch statements: who gets one (preview list), printing off the GUI thread
with progress and Cancel, the record of what was sent."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import sessionmaker

from app.config import private_temp_file
from app.errors import UserFacingError
from app.money import ZERO, fmt, money
from app.services import payments, settings, statements
from app.services.auth import Actor, Permission
from app.store.engine import create_store_engine
from app.ui import ops, printing
from app.ui.context import UiContext
from app.ui.payments.common import (
    DateEdit,
    MoneyEdit,
    RowsView,
    save_copy,
    status,
)
from app.ui.widgets import Column

log = logging.getLogger("medbill.ui")


MESSAGE_MAX = 100  # what fits on the statement's one message line


@dataclass(frozen=True)
class DrawnBatch:
    """A batch drawn into its PDF, not yet recorded as sent."""

    docs: list[statements.StatementDoc]
    on: date
    total: Decimal
    path: Path


class StatementJob(QObject):
    """Draws the statements in its own thread and read-only session. Nothing
    is recorded here: the statements are recorded as sent once the person
    confirms the print dialog or saves a copy (as a single statement)."""

    progress = Signal(int, int)
    done = Signal(object)  # DrawnBatch
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, ctx: UiContext, actor: Actor, gids: list[int], on: date, out: Path) -> None:
        super().__init__()
        self.path, self.key = ctx.store.path, ctx.store.key
        self.actor, self.gids, self.on, self.out = actor, gids, on, out
        self._stop = False

    def cancel(self) -> None:
        self._stop = True

    def _progress(self, done: int, total: int) -> bool:
        self.progress.emit(done, total)
        return not self._stop

    def run(self) -> None:
        engine = create_store_engine(self.path, self.key)
        try:
            reader = sessionmaker(bind=engine.execution_options(medbill_readonly=True))
            with reader() as s, s.begin():
                docs = statements.make_pdf(
                    s, self.actor, self.gids, self.on, self.out, progress=self._progress
                )
            if self._stop:
                raise statements.Cancelled()
            total = sum((d.amount_due for d in docs), ZERO)
            self.done.emit(DrawnBatch(docs, self.on, total, self.out))
        except statements.Cancelled:
            self.out.unlink(missing_ok=True)
            self.cancelled.emit()
        except UserFacingError as exc:
            self.out.unlink(missing_ok=True)
            self.failed.emit(exc.message)
        except Exception as exc:  # a bug: log it, say so without data
            self.out.unlink(missing_ok=True)
            log.error("statement batch failed\n%s", "".join(traceback.format_exception(exc)))
            self.failed.emit(
                f"MedBill Desk hit an error it did not expect ({type(exc).__name__}). "
                "No statement was recorded."
            )
        finally:
            engine.dispose()


class StatementsPage(QWidget):
    batch_finished = Signal(str)  # "done", "cancelled" or "failed"
    printed = Signal(str)  # a printing.Outcome

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("statementsPage")
        self.pdf: Path | None = None
        self.run_id: int | None = None
        self.drawn: DrawnBatch | None = None
        self.sent_to_printer = False
        self.thread_: QThread | None = None
        self.job: StatementJob | None = None
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Statement &date:"))
        self.on = DateEdit("stmtDate")
        row.itemAt(0).widget().setBuddy(self.on)  # type: ignore[union-attr]
        row.addWidget(self.on)
        row.addWidget(QLabel("Only balances of at least"))
        self.minimum = MoneyEdit("stmtMinimum")
        row.addWidget(self.minimum)
        self.find_btn = QPushButton("&Find accounts")
        self.find_btn.setObjectName("stmtFind")
        row.addWidget(self.find_btn)
        row.addStretch(1)
        lay.addLayout(row)
        # The office's message line on every statement (settings
        # "statement_message"): set here by the office manager, shown to the
        # biller who prints them.
        row = QHBoxLayout()
        msg_label = QLabel("Mess&age on statements:")
        self.message = QLineEdit()
        self.message.setObjectName("stmtMessage")
        self.message.setMaxLength(MESSAGE_MAX)  # one line across the statement
        self.message.setPlaceholderText("e.g. Please call about payment plans: (217) 555-0100")
        msg_label.setBuddy(self.message)
        # Saves the minimum above too: both are the office's, for every run.
        self.message_btn = QPushButton("Save minimum and message")
        self.message_btn.setObjectName("stmtMessageSave")
        row.addWidget(msg_label)
        row.addWidget(self.message, 1)
        row.addWidget(self.message_btn)
        lay.addLayout(row)
        if not ctx.can(Permission.SETTINGS):
            self.message.setReadOnly(True)
            self.message_btn.setEnabled(False)
            self.message.setToolTip("The office manager sets the message on statements.")
        lay.addWidget(
            QLabel(
                "Guarantors who owe at least the minimum and have no claim still waiting on "
                "insurance. Leave out anyone who should not get one today."
            )
        )
        self.list = RowsView(
            "stmtList",
            [
                Column("Guarantor", lambda r: r.name),
                Column("Account", lambda r: r.account_no),
                Column("Patients", lambda r: r.patients, align_right=True),
                Column("Balance", lambda r: r.balance, align_right=True),
                Column(
                    "Notice",
                    lambda r: r.notice_no,
                    display=statements.notice_word,
                ),
                Column("Last sent", lambda r: r.last_sent),
            ],
        )
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.count = QLabel("")
        self.count.setObjectName("stmtCount")
        self.skip_btn = QPushButton("&Leave out selected")
        self.skip_btn.setObjectName("stmtSkip")
        self.print_btn = QPushButton("&Print statements...")
        self.print_btn.setObjectName("stmtPrint")
        row.addWidget(self.count, 1)
        row.addWidget(self.skip_btn)
        row.addWidget(self.print_btn)
        lay.addLayout(row)
        row = QHBoxLayout()
        self.result = QLabel("")
        self.result.setObjectName("stmtResult")
        self.open_btn = QPushButton("Send to the p&rinter...")
        self.open_btn.setObjectName("stmtOpen")
        self.save_btn = QPushButton("Save a cop&y...")
        self.save_btn.setObjectName("stmtSave")
        row.addWidget(self.result, 1)
        row.addWidget(self.open_btn)
        row.addWidget(self.save_btn)
        lay.addLayout(row)
        lay.addWidget(QLabel("<b>Statements sent</b>"))
        self.sent = RowsView(
            "stmtSent",
            [
                Column("Date", lambda r: r.statement_date),
                Column("Guarantor", lambda r: r.name),
                Column("Account", lambda r: r.account_no),
                Column("Balance", lambda r: r.balance, align_right=True),
                Column("Notice", lambda r: r.notice_no, display=statements.notice_word),
            ],
        )
        self.sent.setMaximumHeight(170)
        lay.addWidget(self.sent)
        self.open_btn.setEnabled(False)
        self.save_btn.setEnabled(False)

        self.find_btn.clicked.connect(self.find)
        self.minimum.returnPressed.connect(self.find)
        self.skip_btn.clicked.connect(self.skip)
        self.print_btn.clicked.connect(self.start)
        self.open_btn.clicked.connect(self.print_pdf)
        self.save_btn.clicked.connect(self.save)
        got = ops.query(self, ctx, lambda s, a: settings.get(s, "statement_minimum"))
        self.minimum.set_value(money(str(got)) if not isinstance(got, ops.Failed) else ZERO)
        said = ops.query(self, ctx, lambda s, a: settings.get(s, "statement_message"))
        self.message.setText("" if isinstance(said, ops.Failed) else str(said or ""))
        self.message_btn.clicked.connect(self.save_message)
        self.message.returnPressed.connect(self.save_message)
        self.refresh_sent()

    def save_message(self) -> None:
        """Keep the minimum and the message as the office's, for every run
        from now on (the minimum is also what the next Find starts from)."""
        if self.message.isReadOnly():
            return
        minimum = self.minimum.value()
        if minimum is None or minimum < ZERO:
            typed = self.minimum.text().strip()
            status(
                self.result,
                f"Only balances of at least: '{typed}' is not an amount (e.g. 5.00)"
                if typed
                else "Only balances of at least: type the office's minimum (e.g. 5.00)",
                ok=False,
            )
            self.minimum.setFocus()
            return
        text = " ".join(self.message.text().split())
        got = ops.run(
            self,
            self.ctx,
            settings.put_many,
            {"statement_minimum": str(minimum), "statement_message": text},
            changed="settings",
        )
        if isinstance(got, ops.Failed):
            return
        self.message.setText(text)
        self.minimum.set_value(minimum)
        said = "with this message" if text else "without a message"
        status(
            self.result,
            f"Saved: from now on statements go to balances of at least {fmt(minimum)}, {said}.",
        )

    def find(self) -> None:
        got = ops.query(self, self.ctx, statements.candidates, minimum=self.minimum.value() or ZERO)
        if isinstance(got, ops.Failed):
            return
        self.list.set_rows(got)
        self._count()

    def _count(self) -> None:
        rows = self.list.rows()
        total = sum((r.balance for r in rows), Decimal("0.00"))
        self.count.setText(f"{len(rows)} statement(s), {fmt(total)} in all")
        self.print_btn.setEnabled(bool(rows))

    def skip(self) -> None:
        r = self.list.current()
        if r is None:
            return
        self.list.set_rows([x for x in self.list.rows() if x.guarantor_id != r.guarantor_id])
        self._count()

    def refresh_sent(self, run_id: int | None = None) -> None:
        got = ops.query(self, self.ctx, statements.sent, run_id=run_id)
        if not isinstance(got, ops.Failed):
            self.sent.set_rows(got)

    # ---------------------------------------------------------------- the batch

    def start(self) -> None:
        gids = [r.guarantor_id for r in self.list.rows()]
        if not gids or self.thread_ is not None:
            return
        out = private_temp_file(self.ctx.paths, ".pdf")
        self.job = StatementJob(self.ctx, self.ctx.actor, gids, self.on.value(), out)
        self.thread_ = QThread(self)
        self.job.moveToThread(self.thread_)
        self.dialog = QProgressDialog("Drawing statements...", "Cancel", 0, len(gids), self)
        self.dialog.setObjectName("stmtProgress")
        self.dialog.setWindowTitle("Statements")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.canceled.connect(self.cancel)  # a direct call: the job thread is busy
        self.job.progress.connect(self._progress)
        self.job.done.connect(self._done)
        self.job.cancelled.connect(self._cancelled)
        self.job.failed.connect(self._failed)
        self.thread_.started.connect(self.job.run)
        self.print_btn.setEnabled(False)
        self.thread_.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"Drawing statement {done} of {total}...")

    def _finish(self) -> None:
        if self.thread_ is not None:
            self.thread_.quit()
            self.thread_.wait()
            self.thread_.deleteLater()
        if self.job is not None:
            self.job.deleteLater()
        self.thread_, self.job = None, None
        self.dialog.reset()
        self.dialog.hide()
        self.print_btn.setEnabled(bool(self.list.rows()))

    def _done(self, batch: DrawnBatch) -> None:
        self._finish()
        self.pdf, self.run_id, self.sent_to_printer = batch.path, None, False
        self.drawn = batch
        status(
            self.result,
            f"{len(batch.docs)} statement(s) made, {fmt(batch.total)} in all. They are "
            "recorded as sent once printed or saved: send them to the printer, or save a copy.",
        )
        self.open_btn.setEnabled(True)
        self.save_btn.setEnabled(True)
        self.batch_finished.emit("done")
        self.print_pdf()

    def _record(self) -> bool:
        """Record the drawn batch as sent (once): each statement's date,
        balance and notice, audited. False if that failed."""
        batch = self.drawn
        if self.run_id is not None or batch is None:
            return True
        got = ops.run(
            self,
            self.ctx,
            lambda s, a: statements.record_statements(s, a, batch.docs, batch.on).id,
            changed="statements",
        )
        if isinstance(got, ops.Failed):
            return False
        self.run_id = got
        self.refresh_sent()
        self.list.set_rows([])
        self._count()
        return True

    def print_pdf(self) -> None:
        """The print dialog for the batch's PDF (kept until the program
        closes, for a second try or a saved copy)."""
        if self.pdf is None or not self.pdf.exists():
            return
        run_id = self.run_id

        def confirmed() -> bool:
            if run_id is None:
                return self._record()  # first time: now they are sent
            got = ops.run(self, self.ctx, statements.run_reprinted, run_id)
            return not isinstance(got, ops.Failed)

        job = printing.print_pdf(
            self, self.pdf, "statements", before_print=confirmed, on_finished=self._printed
        )
        if job is not None:
            self.sent_to_printer = True
            status(self.result, "Printing the statements...")
        elif self.run_id is None:
            status(
                self.result,
                "Not printed: no statement was recorded. Send them to the printer, or save "
                "a copy, when ready.",
                ok=False,
            )

    def _printed(self, outcome: printing.Outcome, pages: int) -> None:
        if outcome is printing.Outcome.PRINTED:
            status(self.result, f"The statements went to the printer ({pages} page(s)).")
        else:
            status(self.result, "The statements were not printed.", ok=False)
        self.printed.emit(outcome.value)

    def _cancelled(self) -> None:
        self._finish()
        status(self.result, "Cancelled: no statement was recorded.", ok=False)
        self.batch_finished.emit("cancelled")

    def _failed(self, message: str) -> None:
        self._finish()
        status(self.result, message, ok=False)
        QMessageBox.warning(self, "Statements", message)
        self.batch_finished.emit("failed")

    def save(self) -> None:
        if self.pdf is None:
            return
        # Saved (to mail from elsewhere) counts as sent: recorded once the
        # copy is written.
        dest = save_copy(
            self,
            self.ctx,
            self.pdf,
            f"statements-{self.on.value():%Y-%m-%d}.pdf",
            "pdf",
            payments.record_saved_copy,
            "statements",
            None,
        )
        if dest is not None and self.run_id is None and self._record():
            status(self.result, f"Saved to {dest.name} and recorded as sent.")

    def open_statement(self, statement_id: int) -> bool:
        rows = ops.query(self, self.ctx, statements.sent)
        if isinstance(rows, ops.Failed):
            return False
        self.sent.set_rows(rows)
        return self.sent.select_where(lambda r: r.statement_id == statement_id)
