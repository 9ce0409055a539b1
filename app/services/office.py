"""The practice and its providers: set up once, edited by the office manager."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, UserFacingError
from app.models.practice import Practice, Provider
from app.models.staff import Role, User
from app.services import audit
from app.services.auth import Actor, Permission, actor_for, hash_password, password_problem, require
from app.validation import (
    Checker,
    digits,
    ein_problem,
    format_phone,
    normalize_phone,
    npi_problem,
    phone_problem,
    state_problem,
    taxonomy_problem,
    zip_problem,
)


@dataclass
class PracticeInput:
    name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    ein: str = ""
    billing_npi: str = ""
    taxonomy: str = ""


@dataclass
class ProviderInput:
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    credentials: str = ""
    npi: str = ""
    taxonomy: str = ""


@dataclass
class NewUserInput:
    username: str = ""
    full_name: str = ""
    role: Role = Role.RECEPTIONIST
    password: str = ""
    password_again: str = ""


def check_practice(p: PracticeInput, c: Checker | None = None) -> Checker:
    c = c or Checker()
    c.require("name", p.name, "Practice name")
    c.require("address1", p.address1, "Street address")
    c.require("city", p.city, "City")
    c.check("state", state_problem(p.state), "State")
    c.check("zip", zip_problem(p.zip), "ZIP")
    c.check("phone", phone_problem(p.phone, required=True), "Phone")
    c.check("ein", ein_problem(p.ein), "Federal tax ID (EIN)")
    c.check("billing_npi", npi_problem(p.billing_npi.strip()), "Billing NPI")
    c.check("taxonomy", taxonomy_problem(p.taxonomy), "Taxonomy code")
    return c


def check_provider(p: ProviderInput, c: Checker | None = None, prefix: str = "") -> Checker:
    c = c or Checker()
    c.require(prefix + "last_name", p.last_name, "Provider last name")
    c.require(prefix + "first_name", p.first_name, "Provider first name")
    c.check(prefix + "npi", npi_problem(p.npi.strip()), "Provider NPI")
    if p.taxonomy.strip():
        c.check(prefix + "taxonomy", taxonomy_problem(p.taxonomy), "Provider taxonomy code")
    return c


def check_new_user(u: NewUserInput, c: Checker | None = None, prefix: str = "") -> Checker:
    c = c or Checker()
    name = u.username.strip()
    c.require(prefix + "username", name, "User name")
    if name and " " in name:  # the usual mistake: a full name typed as the user name
        c.add(prefix + "username", "User name is one word, without spaces (e.g. mlopez)")
    elif name and (
        not name.replace(".", "").replace("_", "").replace("-", "").isalnum() or len(name) > 40
    ):
        c.add(
            prefix + "username", "User name may use letters, digits, '.', '_' and '-' (at most 40)"
        )
    c.require(prefix + "full_name", u.full_name, "Full name")
    c.check(prefix + "password", password_problem(u.password), "Password")
    if u.password != u.password_again:
        c.add(prefix + "password_again", "The two passwords are not the same")
    return c


def _practice_from(p: PracticeInput) -> Practice:
    return Practice(
        id=1,
        name=p.name.strip(),
        address1=p.address1.strip(),
        address2=p.address2.strip(),
        city=p.city.strip(),
        state=p.state.strip().upper(),
        zip=p.zip.strip(),
        phone=normalize_phone(p.phone),
        ein=digits(p.ein),
        billing_npi=p.billing_npi.strip(),
        taxonomy=p.taxonomy.strip().upper(),
    )


def _provider_from(p: ProviderInput) -> Provider:
    return Provider(
        last_name=p.last_name.strip(),
        first_name=p.first_name.strip(),
        middle_name=p.middle_name.strip(),
        credentials=p.credentials.strip(),
        npi=p.npi.strip(),
        taxonomy=p.taxonomy.strip().upper(),
    )


def is_set_up(s: Session) -> bool:
    return s.get(Practice, 1) is not None


def check_set_up(
    practice: PracticeInput, providers: list[ProviderInput], manager: NewUserInput
) -> Checker:
    """Every problem of a first set-up at once (fields ``provider<i>.x``,
    ``manager.x``, ``providers`` for the list as a whole)."""
    c = check_practice(practice)
    if not providers:
        c.add("providers", "Add at least one rendering provider")
    seen: set[str] = set()
    for i, p in enumerate(providers):
        check_provider(p, c, prefix=f"provider{i}.")
        npi = p.npi.strip()
        if npi and npi in seen:
            c.add(f"provider{i}.npi", f"Two providers cannot share NPI {npi}")
        seen.add(npi)
    manager.role = Role.MANAGER
    check_new_user(manager, c, prefix="manager.")
    return c


def set_up_office(
    s: Session,
    practice: PracticeInput,
    providers: list[ProviderInput],
    manager: NewUserInput,
    *,
    key_kept: str = "",
    recovery_printed: bool = False,
) -> Actor:
    """First start: the practice, its providers and the first office manager.
    Validates everything at once; returns the manager, logged in (audited:
    "office_set_up" and the manager's "login")."""
    if is_set_up(s):
        raise UserFacingError("This office is already set up.")
    check_set_up(practice, providers, manager).raise_if_any()
    s.add(_practice_from(practice))
    for p in providers:
        s.add(_provider_from(p))
    user = User(
        username=manager.username.strip(),
        full_name=manager.full_name.strip(),
        role=Role.MANAGER,
        password_hash=hash_password(manager.password),
    )
    s.add(user)
    s.flush()
    actor = actor_for(user)
    audit.record(
        s,
        actor,
        "office_set_up",
        entity="practice",
        entity_id=1,
        details={
            "practice": practice.name.strip(),
            "providers": len(providers),
            "key_kept_in": key_kept,
            "recovery_key_printed": recovery_printed,
        },
    )
    audit.record(s, actor, "login")
    return actor


def practice(s: Session) -> Practice:
    p = s.get(Practice, 1)
    if p is None:
        raise NotFound("The office has not been set up yet.")
    return p


def update_practice(s: Session, actor: Actor, data: PracticeInput) -> None:
    require(actor, Permission.SETTINGS)
    check_practice(data).raise_if_any()
    row = practice(s)
    new = _practice_from(data)
    before = {k: getattr(row, k) for k in asdict(data)}
    for k in asdict(data):
        setattr(row, k, getattr(new, k))
    after = {k: getattr(row, k) for k in asdict(data)}
    audit.record(
        s,
        actor,
        "practice_changed",
        entity="practice",
        entity_id=1,
        details=audit.changes(before, after),
    )


def providers(s: Session, *, active_only: bool = True) -> list[Provider]:
    q = select(Provider).order_by(Provider.last_name, Provider.first_name)
    if active_only:
        q = q.where(Provider.active.is_(True))
    return list(s.execute(q).scalars())


def add_provider(s: Session, actor: Actor, data: ProviderInput) -> Provider:
    require(actor, Permission.SETTINGS)
    c = check_provider(data)
    if (
        data.npi.strip()
        and s.execute(
            select(func.count()).select_from(Provider).where(Provider.npi == data.npi.strip())
        ).scalar()
    ):
        c.add("npi", f"A provider with NPI {data.npi.strip()} already exists")
    c.raise_if_any()
    p = _provider_from(data)
    s.add(p)
    s.flush()
    audit.record(
        s,
        actor,
        "provider_added",
        entity="provider",
        entity_id=p.id,
        details={"name": p.display_name, "npi": p.npi},
    )
    return p


def update_provider(
    s: Session, actor: Actor, provider_id: int, data: ProviderInput, active: bool = True
) -> Provider:
    require(actor, Permission.SETTINGS)
    c = check_provider(data)
    if (
        data.npi.strip()
        and s.execute(
            select(func.count())
            .select_from(Provider)
            .where(Provider.npi == data.npi.strip(), Provider.id != provider_id)
        ).scalar()
    ):
        c.add("npi", f"Another provider has NPI {data.npi.strip()}")
    c.raise_if_any()
    p = s.get(Provider, provider_id)
    if p is None:
        raise NotFound("That provider no longer exists.")
    new = _provider_from(data)
    fields = ["last_name", "first_name", "middle_name", "credentials", "npi", "taxonomy"]
    before = {k: getattr(p, k) for k in fields} | {"active": p.active}
    for k in fields:
        setattr(p, k, getattr(new, k))
    p.active = active
    after = {k: getattr(p, k) for k in fields} | {"active": p.active}
    audit.record(
        s,
        actor,
        "provider_changed",
        entity="provider",
        entity_id=p.id,
        details=audit.changes(before, after),
    )
    return p


def practice_input(s: Session) -> PracticeInput:
    """The practice as the settings form shows it."""
    p = practice(s)
    return PracticeInput(
        name=p.name,
        address1=p.address1,
        address2=p.address2,
        city=p.city,
        state=p.state,
        zip=p.zip,
        phone=format_phone(p.phone),
        ein=f"{p.ein[:2]}-{p.ein[2:]}" if len(p.ein) == 9 else p.ein,  # as on the IRS letter
        billing_npi=p.billing_npi,
        taxonomy=p.taxonomy,
    )


@dataclass(frozen=True)
class ProviderRow:
    id: int
    name: str
    credentials: str
    npi: str
    taxonomy: str
    active: bool
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""


def provider_rows(s: Session, *, active_only: bool = False) -> list[ProviderRow]:
    return [
        ProviderRow(
            p.id,
            p.display_name,
            p.credentials,
            p.npi,
            p.taxonomy,
            p.active,
            p.last_name,
            p.first_name,
            p.middle_name,
        )
        for p in providers(s, active_only=active_only)
    ]


def provider_input(row: ProviderRow) -> ProviderInput:
    return ProviderInput(
        last_name=row.last_name,
        first_name=row.first_name,
        middle_name=row.middle_name,
        credentials=row.credentials,
        npi=row.npi,
        taxonomy=row.taxonomy,
    )
