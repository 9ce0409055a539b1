"""The store key: where it lives and how a person gets it back.

- Normally a random 256-bit key kept in the OS keyring (Secret Service,
  macOS Keychain, Windows Credential Locker). Insecure backends (plaintext
  files, null, fail, anything that would prompt on a terminal) are refused.
- Where no secure keyring exists, the key is wrapped with an office
  passphrase (scrypt + AES-256-GCM) in a key file next to the store.
- The recovery key is the raw key itself written as 11 groups of 5 letters
  and digits with a built-in check, printed at set-up. It always opens the
  store; after using it the program puts a new key in place (``PRAGMA rekey``)
  and shows the new recovery key.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import StoreError

if TYPE_CHECKING:
    import keyring.backend

# keyring (its backends' discovery), SQLCipher and the store engine are
# imported where used: the set-up wizard makes a new key and its recovery
# code before anything else, as the program's first window.

KEY_BYTES = 32
KEYRING_SERVICE = "MedBill Desk"
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1

_INSECURE_MODULES = (
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyrings.alt",  # plaintext and "encrypted" files that prompt on stdin
    "keyrings.cryptfile",
)


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# ---------------------------------------------------------------- recovery key

_TYPO = str.maketrans({"0": "O", "1": "I", "8": "B", "9": "G"})


def recovery_code(key: bytes) -> str:
    """The key plus a 2-byte check, base32, in groups of five: ``ABCDE-FGHIJ-...``."""
    if len(key) != KEY_BYTES:
        raise ValueError("the store key is 32 bytes")
    check = hashlib.sha256(b"medbill-recovery" + key).digest()[:2]
    text = base64.b32encode(key + check).decode().rstrip("=")
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


def key_from_recovery(code: str) -> bytes:
    """Read a typed recovery key back (case, spaces and dashes do not matter)."""
    text = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_TYPO)
    if len(text) != 55:
        raise StoreError(
            "A recovery key has 11 groups of 5 letters and digits; "
            f"you typed {len(text)} characters. Check it against the printed sheet."
        )
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        raise StoreError("That recovery key has characters that cannot be in it.") from None
    key, check = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if hashlib.sha256(b"medbill-recovery" + key).digest()[:2] != check:
        raise StoreError("That recovery key has a typing mistake. Check each group again.")
    return key


def last_group(code: str) -> str:
    return code.split("-")[-1]


# --------------------------------------------------------------------- keyring


def _account(store_path: Path) -> str:
    return "store:" + hashlib.sha256(str(Path(store_path).resolve()).encode()).hexdigest()[:24]


def _backend_is_secure(backend: keyring.backend.KeyringBackend) -> bool:
    module = type(backend).__module__
    if any(module.startswith(m) for m in _INSECURE_MODULES):
        return False
    if module.startswith("keyring.backends.chainer"):
        inner = getattr(backend, "backends", [])
        return bool(inner) and all(_backend_is_secure(b) for b in inner)
    try:
        return float(backend.priority) > 0
    except Exception:
        return False


def secure_keyring_available() -> bool:
    import keyring

    return _backend_is_secure(keyring.get_keyring())


_KEYRING_LABELS = (
    (
        "keyring.backends.SecretService",
        "the desktop's keyring (Secret Service: GNOME Keyring or KWallet)",
    ),
    ("keyring.backends.libsecret", "the desktop's keyring (libsecret: GNOME Keyring or KWallet)"),
    ("keyring.backends.kwallet", "KWallet"),
    ("keyring.backends.macOS", "the macOS Keychain"),
    ("keyring.backends.Windows", "Windows Credential Locker"),
)


def keyring_label(backend: keyring.backend.KeyringBackend | None = None) -> str:
    """The keyring in words a person knows (not a Python module path)."""
    if backend is None:
        import keyring

        backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith("keyring.backends.chainer"):
        inner = getattr(backend, "backends", [])
        return " and ".join(dict.fromkeys(keyring_label(b) for b in inner)) or "a keyring"
    for prefix, label in _KEYRING_LABELS:
        if module.startswith(prefix):
            return label
    return type(backend).__name__


def save_key_in_keyring(store_path: Path, key: bytes) -> None:
    import keyring
    import keyring.errors

    if not secure_keyring_available():
        raise StoreError(
            "This computer has no secure keyring. Protect the store with an office passphrase."
        )
    try:
        keyring.set_password(KEYRING_SERVICE, _account(store_path), key.hex())
    except keyring.errors.KeyringError as exc:
        raise StoreError(f"The key could not be saved in the keyring: {exc}") from None


def load_key_from_keyring(store_path: Path) -> bytes | None:
    import keyring
    import keyring.errors

    if not secure_keyring_available():
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, _account(store_path))
    except keyring.errors.KeyringError:
        return None
    if not value:
        return None
    try:
        key = bytes.fromhex(value)
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def delete_key_from_keyring(store_path: Path) -> None:
    import keyring
    import keyring.errors

    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(KEYRING_SERVICE, _account(store_path))


# -------------------------------------------------------- passphrase key file


def _kek(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * r * n + 2**20,
        dklen=32,
    )


def write_key_file(path: Path, key: bytes, passphrase: str, *, n: int = SCRYPT_N) -> None:
    """Wrap ``key`` with ``passphrase`` (scrypt + AES-256-GCM) into ``path``."""
    if len(passphrase) < 12:
        raise StoreError("The office passphrase must be at least 12 characters.")
    salt, nonce = os.urandom(16), os.urandom(12)
    kek = _kek(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only for key files

    ct = AESGCM(kek).encrypt(nonce, key, b"medbill-store-key")
    doc: dict[str, Any] = {
        "version": 1,
        "kdf": "scrypt",
        "n": n,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "wrapped_key": base64.b64encode(ct).decode(),
    }
    tmp = path.with_suffix(path.suffix + ".new")
    tmp.write_text(json.dumps(doc, indent=1))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_key_file(path: Path, passphrase: str) -> bytes:
    try:
        doc = json.loads(Path(path).read_text())
        salt = base64.b64decode(doc["salt"])
        nonce = base64.b64decode(doc["nonce"])
        ct = base64.b64decode(doc["wrapped_key"])
        n, r, p = int(doc["n"]), int(doc["r"]), int(doc["p"])
    except (OSError, ValueError, KeyError):
        raise StoreError(
            "The key file next to the store is missing or damaged. Use your recovery key."
        ) from None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(_kek(passphrase, salt, n, r, p)).decrypt(nonce, ct, b"medbill-store-key")
    except Exception:
        raise StoreError(
            "That office passphrase is not correct. Type it again (capitals matter), "
            "or open the store with your printed recovery key."
        ) from None


# ----------------------------------------------------------------- new key


def key_opens_store(store_path: Path, key: bytes) -> bool:
    """True when ``key`` decrypts the store's first page (a quick check, no open)."""
    import sqlcipher3

    from app.store.engine import key_pragma

    conn = sqlcipher3.connect(str(store_path))
    try:
        conn.execute(f'PRAGMA key = "{key_pragma(key)}"')
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def typed_matches_last_group(code: str, typed: str) -> bool:
    """The person typed the last group of ``code`` back (case, spaces and the
    0/O, 1/I, 8/B, 9/G mix-ups do not matter)."""
    clean = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_TYPO)
    return bool(clean) and clean == last_group(code)
