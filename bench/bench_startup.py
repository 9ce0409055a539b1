"""Cold start to the log-in window vs a bare PySide6 window, same run.

Each run is a new process (python -m app --exit-when-shown) on this
computer's kind of office store: a synthetic office of 300 patients and a
year of visits, its key in a keyring, the schema current. The clock runs from
spawning the process to the line it prints when the log-in window's Show
event arrives. The floor is a process that imports PySide6, makes a
QApplication and shows an empty QWidget, timed the same way. The file cache
is warm after the first run (as on an office PC that started the program
yesterday); runs alternate so both sides see the same machine.

    python -m bench startup        (RUNS=9 by default; MEDBILL_BENCH_RUNS to change)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.store.keys import KEYRING_SERVICE, _account
from bench.common import BENCH_KEY, office_store

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("MEDBILL_BENCH_RUNS", "9"))
GOAL = 1.5

BARE = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class F(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Show and obj is w:
            print("bare-shown", flush=True)
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication(sys.argv)
w = QWidget()
w.resize(360, 200)
app.installEventFilter(F(app))
w.show()
app.exec()
"""


def _time_to_line(cmd: list[str], env: dict[str, str], marker: str) -> float:
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    shown = None
    for line in proc.stdout:
        if line.startswith(marker):
            shown = time.perf_counter() - t
            first = line.strip()
            break
    _out, err = proc.communicate(timeout=120)
    if shown is None:
        raise RuntimeError(f"{cmd[-1]}: no window was shown\n{err[-2000:]}")
    if marker == "medbill-shown" and "LoginDialog" not in first:
        raise RuntimeError(f"the first window was not the log-in window: {first}\n{err[-2000:]}")
    return shown


IMPORTS = {
    "python, nothing imported": "pass",
    "PySide6.QtWidgets": "import PySide6.QtWidgets",
    "sqlalchemy.orm": "import sqlalchemy.orm",
    "app.models (SQLAlchemy ORM + the office tables)": "import app.models",
    "app.ui.startup (all that start-up imports)": "import app.ui.startup",
}


def _where_the_time_goes(env: dict[str, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for label, code in IMPORTS.items():
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
            runs.append(time.perf_counter() - t)
        out[label] = statistics.median(runs) * 1000
    return out


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="medbill-bench-startup-"))
    try:
        data = work / "data"
        data.mkdir()
        src = office_store(300, 1)
        src.close()
        shutil.copy(src.path, data / "office.medbill")
        keyring_file = work / "keyring.json"
        keyring_file.write_text(
            json.dumps({f"{KEYRING_SERVICE}/{_account(data / 'office.medbill')}": BENCH_KEY.hex()})
        )
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            PYTHON_KEYRING_BACKEND="bench.filekeyring.FileKeyring",
            MEDBILL_BENCH_KEYRING=str(keyring_file),
            PYTHONPATH=str(ROOT),
        )
        ours_cmd = [sys.executable, "-m", "app", "--data-dir", str(data), "--exit-when-shown"]
        bare_cmd = [sys.executable, "-c", BARE]
        # One of each first, untimed: loads the file cache and .pyc files.
        _time_to_line(ours_cmd, env, "medbill-shown")
        _time_to_line(bare_cmd, env, "bare-shown")
        ours, bare = [], []
        for _ in range(RUNS):
            ours.append(_time_to_line(ours_cmd, env, "medbill-shown"))
            bare.append(_time_to_line(bare_cmd, env, "bare-shown"))
        parts = _where_the_time_goes(env)
        mo, mb = statistics.median(ours), statistics.median(bare)
        print(f"runs: {RUNS} each, platform {env['QT_QPA_PLATFORM']}")
        print(
            f"bare PySide6 window shown:    median {mb * 1000:.0f} ms (min {min(bare) * 1000:.0f})"
        )
        print(
            f"MedBill Desk log-in shown:    median {mo * 1000:.0f} ms (min {min(ours) * 1000:.0f})"
        )
        print(f"ratio: {mo / mb:.2f}x (goal within {GOAL}x) {'OK' if mo / mb <= GOAL else 'OVER'}")
        print("where the time goes (a process that only imports, median wall time):")
        for label, ms in parts.items():
            print(f"  {label:48s} {ms:6.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)
