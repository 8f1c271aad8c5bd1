"""Versioned JSON files of pydantic models (evidence, review results, checkpoint history): atomic writes and
reads that turn every way a file can be wrong into one :class:`~reviewer.errors.EvidenceFileError`."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from reviewer.errors import EvidenceFileError
from reviewer.redact import redact, redact_json

__all__ = ["read_versioned", "write_atomic"]

M = TypeVar("M", bound=BaseModel)


def write_atomic(text: str, path: Path) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename: an interrupted run never leaves half a
    file. The temporary name is unique (concurrent writers of one path never share it; the last rename wins
    with a whole file). Everything written passes through the redaction sink first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = redact_json(text) if path.suffix in (".json", ".sarif") else redact(text)  # the one redaction sink
    # Unique and created exclusively ("x"): never another writer's file; permissions follow the umask.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def read_versioned(path: Path, model: type[M], version: int, what: str) -> M:
    """Load ``path`` as ``model``; its ``schema_version`` must equal ``version``. ``what`` names it in errors."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvidenceFileError(path, f"cannot read {what}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EvidenceFileError(path, f"{what} is not JSON: {exc}") from exc
    found = data.get("schema_version") if isinstance(data, dict) else None
    if found != version:
        raise EvidenceFileError(path, f"{what} schema_version {found!r}, this reviewer reads {version}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EvidenceFileError(path, f"invalid {what}: {exc.error_count()} error(s): {exc}") from exc
