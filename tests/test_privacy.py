"""The pseudonym key: length, permissions, unreadable files, concurrent creation; shown paths."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from perjaka_analysis.errors import PerjakaError
from perjaka_analysis.privacy import (
    MIN_KEY_LENGTH,
    KeyCreatedWarning,
    KeyExposedWarning,
    display_path,
    load_key,
)

GOOD = "k" * MIN_KEY_LENGTH


@pytest.fixture
def no_env_key(monkeypatch, tmp_path):
    monkeypatch.delenv("PERJAKA_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("PERJAKA_KEY_FILE", str(tmp_path / "conf" / "pseudonym.key"))
    return tmp_path / "conf" / "pseudonym.key"


def _key_file(tmp_path: Path, content: bytes, mode: int = 0o600) -> Path:
    path = tmp_path / "p.key"
    path.write_bytes(content)
    path.chmod(mode)
    return path


def test_a_short_key_is_rejected_and_the_minimum_is_said(no_env_key, tmp_path):
    path = _key_file(tmp_path, b"x\n")
    expected = rf"too short \(1 characters\).*at least {MIN_KEY_LENGTH}"
    with pytest.raises(PerjakaError, match=expected):
        load_key(path)


def test_a_short_key_in_the_environment_is_rejected(monkeypatch):
    monkeypatch.setenv("PERJAKA_PSEUDONYM_KEY", "abc")
    with pytest.raises(PerjakaError, match=r"\$PERJAKA_PSEUDONYM_KEY is too short"):
        load_key()


def test_a_key_of_the_minimum_length_is_used(no_env_key, tmp_path):
    assert load_key(_key_file(tmp_path, f"  {GOOD}  \n".encode())) == GOOD.encode()


def test_a_key_file_readable_by_others_is_used_with_a_warning(no_env_key, tmp_path):
    path = _key_file(tmp_path, GOOD.encode(), mode=0o644)
    with pytest.warns(KeyExposedWarning, match=r"can be read by other users.*chmod 600"):
        assert load_key(path) == GOOD.encode()


def test_a_private_key_file_gives_no_warning(no_env_key, tmp_path, recwarn):
    load_key(_key_file(tmp_path, GOOD.encode(), mode=0o600))
    assert not [w for w in recwarn if issubclass(w.category, KeyExposedWarning)]


@pytest.mark.parametrize(
    "content", [b"\xff\xfe\x00\x01binary-key-bytes", b"abc\x00defghijkl", b"line-one-key\nline-two"]
)
def test_a_binary_key_file_is_a_clear_error(no_env_key, tmp_path, content):
    with pytest.raises(PerjakaError, match="is not one line of text"):
        load_key(_key_file(tmp_path, content))


def test_an_unreadable_key_file_is_a_clear_error(no_env_key, tmp_path, monkeypatch):
    path = _key_file(tmp_path, GOOD.encode())

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(PerjakaError, match=r"cannot read the pseudonym key .*Permission denied"):
        load_key(path)


def test_a_folder_given_as_key_file_is_a_clear_error(no_env_key, tmp_path):
    with pytest.raises(PerjakaError, match="is not a file"):
        load_key(tmp_path)


def test_a_created_key_file_is_private_and_long(no_env_key):
    with pytest.warns(KeyCreatedWarning):
        key = load_key()
    assert len(key) >= 40
    assert no_env_key.stat().st_mode & 0o777 == 0o600
    assert sorted(os.listdir(no_env_key.parent)) == ["pseudonym.key"]


def _create_at_once(barrier, results) -> None:
    barrier.wait()
    try:
        results.put(load_key())
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(repr(exc))


def test_three_processes_creating_the_key_at_once_share_one_key(no_env_key):
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(3), context.Queue()
    workers = [context.Process(target=_create_at_once, args=(barrier, results)) for _ in range(3)]
    for w in workers:
        w.start()
    keys = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    assert all(w.exitcode == 0 for w in workers)
    assert len(set(keys)) == 1 and keys[0] == no_env_key.read_text().strip().encode()
    assert sorted(os.listdir(no_env_key.parent)) == ["pseudonym.key"]


def test_display_path_never_shows_a_folder_outside_the_project(tmp_path):
    root = tmp_path / "project"
    assert display_path(tmp_path / "home" / "analyst" / "rahasia.csv", root=root) == "rahasia.csv"
    inside = root / "data" / "synthetic" / "employers.parquet"
    assert display_path(inside, root=root) == "data/synthetic/employers.parquet"
    assert display_path(root / "data" / ".." / ".." / "x.csv", root=root) == "x.csv"


def test_display_path_default_root_is_the_project():
    from perjaka_analysis.datasets import data_dir

    shipped = data_dir() / "synthetic" / "employers.parquet"
    assert display_path(shipped) == "data/synthetic/employers.parquet"
    assert display_path("/srv/secret/registry.csv") == "registry.csv"


@pytest.mark.parametrize("key", [b"k" * MIN_KEY_LENGTH, b"x" * 70])
def test_pseudonyms_are_the_keyed_blake2b_of_each_identifier(key):
    import hashlib

    import pandas as pd

    from perjaka_analysis.privacy import PREFIX, pseudonymise

    ids = pd.Series(["E1", "Ä-2", "E1", "", "E3"], index=[5, 4, 3, 2, 1], dtype="str")
    secret = hashlib.sha256(key).digest() if len(key) > 64 else key
    expected = [
        PREFIX + hashlib.blake2b(v.encode("utf-8"), key=secret, digest_size=8).hexdigest().upper()
        for v in ids
    ]
    assert pseudonymise(ids, key).tolist() == expected  # repeated identifiers
    unique = ids.drop_duplicates()
    got = pseudonymise(unique, key)
    assert got.index.equals(unique.index)
    assert got.tolist() == [expected[i] for i in (0, 1, 3, 4)]
