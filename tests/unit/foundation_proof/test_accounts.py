"""Staff accounts: the role x action matrix walked through the real services,
password rules, argon2id hashes, lockout, audited failures, last log-in.

The matrix is a data table (``SERVICE_CALLS``): one row per guarded service
call, naming the permission it needs. The office's own rows (accounts,
settings, audit log, backups) are here; each area keeps its rows in
``matrix_<area>.py``. ``test_every_guarded_service_is_in_the_matrix`` fails
for any service that checks a permission (itself or through another service)
without a row.
"""

from __future__ import annotations

import ast
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.errors import PermissionDenied
from app.models.audit import AuditEvent
from app.models.staff import Role, User
from app.services import audit, auth, maintenance, office, settings, users
from app.services.auth import ROLE_PERMISSIONS, Actor, Permission
from app.services.office import NewUserInput, PracticeInput, ProviderInput
from app.store.backup import BackupSummary
from tests import factories
from tests.unit.foundation_proof import (
    matrix_claims,
    matrix_coding,
    matrix_frontdesk,
    matrix_money,
    matrix_reports,
)
from tests.unit.foundation_proof.matrix import Env, ServiceCall

SERVICES = Path(__file__).resolve().parents[3] / "app" / "services"


def _backup_info(path: Path) -> maintenance.BackupInfo:
    """A backup as the restore screen describes it (start_restore only records it)."""
    summary = BackupSummary({"patient": 0}, frozenset(), "", None)
    return maintenance.BackupInfo(path, "", "store key", summary, datetime.now(UTC), 0)


def _practice_as_typed(s: Session) -> PracticeInput:
    """The practice form as it stands (saving it unchanged is a real edit)."""
    row = office.practice(s)
    return PracticeInput(**{f.name: getattr(row, f.name) for f in fields(PracticeInput)})


OFFICE_ROWS: list[ServiceCall] = [
    ServiceCall("audit.verify", Permission.AUDIT_VIEW, lambda s, a, e: audit.verify(s, a)),
    ServiceCall(
        "maintenance.back_up",
        Permission.BACKUP,
        lambda s, a, e: maintenance.back_up(s, a, e.store, e.folder / "b.medbill-backup"),
    ),
    ServiceCall(
        "maintenance.start_restore",
        Permission.BACKUP,
        lambda s, a, e: maintenance.start_restore(s, a, _backup_info(e.folder / "b")),
    ),
    ServiceCall(
        "settings.put_many",
        Permission.SETTINGS,
        lambda s, a, e: settings.put_many(s, a, {"idle_lock_minutes": 15}),
    ),
    ServiceCall("audit.search", Permission.AUDIT_VIEW, lambda s, a, e: audit.search(s, a)),
    ServiceCall(
        "office.update_practice",
        Permission.SETTINGS,
        lambda s, a, e: office.update_practice(s, a, _practice_as_typed(s)),
    ),
    ServiceCall(
        "office.add_provider",
        Permission.SETTINGS,
        lambda s, a, e: office.add_provider(
            s, a, ProviderInput("Reyes", "Lucia", "", "DO", factories.NPI_OTHER, "")
        ),
    ),
    ServiceCall(
        "office.update_provider",
        Permission.SETTINGS,
        lambda s, a, e: office.update_provider(
            s, a, e.provider_id, ProviderInput("Okafor", "Ada", "", "MD", factories.NPI_PROVIDER)
        ),
    ),
    ServiceCall(
        "settings.put",
        Permission.SETTINGS,
        lambda s, a, e: settings.put(s, a, "idle_lock_minutes", 15),
    ),
    ServiceCall(
        "users.list_users", Permission.USERS_MANAGE, lambda s, a, e: users.list_users(s, a)
    ),
    ServiceCall(
        "users.add_user",
        Permission.USERS_MANAGE,
        lambda s, a, e: users.add_user(
            s,
            a,
            NewUserInput(
                "newhire", "New Hire", Role.RECEPTIONIST, "long enough pw", "long enough pw"
            ),
        ),
    ),
    ServiceCall(
        "users.set_active",
        Permission.USERS_MANAGE,
        lambda s, a, e: users.set_active(s, a, e.receptionist_id, False),
    ),
    ServiceCall(
        "users.set_role",
        Permission.USERS_MANAGE,
        lambda s, a, e: users.set_role(s, a, e.receptionist_id, Role.BILLER),
    ),
    ServiceCall(
        "users.reset_password",
        Permission.USERS_MANAGE,
        lambda s, a, e: users.reset_password(s, a, e.biller_id, "temporary pw 1"),
    ),
]

SERVICE_CALLS: list[ServiceCall] = [
    *OFFICE_ROWS,
    *matrix_frontdesk.ROWS,
    *matrix_coding.ROWS,
    *matrix_money.ROWS,
    *matrix_reports.ROWS,
    *matrix_claims.ROWS,
]

ROLES = [Role.RECEPTIONIST, Role.BILLER, Role.MANAGER]


def _env(office_, tmp_path: Path) -> Env:
    with office_.store.unit_of_work() as s:
        pid = factories.patient(s).id
        dup = factories.patient(s).id
    first_of_month = date.today().replace(day=1)
    env = Env(
        office_.practice_id,
        office_.provider_id,
        pid,
        office_.biller.user_id,
        office_.receptionist.user_id,
        dup,
        office_.manager,
        tmp_path / "exports",
        tmp_path / "inputs",
        (first_of_month - timedelta(days=1)).strftime("%Y-%m"),
        office_.store,
    )
    env.folder.mkdir()
    env.inputs.mkdir()
    return env


def _actor(office_, role: Role) -> Actor:
    return {
        Role.RECEPTIONIST: office_.receptionist,
        Role.BILLER: office_.biller,
        Role.MANAGER: office_.manager,
    }[role]


def _stored(s: Session) -> dict[str, list[Any]]:
    """Every row of every table of the store, as this session sees it (pending
    changes are flushed first, so an unflushed add counts too)."""
    s.flush()
    names = s.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ).scalars()
    return {n: list(s.execute(text(f'SELECT * FROM "{n}" ORDER BY rowid'))) for n in names}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("row", SERVICE_CALLS, ids=lambda r: r.label)
def test_role_matrix(office, tmp_path, row: ServiceCall, role: Role) -> None:
    env = _env(office, tmp_path)
    actor = _actor(office, role)
    if row.prepare is not None:
        with office.store.session() as s, s.begin():
            env.made = row.prepare(s, env)
    with office.store.session() as s, s.begin():
        if row.allowed(role):
            # Past the permission check: the call does its work.
            row.call(s, actor, env)
        else:
            before = _stored(s)
            with pytest.raises(PermissionDenied) as exc:
                row.call(s, actor, env)
            # The service stopped before writing anything, and said why.
            after = _stored(s)
            assert [n for n in after if after[n] != before.get(n)] == [], "tables written"
            assert list(env.folder.iterdir()) == []
            assert role.label in exc.value.message
            assert "Ask the office manager" in exc.value.message
            if not row.any_of:
                missing = [p for p in row.permissions if p not in ROLE_PERMISSIONS[role]]
                assert missing[0].value in exc.value.message


def test_the_matrix_reaches_every_role_both_ways() -> None:
    # A table where every role may do everything (or nothing) would prove nothing.
    for role in (Role.RECEPTIONIST, Role.BILLER):
        assert any(not r.allowed(role) for r in SERVICE_CALLS)
    assert any(r.allowed(Role.RECEPTIONIST) for r in SERVICE_CALLS)
    assert all(r.allowed(Role.MANAGER) for r in SERVICE_CALLS)
    labels = [r.label for r in SERVICE_CALLS]
    assert len(labels) == len(set(labels)), "two rows of one service need different cases"


CHECKS = {"require", "PermissionDenied"}


def _calls(module: str, fn: ast.FunctionDef) -> set[str]:
    """``module.function`` of what ``fn`` calls: ``name(...)`` in its own
    module, ``other.name(...)`` in another; ``require`` and a hand-raised
    ``PermissionDenied`` are the checks themselves."""
    out: set[str] = set()
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name):
            out.add(f.id if f.id in CHECKS else f"{module}.{f.id}")
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            out.add(f"{f.value.id}.{f.attr}")
    return out


def _guarded_functions() -> set[str]:
    """``module.function`` for every public service function that takes the
    session and checks a permission: itself, or through a function of
    app/services that does (``print_receipt`` is guarded by ``receipt``)."""
    fns: dict[str, ast.FunctionDef] = {}
    for path in sorted(SERVICES.glob("*.py")):
        for fn in ast.parse(path.read_text()).body:
            if isinstance(fn, ast.FunctionDef):
                fns[f"{path.stem}.{fn.name}"] = fn
    calls = {name: _calls(name.split(".")[0], fn) for name, fn in fns.items()}
    guarded = set(CHECKS)
    while more := {n for n, c in calls.items() if n not in guarded and c & guarded}:
        guarded |= more
    return {
        name
        for name in guarded - CHECKS
        if not name.split(".")[1].startswith("_")
        and fns[name].args.args
        and fns[name].args.args[0].arg == "s"  # a matrix row runs in a session
    }


def test_every_guarded_service_is_in_the_matrix() -> None:
    guarded = _guarded_functions()
    # The scan works: checks of their own, and through another service.
    assert {"users.add_user", "day_sheet.day_sheet", "checkin.print_receipt"} <= guarded
    assert "auth.require" not in guarded
    rows = {r.name for r in SERVICE_CALLS}
    missing = sorted(guarded - rows)
    assert missing == [], f"add a row (here or in its area's matrix_*.py) for: {missing}"
    # Every row names a service that exists and checks a permission.
    unknown = sorted(rows - guarded)
    assert unknown == [], f"rows for no guarded service: {unknown}"


# ------------------------------------------------------------------ passwords


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("", False),
        ("123456789", False),  # 9 characters
        ("1234567890", True),  # 10
        (" padded password ", False),
        ("correct horse", True),
    ],
)
def test_password_rules(password: str, ok: bool) -> None:
    problem = auth.password_problem(password)
    assert (problem is None) is ok
    if len(password) < 10:
        assert problem == "must be at least 10 characters"


def test_short_password_is_refused_for_a_new_account(office) -> None:
    from app.errors import ValidationError

    with office.store.session() as s, s.begin():
        with pytest.raises(ValidationError) as exc:
            users.add_user(
                s,
                office.manager,
                NewUserInput("shorty", "Short Password", Role.BILLER, "nine char", "nine char"),
            )
        assert "password" in exc.value.fields()
        assert s.execute(select(User).where(User.username == "shorty")).first() is None


@pytest.mark.parametrize(
    ("username", "says"),
    [
        ("Maria L", "User name is one word, without spaces (e.g. mlopez)"),
        ("m/lopez", "User name may use letters, digits, '.', '_' and '-' (at most 40)"),
        ("m.lopez-2_b", None),
    ],
)
def test_a_user_name_problem_says_what_to_type(username: str, says: str | None) -> None:
    c = office.check_new_user(
        NewUserInput(username, "Maria Lopez", Role.BILLER, "x" * 12, "x" * 12)
    )
    got = [p.message for p in c.problems if p.field == "username"]
    assert got == ([says] if says else [])


def test_passwords_are_stored_as_argon2id_hashes(office) -> None:
    with office.store.read_session() as s:
        hashes = [u.password_hash for u in s.execute(select(User)).scalars()]
    assert len(hashes) == 3
    for h in hashes:
        assert h.startswith("$argon2id$v=19$m=")
        assert factories.PASSWORD not in h
    assert len(set(hashes)) == 3  # salted: the same password hashes differently
    assert auth.password_matches(hashes[0], factories.PASSWORD)
    assert not auth.password_matches(hashes[0], factories.PASSWORD + "x")
    assert not auth.password_matches("not a hash", factories.PASSWORD)


# ------------------------------------------------------------ log-in, lockout


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def _login(store, name: str, password: str, clock: Clock):
    with store.session() as s, s.begin():
        return auth.login(s, name, password, now=clock())


def _failures(store) -> list[AuditEvent]:
    with store.read_session() as s:
        return list(
            s.execute(
                select(AuditEvent).where(AuditEvent.action.like("%_failed")).order_by(AuditEvent.id)
            ).scalars()
        )


def test_lockout_for_five_minutes_after_five_failures(office) -> None:
    clock = Clock()
    st = office.store
    for i in range(4):
        r = _login(st, "biller", f"wrong password {i}", clock)
        assert isinstance(r, auth.LoginRefused)
        assert r.message == "The user name or password is not correct."
        clock.advance(seconds=10)
    # The fifth wrong password locks the account.
    r = _login(st, "biller", "wrong again", clock)
    assert isinstance(r, auth.LoginRefused)
    assert "this account is locked for 5 minutes" in r.message  # said at once
    locked_at = clock()
    # Even the right password is refused while locked, and says for how long.
    clock.advance(minutes=1)
    r = _login(st, "biller", factories.PASSWORD, clock)
    assert isinstance(r, auth.LoginRefused)
    assert "locked after 5 wrong passwords" in r.message
    assert "Try again in 4 minutes" in r.message
    clock.now = locked_at + timedelta(minutes=4, seconds=59)
    assert isinstance(_login(st, "biller", factories.PASSWORD, clock), auth.LoginRefused)
    # Five minutes after the fifth failure the account opens again.
    clock.now = locked_at + timedelta(minutes=5, seconds=1)
    actor = _login(st, "biller", factories.PASSWORD, clock)
    assert isinstance(actor, Actor) and actor.role is Role.BILLER
    # Other accounts were never affected.
    with st.read_session() as s:
        u = s.execute(select(User).where(User.username == "biller")).scalar_one()
        assert u.failed_logins == 0 and u.locked_until is None


def test_a_success_resets_the_failure_count(office) -> None:
    clock = Clock()
    st = office.store
    for _ in range(4):
        _login(st, "reception", "nope nope nope", clock)
    assert isinstance(_login(st, "reception", factories.PASSWORD, clock), Actor)
    for _ in range(4):
        _login(st, "reception", "nope nope nope", clock)
    assert isinstance(_login(st, "reception", factories.PASSWORD, clock), Actor)


def test_every_failure_is_audited_even_unknown_users(office) -> None:
    clock = Clock()
    st = office.store
    _login(st, "nobody-here", "whatever pw", clock)
    _login(st, "BILLER", "wrong wrong wrong", clock)  # user names ignore case
    with st.session() as s, s.begin():
        users.set_active(s, office.manager, office.receptionist.user_id, False)
    _login(st, "reception", factories.PASSWORD, clock)  # disabled
    for _ in range(5):
        _login(st, "manager", "wrong wrong wrong", clock)
    _login(st, "manager", factories.PASSWORD, clock)  # locked out
    rows = _failures(st)
    got = [(r.username, r.details["reason"]) for r in rows]
    assert got == [
        ("nobody-here", "unknown user"),
        ("biller", "wrong password"),
        ("reception", "disabled"),
        *[("manager", "wrong password")] * 5,
        ("manager", "locked out"),
    ]
    assert all(r.action == "login_failed" and r.user_id is None for r in rows)
    assert "locked_until" in rows[-2].details
    # No password, right or wrong, is ever written to the log.
    with st.read_session() as s:
        blob = " ".join(str(e.details) for e in s.execute(select(AuditEvent)).scalars())
        assert "wrong wrong wrong" not in blob and factories.PASSWORD not in blob
        assert audit.verify(s).ok


def test_successful_login_sets_last_login_at_and_is_audited(office) -> None:
    clock = Clock()
    st = office.store
    with st.read_session() as s:
        assert s.get(User, office.biller.user_id).last_login_at is None
    actor = _login(st, " Biller ", factories.PASSWORD, clock)
    assert isinstance(actor, Actor) and actor.user_id == office.biller.user_id
    with st.read_session() as s:
        assert s.get(User, office.biller.user_id).last_login_at == clock()
        last = s.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        assert (last.action, last.username) == ("login", "biller")
    # A failed attempt leaves it where it was.
    clock.advance(hours=2)
    _login(st, "biller", "wrong wrong wrong", clock)
    with st.read_session() as s:
        assert s.get(User, office.biller.user_id).last_login_at == clock() - timedelta(hours=2)
