"""What a person sees when the key or the store is wrong: a StoreError whose
message says what to do (recovery key, restore a backup), never a raw driver
error. Also the recovery re-key and the single-instance lock."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import func, select

from app.errors import StoreError
from app.models.patient import Patient
from app.store import keys
from app.store.backup import make_backup, open_backup_counts, restore_backup
from app.store.engine import (
    DAMAGED_MESSAGE,
    WRONG_KEY_MESSAGE,
    Store,
    check_integrity,
    open_store,
    rekey,
)
from app.store.lock import ALREADY_OPEN, InstanceLock
from tests import factories
from tests.memkeyring import MemoryKeyring

RAW_WORDS = ("sqlcipher", "DatabaseError", "Traceback", "hmac", "errno", "malformed", "pragma")
# A fixed key, so the recovery-code typo tests are the same on every run.
FIXED_KEY = bytes.fromhex("5f1c0a9e33b2d4c8e7a6019f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e")


def assert_plain(err: StoreError) -> None:
    """The message is for a person: no driver words, and it says what to do."""
    assert not any(w.lower() in err.message.lower() for w in RAW_WORDS), err.message
    assert any(
        w in err.message for w in ("recovery key", "backup", "Type", "try again", "Restore")
    ), err.message


def _fill(store: Store, n: int = 400) -> None:
    with store.unit_of_work() as s:
        for i in range(n):
            factories.patient(s, last=f"Fillpatient{i}", notes="x" * 200)


def _patients(store: Store) -> int:
    with store.read_session() as s:
        return int(s.execute(select(func.count()).select_from(Patient)).scalar() or 0)


# ------------------------------------------------------------------ the key


def test_wrong_key_says_use_the_recovery_key(store) -> None:
    _fill(store, 5)
    store.close()
    with pytest.raises(StoreError) as exc:
        open_store(store.path, keys.new_key())
    assert exc.value.message == WRONG_KEY_MESSAGE
    assert_plain(exc.value)


def test_missing_store_file_is_named(tmp_path) -> None:
    with pytest.raises(StoreError, match="There is no office store"):
        open_store(tmp_path / "nowhere.medbill", keys.new_key())


def test_keyring_round_trip_and_missing_entry(tmp_path, memory_keyring) -> None:
    path = tmp_path / "office.medbill"
    assert keys.load_key_from_keyring(path) is None  # nothing saved yet
    key = keys.new_key()
    keys.save_key_in_keyring(path, key)
    assert keys.load_key_from_keyring(path) == key
    assert keys.load_key_from_keyring(tmp_path / "other.medbill") is None
    # A damaged entry (not 32 bytes of hex) is treated as missing.
    (service, account), _ = next(iter(memory_keyring.items.items()))
    memory_keyring.items[(service, account)] = "not hex"
    assert keys.load_key_from_keyring(path) is None
    keys.delete_key_from_keyring(path)
    assert keys.load_key_from_keyring(path) is None


class _StoredPlaintext(MemoryKeyring):
    """Stands in for keyrings.alt's plaintext file backend: it would work, and
    hand the key to anyone who can read a file in the home folder."""

    priority = 0.5  # type: ignore[assignment]


def _fake_module_backend(monkeypatch, module_name: str) -> KeyringBackend:
    mod = types.ModuleType(module_name)
    cls = type("PlaintextKeyring", (_StoredPlaintext,), {"__module__": module_name})
    mod.PlaintextKeyring = cls  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module_name, mod)
    return cls()


@pytest.mark.parametrize("kind", ["fail", "null", "keyrings.alt", "cryptfile", "chainer"])
def test_insecure_keyrings_are_refused(tmp_path, monkeypatch, kind) -> None:
    if kind == "fail":
        backend: KeyringBackend = keyring.backends.fail.Keyring()
    elif kind == "null":
        backend = keyring.backends.null.Keyring()
    elif kind == "keyrings.alt":
        backend = _fake_module_backend(monkeypatch, "keyrings.alt.file")
    elif kind == "cryptfile":
        backend = _fake_module_backend(monkeypatch, "keyrings.cryptfile.cryptfile")
    else:
        # A chain that includes one insecure backend is insecure as a whole.
        chained = _fake_module_backend(monkeypatch, "keyring.backends.chainer")
        chained.backends = [_fake_module_backend(monkeypatch, "keyrings.alt.file")]  # type: ignore[attr-defined]
        backend = chained
    keyring.set_keyring(backend)
    path = tmp_path / "office.medbill"
    assert not keys.secure_keyring_available()
    with pytest.raises(StoreError, match="no secure keyring") as exc:
        keys.save_key_in_keyring(path, keys.new_key())
    assert "passphrase" in exc.value.message
    if isinstance(backend, _StoredPlaintext):
        # Even a key someone put there is not read from an insecure backend.
        backend.set_password(keys.KEYRING_SERVICE, keys._account(path), keys.new_key().hex())
        assert backend.items
    assert keys.load_key_from_keyring(path) is None


def test_the_test_keyring_counts_as_secure() -> None:
    # The control for the test above: the same check accepts a secure backend.
    assert keys.secure_keyring_available()


def test_passphrase_key_file_round_trip_and_wrong_passphrase(tmp_path) -> None:
    key_file = tmp_path / "office.medbill.key"
    key = keys.new_key()
    keys.write_key_file(key_file, key, "maple street front desk", n=2**14)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key.hex() not in key_file.read_text()
    assert keys.read_key_file(key_file, "maple street front desk") == key
    with pytest.raises(StoreError) as exc:
        keys.read_key_file(key_file, "Maple street front desk")
    assert "passphrase is not correct" in exc.value.message
    assert_plain(exc.value)
    with pytest.raises(StoreError, match="at least 12"):
        keys.write_key_file(key_file, key, "too short")
    key_file.write_text("{ not json")
    with pytest.raises(StoreError, match="Use your recovery key"):
        keys.read_key_file(key_file, "maple street front desk")
    with pytest.raises(StoreError, match="Use your recovery key"):
        keys.read_key_file(tmp_path / "missing.key", "maple street front desk")


def test_recovery_code_round_trip_with_typing_slack() -> None:
    code = keys.recovery_code(FIXED_KEY)
    groups = code.split("-")
    assert len(groups) == 11 and all(len(g) == 5 for g in groups)
    assert keys.key_from_recovery(code) == FIXED_KEY
    assert keys.key_from_recovery(code.lower()) == FIXED_KEY
    assert keys.key_from_recovery(code.replace("-", " ")) == FIXED_KEY
    assert keys.key_from_recovery(code.replace("-", "")) == FIXED_KEY
    assert keys.key_from_recovery("  " + code.replace("-", " - ") + "\n") == FIXED_KEY
    # Digits that look like letters: base32 has no 0/1/8/9, so they are read as O/I/B/G.
    assert set(code) & set("OIBG"), "the fixed key's code should contain O, I, B or G"
    look_alike = code.replace("O", "0").replace("I", "1").replace("B", "8").replace("G", "9")
    assert look_alike != code
    assert keys.key_from_recovery(look_alike) == FIXED_KEY
    assert keys.last_group(code) == groups[-1]


def test_recovery_code_typos_are_caught() -> None:
    code = keys.recovery_code(FIXED_KEY)
    groups = code.split("-")
    # One wrong character in any group.
    for i in range(11):
        g = groups[i]
        wrong = ("A" if g[2] != "A" else "C") + g[1:]
        typo = "-".join([*groups[:i], wrong, *groups[i + 1 :]])
        with pytest.raises(StoreError, match="typing mistake"):
            keys.key_from_recovery(typo)
    # Two groups swapped.
    swapped = "-".join([groups[1], groups[0], *groups[2:]])
    with pytest.raises(StoreError, match="typing mistake"):
        keys.key_from_recovery(swapped)
    # A group left out.
    with pytest.raises(StoreError, match="11 groups of 5") as exc:
        keys.key_from_recovery("-".join(groups[:10]))
    assert "you typed 50 characters" in exc.value.message
    with pytest.raises(StoreError, match="cannot be in it"):
        keys.key_from_recovery(code[:-1] + "É")


def test_recovery_code_opens_the_store(store, store_key) -> None:
    _fill(store, 3)
    code = keys.recovery_code(store_key)
    store.close()
    again = open_store(store.path, keys.key_from_recovery(code.lower().replace("-", " ")))
    assert _patients(again) == 3
    again.close()


# ----------------------------------------------------------- recovery re-key


def test_rekey_puts_a_new_key_in_place(store, store_key) -> None:
    _fill(store, 50)
    new = keys.new_key()
    rekey(store, new)
    assert store.key == new
    # The same Store object keeps working with the new key.
    with store.unit_of_work() as s:
        factories.patient(s, last="Afterrekey")
    assert _patients(store) == 51
    path = store.path
    store.close()
    with pytest.raises(StoreError) as exc:
        open_store(path, store_key)
    assert exc.value.message == WRONG_KEY_MESSAGE
    again = open_store(path, keys.key_from_recovery(keys.recovery_code(new)))
    assert _patients(again) == 51
    check_integrity(again)
    again.close()


def test_rekey_refuses_a_short_key_and_changes_nothing(store, store_key) -> None:
    _fill(store, 2)
    with pytest.raises(ValueError):
        rekey(store, b"short")
    assert _patients(store) == 2
    store.close()
    assert _patients(open_store(store.path, store_key)) == 2


# ------------------------------------------------------------ a damaged file


def _flip_middle_byte(path: Path) -> int:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 + 123
    data[at] ^= 0x5A
    path.write_bytes(bytes(data))
    return at


def test_a_flipped_byte_is_reported_at_open_with_restore_advice(store, store_key) -> None:
    _fill(store)
    store.close()
    assert not Path(str(store.path) + "-wal").exists()  # all pages are in the main file
    assert store.path.stat().st_size > 100_000
    _flip_middle_byte(store.path)
    with pytest.raises(StoreError) as exc:
        open_store(store.path, store_key)
    assert exc.value.message == DAMAGED_MESSAGE
    assert "Restore your most recent backup" in exc.value.message
    assert_plain(exc.value)


def test_integrity_check_and_backup_refuse_a_damaged_store(tmp_path, store, store_key) -> None:
    _fill(store)
    store.close()
    _flip_middle_byte(store.path)
    damaged = open_store(store.path, store_key, check=False)  # opens: page 1 is fine
    try:
        with pytest.raises(StoreError) as exc:
            check_integrity(damaged)
        assert exc.value.message == DAMAGED_MESSAGE
        dest = tmp_path / "b.medbill-backup"
        with pytest.raises(StoreError) as exc:
            make_backup(damaged.engine, dest, store_key=store_key)
        assert exc.value.message == DAMAGED_MESSAGE
        assert not dest.exists()
    finally:
        damaged.close()


def test_a_damaged_first_page_says_recovery_key_or_backup(store, store_key) -> None:
    _fill(store, 5)
    store.close()
    data = bytearray(store.path.read_bytes())
    data[100] ^= 0xFF
    store.path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as exc:
        open_store(store.path, store_key)
    assert_plain(exc.value)
    assert "restore a backup" in exc.value.message.lower()


def test_a_healthy_store_passes_the_integrity_check(store) -> None:
    _fill(store, 50)
    check_integrity(store)
    check_integrity(store.engine)


# ------------------------------------------------------------------ backups


def test_backup_with_wrong_passphrase_says_what_to_do(tmp_path, store, store_key) -> None:
    _fill(store, 20)
    dest = tmp_path / "backups" / "b.medbill-backup"
    result = make_backup(store.engine, dest, store_key=store_key, passphrase="blue heron 2026")
    assert result.counts["patient"] == 20
    assert open_backup_counts(dest, "blue heron 2026")["patient"] == 20
    with pytest.raises(StoreError) as exc:
        open_backup_counts(dest, "blue heron 2025")
    assert "passphrase is wrong" in exc.value.message
    assert_plain(exc.value)
    # The store key does not open a passphrase backup either.
    with pytest.raises(StoreError, match="passphrase is wrong"):
        open_backup_counts(dest, f"x'{store_key.hex()}'")


def test_restore_with_wrong_passphrase_leaves_the_live_store_alone(
    tmp_path, store, store_key
) -> None:
    _fill(store, 7)
    dest = tmp_path / "b.medbill-backup"
    make_backup(store.engine, dest, store_key=store_key, passphrase="blue heron 2026")
    store.close()
    before = store.path.read_bytes()
    with pytest.raises(StoreError, match="passphrase is wrong"):
        restore_backup(dest, "wrong passphrase", store.path, store_key, tmp_path / "aside")
    assert store.path.read_bytes() == before
    assert not (tmp_path / "aside").exists()


def test_a_damaged_backup_says_use_an_older_one(tmp_path, store, store_key) -> None:
    _fill(store)
    dest = tmp_path / "b.medbill-backup"
    make_backup(store.engine, dest, store_key=store_key)
    _flip_middle_byte(dest)
    with pytest.raises(StoreError, match="Use an older backup") as exc:
        open_backup_counts(dest, f"x'{store_key.hex().upper()}'")
    assert_plain(exc.value)


def test_backup_never_overwrites_an_existing_file(tmp_path, store, store_key) -> None:
    dest = tmp_path / "precious.txt"
    dest.write_text("someone's file")
    with pytest.raises(StoreError, match="already exists"):
        make_backup(store.engine, dest, store_key=store_key)
    assert dest.read_text() == "someone's file"


def test_backup_to_an_unwritable_place_says_what_to_do(tmp_path, store, store_key) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(StoreError) as exc:
        make_backup(store.engine, blocker / "b.medbill-backup", store_key=store_key)
    assert "room and is writable" in exc.value.message


# ------------------------------------------------------------ second copy

_TRY_LOCK = """
import sys
from app.errors import StoreError
from app.store.lock import InstanceLock
try:
    InstanceLock(sys.argv[1]).acquire()
except StoreError as exc:
    print(exc.message)
    sys.exit(3)
print("acquired")
"""


def _second_copy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _TRY_LOCK, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[3],
    )


def test_a_second_copy_in_another_process_is_refused(tmp_path) -> None:
    path = tmp_path / "office.medbill"
    lock = InstanceLock(path).acquire()
    try:
        other = _second_copy(path)
        assert other.returncode == 3, other.stderr
        assert "MedBill Desk is already open on this computer" in other.stdout
        assert other.stdout.strip() == ALREADY_OPEN
    finally:
        lock.release()
    # Once the first copy is gone, the next start gets the lock.
    after = _second_copy(path)
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == "acquired"


@pytest.mark.parametrize(
    ("module", "label"),
    [
        ("keyring.backends.SecretService", "Secret Service: GNOME Keyring or KWallet"),
        ("keyring.backends.macOS", "the macOS Keychain"),
        ("keyring.backends.Windows", "Windows Credential Locker"),
    ],
)
def test_the_keyring_is_named_in_words_a_person_knows(monkeypatch, module, label) -> None:
    """The set-up wizard says which keyring keeps the key, not a module path."""
    backend = _fake_module_backend(monkeypatch, module)
    assert label in keys.keyring_label(backend)
    assert "keyring.backends" not in keys.keyring_label(backend)
    chain = _fake_module_backend(monkeypatch, "keyring.backends.chainer")
    chain.backends = [backend, backend]  # type: ignore[attr-defined]
    assert keys.keyring_label(chain) == keys.keyring_label(backend)
