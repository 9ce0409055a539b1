"""Staff accounts (office manager only): add, disable, reset passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, UserFacingError
from app.models.staff import Role, User
from app.services import audit
from app.services.auth import Actor, Permission, hash_password, password_problem, require
from app.services.office import NewUserInput, check_new_user
from app.validation import Checker


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    locked: bool
    must_change_password: bool = False
    last_login: datetime | None = None  # None: never logged in

    @property
    def status(self) -> str:
        if not self.active:
            return "Disabled"
        if self.locked:
            return "Locked out (wrong passwords)"
        if self.must_change_password:
            return "Must change password"
        return "Active"


def list_users(s: Session, actor: Actor) -> list[UserRow]:
    require(actor, Permission.USERS_MANAGE)
    from app.models.base import utcnow

    now = utcnow()
    return [
        UserRow(
            u.id,
            u.username,
            u.full_name,
            u.role,
            u.active,
            bool(u.locked_until and u.locked_until > now),
            u.must_change_password,
            u.last_login_at,
        )
        for u in s.execute(select(User).order_by(User.username)).scalars()
    ]


def add_user(s: Session, actor: Actor, data: NewUserInput) -> UserRow:
    require(actor, Permission.USERS_MANAGE)
    c = check_new_user(data)
    name = data.username.strip()
    if (
        name
        and s.execute(
            select(func.count()).select_from(User).where(func.lower(User.username) == name.lower())
        ).scalar()
    ):
        c.add("username", f"The user name '{name}' is taken")
    c.raise_if_any()
    u = User(
        username=name,
        full_name=data.full_name.strip(),
        role=data.role,
        password_hash=hash_password(data.password),
        must_change_password=True,
    )
    s.add(u)
    s.flush()
    audit.record(
        s,
        actor,
        "user_added",
        entity="user",
        entity_id=u.id,
        details={"username": u.username, "role": u.role.value},
    )
    return UserRow(u.id, u.username, u.full_name, u.role, True, False, True)


def _user(s: Session, user_id: int) -> User:
    u = s.get(User, user_id)
    if u is None:
        raise NotFound("That account no longer exists.")
    return u


def _active_managers(s: Session) -> int:
    return int(
        s.execute(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.MANAGER, User.active.is_(True))
        ).scalar()
        or 0
    )


def set_active(s: Session, actor: Actor, user_id: int, active: bool) -> None:
    require(actor, Permission.USERS_MANAGE)
    u = _user(s, user_id)
    if not active and u.id == actor.user_id:
        raise UserFacingError("You cannot disable your own account.")
    if not active and u.role is Role.MANAGER and u.active and _active_managers(s) <= 1:
        raise UserFacingError("The office needs at least one active office manager.")
    if u.active == active:
        return
    u.active = active
    audit.record(
        s,
        actor,
        "user_enabled" if active else "user_disabled",
        entity="user",
        entity_id=u.id,
        details={"username": u.username},
    )


def set_role(s: Session, actor: Actor, user_id: int, role: Role) -> None:
    require(actor, Permission.USERS_MANAGE)
    u = _user(s, user_id)
    if u.role is Role.MANAGER and role is not Role.MANAGER and _active_managers(s) <= 1:
        raise UserFacingError("The office needs at least one active office manager.")
    if u.role == role:
        return
    old = u.role
    u.role = role
    audit.record(
        s,
        actor,
        "user_role_changed",
        entity="user",
        entity_id=u.id,
        details={"username": u.username, "old": old.value, "new": role.value},
    )


def reset_password(s: Session, actor: Actor, user_id: int, new_password: str) -> None:
    """Set a temporary password; the person must change it at the next log-in."""
    require(actor, Permission.USERS_MANAGE)
    c = Checker()
    c.check("password", password_problem(new_password), "Password")
    c.raise_if_any()
    u = _user(s, user_id)
    u.password_hash = hash_password(new_password)
    u.failed_logins = 0
    u.locked_until = None
    u.must_change_password = True
    audit.record(
        s, actor, "password_reset", entity="user", entity_id=u.id, details={"username": u.username}
    )


def change_own_password(s: Session, actor: Actor, old: str, new: str, again: str) -> None:
    from app.services.auth import password_matches

    u = _user(s, actor.user_id)
    c = Checker()
    if not password_matches(u.password_hash, old):
        c.add("old_password", "The current password is not correct")
    c.check("password", password_problem(new), "New password")
    if new != again:
        c.add("password_again", "The two passwords are not the same")
    if new and new == old:
        c.add("password", "The new password must differ from the current one")
    c.raise_if_any()
    u.password_hash = hash_password(new)
    u.must_change_password = False
    audit.record(s, actor, "password_changed", entity="user", entity_id=u.id)


def must_change_password(s: Session, actor: Actor) -> bool:
    u = s.get(User, actor.user_id)
    return bool(u and u.must_change_password)


def record_lock(s: Session, actor: Actor, reason: str) -> None:
    """The screen was locked ("idle" after the idle time, or "menu": File > Lock)."""
    audit.record(s, actor, "lock", details={"reason": reason})


def hand_over(s: Session, previous: Actor, new: Actor) -> None:
    """Another user unlocked the screen: the previous user is logged out."""
    audit.record(
        s,
        previous,
        "logout",
        details={"reason": "another user unlocked", "unlocked_by": new.username},
    )


def unlock_declined(s: Session, actor: Actor, previous: Actor) -> None:
    """Another user typed a right password at the lock, then chose not to
    close the locked user's open windows: they are logged out again."""
    audit.record(
        s,
        actor,
        "logout",
        details={
            "reason": "unlock declined: the locked user's windows stay open",
            "locked_user": previous.username,
        },
    )
