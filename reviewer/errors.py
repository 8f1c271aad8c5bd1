"""The one error tree of reviewer.

Every error carries the context needed to act on it (a path, a config key, a backend and model name).
Only :mod:`reviewer.cli` turns these into exit codes: usage errors give 2, runtime failures give 3.

    ReviewerError
    ├── UsageError                      exit 2: the user asked for something that cannot be done
    │   ├── TargetPathError             the repository path is missing or not a directory
    │   ├── ConfigError                 a config file or key is invalid (file, key)
    │   ├── UnknownBackendError         no backend of that name (lists the available ones)
    │   ├── BackendNotInstalledError    the backend's extra is not installed (install hint)
    │   ├── ModelNotFoundError          the model is not served / not a file (lists the available ones)
    │   └── EvidenceFileError           an evidence or result file cannot be read or is of another schema
    └── RuntimeFailure                  exit 3: something broke while running
        ├── CollectorError              a whole collector crashed (collector, path)
        ├── ModelAssetError             the embedded model cannot be assembled or fails its sha256 check
        └── BackendError                talking to a model failed (backend, model)
            ├── BackendUnavailableError the server/model is down or the circuit breaker is open
            ├── BackendTimeoutError     no answer within the configured timeout
            ├── BackendResponseError    the server answered something that is not a completion
            └── StructuredOutputError   the answer did not validate, even after one re-ask (raw text kept)

A collector that fails on one file does not raise: it records a :class:`~reviewer.evidence.FileFailure`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BackendError",
    "BackendNotInstalledError",
    "BackendResponseError",
    "BackendTimeoutError",
    "BackendUnavailableError",
    "CollectorError",
    "ConfigError",
    "EvidenceFileError",
    "ModelAssetError",
    "ModelNotFoundError",
    "ReviewerError",
    "RuntimeFailure",
    "StructuredOutputError",
    "TargetPathError",
    "UnknownBackendError",
    "UsageError",
]


class ReviewerError(Exception):
    """Base of every error reviewer raises on purpose."""

    exit_code: int = 3

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ReviewerError):
    """The user asked for something that cannot be done as asked (exit 2)."""

    exit_code = 2


class RuntimeFailure(ReviewerError):
    """Something broke while running (exit 3)."""

    exit_code = 3


class TargetPathError(UsageError):
    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class ConfigError(UsageError):
    def __init__(self, message: str, *, file: Path | str | None = None, key: str | None = None) -> None:
        where = f"{file}: " if file is not None else ""
        what = f"{key}: " if key else ""
        super().__init__(f"{where}{what}{message}")
        self.file = Path(file) if file is not None else None
        self.key = key


class UnknownBackendError(UsageError):
    def __init__(self, name: str, available: list[str]) -> None:
        super().__init__(f"unknown backend {name!r}; available: {', '.join(sorted(available)) or 'none'}")
        self.name = name
        self.available = sorted(available)


class BackendNotInstalledError(UsageError):
    def __init__(self, backend: str, hint: str) -> None:
        super().__init__(f"backend {backend!r} is not installed: {hint}")
        self.backend = backend
        self.hint = hint


class ModelNotFoundError(UsageError):
    def __init__(self, backend: str, model: str, available: list[str]) -> None:
        listing = ", ".join(available[:20]) if available else "none"
        more = f" (and {len(available) - 20} more)" if len(available) > 20 else ""
        super().__init__(f"{backend}: model {model!r} not found; available: {listing}{more}")
        self.backend = backend
        self.model = model
        self.available = list(available)


class EvidenceFileError(UsageError):
    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class CollectorError(RuntimeFailure):
    def __init__(self, collector: str, message: str, *, path: str | None = None) -> None:
        where = f" ({path})" if path else ""
        super().__init__(f"collector {collector}{where}: {message}")
        self.collector = collector
        self.path = path


class ModelAssetError(RuntimeFailure):
    def __init__(self, model: str, message: str, *, path: Path | str | None = None) -> None:
        where = f" at {path}" if path is not None else ""
        super().__init__(f"model {model}{where}: {message}")
        self.model = model
        self.path = Path(path) if path is not None else None


class BackendError(RuntimeFailure):
    def __init__(self, message: str, *, backend: str, model: str | None = None) -> None:
        who = f"{backend}" + (f"/{model}" if model else "")
        super().__init__(f"{who}: {message}")
        self.backend = backend
        self.model = model


class BackendUnavailableError(BackendError):
    pass


class BackendTimeoutError(BackendError):
    pass


class BackendResponseError(BackendError):
    pass


class StructuredOutputError(BackendError):
    def __init__(self, message: str, *, backend: str, model: str | None, raw: str, errors: str) -> None:
        super().__init__(f"{message}: {errors}", backend=backend, model=model)
        self.raw = raw
        self.errors = errors
