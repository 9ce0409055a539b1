"""Accounts receivable aging and the collections list.

Aging splits what is owed into current (0-30 days), 31-60, 61-90, 91-120 and
over 120 days, by payer (what each payer still owes) and by patient (what the
patient owes, net of unapplied credits), counted from the date of service or,
as an option, from the last bill date (the claim's last printing or export for
a payer's part; the guarantor's last statement for the patient's part).

It is one aggregate over the ledger: the report's grand total is the ledger's
total as of the date, to the cent (money without a line, i.e. credits, ages
from the day it was received).
"""

from __future__ import annotations

import csv
import enum
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Date, Integer, case, func, null, select, type_coerce, union_all
from sqlalchemy.orm import Session

from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.coding import ServiceLine
from app.models.insurance import Payer
from app.models.ledger import LedgerEntry, Party, Payment, PaymentSource
from app.models.patient import Patient
from app.models.statements import Statement
from app.money import ZERO, sum_money
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.services.ledger import guarantor_of
from app.validation import format_phone

BUCKETS = ("Current", "31-60", "61-90", "91-120", "Over 120")
# Upper day limits of the buckets (the last is open-ended).
LIMITS = (30, 60, 90, 120)


class Basis(enum.StrEnum):
    SERVICE = "service"  # from the date of service
    BILLED = "billed"  # from the last bill date

    @property
    def label(self) -> str:
        return "date of service" if self is Basis.SERVICE else "last bill date"


@dataclass(frozen=True)
class AgingRow:
    key: int | None
    name: str
    buckets: tuple[Decimal, Decimal, Decimal, Decimal, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)

    @property
    def over_90(self) -> Decimal:
        return self.buckets[3] + self.buckets[4]


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    basis: Basis
    payers: list[AgingRow]
    patients: list[AgingRow]

    @property
    def payer_total(self) -> AgingRow:
        return _total("All payers", self.payers)

    @property
    def patient_total(self) -> AgingRow:
        return _total("All patients", self.patients)

    @property
    def total(self) -> AgingRow:
        return _total("Total A/R", [self.payer_total, self.patient_total])


def _total(name: str, rows: list[AgingRow]) -> AgingRow:
    b = [ZERO] * 5
    for r in rows:
        for i, v in enumerate(r.buckets):
            b[i] += v
    return AgingRow(None, name, (b[0], b[1], b[2], b[3], b[4]))


def bucket_of(age_days: int) -> int:
    for i, limit in enumerate(LIMITS):
        if age_days <= limit:
            return i
    return 4


def aging_sql(as_of: date) -> tuple[str, dict[str, object]]:
    """The one aggregate that computes the aging by date of service, as plain
    SQL (the benchmark's floor; ``_service_rows`` builds the same statement).

    The inner part sums each line's entries per responsible party (an
    index-only scan of ``ix_ledger_aging`` in line order) and keeps the parts
    that are not zero; money without a line is summed per day received. Only
    those rows meet the service lines for their date of service.
    """
    params: dict[str, object] = {"as_of": as_of.isoformat()}
    for i, limit in enumerate(LIMITS):
        params[f"d{i}"] = (as_of - timedelta(days=limit)).isoformat()
    who = "CASE WHEN party = 'insurance' THEN payer_id ELSE patient_id END"
    dated = "coalesce(l.from_date, t.received)"
    sql = (
        f"SELECT t.party, t.who, CASE WHEN {dated} >= :d0 THEN 0 WHEN {dated} >= :d1 THEN 1 "
        f"WHEN {dated} >= :d2 THEN 2 WHEN {dated} >= :d3 THEN 3 ELSE 4 END, sum(t.amount) "
        "FROM ("
        f"SELECT service_line_id, party, {who} AS who, NULL AS received, sum(amount) AS amount "
        "FROM ledger_entry WHERE service_line_id IS NOT NULL AND entry_date <= :as_of "
        "GROUP BY service_line_id, party, payer_id, patient_id HAVING sum(amount) <> 0 "
        "UNION ALL "
        f"SELECT NULL, party, {who}, entry_date, sum(amount) "
        "FROM ledger_entry WHERE service_line_id IS NULL AND entry_date <= :as_of "
        "GROUP BY party, payer_id, patient_id, entry_date"
        ") t LEFT JOIN service_line l ON l.id = t.service_line_id "
        "GROUP BY 1, 2, 3"
    )
    return sql, params


def _service_rows(s: Session, as_of: date) -> list[tuple[Party, int | None, int, int]]:
    """(party, payer or patient, bucket, cents) by date of service."""
    e = LedgerEntry
    cents = type_coerce(e.amount, Integer)
    who = case((e.party == Party.INSURANCE, e.payer_id), else_=e.patient_id)
    lined = (
        select(
            e.service_line_id.label("line"),
            e.party.label("party"),
            who.label("who"),
            type_coerce(null(), Date).label("received"),
            func.sum(cents).label("amount"),
        )
        .where(e.service_line_id.is_not(None), e.entry_date <= as_of)
        .group_by(e.service_line_id, e.party, e.payer_id, e.patient_id)
        .having(func.sum(cents) != 0)
    )
    lineless = (
        select(null(), e.party, who, e.entry_date, func.sum(cents))
        .where(e.service_line_id.is_(None), e.entry_date <= as_of)
        .group_by(e.party, e.payer_id, e.patient_id, e.entry_date)
    )
    t = union_all(lined, lineless).subquery("t")
    dated = func.coalesce(ServiceLine.from_date, t.c.received)
    bucket = case(
        *[(dated >= as_of - timedelta(days=limit), i) for i, limit in enumerate(LIMITS)],
        else_=4,
    )
    q = (
        select(t.c.party, t.c.who, bucket, func.sum(t.c.amount))
        .select_from(t)
        .outerjoin(ServiceLine, ServiceLine.id == t.c.line)
        .group_by(t.c.party, t.c.who, bucket)
    )
    return [(Party(p), k, b, int(c or 0)) for p, k, b, c in s.execute(q)]


def _billed_rows(s: Session, as_of: date) -> list[tuple[Party, int | None, int, int]]:
    """The same split, aged from the last bill date, worked out for the open
    lines only (closed lines add nothing to any bucket)."""
    q = (
        select(
            LedgerEntry.service_line_id,
            LedgerEntry.party,
            LedgerEntry.payer_id,
            LedgerEntry.patient_id,
            func.min(LedgerEntry.entry_date),
            func.sum(type_coerce(LedgerEntry.amount, Integer)),
        )
        .where(LedgerEntry.entry_date <= as_of)
        .group_by(
            LedgerEntry.service_line_id,
            LedgerEntry.party,
            LedgerEntry.payer_id,
            LedgerEntry.patient_id,
        )
        .having(func.sum(type_coerce(LedgerEntry.amount, Integer)) != 0)
    )
    open_parts = list(s.execute(q))
    line_ids = {r[0] for r in open_parts if r[0] is not None}
    dos: dict[int, date] = {}
    claim_billed: dict[tuple[int, int | None], date] = {}
    ids = list(line_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        dos.update(
            s.execute(
                select(ServiceLine.id, ServiceLine.from_date).where(ServiceLine.id.in_(chunk))
            ).all()
        )
        for cl_line, cl_payer, at in s.execute(
            select(ClaimLine.service_line_id, Claim.payer_id, func.max(ClaimEvent.at))
            .join(Claim, Claim.id == ClaimLine.claim_id)
            .join(ClaimEvent, ClaimEvent.claim_id == Claim.id)
            .where(
                ClaimLine.service_line_id.in_(chunk),
                ClaimEvent.status.in_([ClaimStatus.PRINTED, ClaimStatus.EXPORTED]),
                ClaimEvent.at < datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC),
            )
            .group_by(ClaimLine.service_line_id, Claim.payer_id)
        ):
            if at is not None:
                claim_billed[(cl_line, cl_payer)] = at.date()
    patients = {r[3] for r in open_parts if r[1] is Party.PATIENT}
    guarantor: dict[int, int] = {}
    for chunk_start in range(0, len(patients), 500):
        chunk = list(patients)[chunk_start : chunk_start + 500]
        for p in s.execute(select(Patient).where(Patient.id.in_(chunk))).scalars():
            guarantor[p.id] = guarantor_of(p)
    stmt_dates: dict[int, list[date]] = defaultdict(list)
    gids = list(set(guarantor.values()))
    for i in range(0, len(gids), 500):
        for gid, d in s.execute(
            select(Statement.guarantor_id, Statement.statement_date).where(
                Statement.guarantor_id.in_(gids[i : i + 500]),
                Statement.statement_date <= as_of,
            )
        ):
            stmt_dates[gid].append(d)
    out: list[tuple[Party, int | None, int, int]] = []
    for lid, party, payer, patient, first, cents in open_parts:
        start = dos.get(lid, first) if lid is not None else first
        if party is Party.INSURANCE:
            billed = claim_billed.get((lid, payer)) if lid is not None else None
            who = payer
        else:
            sent = [d for d in stmt_dates.get(guarantor.get(patient, patient), []) if d >= start]
            billed = max(sent) if sent else None
            who = patient
        when = billed if billed is not None and billed > start else start
        out.append((party, who, bucket_of((as_of - when).days), int(cents)))
    return out


def aging(s: Session, actor: Actor, as_of: date, basis: Basis = Basis.SERVICE) -> AgingReport:
    """The aging as of a date, by payer and by patient."""
    require(actor, Permission.AR_VIEW)
    rows = _service_rows(s, as_of) if basis is Basis.SERVICE else _billed_rows(s, as_of)
    payer_b: dict[int | None, list[int]] = defaultdict(lambda: [0] * 5)
    patient_b: dict[int | None, list[int]] = defaultdict(lambda: [0] * 5)
    for party, who, b, cents in rows:
        target = payer_b if party is Party.INSURANCE else patient_b
        target[who][b] += cents
    payer_names = dict(s.execute(select(Payer.id, Payer.name)).all())
    pat_ids = [k for k in patient_b if k is not None]
    names: dict[int, str] = {}
    for i in range(0, len(pat_ids), 500):
        for pid, last, first, acct in s.execute(
            select(Patient.id, Patient.last_name, Patient.first_name, Patient.account_no).where(
                Patient.id.in_(pat_ids[i : i + 500])
            )
        ):
            names[pid] = f"{last}, {first} ({acct})"

    def rows_of(d: dict[int | None, list[int]], name_of: dict[int, str]) -> list[AgingRow]:
        out = []
        for k, cents in d.items():
            if not any(cents):
                continue
            b = tuple(Decimal(c).scaleb(-2) for c in cents)
            out.append(AgingRow(k, name_of.get(k, "(unknown)") if k else "(none)", b))  # type: ignore[arg-type]
        out.sort(key=lambda r: (r.name.upper(), r.key or 0))
        return out

    report = AgingReport(as_of, basis, rows_of(payer_b, payer_names), rows_of(patient_b, names))
    audit.record(
        s,
        actor,
        "aging_viewed",
        entity="report",
        entity_id="aging",
        details={"as_of": as_of.isoformat(), "basis": basis.value},
    )
    return report


def ledger_total(s: Session, as_of: date) -> Decimal:
    return sum_money(
        s.execute(
            select(func.sum(LedgerEntry.amount)).where(LedgerEntry.entry_date <= as_of)
        ).scalar()
    )


def csv_amount(v: Decimal) -> str:
    """An amount in a CSV file: a plain number (``1514.00``, ``-12.00``) that
    a spreadsheet reads as a number whatever its locale, like the monthly
    totals' CSV; ``1,514.00`` would be text to a spreadsheet set to another
    locale, and to any program reading the file."""
    return str(v.quantize(Decimal("0.01")))


def aging_csv(report: AgingReport) -> str:
    """The report as CSV: a section per party, a total row each, and the grand total."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Aging as of", report.as_of.isoformat(), "from", report.basis.label])
    w.writerow(["Section", "Name", *BUCKETS, "Total"])
    for section, rows, total in (
        ("Payer", report.payers, report.payer_total),
        ("Patient", report.patients, report.patient_total),
    ):
        for r in [*rows, total]:
            w.writerow([section, r.name, *(csv_amount(v) for v in r.buckets), csv_amount(r.total)])
    t = report.total
    w.writerow(["Total", t.name, *(csv_amount(v) for v in t.buckets), csv_amount(t.total)])
    return buf.getvalue()


def export_aging_csv(
    s: Session, actor: Actor, as_of: date, basis: Basis, path: Path
) -> AgingReport:
    """Save the aging to a CSV file the person chose (audited export)."""
    require(actor, Permission.EXPORT)
    report = aging(s, actor, as_of, basis)
    path.write_text(aging_csv(report), encoding="utf-8")
    audit.record(
        s,
        actor,
        "aging_exported",
        entity="report",
        entity_id="aging",
        details={"as_of": as_of.isoformat(), "rows": len(report.payers) + len(report.patients)},
    )
    return report


# ------------------------------------------------------------------ collections


@dataclass(frozen=True)
class CollectionRow:
    guarantor_id: int
    name: str
    account_no: str
    phone: str
    balance: Decimal
    over_90: Decimal
    statements_sent: int
    last_statement: date | None
    last_payment: date | None


def collections(
    s: Session, actor: Actor, as_of: date, *, min_statements: int = 1
) -> list[CollectionRow]:
    """Guarantors whose patients owe money over 90 days old (from the date of
    service) and who have been sent statements; largest over-90 first."""
    require(actor, Permission.AR_VIEW)
    report = aging(s, actor, as_of)
    by_patient = {r.key: r for r in report.patients if r.key is not None}
    if not by_patient:
        return []
    pats = {
        p.id: p
        for i in range(0, len(by_patient), 500)
        for p in s.execute(
            select(Patient).where(Patient.id.in_(list(by_patient)[i : i + 500]))
        ).scalars()
    }
    groups: dict[int, list[int]] = defaultdict(list)
    for pid, p in pats.items():
        groups[guarantor_of(p)].append(pid)
    gids = list(groups)
    sent: dict[int, tuple[int, date]] = {}
    for i in range(0, len(gids), 500):
        for gid, n, last in s.execute(
            select(Statement.guarantor_id, func.count(), func.max(Statement.statement_date))
            .where(Statement.guarantor_id.in_(gids[i : i + 500]))
            .group_by(Statement.guarantor_id)
        ):
            sent[gid] = (int(n), last)
    all_pids = list(pats)
    last_paid: dict[int, date] = {}
    for i in range(0, len(all_pids), 500):
        for paying, d in s.execute(
            select(Payment.patient_id, func.max(Payment.received_date))
            .where(
                Payment.patient_id.in_(all_pids[i : i + 500]),
                Payment.source == PaymentSource.PATIENT,
            )
            .group_by(Payment.patient_id)
        ):
            if paying is not None:
                last_paid[paying] = d
    out = []
    for gid, members in groups.items():
        over = sum((by_patient[p].over_90 for p in members), ZERO)
        balance = sum((by_patient[p].total for p in members), ZERO)
        n, last_stmt = sent.get(gid, (0, None))
        if over <= ZERO or balance <= ZERO or n < min_statements:
            continue
        g = pats.get(gid) or s.get(Patient, gid)
        assert g is not None
        phone = g.phone_home or g.phone_mobile or g.phone_work
        name = g.display_name
        if not g.guarantor_is_patient and g.guarantor_patient_id is None and g.guarantor_last_name:
            name = f"{g.guarantor_last_name}, {g.guarantor_first_name} (for {g.display_name})"
            phone = g.guarantor_phone or phone
        paid = [last_paid[p] for p in members if p in last_paid]
        out.append(
            CollectionRow(
                gid,
                name,
                g.account_no,
                phone,
                balance,
                over,
                n,
                last_stmt,
                max(paid) if paid else None,
            )
        )
    out.sort(key=lambda r: (-r.over_90, r.name))
    return out


def collections_csv(rows: list[CollectionRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "Account",
            "Guarantor",
            "Phone",
            "Balance",
            "Over 90 days",
            "Statements sent",
            "Last statement",
            "Last payment",
        ]
    )
    for r in rows:
        w.writerow(
            [
                r.account_no,
                r.name,
                format_phone(r.phone),
                csv_amount(r.balance),
                csv_amount(r.over_90),
                r.statements_sent,
                r.last_statement.isoformat() if r.last_statement else "",
                r.last_payment.isoformat() if r.last_payment else "",
            ]
        )
    return buf.getvalue()


def export_collections_csv(s: Session, actor: Actor, as_of: date, path: Path) -> int:
    """Save the collections list to a CSV file the person chose (audited)."""
    require(actor, Permission.EXPORT)
    rows = collections(s, actor, as_of)
    path.write_text(collections_csv(rows), encoding="utf-8")
    audit.record(
        s,
        actor,
        "collections_exported",
        entity="report",
        entity_id="collections",
        details={"as_of": as_of.isoformat(), "rows": len(rows)},
    )
    return len(rows)
