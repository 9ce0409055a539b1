"""The packaged build's check (``medbill --self-check``, run by ``make dist``
on the built program) also passes from source, so it cannot rot unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_self_check_passes_from_source(tmp_path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "app", "--self-check"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[3],
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert lines[-1] == "self-check passed"
    for step in (
        "store: created",
        "backup: written and verified",
        "icd-10-cm: E11.9",
        "reports:",
        "resources: starter fee schedule",
        "qt: log-in window shown",
    ):
        assert any(line.startswith(step) for line in lines), step
    # The throwaway store and its temp files are gone afterwards.
    assert not any(p.name.startswith("medbill-selfcheck-") for p in tmp_path.iterdir())
