"""A keyring backend for benchmarks only: keeps entries in a JSON file named
by ``MEDBILL_BENCH_KEYRING``, so a start-up subprocess finds the key of a
synthetic benchmark store the way the program finds a real key in the OS
keyring. Select it with ``PYTHON_KEYRING_BACKEND=bench.filekeyring.FileKeyring``.
Never use it for a real office."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _file(self) -> Path:
        return Path(os.environ["MEDBILL_BENCH_KEYRING"])

    def _load(self) -> dict[str, str]:
        f = self._file()
        return json.loads(f.read_text()) if f.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._load()
        items[f"{service}/{username}"] = password
        self._file().write_text(json.dumps(items))

    def delete_password(self, service: str, username: str) -> None:
        items = self._load()
        items.pop(f"{service}/{username}", None)
        self._file().write_text(json.dumps(items))
