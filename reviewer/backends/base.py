"""The model backend abstraction.

A backend turns a :class:`CompletionRequest` (chat messages, an optional JSON schema, sampling options) into a
:class:`Completion` (text, token usage, timings). That single method, :meth:`Backend.complete`, is all a
backend must implement. Everything else has a default:

* ``capabilities`` says what the backend can promise (schema-constrained output, prompt-prefix cache, context).
* ``Options`` is the backend's own pydantic model (``extra="forbid"``), validated from config/CLI.
* ``load()`` loads or connects eagerly (warm-up); ``complete`` must load lazily on first use, under a lock.
* ``close()`` frees what ``load`` took.

Structured output is never trusted: see :mod:`reviewer.backends.structured`, which validates every answer
with the pydantic model, re-asks once with the errors, then raises StructuredOutputError with the raw text.
"""

from __future__ import annotations

import functools
import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Backend",
    "BackendOptions",
    "Capabilities",
    "Completion",
    "CompletionRequest",
    "Message",
    "Probe",
    "Timings",
    "Usage",
    "probe_choices",
]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class Probe(BaseModel):
    """Ask for the model's probabilities of a few words at one place in its answer: the first token after
    ``after`` has appeared in the answer (``'"answer"'``), among ``choices`` (``["yes", "no"]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    after: str
    choices: list[str] = Field(min_length=2)


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[Message]
    json_schema: dict[str, Any] | None = Field(default=None, description="Constrain the answer to this schema")
    temperature: float = 0.0
    max_tokens: int = 1024
    seed: int | None = 0
    stop: list[str] | None = None
    probe: Probe | None = Field(default=None, description="Return choice probabilities (if the backend can)")


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int | None = Field(default=None, description="Prompt tokens served from a prefix cache")


class Timings(BaseModel):
    load_s: float = Field(default=0.0, description="Model load/connect time spent inside this call")
    total_s: float = 0.0
    prompt_s: float | None = None
    generation_s: float | None = None

    def tokens_per_s(self, usage: Usage) -> float | None:
        span = self.generation_s if self.generation_s else self.total_s - self.load_s
        if not span or span <= 0 or not usage.completion_tokens:
            return None
        return usage.completion_tokens / span


class Completion(BaseModel):
    text: str
    backend: str
    model: str
    usage: Usage = Field(default_factory=Usage)
    timings: Timings = Field(default_factory=Timings)
    finish_reason: str | None = None
    choice_probs: dict[str, float] | None = Field(
        default=None, description="For a request's probe: each choice's probability, normalised over the choices "
        "(None when the backend cannot tell, or the answer never reached the probed place)")


class Capabilities(BaseModel):
    model_config = ConfigDict(frozen=True)

    generates: bool = Field(default=True, description="False for the 'none' backend: no model at all")
    json_schema: bool = False
    prefix_cache: bool = False
    token_probs: bool = Field(default=False, description="Can answer a request's probe with choice probabilities")
    max_context: int = 4096


def probe_choices(probe: Probe, steps: list[tuple[str, dict[str, float]]]) -> dict[str, float] | None:
    """Choice probabilities at the probed place, from the generated tokens: ``steps`` holds, per token, its text
    and the log-probabilities (or logits) the model gave each choice there. The place is the first token that
    is one of the choices after ``probe.after`` has appeared in the text before it."""
    text = ""
    for token, scores in steps:
        if probe.after in text and token.strip().strip('"') in probe.choices:
            if not scores:
                return None
            top = max(scores.values())
            weights = {c: math.exp(scores.get(c, top - 50.0) - top) for c in probe.choices}
            total = sum(weights.values())
            return {c: w / total for c, w in weights.items()}
        text += token
    return None


class BackendOptions(BaseModel):
    """Base of every backend's options; subclasses list their own fields."""

    model_config = ConfigDict(extra="forbid")


def redacted_request(request: CompletionRequest) -> CompletionRequest:
    """``request`` with every message passed through the redaction sink (:mod:`reviewer.redact`)."""
    from reviewer.redact import redact

    messages = [m if not m.content else m.model_copy(update={"content": redact(m.content)}) for m in request.messages]
    return request.model_copy(update={"messages": messages})


def _redacting(complete: Callable[[Any, CompletionRequest], Completion]) -> Callable[[Any, CompletionRequest], Completion]:
    if getattr(complete, "_redacts", False):
        return complete

    @functools.wraps(complete)
    def wrapper(self: Any, request: CompletionRequest) -> Completion:
        return complete(self, redacted_request(request))

    wrapper._redacts = True  # type: ignore[attr-defined]
    return wrapper


class Backend(ABC):
    name: ClassVar[str]
    description: ClassVar[str] = ""
    Options: ClassVar[type[BackendOptions]] = BackendOptions

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every backend's ``complete`` (plugins' too) sends only redacted prompts: the one choke point."""
        super().__init_subclass__(**kwargs)
        if "complete" in cls.__dict__:
            cls.complete = _redacting(cls.__dict__["complete"])  # type: ignore[method-assign]

    def __init__(self, options: BackendOptions | None = None) -> None:
        self.options = options if options is not None else self.Options()
        self._load_lock = threading.Lock()

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities()

    @property
    def model_name(self) -> str:
        """The model this backend answers with ('' when there is none)."""
        return ""

    @abstractmethod
    def complete(self, request: CompletionRequest) -> Completion:
        """Answer one chat request. Raise a BackendError subclass on failure."""

    def load(self) -> None:  # noqa: B027 - optional hook, no-op by default
        """Load or connect now (warm-up). Must be idempotent and safe to call from several threads."""

    def close(self) -> None:  # noqa: B027 - optional hook, no-op by default
        """Release the model or connections."""

    def __enter__(self) -> "Backend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
