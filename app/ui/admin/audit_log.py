"""The audit log viewer: filters, newest first, a details pane with old and
new values, and "Verify chain"."""

from __future__ import annotations

import html
import json
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.services import audit
from app.services.audit import AuditRow, ChainReport
from app.services.auth import Actor
from app.ui import ops
from app.ui.admin.table import RowTable
from app.ui.context import UiContext
from app.ui.widgets import Column, shortcut

LIMIT = 1000


def _choices(s: Session, actor: Actor) -> tuple[list[str], list[str]]:
    audit.search(s, actor, limit=1)  # the permission check
    return audit.usernames(s), audit.actions(s)


def _what(r: AuditRow) -> str:
    return f"{r.entity} {r.entity_id}".strip()


class AuditLogPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.loaded = False
        self.setObjectName("auditPage")
        lay = QVBoxLayout(self)

        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.use_dates = QCheckBox("&Dates")
        self.use_dates.setObjectName("auditUseDates")
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_from.setObjectName("auditFrom")
        self.date_to = QDateEdit(today)
        self.date_to.setObjectName("auditTo")
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("MM/dd/yyyy")
            d.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        self.patient = QLineEdit()
        self.patient.setObjectName("auditPatient")
        self.patient.setPlaceholderText("account number, or Last, First")
        self.patient.returnPressed.connect(self.search)
        self.search_button = QPushButton("&Search")
        self.search_button.setObjectName("auditSearch")
        self.search_button.clicked.connect(self.search)
        self.verify_button = QPushButton("&Verify chain")
        self.verify_button.setObjectName("verifyChain")
        self.verify_button.clicked.connect(self.verify)
        top = QHBoxLayout()
        for text, w in (("&User", self.user), ("&Action", self.action), ("&Patient", self.patient)):
            label = QLabel(text)
            label.setBuddy(w)
            top.addWidget(label)
            top.addWidget(w)
        self.patient.setMinimumWidth(240)
        top.addStretch(1)
        lay.addLayout(top)
        dates = QHBoxLayout()
        dates.addWidget(self.use_dates)
        dates.addWidget(QLabel("from"))
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.date_to)
        dates.addWidget(self.search_button)
        dates.addStretch(1)
        dates.addWidget(self.verify_button)
        lay.addLayout(dates)

        self.status = QLabel()
        self.status.setObjectName("auditStatus")
        self.chain = QLabel()
        self.chain.setObjectName("chainResult")
        self.chain.setWordWrap(True)
        lay.addWidget(self.chain)

        self.table: RowTable[AuditRow] = RowTable(
            [
                Column("#", lambda r: r.id, align_right=True),
                Column("When", lambda r: r.at),
                Column("User", lambda r: r.username),
                Column("Action", lambda r: action_label(r.action)),
                Column("Record", _what),
                Column("Patient", lambda r: r.patient),
            ],
            "auditTable",
            newest_first=True,
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_details())
        self.details = QTextBrowser()
        self.details.setObjectName("auditDetails")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.details.setMinimumHeight(180)
        lay.addWidget(split, 1)
        lay.addWidget(self.status)
        shortcut(self, "F5", self.search)

    def showEvent(self, event: QShowEvent) -> None:
        """Each time the log is shown (its tab, or Admin again) it shows what
        happened since, not what it held when first opened. A search by
        patient is itself audited, so that one waits for Search or F5."""
        super().showEvent(event)
        if not self.loaded or not self.patient.text().strip():
            self.search()

    # --------------------------------------------------------------- search

    def refresh_choices(self) -> None:
        got = ops.query(self, self.ctx, _choices)
        if isinstance(got, ops.Failed):
            return
        usernames, actions = got
        for box, values in ((self.user, usernames), (self.action, actions)):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem("(anyone)" if box is self.user else "(any action)", None)
            for v in values:
                box.addItem(action_label(v) if box is self.action else v, v)
            i = box.findData(current)
            box.setCurrentIndex(max(i, 0))
            box.blockSignals(False)

    def filters(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "username": self.user.currentData(),
            "action": self.action.currentData(),
            "patient": self.patient.text().strip() or None,
            "limit": LIMIT,
        }
        if self.use_dates.isChecked():
            out["date_from"] = _py_date(self.date_from.date())
            out["date_to"] = _py_date(self.date_to.date())
        return out

    def search(self) -> None:
        self.refresh_choices()
        f = self.filters()
        # A search by patient writes its own audit row, so it is not read-only.
        rows = ops.run(self, self.ctx, lambda s, a: audit.search(s, a, **f))
        if isinstance(rows, ops.Failed):
            return
        self.loaded = True
        self.table.set_rows(rows)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.resizeColumnsToContents()
        n = len(rows)
        more = f" (the newest {LIMIT}; narrow the filters to see older rows)" if n >= LIMIT else ""
        self.status.setText(f"{n:,} row{'s' if n != 1 else ''}{more}")
        if n:
            self.table.selectRow(0)
        else:
            self.details.clear()

    def selected(self) -> AuditRow | None:
        return self.table.selected()

    def show_details(self) -> None:
        r = self.selected()
        self.details.setHtml(details_html(r) if r else "")

    def select_row_id(self, row_id: int) -> bool:
        return self.table.select_where(lambda r: r.id == row_id)

    # --------------------------------------------------------------- verify

    def verify(self) -> None:
        report = ops.query(self, self.ctx, audit.verify)
        if not isinstance(report, ChainReport):
            return
        if report.ok:
            self.chain.setStyleSheet("color: #2e7d32; font-weight: bold;")
            self.chain.setText(f"Chain verified: {report.message}")
            return
        self.chain.setStyleSheet("color: #c62828; font-weight: bold;")
        where = f" First broken link: row {report.first_bad_id}." if report.first_bad_id else ""
        self.chain.setText(f"The audit log was tampered with. {report.message}{where}")
        if report.first_bad_id and not self.select_row_id(report.first_bad_id):
            self.select_row_id(report.first_bad_id - 1)


def action_label(action: str) -> str:
    """``patient_viewed`` -> ``patient viewed`` (the log keeps the code)."""
    return action.replace("_", " ")


def _py_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def details_html(r: AuditRow) -> str:
    e = html.escape
    head = [
        ("Row", str(r.id)),
        ("When", r.at.astimezone().strftime("%m/%d/%Y %H:%M:%S")),
        ("User", r.username or "(the program)"),
        ("Action", action_label(r.action)),
    ]
    if r.entity:
        head.append(("Record", _what(r)))
    if r.patient:
        head.append(("Patient", r.patient))
    out = ["<table cellpadding='2'>"]
    out += [f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in head]
    out.append("</table>")
    d = r.details or {}
    changes = {k: v for k, v in d.items() if isinstance(v, list) and len(v) == 2}
    if "old" in d and "new" in d:
        changes = {"value": [d["old"], d["new"]], **changes}
    if changes:
        out.append("<p><b>Changed</b></p><table border='1' cellspacing='0' cellpadding='3'>")
        out.append("<tr><th>Field</th><th>Old</th><th>New</th></tr>")
        for k, (old, new) in changes.items():
            out.append(f"<tr><td>{e(k)}</td><td>{e(_show(old))}</td><td>{e(_show(new))}</td></tr>")
        out.append("</table>")
    rest = {k: v for k, v in d.items() if k not in changes and k not in ("old", "new")}
    if rest:
        out.append("<p><b>Details</b></p><table cellpadding='2'>")
        for k, v in rest.items():
            out.append(f"<tr><td>{e(k)}</td><td>{e(_show(v))}</td></tr>")
        out.append("</table>")
    return "".join(out)


def _show(v: Any) -> str:
    if v is None or v == "":
        return "(empty)"
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return str(v)
