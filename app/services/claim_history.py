"""A claim's status changes, each with a dated history row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models.claims import Claim, ClaimEvent, ClaimStatus
from app.services import audit
from app.services.auth import Actor


def set_status(
    s: Session, actor: Actor | None, claim: Claim, status: ClaimStatus, note: str = ""
) -> ClaimEvent:
    """Move ``claim`` to ``status`` and record it (history row + audit row).

    Which moves are allowed is decided by the claims service that calls this;
    this is the single place that writes the change.
    """
    old = claim.status
    claim.status = status
    ev = ClaimEvent(
        claim_id=claim.id, user_id=actor.user_id if actor else None, status=status, note=note
    )
    s.add(ev)
    s.flush()
    audit.record(
        s,
        actor,
        "claim_status",
        entity="claim",
        entity_id=claim.claim_no,
        patient_id=claim.patient_id,
        details={"old": old.value if old else None, "new": status.value, "note": note},
    )
    return ev
