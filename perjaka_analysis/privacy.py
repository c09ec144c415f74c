"""Keyed, stable pseudonyms for confidential identifiers.

A pseudonym is ``BU-`` followed by 16 hexadecimal characters (64 bits) of the
keyed BLAKE2b hash (a message authentication code, RFC 7693) of the
identifier under a secret key: the same employer gets the same pseudonym in
every run with the same key, and nobody without the key can go back from the
pseudonym to the identifier (or test a guess).

The key is taken from, in order: the ``PERJAKA_PSEUDONYM_KEY`` environment
variable; a key file given by the caller; the key file
``~/.config/perjaka/pseudonym.key`` (or ``$PERJAKA_KEY_FILE``), created with a
random key on first use (permissions 0600; several processes starting at once
all get the one key). Keep that file: a new key gives new pseudonyms. Share it
only with those allowed to re-identify employers. A key has at least
:data:`MIN_KEY_LENGTH` characters; a key file that others can read is used
with a warning.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from .errors import PerjakaError
from .io import data_dir

__all__ = [
    "ENV_KEY",
    "MIN_KEY_LENGTH",
    "KeyCreatedWarning",
    "KeyExposedWarning",
    "default_key_file",
    "display_path",
    "key_digest",
    "load_key",
    "pseudonymise",
    "shareable_parameters",
]


class KeyCreatedWarning(UserWarning):
    """A new pseudonym key file was created (keep it: it fixes the pseudonyms)."""


class KeyExposedWarning(UserWarning):
    """The pseudonym key file can be read by other users of the machine."""


#: Fewest characters a key may have. A created key has 43 (256 random bits); a
#: key typed by hand should be much longer than this floor and random.
MIN_KEY_LENGTH = 8


ENV_KEY = "PERJAKA_PSEUDONYM_KEY"
ENV_KEY_FILE = "PERJAKA_KEY_FILE"
PREFIX = "BU-"


def default_key_file() -> Path:
    """Where the key lives when no key is given: ``$PERJAKA_KEY_FILE`` or
    ``~/.config/perjaka/pseudonym.key``."""
    if os.environ.get(ENV_KEY_FILE):
        return Path(os.environ[ENV_KEY_FILE])
    return Path.home() / ".config" / "perjaka" / "pseudonym.key"


def _checked(key: str, where: str) -> bytes:
    key = key.strip()
    if not key:
        raise PerjakaError(f"the pseudonym key in {where} is empty")
    if len(key) < MIN_KEY_LENGTH:
        raise PerjakaError(
            f"the pseudonym key in {where} is too short ({len(key)} characters); "
            f"a key needs at least {MIN_KEY_LENGTH} characters (a new key file is created "
            "with a random key when none exists)"
        )
    return key.encode("utf-8")


def _read_key_file(path: Path) -> bytes:
    """Read a key file: clear errors for a missing, unreadable or binary file."""
    if not path.exists():
        raise PerjakaError(f"pseudonym key file not found: {path}")
    if not path.is_file():
        raise PerjakaError(f"pseudonym key file is not a file: {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PerjakaError(f"cannot read the pseudonym key file {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text or "\n" in text.strip():
        raise PerjakaError(
            f"pseudonym key file {path} is not one line of text; a key file holds one "
            f"line of at least {MIN_KEY_LENGTH} characters"
        )
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(
            f"pseudonym key file {path} can be read by other users (mode "
            f"{stat.filemode(mode)}); anyone with the key can test guesses of employer ids. "
            f"Run: chmod 600 {path}",
            KeyExposedWarning,
            stacklevel=3,
        )
    return _checked(text, f"key file {path}")


def _create_key_file(path: Path) -> None:
    """Create the key file with a random key, atomically; a file made meanwhile wins.

    The key is written to a private temporary file that is then hard-linked to
    the final name, which fails if the name exists: a second process never sees
    a half-written key and never replaces one.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return  # another process created it first: everyone uses that one
        warnings.warn(
            f"created a new pseudonym key at {path}; keep it: the same key gives the same "
            "pseudonyms in every run",
            KeyCreatedWarning,
            stacklevel=3,
        )
    finally:
        Path(tmp).unlink(missing_ok=True)


def load_key(key_file: str | Path | None = None, *, create: bool = True) -> bytes:
    """Return the pseudonym key (see the module documentation for the order).

    Parameters
    ----------
    key_file : str or Path, optional
        A file holding the key (one line of text; surrounding spaces are ignored).
    create : bool
        Create the default key file with a random key when no key exists.

    Returns
    -------
    bytes

    Raises
    ------
    PerjakaError
        If the given key file does not exist, cannot be read, is not one line of
        text, or the key is shorter than :data:`MIN_KEY_LENGTH` characters.

    Warns
    -----
    KeyExposedWarning
        If the key file can be read by other users.
    KeyCreatedWarning
        When a new key file is created.
    """
    if os.environ.get(ENV_KEY):
        return _checked(os.environ[ENV_KEY], f"${ENV_KEY}")
    if key_file is not None:
        return _read_key_file(Path(key_file))
    path = default_key_file()
    if path.exists():
        return _read_key_file(path)
    if not create:
        raise PerjakaError(f"no pseudonym key: set {ENV_KEY} or create {path}")
    _create_key_file(path)
    return _read_key_file(path)


def key_digest(key: bytes) -> str:
    """A one-way digest of the pseudonym key, to tell keys apart without storing one.

    Caches of pseudonymised results carry it, so that a new key never reuses
    pseudonyms made under an old one. It is a keyed hash with a fixed,
    project-specific personalisation, distinct from any pseudonym.

    Examples
    --------
    >>> key_digest(b"key-one-1") == key_digest(b"key-one-1") != key_digest(b"key-two-2")
    True
    >>> len(key_digest(b"key-one-1"))
    32
    """
    return hashlib.blake2b(key, digest_size=16, person=b"perjaka-key-id").hexdigest()


def shareable_parameters(parameters: dict) -> dict:
    """Run parameters as a shared output may show them: the registry by :func:`display_path`.

    Examples
    --------
    >>> shareable_parameters({"registry": "/home/a/secret/reg.csv", "seed": 0})["registry"]
    'reg.csv'
    """
    out = dict(parameters)
    if out.get("registry"):
        out["registry"] = display_path(out["registry"])
    return out


def display_path(path: str | Path, *, root: str | Path | None = None) -> str:
    """Return the form of a path that may be shown in a shareable output.

    A file inside the project (or ``root``) is shown relative to it
    (``data/synthetic/employers.parquet``); any other file by its name only,
    so that a brief or manifest never reveals where a confidential registry
    lives (user names, folder names).

    Parameters
    ----------
    path : str or Path
        The file.
    root : str or Path, optional
        Folder to show paths relative to; default the project folder (the
        parent of ``data/``).

    Returns
    -------
    str

    Examples
    --------
    >>> display_path("/home/analyst/confidential/bpjs_kaltim_2025.csv", root="/srv/perjaka")
    'bpjs_kaltim_2025.csv'
    >>> display_path("/srv/perjaka/data/synthetic/employers.parquet", root="/srv/perjaka")
    'data/synthetic/employers.parquet'
    """
    path = Path(path)
    if root is None:
        try:
            root = data_dir().resolve().parent
        except PerjakaError:
            root = Path.cwd()
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return Path(os.path.normpath(absolute)).relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.name


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
