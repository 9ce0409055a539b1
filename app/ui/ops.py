"""The one way screens change data.

``run`` opens a unit of work, calls the service with the session and the
acting user, and handles failure the same way everywhere: a
``ValidationError`` goes to the form (or a message box), any other
``UserFacingError`` is shown verbatim, and anything else is a bug: logged,
and shown in a crash dialog that carries no patient data.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import UserFacingError, ValidationError
from app.ui.context import UiContext

log = logging.getLogger("medbill.ui")
T = TypeVar("T")


class Failed:
    """Returned by ``run`` when the call did not succeed (``None`` can be a result)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __bool__(self) -> bool:
        return False


def run(
    parent: QWidget | None,
    ctx: UiContext,
    fn: Callable[..., T],
    *args: Any,
    on_invalid: Callable[[ValidationError], None] | None = None,
    changed: str | None = None,
    readonly: bool = False,
    **kwargs: Any,
) -> T | Failed:
    """Call ``fn(session, actor, *args, **kwargs)`` in one transaction."""
    try:
        factory = ctx.store.read_session if readonly else ctx.store.session
        with factory() as s, s.begin():
            result = fn(s, ctx.actor, *args, **kwargs)
    except ValidationError as exc:
        if on_invalid is not None:
            on_invalid(exc)
        else:
            QMessageBox.warning(parent, "Please correct", exc.message)
        return Failed(exc)
    except UserFacingError as exc:
        QMessageBox.warning(parent, "MedBill Desk", exc.message)
        return Failed(exc)
    except Exception as exc:  # a bug: never show repr(e) or data to the user
        report_bug(parent, exc)
        return Failed(exc)
    if changed:
        ctx.changed.emit(changed)
    return result


def query(
    parent: QWidget | None, ctx: UiContext, fn: Callable[..., T], *args: Any, **kwargs: Any
) -> T | Failed:
    """``run`` for reads: a deferred transaction, nothing announced."""
    return run(parent, ctx, fn, *args, readonly=True, **kwargs)


def report_bug(parent: QWidget | None, exc: BaseException) -> None:
    """Log the traceback (code locations only) and tell the person plainly."""
    log.error("unexpected error\n%s", "".join(traceback.format_exception(exc)))
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("MedBill Desk: something went wrong")
    box.setText(
        "MedBill Desk hit an error it did not expect. Nothing of this step was saved; "
        "what was saved before is safe.\n\nPlease tell the office manager what you were doing. "
        f"(Error type: {type(exc).__name__})"
    )
    box.exec()
