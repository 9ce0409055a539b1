"""Who is acting, what each role may do, passwords and log-in.

Permissions are checked here, in the services, so a receptionist calling a
manager-only service gets ``PermissionDenied`` whatever the screen shows.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import PermissionDenied
from app.models.base import utcnow
from app.models.staff import Role, User

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)

_hasher = PasswordHasher()  # argon2id with the library's current parameters


@dataclass(frozen=True)
class Actor:
    """The logged-in user, as every service sees them."""

    user_id: int
    username: str
    full_name: str
    role: Role

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER


class Permission(enum.StrEnum):
    # front desk
    PATIENT_VIEW = "view patients"
    PATIENT_EDIT = "register and edit patients"
    PATIENT_MERGE = "merge patient records"
    SSN_VIEW = "see whole social security numbers"
    PAYER_EDIT = "keep the payer list"
    POLICY_EDIT = "edit insurance policies"
    VERIFY_COVERAGE = "record coverage verifications"
    SCHEDULE = "keep the appointment list"
    CHECK_IN = "check patients in"
    GATE_OVERRIDE = "override the coverage check at check-in"
    # coding
    CODE_VISIT = "code visits"
    FEE_SCHEDULE_EDIT = "edit the fee schedule"
    # claims
    CLAIM_WORK = "build and correct claims"
    CLAIM_PRINT = "print and export claims"
    # money
    PAYMENT_PATIENT = "take patient payments"
    PAYMENT_INSURANCE = "post insurance payments"
    REFUND = "refund credits"
    WRITE_OFF = "write off balances"
    STATEMENTS = "print patient statements"
    AR_VIEW = "work accounts receivable"
    PAYABLES = "keep accounts payable"
    # reports and office
    REPORTS = "run office reports"
    MONTH_CLOSE = "close and reopen months"
    USERS_MANAGE = "manage staff accounts"
    SETTINGS = "change office settings"
    AUDIT_VIEW = "read the audit log"
    BACKUP = "back up and restore the store"
    EXPORT = "export data to files"


_RECEPTION = {
    Permission.PATIENT_VIEW,
    Permission.PATIENT_EDIT,
    Permission.POLICY_EDIT,
    Permission.VERIFY_COVERAGE,
    Permission.SCHEDULE,
    Permission.CHECK_IN,
    Permission.PAYMENT_PATIENT,
}
_BILLING = {
    Permission.PATIENT_VIEW,
    Permission.PATIENT_EDIT,
    Permission.POLICY_EDIT,
    Permission.VERIFY_COVERAGE,
    Permission.PAYER_EDIT,
    Permission.SCHEDULE,
    Permission.CODE_VISIT,
    Permission.FEE_SCHEDULE_EDIT,
    Permission.CLAIM_WORK,
    Permission.CLAIM_PRINT,
    Permission.PAYMENT_PATIENT,
    Permission.PAYMENT_INSURANCE,
    Permission.REFUND,
    Permission.STATEMENTS,
    Permission.AR_VIEW,
    Permission.EXPORT,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RECEPTIONIST: frozenset(_RECEPTION),
    Role.BILLER: frozenset(_BILLING),
    Role.MANAGER: frozenset(Permission),
}


def can(actor: Actor, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[actor.role]


def require(actor: Actor, permission: Permission) -> None:
    if not can(actor, permission):
        raise PermissionDenied(
            f"{actor.role.label}s may not {permission.value}. Ask the office manager."
        )


# ------------------------------------------------------------------ passwords


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "cannot start or end with a space"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.full_name, user.role)


@dataclass(frozen=True)
class LoginRefused:
    """A refused log-in. Returned, not raised, so the caller commits the
    failure's audit row and the failure count."""

    message: str


def login(
    s: Session,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    action: str = "login",
) -> Actor | LoginRefused:
    """Check a user name and password; audit the outcome (commit either way).

    Five failures in a row lock the account for five minutes. ``action`` is
    "unlock" when the password is typed on the lock screen.
    """
    from app.services import audit

    now = now or utcnow()
    name = username.strip().lower()
    user = s.execute(select(User).where(func.lower(User.username) == name)).scalar_one_or_none()
    if user is None or not user.active:
        audit.record(
            s,
            None,
            f"{action}_failed",
            username=name[:40],
            details={"reason": "unknown user" if user is None else "disabled"},
        )
        return LoginRefused("The user name or password is not correct.")
    if user.locked_until and user.locked_until > now:
        minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
        audit.record(
            s, None, f"{action}_failed", username=user.username, details={"reason": "locked out"}
        )
        return LoginRefused(
            f"This account is locked after {MAX_FAILURES} wrong passwords. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or ask the office manager."
        )
    if not password_matches(user.password_hash, password):
        user.failed_logins += 1
        details: dict[str, object] = {"reason": "wrong password", "failures": user.failed_logins}
        locked = user.failed_logins >= MAX_FAILURES
        if locked:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            details["locked_until"] = user.locked_until.isoformat()
        audit.record(s, None, f"{action}_failed", username=user.username, details=details)
        if locked:  # say so now, not only at the next try with the right password
            minutes = int(LOCKOUT.total_seconds() // 60)
            return LoginRefused(
                f"The password is not correct. After {MAX_FAILURES} wrong passwords this "
                f"account is locked for {minutes} minutes; try again then, or ask the "
                "office manager."
            )
        return LoginRefused("The user name or password is not correct.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    actor = actor_for(user)
    audit.record(s, actor, action)
    return actor


def logout(s: Session, actor: Actor) -> None:
    from app.services import audit

    audit.record(s, actor, "logout")
