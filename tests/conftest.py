"""Shared fixtures: every test gets its own encrypted store in tmp_path and an
in-memory keyring; nothing is shared between tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.models.staff import Role
from app.services.auth import Actor
from app.store.engine import Store, open_store
from app.store.keys import new_key
from tests import factories
from tests.memkeyring import MemoryKeyring


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing() -> Iterator[None]:
    """argon2id with small cost parameters: the same algorithm and code path,
    without spending a third of a second per hash in every test's set-up."""
    from argon2 import PasswordHasher

    from app.services import auth

    previous = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._hasher = previous


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("MEDBILL_DATA_DIR", str(d))
    # The ICD-10-CM search index holds no patient data and takes seconds to
    # build: every test shares one build (made on first use).
    monkeypatch.setenv("MEDBILL_REFERENCE_DIR", str(_shared_reference_dir()))
    return d


def _shared_reference_dir() -> Path:
    import tempfile

    from app.codes.icd10 import SCHEMA

    # One folder per index layout: checkouts at different layouts on the same
    # machine would otherwise rebuild the shared index under each other.
    uid = os.getuid() if hasattr(os, "getuid") else 0
    d = Path(tempfile.gettempdir()) / f"medbill-test-reference-{uid}-s{SCHEMA}"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """One freshly migrated, empty store; each test gets its own copy of the file."""
    key = new_key()
    path = tmp_path_factory.mktemp("template") / "office.medbill"
    st = open_store(path, key, create=True)
    with st.engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    st.close()
    return path, key


@pytest.fixture
def store_key(_template_store: tuple[Path, bytes]) -> bytes:
    return _template_store[1]


@pytest.fixture
def store(tmp_path: Path, _template_store: tuple[Path, bytes]) -> Iterator[Store]:
    template, key = _template_store
    path = tmp_path / "office.medbill"
    shutil.copyfile(template, path)
    st = open_store(path, key)
    yield st
    st.close()


class Office:
    """A set-up office: the practice, one provider and one user of each role."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.unit_of_work() as s:
            self.practice_id = factories.practice(s).id
            self.provider_id = factories.provider(s).id
            self.manager: Actor = factories.user(s, Role.MANAGER, "manager")
            self.biller: Actor = factories.user(s, Role.BILLER, "biller")
            self.receptionist: Actor = factories.user(s, Role.RECEPTIONIST, "reception")


@pytest.fixture
def office(store: Store) -> Office:
    return Office(store)
