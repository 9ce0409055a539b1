"""One program per store: an OS file lock held while the store is open."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from app.errors import StoreError

ALREADY_OPEN = (
    "MedBill Desk is already open on this computer. Switch to the open window "
    "(or close it) and try again."
)


class InstanceLock:
    """Holds ``<store>.lock`` exclusively; released on ``release()`` or exit."""

    def __init__(self, store_path: Path) -> None:
        self.path = Path(str(store_path) + ".lock")
        self._fh: IO[str] | None = None

    def acquire(self) -> InstanceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 (held open while the program runs)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreError(ALREADY_OPEN) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
