"""The audit log: every login, account change, backup, and every view, change,
print and export of patient data. Append-only and hash-chained: each row's
hash covers its content and the previous row's hash, and the chain head is
kept in the settings, so an edited, deleted or cut-off row is found by
``verify``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.patient import Patient
from app.models.practice import Setting
from app.services.auth import Actor, Permission, require

GENESIS = "0" * 64
HEAD_KEY = "audit.head"


def _payload(e: AuditEvent) -> str:
    return json.dumps(
        [
            e.id,
            e.at.isoformat(),
            e.user_id,
            e.username,
            e.action,
            e.entity,
            e.entity_id,
            e.patient_id,
            e.details,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def _hash(prev: str, e: AuditEvent) -> str:
    return hashlib.sha256((prev + _payload(e)).encode()).hexdigest()


def record(
    s: Session,
    actor: Actor | None,
    action: str,
    *,
    entity: str = "",
    entity_id: object = "",
    patient_id: int | None = None,
    details: dict[str, Any] | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Append one row. ``actor`` None is the program itself (or a failed login,
    with the typed ``username``)."""
    last = s.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_id, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
    e = AuditEvent(
        id=prev_id + 1,
        at=utcnow().replace(microsecond=0),
        user_id=actor.user_id if actor else None,
        username=(actor.username if actor else (username or "")),
        action=action,
        entity=entity,
        entity_id=str(entity_id) if entity_id not in (None, "") else "",
        patient_id=patient_id,
        details=_jsonable(details) if details else None,
        prev_hash=prev_hash,
    )
    e.hash = _hash(prev_hash, e)
    s.add(e)
    head = s.get(Setting, HEAD_KEY)
    if head is None:
        s.add(Setting(key=HEAD_KEY, value={"id": e.id, "hash": e.hash}))
    else:
        head.value = {"id": e.id, "hash": e.hash}
    s.flush()
    return e


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    # Round-trip so the stored value and the hashed value are the same JSON.
    return json.loads(json.dumps(d, sort_keys=True, default=str))


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ (for change rows)."""
    out: dict[str, list[Any]] = {}
    for k in sorted(set(before) | set(after)):
        if before.get(k) != after.get(k):
            out[k] = [before.get(k), after.get(k)]
    return out


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None
    message: str


def verify(s: Session, actor: Actor | None = None) -> ChainReport:
    """Walk the chain from the first row; report the first broken link."""
    if actor is not None:
        require(actor, Permission.AUDIT_VIEW)
    prev_hash, expected_id, n = GENESIS, 1, 0
    for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        n += 1
        if e.id != expected_id:
            return ChainReport(
                False,
                n,
                expected_id,
                f"Row {expected_id} is missing (the next row is {e.id}): rows were deleted.",
            )
        if e.prev_hash != prev_hash:
            return ChainReport(False, n, e.id, f"Row {e.id} does not follow the row before it.")
        if _hash(prev_hash, e) != e.hash:
            return ChainReport(False, n, e.id, f"Row {e.id} was changed after it was written.")
        prev_hash, expected_id = e.hash, e.id + 1
    head = s.get(Setting, HEAD_KEY)
    if head is not None:
        hid, hh = int(head.value.get("id", 0)), head.value.get("hash")
        if hid != expected_id - 1 or hh != prev_hash:
            return ChainReport(
                False,
                n,
                expected_id,
                f"The log ends at row {expected_id - 1} but row {hid} was written: "
                "the newest rows were deleted.",
            )
    elif n:
        return ChainReport(False, n, None, "The chain head record is missing.")
    return ChainReport(True, n, None, f"All {n} rows verified.")


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: str
    patient_id: int | None
    details: dict[str, Any] | None
    patient: str = ""  # "Last, First (account no)" when the row is about a patient


def patient_ids_matching(s: Session, text: str, limit: int = 500) -> list[int]:
    """Patients an audit filter means: an account number, or a name typed as
    "Last", "Last, First" or "Last First" (prefixes, accents and case ignored)."""
    # Imported here: patients_search -> settings -> audit would be a cycle.
    from app.services.patients_search import search_key

    text = text.strip()
    if not text:
        return []
    if text.replace("-", "").isdigit():
        q = select(Patient.id).where(Patient.account_no == text)
    else:
        if "," in text:
            last, first = (part.strip() for part in text.split(",", 1))
        else:
            last, _, first = text.partition(" ")
        q = select(Patient.id).where(Patient.search_last.startswith(search_key(last)))
        if search_key(first):
            q = q.where(Patient.search_first.startswith(search_key(first)))
    return list(s.execute(q.limit(limit)).scalars())


def search(
    s: Session,
    actor: Actor,
    *,
    username: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    patient_id: int | None = None,
    patient: str | None = None,
    limit: int = 1000,
) -> list[AuditRow]:
    """Newest first. Dates are local calendar days, inclusive. ``patient`` is
    an account number or a name (see ``patient_ids_matching``); a search by
    patient is itself audited ("audit_searched"), since it shows who looked at
    that patient's record."""
    require(actor, Permission.AUDIT_VIEW)
    q = (
        select(AuditEvent, Patient.last_name, Patient.first_name, Patient.account_no)
        .outerjoin(Patient, Patient.id == AuditEvent.patient_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if username:
        q = q.where(AuditEvent.username == username)
    if action:
        q = q.where(AuditEvent.action == action)
    if patient_id is not None:
        q = q.where(AuditEvent.patient_id == patient_id)
    if patient and patient.strip():
        ids = patient_ids_matching(s, patient)
        q = q.where(AuditEvent.patient_id.in_(ids))
    if date_from:
        q = q.where(AuditEvent.at >= _local_midnight(date_from))
    if date_to:
        q = q.where(AuditEvent.at < _local_midnight(date_to + timedelta(days=1)))
    rows = [
        AuditRow(
            e.id,
            e.at,
            e.username,
            e.action,
            e.entity,
            e.entity_id,
            e.patient_id,
            e.details,
            f"{last}, {first} ({acct})" if acct else "",
        )
        for e, last, first, acct in s.execute(q)
    ]
    if patient and patient.strip():
        record(s, actor, "audit_searched", details={"patient": patient.strip(), "rows": len(rows)})
    return rows


def usernames(s: Session) -> list[str]:
    """Every user name that appears in the log (including failed log-ins)."""
    return [
        u
        for u in s.execute(
            select(AuditEvent.username).distinct().order_by(AuditEvent.username)
        ).scalars()
        if u
    ]


def actions(s: Session) -> list[str]:
    return list(
        s.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars()
    )


def _local_midnight(d: date) -> datetime:
    return datetime.combine(d, time()).astimezone()
