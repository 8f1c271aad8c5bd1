"""Model resolution and the one-time, verified assembly of the embedded default model (on small fake parts)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from reviewer.backends import models
from reviewer.backends.models import (
    DEFAULT_MODEL,
    KNOWN_MODELS,
    assemble,
    is_verified,
    model_path,
    part_files,
    resolve_model,
)
from reviewer.errors import ModelAssetError, ModelNotFoundError


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    made = []
    for n, payload in enumerate([b"GGUF" + b"a" * 1000, b"b" * 3000, b"c" * 17], start=1):
        part = tmp_path / "parts" / f"part{n:02d}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(payload)
        made.append(part)
    return made


def _expected(parts: list[Path]) -> tuple[int, str]:
    data = b"".join(p.read_bytes() for p in parts)
    return len(data), hashlib.sha256(data).hexdigest()


def test_assembles_verifies_and_marks(parts: list[Path], tmp_path: Path) -> None:
    size, sha = _expected(parts)
    dest = tmp_path / "cache" / "model.gguf"
    assert assemble(parts, dest, size=size, sha256=sha, name="tiny") == dest
    assert dest.read_bytes() == b"".join(p.read_bytes() for p in parts)
    assert is_verified(dest, sha)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["model.gguf", "model.gguf.sha256-verified"]


def test_verified_file_is_not_rehashed_or_rebuilt(parts: list[Path], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    size, sha = _expected(parts)
    dest = assemble(parts, tmp_path / "model.gguf", size=size, sha256=sha, name="tiny")

    def refuse(*_: object) -> str:
        raise AssertionError("a verified file must not be hashed or rebuilt again")

    monkeypatch.setattr(models, "_hash_file", refuse)
    monkeypatch.setattr(models, "_concatenate", refuse)
    assert assemble(parts, dest, size=size, sha256=sha, name="tiny") == dest


def test_a_changed_file_is_reverified_and_rebuilt(parts: list[Path], tmp_path: Path) -> None:
    size, sha = _expected(parts)
    dest = assemble(parts, tmp_path / "model.gguf", size=size, sha256=sha, name="tiny")
    dest.write_bytes(b"X" * size)  # same size, other content: the marker no longer matches (mtime)
    os.utime(dest, ns=(1, 1))
    assert not is_verified(dest, sha)
    assemble(parts, dest, size=size, sha256=sha, name="tiny")
    assert dest.read_bytes().startswith(b"GGUF") and is_verified(dest, sha)


def test_wrong_checksum_leaves_no_file(parts: list[Path], tmp_path: Path) -> None:
    size, _ = _expected(parts)
    dest = tmp_path / "cache" / "model.gguf"
    with pytest.raises(ModelAssetError, match="sha256 mismatch"):
        assemble(parts, dest, size=size, sha256="0" * 64, name="tiny")
    assert list(dest.parent.iterdir()) == []  # the temp file is gone, nothing half-written stays


def test_wrong_total_size_is_refused_before_copying(parts: list[Path], tmp_path: Path) -> None:
    size, sha = _expected(parts)
    with pytest.raises(ModelAssetError, match=f"expected {size + 1}"):
        assemble(parts, tmp_path / "m.gguf", size=size + 1, sha256=sha, name="tiny")
    assert not (tmp_path / "m.gguf").exists()


def test_missing_parts_give_the_install_hint() -> None:
    ghost = models.KnownModel(alias="ghost", description="", license="MIT", install_hint="pip install ghost-parts",
                              parts=(models.ModelPart("reviewer-no-such-dist", "x/part01.bin"),))
    with pytest.raises(ModelAssetError, match="pip install ghost-parts"):
        part_files(ghost)


def test_pinned_constants_match_the_installed_parts() -> None:
    default = KNOWN_MODELS[DEFAULT_MODEL]
    located = part_files(default)
    assert len(located) == 22
    assert [p.name for p in located] == [f"part{n:02d}.bin" for n in range(1, 23)]
    assert sum(p.stat().st_size for p in located) == default.size == 1_117_320_768
    assert located[0].read_bytes()[:4] == b"GGUF"
    assert default.sha256 is not None and default.sha256.startswith("cc324af0") and default.sha256.endswith("bb046")


def test_resolve_existing_path_alias_env_and_errors(tmp_path: Path, smollm2_gguf: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_MODEL", raising=False)
    own = tmp_path / "own.gguf"
    own.write_bytes(b"GGUF")
    assert resolve_model(str(own)) == own.resolve()
    assert resolve_model("smollm2-135m") == smollm2_gguf
    assert resolve_model("SmolLM2-135M") == smollm2_gguf
    monkeypatch.setenv("REVIEWER_MODEL", "smollm2-135m")
    assert resolve_model(None) == smollm2_gguf
    with pytest.raises(ModelNotFoundError) as caught:
        resolve_model("gpt-17")
    assert "qwen2.5-coder-1.5b" in str(caught.value) and "smollm2-135m" in str(caught.value)
    assert caught.value.exit_code == 2


def test_default_model_lives_in_the_overridable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path))
    assert model_path(DEFAULT_MODEL) == tmp_path / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert not is_verified(model_path(DEFAULT_MODEL), KNOWN_MODELS[DEFAULT_MODEL].sha256 or "")


def test_a_restored_model_needs_no_parts(parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI cache restores the assembled file (its marker's mtime may differ) without the part packages."""
    size, sha = _expected(parts)
    ghost = models.KnownModel(alias="ghost", description="", license="MIT", install_hint="pip install ghost-parts",
                              parts=(models.ModelPart("reviewer-no-such-dist", "x/part01.bin"),),
                              filename="ghost.gguf", size=size, sha256=sha)
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    restored = models.cache_dir() / "ghost.gguf"
    restored.parent.mkdir(parents=True)
    restored.write_bytes(b"".join(p.read_bytes() for p in parts))
    assert models._known_file(ghost) == restored and is_verified(restored, sha)
    restored.write_bytes(b"x" * size)  # damaged: then the parts are needed, and missing
    with pytest.raises(ModelAssetError, match="pip install ghost-parts"):
        models._known_file(ghost)
