"""What every screen gets: the open store, the acting user, and a signal that
tells views what changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.config import Paths
from app.services.auth import Actor, Permission, can
from app.store.engine import Store


class UiContext(QObject):
    """One per logged-in session of the main window."""

    # A topic such as "patients", "appointments", "claims", "ledger", "settings".
    changed = Signal(str)
    actor_changed = Signal()
    # Ask the main window to show a record: (kind, id). Kinds and the area
    # that shows them are listed in ``app.ui.areas.RECORD_AREAS``.
    open_requested = Signal(str, object)

    def __init__(self, store: Store, paths: Paths, actor: Actor, *, demo: bool = False) -> None:
        super().__init__()
        self.store = store
        self.paths = paths
        self.actor = actor
        self.demo = demo

    def can(self, permission: Permission) -> bool:
        return can(self.actor, permission)

    def open_record(self, kind: str, record_id: object = None) -> None:
        """Show a record in its work area (e.g. a claim check's "Fix" button)."""
        self.open_requested.emit(kind, record_id)

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        self.actor_changed.emit()
