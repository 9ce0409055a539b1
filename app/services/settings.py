"""Office-wide settings with their defaults. Values are JSON; money as text."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.errors import Problem, ValidationError
from app.models.practice import Setting
from app.services import audit
from app.services.auth import Actor, Permission, require

DEFAULTS: dict[str, Any] = {
    "idle_lock_minutes": 10,
    "verification_window_days": 30,
    "statement_message": "",
    "statement_minimum": "5.00",
    # Per-printer offsets for pre-printed CMS-1500 forms, in points:
    # {"printer name": {"dx": 0.0, "dy": 0.0}}
    "cms1500_offsets": {},
}

_LIMITS: dict[str, tuple[int, int]] = {
    "idle_lock_minutes": (1, 240),
    "verification_window_days": (1, 365),
}


def get(s: Session, key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(key)
    row = s.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


def _check(key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    if key in _LIMITS:
        lo, hi = _LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ValidationError(
                [
                    Problem(
                        key,
                        f"{key.replace('_', ' ').capitalize()} must be a whole number from {lo} to {hi}",
                    )
                ]
            )


def put(s: Session, actor: Actor, key: str, value: Any) -> None:
    """Change a setting (office manager); audited with old and new values."""
    require(actor, Permission.SETTINGS)
    _check(key, value)
    old = get(s, key)
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit.record(
        s,
        actor,
        "setting_changed",
        entity="setting",
        entity_id=key,
        details={"old": old, "new": value},
    )


def put_many(s: Session, actor: Actor, values: dict[str, Any]) -> list[str]:
    """Change several settings at once (one audit row per changed key); all
    are checked before any is written. Returns the keys that changed."""
    require(actor, Permission.SETTINGS)
    problems: list[Problem] = []
    for key, value in values.items():
        try:
            _check(key, value)
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems)
    changed = [k for k, v in values.items() if get(s, k) != v]
    for key in changed:
        put(s, actor, key, values[key])
    return changed
