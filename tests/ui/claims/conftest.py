"""A bug in a claims screen fails the test at once instead of waiting on
the crash dialog (which no one clicks offscreen)."""

from __future__ import annotations

import pytest

from app.ui import ops


@pytest.fixture(autouse=True)
def bugs_fail_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    def raise_it(_parent: object, exc: BaseException) -> None:
        raise exc

    monkeypatch.setattr(ops, "report_bug", raise_it)
