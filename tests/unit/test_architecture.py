"""The layering and no-network rules, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
NETWORK = {
    "socket",
    "http",
    "urllib",
    "requests",
    "httpx",
    "aiohttp",
    "smtplib",
    "ftplib",
    "ssl",
    "xmlrpc",
    "telnetlib",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _core_files() -> list[Path]:
    return [
        p
        for p in APP.rglob("*.py")
        if "ui" not in p.relative_to(APP).parts[:1] and p.name != "__main__.py"
    ]


def test_core_imports_no_qt() -> None:
    offenders = [
        str(p.relative_to(APP))
        for p in _core_files()
        if any(n.split(".")[0] in {"PySide6", "shiboken6"} for n in _imports(p))
    ]
    assert offenders == []
    assert len(_core_files()) > 10


def test_nothing_in_app_imports_a_network_module() -> None:
    offenders = []
    for p in APP.rglob("*.py"):
        for n in _imports(p):
            top = n.split(".")[0]
            if top in NETWORK or "QtNetwork" in n or "QtWebEngine" in n:
                offenders.append(f"{p.relative_to(APP)}: {n}")
    assert offenders == []
