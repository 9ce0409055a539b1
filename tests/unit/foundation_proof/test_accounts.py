"""Staff accounts: the role x action matrix walked through the real services,
password rules, argon2id hashes, lockout, audited failures, last log-in.

The matrix is a data table (``SERVICE_CALLS``): one row per guarded service
call, naming the permission it needs. Later areas add a row for each service
they write that calls ``require``; ``test_every_guarded_service_is_in_the_matrix``
fails until they do.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import PermissionDenied
from app.models.audit import AuditEvent
from app.models.coding import ServiceLine
from app.models.insurance import Policy
from app.models.ledger import Party, PaymentMethod
from app.models.patient import Patient
from app.models.payables import ExpenseCategory, RecurringBill
from app.models.staff import Role, User
from app.services import (
    aging,
    audit,
    auth,
    day_sheet,
    fee_schedule,
    ledger,
    maintenance,
    month_close,
    month_export,
    month_totals,
    office,
    patients,
    payables,
    payers,
    payments,
    practice_analysis,
    settings,
    statements,
    users,
)
from app.services.auth import ROLE_PERMISSIONS, Actor, Permission
from app.services.office import NewUserInput, PracticeInput, ProviderInput
from app.store.backup import BackupSummary
from app.store.engine import Store
from tests import factories

SERVICES = Path(__file__).resolve().parents[3] / "app" / "services"


@dataclass
class Env:
    """Records the matrix rows act on, made before each call."""

    practice_id: int
    provider_id: int
    patient_id: int
    biller_id: int
    receptionist_id: int
    duplicate_id: int  # a second record of the same person
    manager: Actor  # for set-up steps a row needs before its call
    folder: Path  # where exports may write
    last_month: str  # "YYYY-MM", a month that has ended
    store: Store  # the open store (a backup copies the file, not a session)


@dataclass(frozen=True)
class ServiceCall:
    """One row of the matrix: a service call and the permission(s) it needs.

    ``needs`` are all required, or with ``any_of`` one of them is enough.
    ``prepare`` runs first (as the office manager) and is not counted.
    """

    name: str  # "module.function", as in app/services/
    needs: Permission | tuple[Permission, ...]
    call: Callable[[Session, Actor, Env], object]
    any_of: bool = False
    prepare: Callable[[Session, Env], object] | None = None

    @property
    def permissions(self) -> tuple[Permission, ...]:
        return self.needs if isinstance(self.needs, tuple) else (self.needs,)

    def allowed(self, role: Role) -> bool:
        have = [p in ROLE_PERMISSIONS[role] for p in self.permissions]
        return any(have) if self.any_of else all(have)


def _backup_info(path: Path) -> maintenance.BackupInfo:
    """A backup as the restore screen describes it (start_restore only records it)."""
    summary = BackupSummary({"patient": 0}, frozenset(), "", None)
    return maintenance.BackupInfo(path, "", "store key", summary, datetime.now(UTC), 0)


def _practice_as_typed(s: Session) -> PracticeInput:
    """The practice form as it stands (saving it unchanged is a real edit)."""
    row = office.practice(s)
    return PracticeInput(**{f.name: getattr(row, f.name) for f in fields(PracticeInput)})


SERVICE_CALLS: list[ServiceCall] = [
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
        "ledger.record_patient_payment",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: ledger.record_patient_payment(
            s,
            a,
            patient_id=e.patient_id,
            amount=Decimal("20.00"),
            method=PaymentMethod.CASH,
            received=date.today(),
        ),
    ),
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
    # front desk and coding
    ServiceCall(
        "payers.add_payer",
        Permission.PAYER_EDIT,
        lambda s, a, e: payers.add_payer(
            s,
            a,
            payers.PayerInput(
                name="Lakeside Benefit Co",
                payer_code="lbc07",
                address1="PO Box 1550",
                city="Milwaukee",
                state="WI",
                zip="53202",
                phone="800-555-0123",
                timely_filing_days="90",
            ),
        ),
    ),
    ServiceCall(
        "fee_schedule.save_item",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.save_item(
            s, a, fee_schedule.FeeItemInput("99213", "Office visit, established patient", "95.00")
        ),
    ),
    ServiceCall(
        "patients.merge",
        Permission.PATIENT_MERGE,
        lambda s, a, e: patients.merge(s, a, e.patient_id, e.duplicate_id, reason="duplicate"),
    ),
    # money
    ServiceCall(
        "aging.aging",
        Permission.AR_VIEW,
        lambda s, a, e: aging.aging(s, a, date.today()),
    ),
    ServiceCall(
        "payables.add_vendor",
        Permission.PAYABLES,
        lambda s, a, e: payables.add_vendor(
            s, a, payables.VendorInput("Prairie Medical Supply", city="Springfield", state="IL")
        ),
    ),
    ServiceCall("payables.vendors", Permission.PAYABLES, lambda s, a, e: payables.vendors(s, a)),
    ServiceCall(
        "payables.restart_recurring",
        Permission.PAYABLES,
        lambda s, a, e: payables.restart_recurring(
            s, a, _latest(s, RecurringBill.id), date.today()
        ),
        prepare=lambda s, e: _stopped_recurring_bill(s, e),
    ),
    ServiceCall(
        "payments.line_parties",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.line_parties(s, a, e.patient_id),
    ),
    ServiceCall(
        "payments.patient_ledger",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.patient_ledger(s, a, e.patient_id),
    ),
    ServiceCall(
        "payments.ledger_printed",
        Permission.PAYMENT_PATIENT,
        lambda s, a, e: payments.ledger_printed(s, a, e.patient_id),
    ),
    ServiceCall(
        "payments.move_balance",
        Permission.PAYMENT_INSURANCE,
        lambda s, a, e: payments.move_balance(
            s,
            a,
            _latest(s, ServiceLine.id),
            ledger.PATIENT,
            ledger.Resp(Party.INSURANCE, _latest(s, Policy.id), _latest(s, Policy.payer_id)),
            Decimal("10.00"),
            on=date.today(),
            reason="payer to be billed",
        ),
        prepare=lambda s, e: _insured_line(s, e),
    ),
    ServiceCall(
        "statements.run_reprinted",
        Permission.STATEMENTS,
        lambda s, a, e: statements.run_reprinted(s, a, 0),
    ),
    # reports area
    ServiceCall(
        "month_totals.month_report",
        Permission.REPORTS,
        lambda s, a, e: month_totals.month_report(s, a, e.last_month),
    ),
    ServiceCall(
        "practice_analysis.practice_analysis",
        Permission.REPORTS,
        lambda s, a, e: practice_analysis.practice_analysis(
            s, a, date.today() - timedelta(days=90), date.today()
        ),
    ),
    ServiceCall(
        "day_sheet.day_sheet",
        (Permission.REPORTS, Permission.PAYMENT_PATIENT),
        lambda s, a, e: day_sheet.day_sheet(s, a, date.today()),
        any_of=True,
    ),
    ServiceCall(
        "month_export.export_month",
        (Permission.REPORTS, Permission.EXPORT),
        lambda s, a, e: month_export.export_month(s, a, e.last_month, "csv", e.folder),
    ),
    ServiceCall(
        "month_close.close_month",
        Permission.MONTH_CLOSE,
        lambda s, a, e: month_close.close_month(s, a, e.last_month),
    ),
    ServiceCall(
        "month_close.reopen_month",
        Permission.MONTH_CLOSE,
        lambda s, a, e: month_close.reopen_month(s, a, e.last_month, "a late EOB arrived"),
        prepare=lambda s, e: month_close.close_month(s, e.manager, e.last_month),
    ),
]

ROLES = [Role.RECEPTIONIST, Role.BILLER, Role.MANAGER]


def _latest(s: Session, column: object) -> int:
    return int(s.execute(select(func.max(column))).scalar_one())  # type: ignore[arg-type]


def _stopped_recurring_bill(s: Session, e: Env) -> None:
    vid = payables.add_vendor(s, e.manager, payables.VendorInput("Oak Street Realty"))
    rid = payables.add_recurring(
        s,
        e.manager,
        payables.RecurringInput(vid, Decimal("1800.00"), ExpenseCategory.RENT, date.today()),
    )
    payables.stop_recurring(s, e.manager, rid)


def _insured_line(s: Session, e: Env) -> None:
    from tests import factories_money

    pat = s.get(Patient, e.patient_id)
    factories.policy(s, pat, factories.payer(s))
    factories_money.visit(s, pat, e.provider_id, date.today(), [("99213", "115.00")])


# ------------------------------------------------------------------ claims


def _claim(s: Session, e: Env, *, sent: bool = False, paid: bool = False) -> None:
    """A coded visit for an insured patient, its claim (made as the manager),
    sent to the payer and, with ``paid``, answered, with a second policy."""
    from app.services import claim_print, claims
    from tests import factories_claims

    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    pol = factories.policy(s, pat, factories.payer(s), member_id="XJ100200300")
    factories_claims.verify(s, pol, e.manager, on=date.today())
    enc = factories_claims.coded_visit(s, pat.id, e.provider_id, pol, dos=date.today())
    made = claims.make_claim(s, e.manager, enc.id)
    if sent or paid:
        claims.check_claim(s, e.manager, made.id)
        claim_print.mark_printed(s, e.manager, [made.id], "test printer")
    if paid:
        from app.models.claims import Claim

        claim = s.get(Claim, made.id)
        assert claim is not None
        line = s.execute(select(ServiceLine.id).where(ServiceLine.encounter_id == enc.id)).scalar()
        factories_claims.post_payer_payment(s, claim, e.manager, {line: "80.00"}, date.today())
        factories.policy(s, pat, factories.payer(s, "Second Plan"), rank=2, member_id="SP1")


def _last_claim(s: Session) -> int:
    from app.models.claims import Claim

    return _latest(s, Claim.id)


def _last_visit(s: Session) -> int:
    from app.models.coding import Encounter

    return _latest(s, Encounter.id)


def _coded_visit(s: Session, e: Env) -> None:
    from tests import factories_claims

    pat = s.get(Patient, e.patient_id)
    assert pat is not None
    pol = factories.policy(s, pat, factories.payer(s), member_id="XJ100200301")
    factories_claims.coded_visit(s, pat.id, e.provider_id, pol, dos=date.today())


def _claim_rows() -> list[ServiceCall]:
    import io

    from app.reports.cms1500.data_only import ClaimPdf
    from app.services import claim_print, claims

    work, prints = Permission.CLAIM_WORK, Permission.CLAIM_PRINT
    return [
        ServiceCall("claims.list_claims", work, lambda s, a, e: claims.list_claims(s, a)),
        ServiceCall(
            "claims.unclaimed_visits",
            work,
            lambda s, a, e: claims.unclaimed_visits(s, a),
            prepare=_coded_visit,
        ),
        ServiceCall(
            "claims.make_claim",
            work,
            lambda s, a, e: claims.make_claim(s, a, _last_visit(s)),
            prepare=_coded_visit,
        ),
        ServiceCall(
            "claims.make_claims_for_coded_visits",
            work,
            lambda s, a, e: claims.make_claims_for_coded_visits(s, a),
            prepare=_coded_visit,
        ),
        ServiceCall(
            "claims.check_claim",
            work,
            lambda s, a, e: claims.check_claim(s, a, _last_claim(s)),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.check_drafts", work, lambda s, a, e: claims.check_drafts(s, a), prepare=_claim
        ),
        ServiceCall(
            "claims.claim_detail",
            work,
            lambda s, a, e: claims.claim_detail(s, a, _last_claim(s)),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.discard_draft",
            work,
            lambda s, a, e: claims.discard_draft(s, a, _last_claim(s)),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.set_payer_reference",
            work,
            lambda s, a, e: claims.set_payer_reference(s, a, _last_claim(s), "ICN123"),
            prepare=_claim,
        ),
        ServiceCall(
            "claims.correct_claim",
            work,
            lambda s, a, e: claims.correct_claim(s, a, _last_claim(s), "void", "ICN123"),
            prepare=lambda s, e: _claim(s, e, sent=True),
        ),
        ServiceCall(
            "claims.make_secondary",
            work,
            lambda s, a, e: claims.make_secondary(s, a, _last_claim(s)),
            prepare=lambda s, e: _claim(s, e, paid=True),
        ),
        ServiceCall(
            "claim_print.ready_claim_ids",
            prints,
            lambda s, a, e: claim_print.ready_claim_ids(s, a),
        ),
        ServiceCall(
            "claim_print.printable",
            prints,
            lambda s, a, e: claim_print.printable(s, a, [_last_claim(s)]),
            prepare=_claim,
        ),
        ServiceCall(
            "claim_print.render_claims",
            prints,
            lambda s, a, e: claim_print.render_claims(
                s, a, [_last_claim(s)], ClaimPdf(io.BytesIO())
            ),
            prepare=lambda s, e: _claim(s, e, sent=True),
        ),
        ServiceCall(
            "claim_print.mark_printed",
            prints,
            lambda s, a, e: claim_print.mark_printed(s, a, [_last_claim(s)], "test printer"),
            prepare=lambda s, e: _claim(s, e, sent=True),
        ),
        ServiceCall(
            "claim_print.save_printer_offsets",
            prints,
            lambda s, a, e: claim_print.save_printer_offsets(s, a, "Front desk", 1.5, -2.0),
        ),
    ]


SERVICE_CALLS.extend(_claim_rows())


def _env(office_, folder: Path) -> Env:
    with office_.store.unit_of_work() as s:
        pid = factories.patient(s).id
        dup = factories.patient(s).id
    first_of_month = date.today().replace(day=1)
    return Env(
        office_.practice_id,
        office_.provider_id,
        pid,
        office_.biller.user_id,
        office_.receptionist.user_id,
        dup,
        office_.manager,
        folder,
        (first_of_month - timedelta(days=1)).strftime("%Y-%m"),
        office_.store,
    )


def _actor(office_, role: Role) -> Actor:
    return {
        Role.RECEPTIONIST: office_.receptionist,
        Role.BILLER: office_.biller,
        Role.MANAGER: office_.manager,
    }[role]


def _audit_rows(s: Session) -> int:
    return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar() or 0)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("row", SERVICE_CALLS, ids=lambda r: r.name)
def test_role_matrix(office, tmp_path, row: ServiceCall, role: Role) -> None:
    env = _env(office, tmp_path / "exports")
    env.folder.mkdir()
    actor = _actor(office, role)
    if row.prepare is not None:
        with office.store.session() as s, s.begin():
            row.prepare(s, env)
    with office.store.session() as s, s.begin():
        before = _audit_rows(s)
        if row.allowed(role):
            row.call(s, actor, env)
        else:
            with pytest.raises(PermissionDenied) as exc:
                row.call(s, actor, env)
            # The service stopped before writing anything, and said why.
            assert _audit_rows(s) == before
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


def _guarded_functions() -> set[str]:
    """``module.function`` for every public service function that checks a
    permission (calls ``require`` or raises ``PermissionDenied``)."""
    out: set[str] = set()
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in tree.body:
            if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
                continue
            for node in ast.walk(fn):
                # require(actor, ...) or a PermissionDenied raised by hand
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("require", "PermissionDenied")
                ):
                    out.add(f"{path.stem}.{fn.name}")
    return out


# Guarded services that landed before they had a row (front desk, coding,
# money). This list only shrinks: give each a SERVICE_CALLS row and remove it.
NOT_YET_IN_THE_MATRIX = {
    "aging.collections",
    "aging.export_aging_csv",
    "aging.export_collections_csv",
    "ledger.apply_credit",
    "ledger.refund",
    "ledger.reverse_txn",
    "ledger.transfer",
    "ledger.write_off",
    "payables.add_bill",
    "payables.add_recurring",
    "payables.bill_payments",
    "payables.bills",
    "payables.create_due_bills",
    "payables.paid_by_category",
    "payables.pay_bill",
    "payables.recurring",
    "payables.stop_recurring",
    "payables.update_vendor",
    "payables.void_bill",
    "payments.account",
    "payments.apply_account_credit",
    "payments.find_patients",
    "payments.patient_payments",
    "payments.record_saved_copy",
    "payments.take_patient_payment",
    "payments.void_payment",
    "posting.claim_for_posting",
    "posting.claim_postings",
    "posting.find_claims",
    "posting.payer_payments",
    "posting.post_eob",
    "posting.preview_eob",
    "posting.record_payer_payment",
    "posting.recoup_credit",
    "posting.reverse_eob",
    "statements.candidates",
    "statements.make_pdf",
    "statements.record_statements",
    "statements.sent",
    "appointments.appointment_input",
    "appointments.appointment_row",
    "appointments.book",
    "appointments.cancel",
    "appointments.complete",
    "appointments.day_list",
    "appointments.move",
    "appointments.no_show",
    "appointments.patient_appointments",
    "appointments.providers",
    "checkin.check_in",
    "checkin.gate",
    "checkin.receipt",
    "checkin.take_copay",
    "checkin.unverified_visits",
    "checkin.verify_tomorrow",
    "encounters.choices",
    "encounters.encounters_of_patient",
    "encounters.favourites",
    "encounters.find_patients",
    "encounters.last_visit",
    "encounters.ledger_rows",
    "encounters.load",
    "encounters.mark_coded",
    "encounters.reopen",
    "encounters.review_draft",
    "encounters.save",
    "encounters.start_for_patient",
    "encounters.start_from_appointment",
    "encounters.worklist",
    "fee_schedule.apply_import",
    "fee_schedule.get_item",
    "fee_schedule.import_hcpcs_file",
    "fee_schedule.list_items",
    "fee_schedule.load_starter",
    "fee_schedule.preview_import",
    "fee_schedule.search_procedures",
    "fee_schedule.set_allowed",
    "patients.banner",
    "patients.details",
    "patients.find_duplicates",
    "patients.patient_record",
    "patients.register",
    "patients.update",
    "patients_search.search_patients",
    "payers.list_payers",
    "payers.payer_input",
    "payers.update_payer",
    "policies.add_card_image",
    "policies.add_policy",
    "policies.card_images",
    "policies.patient_of_policy",
    "policies.policy_input",
    "policies.screen_data",
    "policies.set_order",
    "policies.update_policy",
    "verification.record_verification",
}


def test_every_guarded_service_is_in_the_matrix() -> None:
    guarded = _guarded_functions()
    assert {"users.add_user", "day_sheet.day_sheet"} <= guarded  # the scan works
    rows = {r.name for r in SERVICE_CALLS}
    missing = sorted(guarded - rows - NOT_YET_IN_THE_MATRIX - {"auth.require"})
    assert missing == [], f"add a SERVICE_CALLS row in {__file__} for: {missing}"
    # A service that got its row, or no longer exists, leaves the list.
    stale = sorted(NOT_YET_IN_THE_MATRIX & rows | NOT_YET_IN_THE_MATRIX - guarded)
    assert stale == [], f"remove from NOT_YET_IN_THE_MATRIX: {stale}"


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
