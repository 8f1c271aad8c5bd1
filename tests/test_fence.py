"""The prompt fence's nonce: unguessable, kept out of the repository, the same on every run of one installation."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from reviewer.judge.fence import KEY_FILE, fence_nonce


def test_one_installation_gets_one_nonce(tmp_path: Path) -> None:
    first = fence_nonce(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert fence_nonce(tmp_path) == first  # the next run's prompts carry the same fence


def test_another_installation_gets_another_nonce(tmp_path: Path) -> None:
    assert fence_nonce(tmp_path / "one") != fence_nonce(tmp_path / "two")


def test_the_key_is_private_and_not_the_nonce(tmp_path: Path) -> None:
    nonce = fence_nonce(tmp_path)
    key = tmp_path / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == 32 and nonce.encode() not in key.read_bytes().hex().encode()


def test_a_cut_short_key_is_made_again(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_bytes(b"short")
    nonce = fence_nonce(tmp_path)
    assert len((tmp_path / KEY_FILE).read_bytes()) == 32
    assert fence_nonce(tmp_path) == nonce


def test_no_place_for_the_key_falls_back_to_a_random_nonce(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    nonces = {fence_nonce(blocked / "sub") for _ in range(3)}
    assert len(nonces) == 3 and all(re.fullmatch(r"[0-9a-f]{12}", n) for n in nonces)


def test_the_default_place_is_the_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path))
    nonce = fence_nonce()
    assert (tmp_path / KEY_FILE).is_file() and fence_nonce(tmp_path) == nonce
