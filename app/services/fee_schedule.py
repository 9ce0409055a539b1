"""The office's fee schedule (its CPT/HCPCS codes, prices and what each payer
allows), its import from CSV/XLSX with a preview, the starter list, and the
import of CMS's HCPCS Level II file.

Reading is open to anyone who codes visits; changing needs "edit the fee
schedule". Every change is audited with the old and new values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.codes import fee_file, hcpcs
from app.codes.cpt import normalize as normalize_code
from app.codes.cpt import procedure_code_problem
from app.errors import NotFound, Problem, UserFacingError, ValidationError
from app.models.coding import FeeItem, HcpcsCode, PayerAllowed
from app.models.insurance import Payer
from app.money import fmt, parse_money
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.validation import Checker

STARTER_FILE = Path(__file__).resolve().parents[2] / "resources" / "fee_schedule_starter.csv"


@dataclass(frozen=True)
class FeeItemRow:
    id: int
    code: str
    description: str
    price: Decimal | None
    active: bool
    allowed: dict[int, Decimal]  # payer id -> allowed amount


@dataclass
class FeeItemInput:
    code: str = ""
    description: str = ""
    price: str = ""  # as typed; blank = no price yet
    active: bool = True


@dataclass(frozen=True)
class ProcedureHit:
    code: str
    description: str
    price: Decimal | None
    on_fee_schedule: bool


def _row(item: FeeItem, allowed: dict[int, Decimal]) -> FeeItemRow:
    return FeeItemRow(item.id, item.code, item.description, item.price, item.active, allowed)


def list_items(
    s: Session, actor: Actor, *, include_inactive: bool = True, text: str = ""
) -> list[FeeItemRow]:
    """The fee schedule in code order, with per-payer allowed amounts."""
    require(actor, Permission.CODE_VISIT)
    q = select(FeeItem).order_by(FeeItem.code)
    if not include_inactive:
        q = q.where(FeeItem.active.is_(True))
    t = text.strip()
    if t:
        q = q.where(or_(FeeItem.code.startswith(t.upper()), FeeItem.description.ilike(f"%{t}%")))
    items = list(s.execute(q).scalars())
    allowed: dict[int, dict[int, Decimal]] = {}
    for a in s.execute(select(PayerAllowed)).scalars():
        allowed.setdefault(a.fee_item_id, {})[a.payer_id] = a.allowed
    return [_row(i, allowed.get(i.id, {})) for i in items]


def get_item(s: Session, actor: Actor, fee_item_id: int) -> FeeItemRow:
    require(actor, Permission.CODE_VISIT)
    item = s.get(FeeItem, fee_item_id)
    if item is None:
        raise NotFound("That fee schedule item no longer exists.")
    allowed = {
        a.payer_id: a.allowed
        for a in s.execute(
            select(PayerAllowed).where(PayerAllowed.fee_item_id == fee_item_id)
        ).scalars()
    }
    return _row(item, allowed)


def check_item(data: FeeItemInput) -> tuple[Checker, Decimal | None]:
    c = Checker()
    if why := procedure_code_problem(data.code):
        c.add("code", why)
    c.require("description", data.description, "Description")
    if len(data.description.strip()) > fee_file.MAX_DESCRIPTION:
        c.add("description", f"Description can be at most {fee_file.MAX_DESCRIPTION} characters")
    price: Decimal | None = None
    if data.price.strip():
        try:
            price = parse_money(data.price)
            if price <= 0:
                c.add("price", "Price must be more than 0.00 (leave it blank for no price)")
        except ValueError as exc:
            c.add("price", f"Price: {exc}")
    return c, price


def save_item(
    s: Session, actor: Actor, data: FeeItemInput, fee_item_id: int | None = None
) -> FeeItemRow:
    """Add a code to the fee schedule, or change one (audited)."""
    require(actor, Permission.FEE_SCHEDULE_EDIT)
    c, price = check_item(data)
    code = normalize_code(data.code)
    clash = s.execute(select(FeeItem).where(FeeItem.code == code)).scalar_one_or_none()
    if clash is not None and clash.id != fee_item_id:
        c.add("code", f"{code} is already on the fee schedule")
    c.raise_if_any()
    after = {
        "code": code,
        "description": " ".join(data.description.split()),
        "price": fmt(price) if price is not None else None,
        "active": data.active,
    }
    if fee_item_id is None:
        item = FeeItem(code=code, description=after["description"], price=price, active=data.active)
        s.add(item)
        s.flush()
        audit.record(
            s, actor, "fee_item_added", entity="fee_item", entity_id=item.id, details=after
        )
    else:
        found = s.get(FeeItem, fee_item_id)
        if found is None:
            raise NotFound("That fee schedule item no longer exists.")
        item = found
        before = {
            "code": item.code,
            "description": item.description,
            "price": fmt(item.price) if item.price is not None else None,
            "active": item.active,
        }
        item.code, item.description = code, str(after["description"])
        item.price, item.active = price, data.active
        diff = audit.changes(before, after)
        if diff:
            audit.record(
                s, actor, "fee_item_changed", entity="fee_item", entity_id=item.id, details=diff
            )
    s.flush()
    return get_item(s, actor, item.id)


def set_allowed(
    s: Session, actor: Actor, fee_item_id: int, payer_id: int, amount_text: str
) -> None:
    """Set (or with blank text, clear) what a payer allows for a code."""
    require(actor, Permission.FEE_SCHEDULE_EDIT)
    if s.get(FeeItem, fee_item_id) is None or s.get(Payer, payer_id) is None:
        raise NotFound("That code or payer no longer exists.")
    row = s.execute(
        select(PayerAllowed).where(
            PayerAllowed.fee_item_id == fee_item_id, PayerAllowed.payer_id == payer_id
        )
    ).scalar_one_or_none()
    old = fmt(row.allowed) if row else None
    if not amount_text.strip():
        if row is not None:
            s.delete(row)
        new = None
    else:
        try:
            amount = parse_money(amount_text)
        except ValueError as exc:
            raise ValidationError([Problem("allowed", f"Allowed amount: {exc}")]) from None
        if amount <= 0:
            raise ValidationError(
                [Problem("allowed", "Allowed amount must be more than 0.00 (blank clears it)")]
            )
        if row is None:
            s.add(PayerAllowed(fee_item_id=fee_item_id, payer_id=payer_id, allowed=amount))
        else:
            row.allowed = amount
        new = fmt(amount)
    if old != new:
        audit.record(
            s,
            actor,
            "fee_allowed_changed",
            entity="fee_item",
            entity_id=fee_item_id,
            details={"payer_id": payer_id, "allowed": [old, new]},
        )
    s.flush()


def price_of(s: Session, code: str) -> Decimal | None:
    """The fee schedule price of a code (None when absent or unpriced)."""
    return s.execute(
        select(FeeItem.price).where(FeeItem.code == normalize_code(code))
    ).scalar_one_or_none()


def prices(s: Session, codes: Sequence[str]) -> dict[str, tuple[str, Decimal | None, bool]]:
    """``{code: (description, price, active)}`` for the codes on the fee schedule;
    codes only in the HCPCS reference come back with no price and active False."""
    wanted = {normalize_code(c) for c in codes if c}
    if not wanted:
        return {}
    out: dict[str, tuple[str, Decimal | None, bool]] = {}
    for code, desc in s.execute(
        select(HcpcsCode.code, HcpcsCode.short_description).where(HcpcsCode.code.in_(wanted))
    ):
        out[code] = (desc, None, False)
    for item in s.execute(select(FeeItem).where(FeeItem.code.in_(wanted))).scalars():
        out[item.code] = (item.description, item.price, item.active)
    return out


def search_procedures(s: Session, actor: Actor, text: str, limit: int = 30) -> list[ProcedureHit]:
    """Fee schedule codes (active first) matching a code prefix or words, then
    HCPCS reference codes that are not on the fee schedule."""
    require(actor, Permission.CODE_VISIT)
    t = text.strip()
    if not t:
        q = select(FeeItem).where(FeeItem.active.is_(True)).order_by(FeeItem.code).limit(limit)
        return [ProcedureHit(i.code, i.description, i.price, True) for i in s.execute(q).scalars()]
    words = t.split()
    conds = [
        or_(FeeItem.code.startswith(w.upper()), FeeItem.description.ilike(f"%{w}%")) for w in words
    ]
    items = list(
        s.execute(
            select(FeeItem).where(*conds).order_by(FeeItem.active.desc(), FeeItem.code).limit(limit)
        ).scalars()
    )
    hits = [ProcedureHit(i.code, i.description, i.price, True) for i in items]
    if len(hits) < limit:
        have = {h.code for h in hits}
        hconds = [
            or_(HcpcsCode.code.startswith(w.upper()), HcpcsCode.long_description.ilike(f"%{w}%"))
            for w in words
        ]
        for h in s.execute(
            select(HcpcsCode).where(*hconds).order_by(HcpcsCode.code).limit(limit - len(hits))
        ).scalars():
            if h.code not in have:
                hits.append(ProcedureHit(h.code, h.short_description, None, False))
    return hits


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class PreviewRow:
    row_no: int
    code: str
    description: str
    price: Decimal | None
    active: bool
    action: str  # "new" / "change" / "same"
    changes: tuple[str, ...]  # "price 95.00 -> 100.00"
    allowed: dict[int, Decimal]  # payer id -> amount


@dataclass(frozen=True)
class PreviewBad:
    row_no: int
    text: str
    reasons: tuple[str, ...]


@dataclass
class ImportPreview:
    file_name: str
    rows: list[PreviewRow] = field(default_factory=list)
    bad: list[PreviewBad] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"new": 0, "change": 0, "same": 0, "bad": len(self.bad)}
        for r in self.rows:
            out[r.action] += 1
        return out

    @property
    def can_apply(self) -> bool:
        return not self.problems and any(r.action != "same" for r in self.rows)


def preview_import(s: Session, actor: Actor, path: Path) -> ImportPreview:
    """Read a CSV/XLSX fee schedule and compare it with the office's: what is
    new, what changes, and every row that cannot be used and why. Stores nothing."""
    require(actor, Permission.FEE_SCHEDULE_EDIT)
    try:
        parsed = fee_file.read(path)
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        return ImportPreview(path.name, problems=[f"The file could not be read: {exc}"])
    return preview_parsed(s, parsed, path.name)


def preview_parsed(s: Session, parsed: fee_file.FeeFile, file_name: str) -> ImportPreview:
    out = ImportPreview(file_name, problems=list(parsed.problems), notes=list(parsed.notes))
    payers = {
        p.name.strip().lower(): p.id for p in s.execute(select(Payer).where(Payer.active)).scalars()
    }
    payer_ids: dict[str, int] = {}
    for col in parsed.allowed_columns:
        pid = payers.get(col.strip().lower())
        if pid is None:
            out.problems.append(
                f"Column 'allowed: {col}' names no payer on the payer list; "
                "spell it as the payer list does"
            )
        else:
            payer_ids[col] = pid
    existing = {i.code: i for i in s.execute(select(FeeItem)).scalars()}
    allowed_now: dict[tuple[int, int], Decimal] = {
        (a.fee_item_id, a.payer_id): a.allowed for a in s.execute(select(PayerAllowed)).scalars()
    }
    for b in parsed.bad:
        out.bad.append(PreviewBad(b.row_no, b.text, b.reasons))
    for r in parsed.rows:
        allowed = {payer_ids[k]: v for k, v in r.allowed.items() if k in payer_ids}
        item = existing.get(r.code)
        if item is None:
            if not r.description:
                out.bad.append(
                    PreviewBad(r.row_no, r.code, (f"{r.code} is new: it needs a description",))
                )
                continue
            out.rows.append(
                PreviewRow(r.row_no, r.code, r.description, r.price, r.active, "new", (), allowed)
            )
            continue
        desc = r.description or item.description
        changes: list[str] = []
        if desc != item.description:
            changes.append(f"description '{item.description}' -> '{desc}'")
        if r.price != item.price:
            changes.append(f"price {fmt(item.price) or 'none'} -> {fmt(r.price) or 'none'}")
        if r.active != item.active:
            changes.append("made active" if r.active else "made inactive")
        for pid, amount in allowed.items():
            old = allowed_now.get((item.id, pid))
            if old != amount:
                changes.append(f"allowed (payer {pid}) {fmt(old) or 'none'} -> {fmt(amount)}")
        out.rows.append(
            PreviewRow(
                r.row_no,
                r.code,
                desc,
                r.price,
                r.active,
                "change" if changes else "same",
                tuple(changes),
                allowed,
            )
        )
    out.bad.sort(key=lambda b: b.row_no)
    return out


@dataclass(frozen=True)
class ImportResult:
    added: int
    changed: int
    skipped_bad: int


def apply_import(
    s: Session,
    actor: Actor,
    preview: ImportPreview,
    progress: Callable[[int, int], bool] | None = None,
) -> ImportResult:
    """Apply the good rows of a preview (new codes and changes) in one unit of
    work. ``progress(done, total)`` returning False cancels: the caller's
    transaction is rolled back, so nothing is half-imported."""
    require(actor, Permission.FEE_SCHEDULE_EDIT)
    if preview.problems:
        raise ValidationError([Problem("file", p) for p in preview.problems])
    todo = [r for r in preview.rows if r.action != "same"]
    existing = {i.code: i for i in s.execute(select(FeeItem)).scalars()}
    added = changed = 0
    for n, r in enumerate(todo, start=1):
        if progress is not None and not progress(n, len(todo)):
            raise ImportCancelled("The import was cancelled; nothing was changed.")
        item = existing.get(r.code)
        if item is None:
            item = FeeItem(code=r.code, description=r.description, price=r.price, active=r.active)
            s.add(item)
            s.flush()
            added += 1
        else:
            item.description, item.price, item.active = r.description, r.price, r.active
            changed += 1
        for pid, amount in r.allowed.items():
            row = s.execute(
                select(PayerAllowed).where(
                    PayerAllowed.fee_item_id == item.id, PayerAllowed.payer_id == pid
                )
            ).scalar_one_or_none()
            if row is None:
                s.add(PayerAllowed(fee_item_id=item.id, payer_id=pid, allowed=amount))
            else:
                row.allowed = amount
    s.flush()
    audit.record(
        s,
        actor,
        "fee_schedule_imported",
        entity="fee_schedule",
        details={
            "file": preview.file_name,
            "added": added,
            "changed": changed,
            "bad_rows": len(preview.bad),
            "changes": [f"{r.code}: {'; '.join(r.changes) or 'new'}" for r in todo][:200],
        },
    )
    return ImportResult(added, changed, len(preview.bad))


class ImportCancelled(UserFacingError):
    """The person pressed Cancel during an import (the transaction rolls back)."""


def load_starter(s: Session, actor: Actor) -> ImportResult:
    """Add the starter codes (no prices) that the fee schedule lacks."""
    require(actor, Permission.FEE_SCHEDULE_EDIT)
    preview = preview_parsed(s, fee_file.read(STARTER_FILE), STARTER_FILE.name)
    preview.rows = [r for r in preview.rows if r.action == "new"]
    return apply_import(s, actor, preview)


# ---------------------------------------------------------------- HCPCS file


@dataclass(frozen=True)
class HcpcsImportResult:
    added: int
    updated: int
    unchanged: int
    skipped_cpt: int
    modifier_lines: int
    problems: tuple[str, ...]


def import_hcpcs_file(
    s: Session,
    actor: Actor,
    path: Path,
    progress: Callable[[int, int], bool] | None = None,
) -> HcpcsImportResult:
    """Load CMS's fixed-width HCPCS Level II file into the HCPCS reference.

    A file with lines the layout does not explain is refused as a whole,
    listing them, so a wrong file never half-loads."""
    require(actor, Permission.FEE_SCHEDULE_EDIT)
    try:
        parsed = hcpcs.read_file(path)
    except OSError as exc:
        raise ValidationError([Problem("file", f"The file could not be read: {exc}")]) from None
    if parsed.problems:
        shown = parsed.problems[:50]
        more = len(parsed.problems) - len(shown)
        raise ValidationError(
            [Problem("file", p) for p in shown]
            + ([Problem("file", f"... and {more} more lines")] if more else [])
        )
    if not parsed.records:
        raise ValidationError(
            [Problem("file", "The file holds no HCPCS Level II codes (record id 3 lines)")]
        )
    existing = {h.code: h for h in s.execute(select(HcpcsCode)).scalars()}
    added = updated = unchanged = 0
    total = len(parsed.records)
    for n, r in enumerate(parsed.records, start=1):
        if progress is not None and n % 200 == 0 and not progress(n, total):
            raise ImportCancelled("The import was cancelled; nothing was changed.")
        h = existing.get(r.code)
        if h is None:
            s.add(
                HcpcsCode(
                    code=r.code,
                    short_description=r.short_description[:28],
                    long_description=r.long_description,
                )
            )
            added += 1
        elif (h.short_description, h.long_description) != (
            r.short_description[:28],
            r.long_description,
        ):
            h.short_description, h.long_description = r.short_description[:28], r.long_description
            updated += 1
        else:
            unchanged += 1
    s.flush()
    audit.record(
        s,
        actor,
        "hcpcs_imported",
        entity="hcpcs",
        details={"file": path.name, "added": added, "updated": updated, "unchanged": unchanged},
    )
    return HcpcsImportResult(
        added, updated, unchanged, parsed.skipped_codes, parsed.modifier_lines, ()
    )


def hcpcs_count(s: Session) -> int:
    return int(s.execute(select(func.count()).select_from(HcpcsCode)).scalar_one())
