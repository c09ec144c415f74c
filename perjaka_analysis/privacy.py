"""Keyed, stable pseudonyms for confidential identifiers.

A pseudonym is ``BU-`` followed by 16 hexadecimal characters (64 bits) of the
keyed BLAKE2b hash (a message authentication code, RFC 7693) of the
identifier under a secret key: the same employer gets the same pseudonym in
every run with the same key, and nobody without the key can go back from the
pseudonym to the identifier (or test a guess).

The key is taken from, in order: the ``PERJAKA_PSEUDONYM_KEY`` environment
variable; a key file given by the caller; the key file
``~/.config/perjaka/pseudonym.key`` (or ``$PERJAKA_KEY_FILE``), created with a
random key on first use (permissions 0600). Keep that file: a new key gives
new pseudonyms. Share it only with those allowed to re-identify employers.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import warnings
from pathlib import Path

import pandas as pd

from .errors import PerjakaError

__all__ = ["ENV_KEY", "KeyCreatedWarning", "default_key_file", "load_key", "pseudonymise"]


class KeyCreatedWarning(UserWarning):
    """A new pseudonym key file was created (keep it: it fixes the pseudonyms)."""


ENV_KEY = "PERJAKA_PSEUDONYM_KEY"
ENV_KEY_FILE = "PERJAKA_KEY_FILE"
PREFIX = "BU-"


def default_key_file() -> Path:
    """Where the key lives when no key is given: ``$PERJAKA_KEY_FILE`` or
    ``~/.config/perjaka/pseudonym.key``."""
    if os.environ.get(ENV_KEY_FILE):
        return Path(os.environ[ENV_KEY_FILE])
    return Path.home() / ".config" / "perjaka" / "pseudonym.key"


def load_key(key_file: str | Path | None = None, *, create: bool = True) -> bytes:
    """Return the pseudonym key (see the module documentation for the order).

    Parameters
    ----------
    key_file : str or Path, optional
        A file holding the key (any text; surrounding spaces are ignored).
    create : bool
        Create the default key file with a random key when no key exists.

    Returns
    -------
    bytes

    Raises
    ------
    PerjakaError
        If the given key file does not exist or is empty.
    """
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY].encode("utf-8")
    if key_file is not None:
        path = Path(key_file)
        if not path.is_file():
            raise PerjakaError(f"pseudonym key file not found: {path}")
        key = path.read_text(encoding="utf-8").strip()
        if not key:
            raise PerjakaError(f"pseudonym key file is empty: {path}")
        return key.encode("utf-8")
    path = default_key_file()
    if path.is_file():
        return load_key(path)
    if not create:
        raise PerjakaError(f"no pseudonym key: set {ENV_KEY} or create {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
    warnings.warn(
        f"created a new pseudonym key at {path}; keep it: the same key gives the same "
        "pseudonyms in every run",
        KeyCreatedWarning,
        stacklevel=2,
    )
    return load_key(path)


def pseudonymise(ids: pd.Series, key: bytes) -> pd.Series:
    """Replace identifiers by keyed pseudonyms.

    Parameters
    ----------
    ids : pandas.Series
        Identifiers (converted to text).
    key : bytes
        Secret key (:func:`load_key`).

    Returns
    -------
    pandas.Series
        ``BU-`` + 16 hexadecimal characters, same index.

    Examples
    --------
    >>> s = pseudonymise(pd.Series(["E001", "E002", "E001"]), b"k")
    >>> s[0] == s[2], s[0] != s[1], s[0].startswith("BU-")
    (True, True, True)
    """
    if not key:
        raise PerjakaError("the pseudonym key is empty")

    if len(key) > 64:  # BLAKE2b takes keys of up to 64 bytes
        key = hashlib.sha256(key).digest()
    blake = hashlib.blake2b

    def one(value: str) -> str:
        return PREFIX + blake(value.encode("utf-8"), key=key, digest_size=8).hexdigest().upper()

    if ids.is_unique:
        return pd.Series([one(str(v)) for v in ids.tolist()], index=ids.index, dtype="str")
    mapping = {u: one(str(u)) for u in pd.unique(ids)}
    return ids.map(mapping)
