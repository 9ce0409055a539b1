"""Role matrix rows for coding: the fee schedule and its imports, and coding
a visit from start to coded (and reopened)."""

from __future__ import annotations

from app.services import fee_schedule
from app.services.auth import Permission
from tests.unit.foundation_proof.matrix import ServiceCall

ROWS: list[ServiceCall] = [
    ServiceCall(
        "fee_schedule.save_item",
        Permission.FEE_SCHEDULE_EDIT,
        lambda s, a, e: fee_schedule.save_item(
            s, a, fee_schedule.FeeItemInput("99213", "Office visit, established patient", "95.00")
        ),
    ),
]
