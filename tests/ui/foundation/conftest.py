from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Paths, private_temp_dir
from tests.ui.foundation.modals import Modals


@pytest.fixture
def modals(qtbot) -> Iterator[Modals]:
    m = Modals()
    yield m
    m.stop()


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    p = Paths(tmp_path / "office")
    p.data_dir.mkdir(mode=0o700)
    private_temp_dir(p)
    return p


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform cannot apply a window's minimum size, raise a
    # window or grab the keyboard for a menu, and says so; that says nothing about our windows.
    for item in items:
        if "tests/ui/foundation" in str(item.path):
            item.add_marker(
                pytest.mark.qt_log_ignore(
                    "This plugin does not support propagateSizeHints",
                    "This plugin does not support raise",
                    "This plugin does not support grabbing the keyboard",
                )
            )
