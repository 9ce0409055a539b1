"""Every module imports when it is the first of the program's modules to be
imported (an import cycle shows only then, as at start-up). One fresh
interpreter tries each module in turn, forgetting the program's modules (not
the libraries) between tries."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import app

TRY_EACH = """
import importlib, sys, traceback, warnings
warnings.simplefilter("ignore")
bad = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        bad.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(bad))
"""


def test_every_module_imports_first() -> None:
    names = [
        m.name for m in pkgutil.walk_packages(app.__path__, "app.") if ".migrations" not in m.name
    ]
    assert len(names) > 50
    out = subprocess.run(
        [sys.executable, "-c", TRY_EACH, *names],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == ""
