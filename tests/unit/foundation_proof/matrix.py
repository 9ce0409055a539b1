"""The role x action matrix's row type and the records its rows act on.

Each area keeps its rows in its own module (``matrix_frontdesk``,
``matrix_coding``, ``matrix_money``, ``matrix_reports``); ``test_accounts``
walks them all as receptionist, biller and office manager.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.models.ledger import PaymentMethod
from app.models.staff import Role
from app.services import ledger
from app.services.auth import ROLE_PERMISSIONS, Actor, Permission
from app.store.engine import Store


@dataclass
class Env:
    """Records the matrix rows act on, made before each call."""

    practice_id: int
    provider_id: int
    patient_id: int  # a registered patient with no policy and nothing owed
    biller_id: int
    receptionist_id: int
    duplicate_id: int  # a second record of the same person
    manager: Actor  # for set-up steps a row needs before its call
    folder: Path  # where exports may write (a refused call leaves it empty)
    inputs: Path  # files a call reads (an import file)
    last_month: str  # "YYYY-MM", a month that has ended
    store: Store  # the open store (a backup copies the file, not a session)
    made: Any = None  # what the row's ``prepare`` returned


@dataclass(frozen=True)
class ServiceCall:
    """One row of the matrix: a service call and the permission(s) it needs.

    ``needs`` are all required (the service checks them in that order), or
    with ``any_of`` one of them is enough. ``prepare`` runs first, in its own
    committed unit of work, as the office manager; what it returns is
    ``env.made`` for the call. ``case`` tells apart rows of one service that
    take different paths (the patient's money or a payer's, each way through
    check-in), some of them checking other permissions.
    """

    name: str  # "module.function", as in app/services/
    needs: Permission | tuple[Permission, ...]
    call: Callable[[Session, Actor, Env], object]
    any_of: bool = False
    prepare: Callable[[Session, Env], object] | None = None
    case: str = ""

    @property
    def permissions(self) -> tuple[Permission, ...]:
        return self.needs if isinstance(self.needs, tuple) else (self.needs,)

    @property
    def label(self) -> str:
        return f"{self.name}:{self.case}" if self.case else self.name

    def allowed(self, role: Role) -> bool:
        have = [p in ROLE_PERMISSIONS[role] for p in self.permissions]
        return any(have) if self.any_of else all(have)


def patient_payment(s: Session, e: Env) -> int:
    """A prepare step: 20.00 cash from the patient today, not yet applied to
    any line (a credit on the account)."""
    return ledger.record_patient_payment(
        s,
        e.manager,
        patient_id=e.patient_id,
        amount=Decimal("20.00"),
        method=PaymentMethod.CASH,
        received=date.today(),
    ).id
