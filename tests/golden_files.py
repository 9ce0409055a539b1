"""Reference files for golden tests (tests/golden/). ``MEDBILL_REGEN_GOLDEN=1``
rewrites them from the current output; review the diff before committing."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def check_golden(relpath: str, text: str) -> None:
    path = GOLDEN / relpath
    if os.environ.get("MEDBILL_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{relpath} differs from the golden file"
