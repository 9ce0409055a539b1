"""A service call run off the GUI thread, in its own thread with its own
connection to the store and its own unit of work, for reads that take a
second (the aging over ten years). The screen stays live; the result comes
back as a signal in the GUI thread."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication
from sqlalchemy.orm import sessionmaker

from app.errors import UserFacingError
from app.services.auth import Actor
from app.store.engine import create_store_engine
from app.ui.context import UiContext

log = logging.getLogger("medbill.ui")


class _Worker(QObject):
    done = Signal(object)
    failed = Signal(str)

    def __init__(
        self, ctx: UiContext, actor: Actor, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        super().__init__()
        self.path, self.key = ctx.store.path, ctx.store.key
        self.actor, self.fn, self.args = actor, fn, args

    def run(self) -> None:
        engine = create_store_engine(self.path, self.key)
        try:
            with sessionmaker(bind=engine)() as s, s.begin():
                result = self.fn(s, self.actor, *self.args)
            self.done.emit(result)
        except UserFacingError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:  # a bug: log it, say so without data
            log.error("background call failed\n%s", "".join(traceback.format_exception(exc)))
            self.failed.emit(
                f"MedBill Desk hit an error it did not expect ({type(exc).__name__}). "
                "Nothing was changed."
            )
        finally:
            engine.dispose()


class BackgroundCall(QObject):
    """``fn(session, actor, *args)`` in a thread of its own. ``finished``
    carries the result, ``failed`` a message to show (both in the GUI
    thread). Kept alive until it ends, even if the screen goes away."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, ctx: UiContext, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.worker = _Worker(ctx, ctx.actor, fn, args)
        self.thread_ = QThread()
        self.worker.moveToThread(self.thread_)
        self.thread_.started.connect(self.worker.run)
        self.worker.done.connect(self._done)
        self.worker.failed.connect(self._failed)

    def start(self) -> BackgroundCall:
        global _hooked
        _running.add(self)
        app = QApplication.instance()
        if app is not None and not _hooked:
            app.aboutToQuit.connect(wait_for_all)
            _hooked = True
        self.thread_.start()
        return self

    def wait(self) -> None:
        self.thread_.wait()

    def _end(self) -> None:
        self.thread_.quit()
        self.thread_.wait()
        _running.discard(self)

    def _done(self, result: object) -> None:
        self._end()
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self._end()
        self.failed.emit(message)


_running: set[BackgroundCall] = set()
_hooked = False


def running() -> list[BackgroundCall]:
    return list(_running)


def wait_for_all() -> None:
    for call in list(_running):
        call.wait()
