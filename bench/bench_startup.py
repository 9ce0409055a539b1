"""Cold start to the log-in window vs a bare PySide6 window, same run.

Each run is a new process (python -m app --exit-when-shown) on this
computer's kind of office store: a synthetic office of 300 patients and a
year of visits in the user's data folder (found as at a normal start), its
key in a keyring, the schema current. The clock runs from
spawning the process to the line it prints when the log-in window takes
typing: the probe (app/ui/probe.py) presses a key on the window as soon as
it is shown and the line comes when the letter is in the user name field
(so a window that is shown but busy would not count). The line must name
the log-in window. The second figure runs to the line printed when "Log in"
is enabled: the store found, opened and checked behind the window; with it
the longest the window went without handling events meanwhile.

Two more first windows are timed the same way (to the line the probe prints
at the first turn of the event loop with the window shown): the office
passphrase window (a key file next to the store, no keyring entry) and the
set-up wizard (no store yet: a first start).

The floor is a process that imports PySide6, makes a QApplication and shows
an empty QWidget, timed to its Show event. The file cache is warm after the
first run (as on an office PC that started the program yesterday); runs
alternate so both sides see the same machine.

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

from app.store.keys import KEYRING_SERVICE, _account, write_key_file
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


def _time_to_lines(cmd: list[str], env: dict[str, str], markers: list[str]) -> list[str]:
    """Spawn ``cmd``; for each marker in turn, the seconds from spawn to the
    line that starts with it, and the line."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    seen: list[tuple[float, str]] = []
    for line in proc.stdout:
        if len(seen) < len(markers) and line.startswith(markers[len(seen)]):
            seen.append((time.perf_counter() - t, line.strip()))
    _out, err = proc.communicate(timeout=120)
    if len(seen) < len(markers):
        raise RuntimeError(f"{cmd[-1]}: expected {markers}, got {seen}\n{err[-2000:]}")
    return [f"{s} {line}" for s, line in seen]


def _bare(env: dict[str, str]) -> float:
    (line,) = _time_to_lines([sys.executable, "-c", BARE], env, ["bare-shown"])
    return float(line.split()[0])


def _ours(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds to the log-in window taking typing, to "Log in" enabled, and
    the longest pause of the window's events (ms) in between."""
    shown, ready = _time_to_lines(cmd, env, ["medbill-shown", "medbill-ready"])
    first = shown.split()  # seconds, marker, window, ms, "ms", "typed"
    if first[2] != "LoginDialog" or first[-1] != "typed":
        raise RuntimeError(f"the first window was not the log-in window taking typing: {shown}")
    if ready.split()[2] != "LoginDialog":
        raise RuntimeError(f"not the log-in window: {ready}")
    return float(shown.split()[0]), float(ready.split()[0]), float(ready.split()[-2])


IMPORTS = {
    "python, nothing imported": "pass",
    "PySide6.QtWidgets": "import PySide6.QtWidgets",
    "app.ui.startup (all the first window needs)": "import app.ui.startup",
    "sqlalchemy.orm": "import sqlalchemy.orm",
    "app.models (SQLAlchemy ORM + the office tables)": "import app.models",
    "+ keyring, store, services (behind the window)": "import app.ui.startup, app.store.keys,"
    " app.services.maintenance, app.services.office",
}


def _other(cmd: list[str], env: dict[str, str], window: str) -> float:
    """Seconds to ``window`` shown as the first window."""
    (line,) = _time_to_lines(cmd, env, ["medbill-shown"])
    if line.split()[2] != window:
        raise RuntimeError(f"expected {window} first: {line}")
    return float(line.split()[0])


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
        # The store where the program looks for it when given no folder: the
        # user's data folder (platformdirs, here under XDG_DATA_HOME).
        data = work / "xdg" / "MedBillDesk"
        data.mkdir(parents=True)
        src = office_store(300, 1)
        src.close()
        shutil.copy(src.path, data / "office.medbill")
        keyring_file = work / "keyring.json"
        keyring_file.write_text(
            json.dumps({f"{KEYRING_SERVICE}/{_account(data / 'office.medbill')}": BENCH_KEY.hex()})
        )
        env = dict(os.environ)
        env.pop("MEDBILL_DATA_DIR", None)
        # As installed: Python keeps the compiled .pyc files (the untimed first
        # run writes them; PyInstaller ships them). With PYTHONDONTWRITEBYTECODE
        # every run would compile the program's own modules again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(
            QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            PYTHON_KEYRING_BACKEND="bench.filekeyring.FileKeyring",
            MEDBILL_BENCH_KEYRING=str(keyring_file),
            PYTHONPATH=str(ROOT),
            XDG_DATA_HOME=str(work / "xdg"),
        )
        ours_cmd = [sys.executable, "-m", "app", "--exit-when-shown"]
        # The office passphrase: the same store with a key file, in its own folder.
        locked = work / "passphrase"
        locked.mkdir()
        shutil.copy(src.path, locked / "office.medbill")
        write_key_file(locked / "office.medbill.key", BENCH_KEY, "benchmark office passphrase")
        others = {
            "PassphraseDialog": [*ours_cmd, "--data-dir", str(locked)],
            "SetupWizard": [*ours_cmd, "--data-dir", str(work / "first-start")],
        }
        # One of each first, untimed: loads the file cache and .pyc files.
        _ours(ours_cmd, env)
        _bare(env)
        for window, cmd in others.items():
            _other(cmd, env, window)
        shown, ready, paused, bare = [], [], [], []
        other: dict[str, list[float]] = {w: [] for w in others}
        for _ in range(RUNS):
            s, r, p = _ours(ours_cmd, env)
            shown.append(s)
            ready.append(r)
            paused.append(p)
            bare.append(_bare(env))
            for window, cmd in others.items():
                other[window].append(_other(cmd, env, window))
        parts = _where_the_time_goes(env)
        ms, mr, mb = (statistics.median(x) for x in (shown, ready, bare))
        print(f"runs: {RUNS} each, platform {env['QT_QPA_PLATFORM']}")

        def line(label: str, runs: list[float], extra: str = "") -> float:
            m = statistics.median(runs)
            print(f"{label:42s} median {m * 1000:5.0f} ms (min {min(runs) * 1000:4.0f}){extra}")
            return m

        mb = line("bare PySide6 window shown:", bare)
        ms = statistics.median(shown)
        line("MedBill Desk log-in window takes typing:", shown, f"; {ms / mb:.2f}x")
        print(f"ratio: {ms / mb:.2f}x (goal within {GOAL}x) {'OK' if ms / mb <= GOAL else 'OVER'}")
        mr = statistics.median(ready)
        line('store open behind it, "Log in" enabled:', ready, f"; {mr / mb:.2f}x")
        print(
            f"{'longest pause of the log-in window meanwhile:':42s} median "
            f"{statistics.median(paused):5.0f} ms (max {max(paused):4.0f})"
        )
        for window, label in (
            ("PassphraseDialog", "office passphrase window (key file) shown:"),
            ("SetupWizard", "set-up wizard (first start) shown:"),
        ):
            mw = statistics.median(other[window])
            line(label, other[window], f"; {mw / mb:.2f}x")
        print("where the time goes (a process that only imports, median wall time):")
        for label, value in parts.items():
            print(f"  {label:48s} {value:6.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)
