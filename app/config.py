"""Where the program keeps its files on this machine.

Everything patient-related is inside the encrypted store; the files here are
the store itself, its key file (only when the office uses a passphrase
instead of the OS keyring), its lock file, backups made before upgrades, and a
private temp folder for print jobs.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "MedBillDesk"
APP_AUTHOR = "MedBill"
STORE_FILE_NAME = "office.medbill"


@dataclass(frozen=True)
class Paths:
    """The folders and files of one installation."""

    data_dir: Path

    @property
    def store(self) -> Path:
        return self.data_dir / STORE_FILE_NAME

    @property
    def key_file(self) -> Path:
        return self.data_dir / (STORE_FILE_NAME + ".key")

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def reference(self) -> Path:
        """Reference data that holds no patient data (code-set search index)."""
        return self.data_dir / "reference"

    @property
    def temp(self) -> Path:
        """A private temp folder (mode 0700) for print jobs; emptied at start."""
        return self.data_dir / "tmp"


def default_paths() -> Paths:
    override = os.environ.get("MEDBILL_DATA_DIR")
    if override:
        return Paths(Path(override))
    return Paths(Path(platformdirs.user_data_dir(APP_DIR_NAME, APP_AUTHOR)))


def private_temp_dir(paths: Paths) -> Path:
    """Create (if needed) and return the private temp folder."""
    paths.temp.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(paths.temp, 0o700)
    return paths.temp


def private_temp_file(paths: Paths, suffix: str) -> Path:
    """A new empty file in the private temp folder; the caller removes it."""
    fd, name = tempfile.mkstemp(suffix=suffix, dir=private_temp_dir(paths))
    os.close(fd)
    return Path(name)
