"""A claim's status changes, each with a dated history row.

The road of a claim: draft -> ready (passes the check) -> printed / exported
-> paid, partly paid, denied -> appealed / corrected / voided / closed.
``ALLOWED`` says which moves may happen; the payer's answer (paid, partly
paid, denied) may arrive for any claim that has not been voided, since a
payer answers what it received whatever the office did meanwhile, and a
reversed EOB posting takes the claim back to where it was before the answer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.errors import UserFacingError
from app.models.claims import Claim, ClaimEvent, ClaimStatus
from app.services import audit
from app.services.auth import Actor

S = ClaimStatus
OUTCOMES = frozenset({S.PAID, S.PARTLY_PAID, S.DENIED})
_AFTER_SENDING = frozenset({S.APPEALED, S.CORRECTED, S.VOIDED, S.CLOSED})
# A reversed EOB posting puts the claim back where it was before the answer.
_UNDO_ANSWER = frozenset({S.READY, S.PRINTED, S.EXPORTED, S.APPEALED, S.CORRECTED, S.CLOSED})

ALLOWED: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.DRAFT: frozenset({S.READY, S.CLOSED}),
    S.READY: frozenset({S.DRAFT, S.PRINTED, S.EXPORTED, S.CLOSED}),
    S.PRINTED: frozenset({S.PRINTED, S.EXPORTED} | _AFTER_SENDING),
    S.EXPORTED: frozenset({S.PRINTED, S.EXPORTED} | _AFTER_SENDING),
    S.PAID: _AFTER_SENDING | _UNDO_ANSWER,
    S.PARTLY_PAID: _AFTER_SENDING | _UNDO_ANSWER,
    S.DENIED: _AFTER_SENDING | _UNDO_ANSWER,
    S.APPEALED: frozenset({S.APPEALED, S.CORRECTED, S.VOIDED, S.CLOSED}),
    S.CORRECTED: frozenset({S.CLOSED}),
    S.VOIDED: frozenset(),
    S.CLOSED: frozenset({S.APPEALED, S.CORRECTED, S.VOIDED}),
}


def can_move(old: ClaimStatus, new: ClaimStatus) -> bool:
    if new in OUTCOMES:
        return old is not S.VOIDED
    return new in ALLOWED[old]


def set_status(
    s: Session, actor: Actor | None, claim: Claim, status: ClaimStatus, note: str = ""
) -> ClaimEvent:
    """Move ``claim`` to ``status`` and record it (history row + audit row).

    Refuses a move that ``ALLOWED`` does not list (e.g. a voided claim marked
    paid, a draft marked printed), with a message for the person at the desk.
    """
    old = claim.status
    if old is not None and not can_move(old, status):
        raise UserFacingError(
            f"Claim {claim.claim_no} is {old.value.replace('_', ' ')}; "
            f"it cannot be marked {status.value.replace('_', ' ')}."
        )
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
