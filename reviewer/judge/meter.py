"""Count every model call: questions asked, questions failed (error, timeout, unusable answer), tokens, time.

:class:`Meter` wraps ``complete_structured`` so one question (with its possible re-ask) is one call; tokens
are counted on every completion the backend returns, re-asks included.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel

from reviewer.backends.base import Backend, Capabilities, Completion, CompletionRequest
from reviewer.backends.structured import complete_structured
from reviewer.errors import (
    BackendError,
    BackendNotInstalledError,
    BackendUnavailableError,
    ModelAssetError,
    ModelNotFoundError,
    ReviewerError,
)

__all__ = ["BackendDown", "CallFailed", "Meter"]

T = TypeVar("T", bound=BaseModel)

_DOWN = (BackendUnavailableError, ModelAssetError, BackendNotInstalledError, ModelNotFoundError)
FAILED_CALLS_BEFORE_STOP = 3
"""With no call answered yet, this many failed calls in a row mean the model is not usable: stop asking."""


class CallFailed(Exception):
    """One question got no usable answer (timeout, server error, garbage); the review goes on."""

    def __init__(self, error: ReviewerError) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error


class BackendDown(Exception):
    """No further question should be asked (backend unavailable, model missing, or every call failing)."""


class _Counting(Backend):
    name = "metered"

    def __init__(self, inner: Backend, meter: "Meter") -> None:
        super().__init__(inner.options)
        self.inner, self.meter = inner, meter

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    def complete(self, request: CompletionRequest) -> Completion:
        completion = self.inner.complete(request)
        self.meter.count_tokens(completion.usage.prompt_tokens + completion.usage.completion_tokens,
                                completion.usage.cached_tokens or 0)
        return completion


@dataclass
class Meter:
    backend: Backend
    calls: int = 0
    failed: int = 0
    answered: int = 0
    tokens: int = 0
    cached_tokens: int = 0
    consecutive_failures: int = 0
    errors: list[str] = field(default_factory=list)
    down: str | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._counting = _Counting(self.backend, self)

    def count_tokens(self, tokens: int, cached: int) -> None:
        with self._lock:
            self.tokens += tokens
            self.cached_tokens += cached

    def _record(self, ok: bool, seconds: float, error: str | None = None) -> None:
        with self._lock:
            self.calls += 1
            self.seconds += seconds
            if ok:
                self.answered += 1
                self.consecutive_failures = 0
                return
            self.failed += 1
            self.consecutive_failures += 1
            if error and len(self.errors) < 20:
                self.errors.append(error)
            if self.answered == 0 and self.consecutive_failures >= FAILED_CALLS_BEFORE_STOP and self.down is None:
                self.down = f"the first {self.consecutive_failures} model calls failed (last: {error})"

    def stop(self, reason: str) -> None:
        with self._lock:
            self.down = self.down or reason

    def load(self) -> float:
        """Load or connect now, so the time budget counts reading only; a failure is a failed call that stops
        the asking. Returns the seconds it took."""
        start = time.perf_counter()
        try:
            self.backend.load()
        except ReviewerError as exc:
            self._record(False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
            self.stop(f"{type(exc).__name__}: {exc}")
        return time.perf_counter() - start

    def ask(self, request: CompletionRequest, model: type[T]) -> T:
        """The validated answer. Raises CallFailed (this call only) or BackendDown (stop asking)."""
        return self.ask_completion(request, model)[0]

    def ask_completion(self, request: CompletionRequest, model: type[T]) -> tuple[T, Completion]:
        """The validated answer and the completion it came from (its choice probabilities, for a probe)."""
        if self.down is not None:
            raise BackendDown(self.down)
        start = time.perf_counter()
        try:
            answer, completion = complete_structured(self._counting, request, model)
        except _DOWN as exc:
            self._record(False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
            self.stop(f"{type(exc).__name__}: {exc}")
            raise BackendDown(self.down or str(exc)) from exc
        except BackendError as exc:
            self._record(False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
            raise CallFailed(exc) from exc
        self._record(True, time.perf_counter() - start)
        return answer, completion
