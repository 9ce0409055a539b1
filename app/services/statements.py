"""Patient statements: who gets one, what it says, and the record of each one
sent.

A batch goes to every guarantor whose patients owe at least the office's
minimum (setting ``statement_minimum``) and who has no claim still waiting on
insurance. The notice number counts the statements sent since the account's
last payment, so an account that has not paid gets a "second notice". The
statement PDF is drawn by ``app.reports.statement``; records are written only
once the whole PDF is made (a cancelled batch records nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Integer, func, select, type_coerce
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.claims import Claim
from app.models.coding import FeeItem, ServiceLine
from app.models.ledger import EntryKind, LedgerEntry, Party, Payment, PaymentSource
from app.models.patient import Patient
from app.models.statements import Statement, StatementRun
from app.money import ZERO, fmt, from_cents, money, sum_money
from app.reports.statement import StatementDoc, StatementRowDoc, render_statements
from app.services import audit, ledger, settings
from app.services import office as office_service
from app.services.auth import Actor, Permission, require
from app.services.posting import WAITING
from app.validation import format_phone

_CHUNK = 500


class Cancelled(UserFacingError):
    def __init__(self) -> None:
        super().__init__("Statements cancelled: nothing was recorded.")


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


@dataclass(frozen=True)
class Candidate:
    """A guarantor who would get a statement in this batch."""

    guarantor_id: int
    name: str
    account_no: str
    balance: Decimal
    notice_no: int
    last_sent: date | None
    patients: int


def _patient_parts(s: Session) -> dict[int, Decimal]:
    """Every patient's own part (lines and credits), non-zero only."""
    out: dict[int, Decimal] = {}
    for pid, total in s.execute(
        select(LedgerEntry.patient_id, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.party == Party.PATIENT)
        .group_by(LedgerEntry.patient_id)
    ):
        v = sum_money(total)
        if v != ZERO:
            out[pid] = v
    return out


def _guarantors(s: Session, patient_ids: Sequence[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for chunk in _chunks(list(patient_ids)):
        for pid, gp in s.execute(
            select(Patient.id, Patient.guarantor_patient_id).where(Patient.id.in_(chunk))
        ):
            out[pid] = gp or pid
    return out


def _notice_numbers(s: Session, groups: dict[int, list[int]]) -> dict[int, tuple[int, date | None]]:
    """guarantor -> (next notice number, last statement date)."""
    gids = list(groups)
    sent: dict[int, list[date]] = defaultdict(list)
    for chunk in _chunks(gids):
        for gid, d in s.execute(
            select(Statement.guarantor_id, Statement.statement_date).where(
                Statement.guarantor_id.in_(chunk)
            )
        ):
            sent[gid].append(d)
    members = [p for ps in groups.values() for p in ps]
    paid: dict[int, date] = {}
    for chunk in _chunks(members):
        for pid, d in s.execute(
            select(Payment.patient_id, func.max(Payment.received_date))
            .where(Payment.patient_id.in_(chunk), Payment.source == PaymentSource.PATIENT)
            .group_by(Payment.patient_id)
        ):
            if pid is not None:
                paid[pid] = d
    out = {}
    for gid, ps in groups.items():
        last_paid = max((paid[p] for p in ps if p in paid), default=None)
        dates = sent.get(gid, [])
        since = [d for d in dates if last_paid is None or d > last_paid]
        out[gid] = (len(since) + 1, max(dates) if dates else None)
    return out


def candidates(s: Session, actor: Actor, *, minimum: Decimal | None = None) -> list[Candidate]:
    """Guarantors owing at least the minimum, with no claim still waiting on
    insurance, largest balance first."""
    require(actor, Permission.STATEMENTS)
    if minimum is None:
        minimum = money(str(settings.get(s, "statement_minimum")))
    parts = _patient_parts(s)
    g_of = _guarantors(s, list(parts))
    groups: dict[int, list[int]] = defaultdict(list)
    for pid in parts:
        groups[g_of[pid]].append(pid)
    waiting = set(
        s.execute(select(Claim.patient_id).where(Claim.status.in_(list(WAITING))).distinct())
        .scalars()
        .all()
    )
    chosen: dict[int, Decimal] = {}
    for gid, ps in groups.items():
        bal = sum((parts[p] for p in ps), ZERO)
        if bal >= minimum and bal > ZERO and not waiting.intersection(ps):
            chosen[gid] = bal
    if not chosen:
        return []
    # Every member of a chosen account (some owe nothing but are on it).
    full = _groups(s, list(chosen))
    notices = _notice_numbers(s, full)
    out = []
    for chunk in _chunks(list(chosen)):
        for g in s.execute(select(Patient).where(Patient.id.in_(chunk))).scalars():
            n, last = notices[g.id]
            out.append(
                Candidate(g.id, _mail_name(g), g.account_no, chosen[g.id], n, last, len(full[g.id]))
            )
    out.sort(key=lambda c: (-c.balance, c.name))
    return out


def _groups(s: Session, gids: Sequence[int]) -> dict[int, list[int]]:
    """guarantor -> every patient on the account."""
    out: dict[int, list[int]] = {g: [] for g in gids}
    for chunk in _chunks(list(gids)):
        for pid, gp in s.execute(
            select(Patient.id, Patient.guarantor_patient_id).where(
                Patient.guarantor_patient_id.in_(chunk)
                | (Patient.id.in_(chunk) & Patient.guarantor_patient_id.is_(None))
            )
        ):
            out[gp or pid].append(pid)
    return out


def _mail_name(g: Patient) -> str:
    if not g.guarantor_is_patient and g.guarantor_patient_id is None and g.guarantor_last_name:
        return f"{g.guarantor_first_name} {g.guarantor_last_name}"
    mid = f" {g.middle_name[0]}." if g.middle_name else ""
    suf = f" {g.suffix}" if g.suffix else ""
    return f"{g.first_name}{mid} {g.last_name}{suf}"


def _mail_address(g: Patient) -> list[str]:
    if not g.guarantor_is_patient and g.guarantor_patient_id is None and g.guarantor_address1:
        lines = [g.guarantor_address1, g.guarantor_address2]
        city = f"{g.guarantor_city}, {g.guarantor_state} {g.guarantor_zip}"
    else:
        lines = [g.address1, g.address2]
        city = f"{g.city}, {g.state} {g.zip}"
    return [ln for ln in lines if ln] + [city]


def _statement_aging(
    rows: Sequence[tuple[date, Decimal]], credit: Decimal, on: date
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    b = [ZERO, ZERO, ZERO, ZERO]
    for dos, owed in rows:
        age = (on - dos).days
        b[0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3] += owed
    left = credit  # unapplied money pays the oldest first
    for i in (3, 2, 1, 0):
        x = min(left, b[i]) if b[i] > ZERO else ZERO
        b[i] -= x
        left -= x
    b[0] -= left
    return (b[0], b[1], b[2], b[3])


_CENTS = type_coerce(LedgerEntry.amount, Integer)
# Up to this many patients, read their entries by patient; above it, one
# index-only pass over the whole ledger finds the open lines faster.
FEW_PATIENTS = 300


def _open_lines(s: Session, members: Sequence[int]) -> tuple[list[int], dict[int, Decimal]]:
    """The lines of these patients with a balance, and each patient's
    unapplied credit."""
    e = LedgerEntry
    mset = set(members)
    lines: set[int] = set()
    credit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if len(mset) <= FEW_PATIENTS:
        for chunk in _chunks(list(mset)):
            lines.update(
                lid
                for lid in s.execute(
                    select(e.service_line_id)
                    .where(e.patient_id.in_(chunk), e.service_line_id.is_not(None))
                    .group_by(e.service_line_id)
                    .having(func.sum(_CENTS) != 0)
                ).scalars()
                if lid is not None
            )
            for pid, total in s.execute(
                select(e.patient_id, func.sum(_CENTS))
                .where(
                    e.patient_id.in_(chunk),
                    e.service_line_id.is_(None),
                    e.party == Party.PATIENT,
                )
                .group_by(e.patient_id)
            ):
                credit[pid] -= from_cents(int(total))
    else:
        for lid, pid in s.execute(
            select(e.service_line_id, e.patient_id)
            .where(e.service_line_id.is_not(None))
            .group_by(e.service_line_id, e.party, e.payer_id, e.patient_id)
            .having(func.sum(_CENTS) != 0)
        ):
            if pid in mset and lid is not None:
                lines.add(lid)
        for pid, total in s.execute(
            select(e.patient_id, func.sum(_CENTS))
            .where(e.service_line_id.is_(None), e.party == Party.PATIENT)
            .group_by(e.patient_id)
        ):
            if pid in mset:
                credit[pid] -= from_cents(int(total))
    return sorted(lines), credit


def _kinds(d: dict[tuple[EntryKind, Party], Decimal], *kinds: EntryKind) -> Decimal:
    return sum((v for (k, _), v in d.items() if k in kinds), ZERO)


def statement_docs(
    s: Session, guarantor_ids: Sequence[int], statement_date: date
) -> list[StatementDoc]:
    """What each guarantor's statement shows: every line with a balance."""
    practice = office_service.practice(s)
    address = [
        practice.address1,
        practice.address2,
        f"{practice.city}, {practice.state} {practice.zip}",
    ]
    address = [a for a in address if a]
    message = str(settings.get(s, "statement_message") or "")
    groups = _groups(s, guarantor_ids)
    members = [p for ps in groups.values() for p in ps]
    pats: dict[int, Patient] = {}
    for chunk in _chunks(list(set(members) | set(guarantor_ids))):
        for p in s.execute(select(Patient).where(Patient.id.in_(chunk))).scalars():
            pats[p.id] = p
    open_lines, credit = _open_lines(s, members)
    # Per open line, per kind and party: what was charged, paid, adjusted, owed.
    per_line: dict[int, dict[tuple[EntryKind, Party], Decimal]] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    line_patient: dict[int, int] = {}
    for chunk in _chunks(open_lines):
        for lid, pid, kind, party, total in s.execute(
            select(
                LedgerEntry.service_line_id,
                LedgerEntry.patient_id,
                LedgerEntry.kind,
                LedgerEntry.party,
                func.sum(_CENTS),
            )
            .where(LedgerEntry.service_line_id.in_(chunk))
            .group_by(
                LedgerEntry.service_line_id,
                LedgerEntry.patient_id,
                LedgerEntry.kind,
                LedgerEntry.party,
            )
        ):
            if lid is not None:
                per_line[lid][(kind, party)] += from_cents(int(total))
                line_patient[lid] = pid
    open_lines = [lid for lid, d in per_line.items() if sum(d.values(), ZERO) != ZERO]
    facts: dict[int, tuple[date, str]] = {}
    for chunk in _chunks(open_lines):
        for lid, dos, code in s.execute(
            select(ServiceLine.id, ServiceLine.from_date, ServiceLine.code).where(
                ServiceLine.id.in_(chunk)
            )
        ):
            facts[lid] = (dos, code)
    descriptions = dict(s.execute(select(FeeItem.code, FeeItem.description)).all())
    rows_of: dict[int, list[tuple[int, StatementRowDoc]]] = defaultdict(list)
    g_of = {p: g for g, ps in groups.items() for p in ps}
    for lid in open_lines:
        d = per_line[lid]
        pid = line_patient[lid]

        dos, code = facts[lid]
        p = pats[pid]
        rows_of[g_of[pid]].append(
            (
                lid,
                StatementRowDoc(
                    dos=dos,
                    patient=f"{p.first_name} {p.last_name}",
                    description=f"{code} {descriptions.get(code, '')}".strip(),
                    charge=_kinds(d, EntryKind.CHARGE),
                    insurance_paid=-_kinds(d, EntryKind.INSURANCE_PAYMENT),
                    adjusted=-_kinds(d, EntryKind.ADJUSTMENT, EntryKind.WRITE_OFF),
                    patient_paid=-_kinds(d, EntryKind.PATIENT_PAYMENT),
                    balance=sum((v for (_, pty), v in d.items() if pty is Party.PATIENT), ZERO),
                    insurance_pending=sum(
                        (v for (_, pty), v in d.items() if pty is Party.INSURANCE), ZERO
                    ),
                ),
            )
        )
    notices = _notice_numbers(s, groups)
    docs = []
    for gid in guarantor_ids:
        g = pats.get(gid)
        if g is None:
            raise NotFound("A guarantor on the list no longer exists.")
        rows = [r for _, r in sorted(rows_of[gid], key=lambda x: (x[1].dos, x[1].patient, x[0]))]
        cr = sum((credit[p] for p in groups[gid]), ZERO)
        owed = sum((r.balance for r in rows), ZERO)
        docs.append(
            StatementDoc(
                guarantor_id=gid,
                practice_name=practice.name,
                practice_address=address,
                practice_phone=format_phone(practice.phone),
                account_no=g.account_no,
                guarantor_name=_mail_name(g),
                mailing_address=_mail_address(g),
                statement_date=statement_date,
                rows=rows,
                credit=cr,
                amount_due=owed - cr,
                aging=_statement_aging([(r.dos, r.balance) for r in rows], cr, statement_date),
                message=message,
                notice_no=notices[gid][0],
                patient_ids=sorted(groups[gid]),
            )
        )
    return docs


def record_statements(
    s: Session, actor: Actor, docs: Sequence[StatementDoc], statement_date: date
) -> StatementRun:
    """Record the statements sent (after the whole PDF was made)."""
    require(actor, Permission.STATEMENTS)
    run = StatementRun(
        run_date=statement_date,
        count=len(docs),
        total=sum((d.amount_due for d in docs), ZERO),
        user_id=actor.user_id,
    )
    s.add(run)
    s.flush()
    s.add_all(
        Statement(
            run_id=run.id,
            guarantor_id=d.guarantor_id,
            statement_date=statement_date,
            balance=d.amount_due,
            notice_no=d.notice_no,
            summary={
                "patients": d.patient_ids,
                "aging": [fmt(v) for v in d.aging],
                "lines": len(d.rows),
            },
        )
        for d in docs
    )
    s.flush()
    for d in docs:
        audit.record(
            s,
            actor,
            "statement_printed",
            entity="statement_run",
            entity_id=run.id,
            patient_id=d.guarantor_id,
            details={"balance": fmt(d.amount_due), "notice": d.notice_no},
        )
    return run


@dataclass(frozen=True)
class BatchResult:
    run_id: int
    count: int
    total: Decimal
    path: Path


def make_pdf(
    s: Session,
    actor: Actor,
    guarantor_ids: Sequence[int],
    statement_date: date,
    path: Path,
    *,
    progress: Callable[[int, int], bool] | None = None,
) -> list[StatementDoc]:
    """Draw the statements into ``path`` (read only). Raises ``Cancelled`` and
    removes the file if ``progress`` says stop."""
    require(actor, Permission.STATEMENTS)
    if not guarantor_ids:
        raise ValidationError([Problem("guarantors", "No statements to print")])
    docs = statement_docs(s, guarantor_ids, statement_date)
    try:
        done = render_statements(docs, path, progress=progress)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if not done:
        path.unlink(missing_ok=True)
        raise Cancelled()
    return docs


def statement_pdf(
    s: Session, actor: Actor, patient_id: int, statement_date: date, path: Path
) -> list[StatementDoc]:
    """Draw the statement of the patient's account (it goes to the patient's
    guarantor) into ``path``; nothing is recorded until ``record_statements``
    (once the person prints or saves it)."""
    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("That patient does not exist.")
    return make_pdf(s, actor, [ledger.guarantor_of(p)], statement_date, path)


def print_statement(
    s: Session, actor: Actor, patient_id: int, statement_date: date, path: Path
) -> BatchResult:
    """One statement on demand for the patient's account (recorded as sent)."""
    docs = statement_pdf(s, actor, patient_id, statement_date, path)
    run = record_statements(s, actor, docs, statement_date)
    return BatchResult(run.id, 1, docs[0].amount_due, path)


def run_reprinted(s: Session, actor: Actor, run_id: int) -> None:
    """Audit a batch of statements printed again (each guarantor's row)."""
    require(actor, Permission.STATEMENTS)
    for gid in s.execute(
        select(Statement.guarantor_id).where(Statement.run_id == run_id)
    ).scalars():
        audit.record(
            s,
            actor,
            "statement_reprinted",
            entity="statement_run",
            entity_id=run_id,
            patient_id=gid,
        )


@dataclass(frozen=True)
class SentRow:
    statement_id: int
    run_id: int
    statement_date: date
    guarantor_id: int
    name: str
    account_no: str
    balance: Decimal
    notice_no: int


def notice_word(n: int) -> str:
    """How the screens name a statement's notice number (first, second, third,
    then final), in the list to send and in the statements sent alike."""
    return {1: "first", 2: "second", 3: "third"}.get(n, "final")


def sent(
    s: Session, actor: Actor, *, guarantor_id: int | None = None, run_id: int | None = None
) -> list[SentRow]:
    """Statements sent, newest first."""
    require(actor, Permission.STATEMENTS)
    q = (
        select(Statement, Patient)
        .join(Patient, Patient.id == Statement.guarantor_id)
        .order_by(Statement.statement_date.desc(), Statement.id.desc())
        .limit(2000)
    )
    if guarantor_id is not None:
        q = q.where(Statement.guarantor_id == guarantor_id)
    if run_id is not None:
        q = q.where(Statement.run_id == run_id)
    return [
        SentRow(
            st.id,
            st.run_id,
            st.statement_date,
            st.guarantor_id,
            _mail_name(p),
            p.account_no,
            st.balance,
            st.notice_no,
        )
        for st, p in s.execute(q)
    ]
