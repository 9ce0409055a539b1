"""The office's clock, for a story told on fixed days.

The services take ``today`` where a caller may pass it, but the screens read
the computer's clock (``date.today()``, ``datetime.now()``, ``QDate.currentDate()``):
a visit can only be checked in on its own day, a verification counts only
for visits on or after the day it was made, a claim is "made" in the month
of its ``created_at``, and a month can be closed only once it has ended. To
drive the real screens through one day of a past month and then close that
month, this helper moves the program's clock (and only the program's: pytest,
Qt's timers and the operating system keep the real one).

``OfficeClock.install()`` imports every module of ``app`` and replaces, in
each, the names bound to ``datetime.date`` and ``datetime.datetime`` with
subclasses whose ``today()`` / ``now()`` read this clock; ``isinstance`` still
accepts real dates, and constructing one still gives a real ``date``. Each
reading of the clock is a millisecond after the one before, so rows written
one after another keep their order and every run reads the same times.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import pkgutil
import sys
import threading
from typing import Any

import pytest
from PySide6.QtCore import QDate

import app

_REAL_DATE = _dt.date
_REAL_DATETIME = _dt.datetime
# Not modules of the program proper: alembic's environment runs migrations
# when imported, and the entry point parses the command line.
_SKIP = ("app.store.migrations", "app.__main__")


class _Real(type):
    """``isinstance(x, date)`` and ``issubclass`` answer as for the real class."""

    _real: type

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls._real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls._real)


class OfficeClock:
    TICK = _dt.timedelta(milliseconds=1)

    def __init__(self) -> None:
        self._now = _REAL_DATETIME(2000, 1, 1, 9, 0)
        self._lock = threading.Lock()  # background jobs read it too

    # ------------------------------------------------------------- the time

    def set(self, local: _dt.datetime) -> None:
        """Make it ``local`` (naive local time) now; the clock runs on from there."""
        with self._lock:
            self._now = _REAL_DATETIME(
                local.year, local.month, local.day, local.hour, local.minute, local.second
            )

    def now(self) -> _dt.datetime:
        """Local time now, naive (as ``datetime.now()``)."""
        with self._lock:
            self._now += self.TICK
            return self._now

    def today(self) -> _dt.date:
        n = self.now()
        return _REAL_DATE(n.year, n.month, n.day)

    # ------------------------------------------------------------- installing

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        clock = self

        class OfficeDate(_REAL_DATE, metaclass=_Real):
            _real = _REAL_DATE

            def __new__(cls, *args: Any, **kwargs: Any) -> _dt.date:  # type: ignore[misc]
                return _REAL_DATE(*args, **kwargs)

            @classmethod
            def today(cls) -> _dt.date:  # type: ignore[override]
                return clock.today()

        class OfficeDateTime(_REAL_DATETIME, metaclass=_Real):
            _real = _REAL_DATETIME

            def __new__(cls, *args: Any, **kwargs: Any) -> _dt.datetime:  # type: ignore[misc]
                return _REAL_DATETIME(*args, **kwargs)

            @classmethod
            def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
                local = clock.now()
                return local if tz is None else local.astimezone(tz)

            @classmethod
            def today(cls) -> _dt.datetime:  # type: ignore[override]
                return clock.now()

            @classmethod
            def utcnow(cls) -> _dt.datetime:  # type: ignore[override]
                return clock.now().astimezone(_dt.UTC).replace(tzinfo=None)

        for info in pkgutil.walk_packages(app.__path__, "app."):
            if not info.name.startswith(_SKIP):
                importlib.import_module(info.name)
        for name, module in list(sys.modules.items()):
            if name != "app" and not name.startswith("app."):
                continue
            for attr, value in list(vars(module).items()):
                if value is _REAL_DATE:
                    monkeypatch.setattr(module, attr, OfficeDate)
                elif value is _REAL_DATETIME:
                    monkeypatch.setattr(module, attr, OfficeDateTime)

        def current_date() -> QDate:
            d = clock.today()
            return QDate(d.year, d.month, d.day)

        monkeypatch.setattr(QDate, "currentDate", staticmethod(current_date))
