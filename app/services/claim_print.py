"""Printing claims: which claims a batch takes, sending their forms to a
PDF or a printer one claim at a time (so a cancelled batch keeps what it
made), marking them printed, and each printer's offsets for red forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Problem, ValidationError
from app.models.claims import Claim, ClaimStatus
from app.models.practice import Setting
from app.reports.cms1500.fieldmap import FormValues, field_map
from app.services import audit, claim_history, settings
from app.services.auth import Actor, Permission, require
from app.services.claim_snapshot import SNAPSHOT_VERSION
from app.services.claims import PRINTABLE, status_label


class FormSink(Protocol):
    """Where a batch's forms go: a PDF (data only or full form) or a printer."""

    def add_claim(self, forms: Iterable[FormValues]) -> int: ...


@dataclass(frozen=True)
class PrintJob:
    claim_ids: list[int]
    skipped: list[str]  # claim numbers left out, with why


def ready_claim_ids(s: Session, actor: Actor) -> list[int]:
    require(actor, Permission.CLAIM_PRINT)
    return list(
        s.execute(
            select(Claim.id)
            .where(Claim.status == ClaimStatus.READY)
            .order_by(Claim.payer_id, Claim.date_of_service, Claim.id)
        ).scalars()
    )


def printable(s: Session, actor: Actor, claim_ids: Sequence[int]) -> PrintJob:
    """The claims of a selection that can print, in the order given; drafts
    (not through the check) are left out and named."""
    require(actor, Permission.CLAIM_PRINT)
    ok: list[int] = []
    skipped: list[str] = []
    rows = {
        cid: (no, st)
        for cid, no, st in s.execute(
            select(Claim.id, Claim.claim_no, Claim.status).where(Claim.id.in_(list(claim_ids)))
        )
    }
    for cid in claim_ids:
        if cid not in rows:
            continue
        no, st = rows[cid]
        if st in PRINTABLE:
            ok.append(cid)
        else:
            skipped.append(f"{no} ({status_label(st).lower()}: run the check first)")
    return PrintJob(ok, skipped)


def render_claims(
    s: Session,
    actor: Actor,
    claim_ids: Sequence[int],
    sink: FormSink,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """Send each claim's forms to ``sink`` in order; stops between claims
    when ``cancelled()`` says so. Returns the ids of the claims whose pages
    were all produced (only those may be marked printed)."""
    require(actor, Permission.CLAIM_PRINT)
    done: list[int] = []
    n = len(claim_ids)
    for start in range(0, n, 200):
        chunk = list(claim_ids[start : start + 200])
        snaps: dict[int, Any] = {
            cid: snap
            for cid, snap in s.execute(select(Claim.id, Claim.snapshot).where(Claim.id.in_(chunk)))
        }
        for cid in chunk:
            if cancelled is not None and cancelled():
                return done
            snap = snaps.get(cid)
            if not isinstance(snap, dict) or snap.get("version") != SNAPSHOT_VERSION:
                continue
            sink.add_claim(field_map(snap))
            done.append(cid)
            if progress is not None:
                progress(len(done), n)
    return done


def mark_printed(
    s: Session,
    actor: Actor,
    claim_ids: Sequence[int],
    destination: str,
    *,
    action: str = "claims_printed",
) -> int:
    """Record that these claims' forms were produced: a ready claim becomes
    printed, a printed one is marked printed again, any other keeps its
    status (a copy for the records). One audit row for the batch:
    ``claims_printed``, or ``claims_saved_pdf`` for a PDF saved to a file."""
    require(actor, Permission.CLAIM_PRINT)
    changed = 0
    numbers = []
    for c in s.execute(select(Claim).where(Claim.id.in_(list(claim_ids)))).scalars():
        numbers.append(c.claim_no)
        if c.status is ClaimStatus.READY:
            claim_history.set_status(s, actor, c, ClaimStatus.PRINTED, destination)
            changed += 1
        elif c.status in (ClaimStatus.PRINTED, ClaimStatus.EXPORTED):
            claim_history.set_status(s, actor, c, ClaimStatus.PRINTED, f"again: {destination}")
    audit.record(
        s,
        actor,
        action,
        entity="claim",
        details={"count": len(numbers), "to": destination, "claims": sorted(numbers)},
    )
    return changed


# ------------------------------------------------------------------ printer offsets

OFFSETS_KEY = "cms1500_offsets"
MAX_OFFSET = 36.0  # half an inch: more than that is a paper-loading problem


def printer_offsets(s: Session, printer: str) -> tuple[float, float]:
    table = settings.get(s, OFFSETS_KEY) or {}
    entry = table.get(printer) or {}
    return float(entry.get("dx", 0.0)), float(entry.get("dy", 0.0))


def save_printer_offsets(s: Session, actor: Actor, printer: str, dx: float, dy: float) -> None:
    """Keep one printer's offsets for red forms (points; right and down are
    positive). Whoever prints claims may align the printer."""
    require(actor, Permission.CLAIM_PRINT)
    problems = []
    if not printer.strip():
        problems.append(Problem("printer", "Choose the printer these offsets are for"))
    for name, v in (("dx", dx), ("dy", dy)):
        if not -MAX_OFFSET <= v <= MAX_OFFSET:
            problems.append(
                Problem(
                    name,
                    f"{'Horizontal' if name == 'dx' else 'Vertical'} offset must be between "
                    f"-{MAX_OFFSET:.0f} and {MAX_OFFSET:.0f} points (half an inch)",
                )
            )
    if problems:
        raise ValidationError(problems)
    old = settings.get(s, OFFSETS_KEY) or {}
    new = {**old, printer.strip(): {"dx": round(dx, 1), "dy": round(dy, 1)}}
    row = s.get(Setting, OFFSETS_KEY)
    if row is None:
        s.add(Setting(key=OFFSETS_KEY, value=new))
    else:
        row.value = new
    audit.record(
        s,
        actor,
        "setting_changed",
        entity="setting",
        entity_id=OFFSETS_KEY,
        details={
            "printer": printer.strip(),
            "old": old.get(printer.strip()),
            "new": new[printer.strip()],
        },
    )
