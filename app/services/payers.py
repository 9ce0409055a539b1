"""The payer list (insurance companies), kept by the biller and the office
manager. It starts empty; the office adds the payers it bills."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models.insurance import Payer, Policy, Program
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.validation import (
    Checker,
    format_phone,
    normalize_phone,
    phone_problem,
    state_problem,
    zip_problem,
)


@dataclass
class PayerInput:
    name: str = ""
    payer_code: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    program: str = Program.GROUP.value
    timely_filing_days: int | str = 365
    needs_referring_provider: bool = False
    active: bool = True


TRACKED = [f.name for f in fields(PayerInput)]


@dataclass(frozen=True)
class PayerRow:
    id: int
    name: str
    payer_code: str
    program: Program
    address: str
    phone: str
    timely_filing_days: int
    active: bool
    policies: int

    @property
    def program_label(self) -> str:
        return self.program.label


def _check(s: Session, data: PayerInput, exclude_id: int | None = None) -> dict[str, object]:
    c = Checker()
    name = " ".join(data.name.split())
    c.require("name", name, "Payer name")
    if len(name) > 120:
        c.add("name", "Payer name is longer than 120 characters")
    if name:
        q = select(func.count()).select_from(Payer).where(func.lower(Payer.name) == name.lower())
        if exclude_id is not None:
            q = q.where(Payer.id != exclude_id)
        if s.execute(q).scalar():
            c.add("name", f"A payer named '{name}' is already on the list")
    code = data.payer_code.strip().upper()
    if len(code) > 20:
        c.add("payer_code", "Payer ID is longer than 20 characters")
    # The claim mailing address (CMS-1500 top right).
    c.require("address1", data.address1, "Claim mailing address")
    c.require("city", data.city, "City")
    c.check("state", state_problem(data.state.strip()), "State")
    c.check("zip", zip_problem(data.zip.strip()), "ZIP")
    c.check("phone", phone_problem(data.phone.strip()), "Phone")
    try:
        program = Program(data.program)
    except ValueError:
        program = Program.OTHER
        c.add("program", "Program (CMS-1500 item 1): choose one from the list")
    try:
        days = int(str(data.timely_filing_days).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= 3650:
        c.add("timely_filing_days", "Timely filing limit must be a number of days from 1 to 3650")
    c.raise_if_any()
    return dict(
        name=name,
        payer_code=code,
        address1=data.address1.strip(),
        address2=data.address2.strip(),
        city=data.city.strip(),
        state=data.state.strip().upper(),
        zip=data.zip.strip(),
        phone=normalize_phone(data.phone),
        program=program,
        timely_filing_days=days,
        needs_referring_provider=data.needs_referring_provider,
        active=data.active,
    )


def _snapshot(p: Payer) -> dict[str, object]:
    return {k: getattr(p, k).value if k == "program" else getattr(p, k) for k in TRACKED}


def list_payers(s: Session, actor: Actor, *, include_inactive: bool = True) -> list[PayerRow]:
    """Every payer with how many policies name it, by name."""
    require(actor, Permission.PATIENT_VIEW)
    counts = dict(s.execute(select(Policy.payer_id, func.count()).group_by(Policy.payer_id)).all())
    q = select(Payer).order_by(func.lower(Payer.name))
    if not include_inactive:
        q = q.where(Payer.active.is_(True))
    out = []
    for p in s.execute(q).scalars():
        addr = ", ".join(x for x in (p.address1, p.city, f"{p.state} {p.zip}".strip()) if x)
        out.append(
            PayerRow(
                p.id,
                p.name,
                p.payer_code,
                p.program,
                addr,
                format_phone(p.phone),
                p.timely_filing_days,
                p.active,
                int(counts.get(p.id, 0)),
            )
        )
    return out


def payer_input(s: Session, actor: Actor, payer_id: int) -> PayerInput:
    require(actor, Permission.PATIENT_VIEW)
    p = s.get(Payer, payer_id)
    if p is None:
        raise NotFound("That payer is not on the list.")
    data = PayerInput(**{k: getattr(p, k) for k in TRACKED})
    data.program = p.program.value
    data.phone = format_phone(p.phone)
    return data


def add_payer(s: Session, actor: Actor, data: PayerInput) -> int:
    require(actor, Permission.PAYER_EDIT)
    values = _check(s, data)
    p = Payer(**values)
    s.add(p)
    s.flush()
    audit.record(
        s, actor, "payer_added", entity="payer", entity_id=p.id, details={"new": _snapshot(p)}
    )
    return p.id


def update_payer(s: Session, actor: Actor, payer_id: int, data: PayerInput) -> None:
    require(actor, Permission.PAYER_EDIT)
    p = s.get(Payer, payer_id)
    if p is None:
        raise NotFound("That payer is not on the list.")
    values = _check(s, data, exclude_id=payer_id)
    before = _snapshot(p)
    for k, v in values.items():
        setattr(p, k, v)
    diff = audit.changes(before, _snapshot(p))
    if diff:
        s.flush()
        audit.record(
            s, actor, "payer_changed", entity="payer", entity_id=p.id, details={"changes": diff}
        )
