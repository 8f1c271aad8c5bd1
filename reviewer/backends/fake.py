"""A scripted backend for unit tests of the layers above the backends (never the only test of a backend).

Replies come from ``Options.replies`` (used in order) or ``Options.responder`` (a callable taking the request),
or are set later with :meth:`FakeBackend.script` / :meth:`FakeBackend.respond_with`. Every request received is
kept in :attr:`FakeBackend.requests`. Capabilities are options, so the structured-output paths with and
without schema support can both be exercised.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pydantic import Field

from reviewer.backends.base import Backend, BackendOptions, Capabilities, Completion, CompletionRequest, Timings, Usage
from reviewer.errors import BackendResponseError

__all__ = ["FakeBackend", "FakeOptions", "Responder"]

Responder = Callable[[CompletionRequest], str]


class FakeOptions(BackendOptions):
    model: str | None = "fake-model"
    replies: list[str] = Field(default_factory=list, description="Answers returned in order")
    responder: Responder | None = Field(default=None, exclude=True, description="request -> answer text")
    json_schema: bool = False
    prefix_cache: bool = False
    max_context: int = 4096
    choice_probability: float | None = Field(
        default=None, ge=0.0, le=1.0, description="With a probe: the probability given to the choice the answer "
        "names (the rest shared by the others); None: no probabilities, like a backend that cannot tell")


class FakeBackend(Backend):
    name = "fake"
    description = "Scripted replies for tests"
    Options = FakeOptions

    def __init__(self, options: FakeOptions | None = None) -> None:
        super().__init__(options)
        opts: FakeOptions = self.options  # type: ignore[assignment]
        self._replies: list[str] = list(opts.replies)
        self._responder: Responder | None = opts.responder
        self._state_lock = threading.Lock()
        self.requests: list[CompletionRequest] = []
        self.loads = 0

    @property
    def capabilities(self) -> Capabilities:
        opts: FakeOptions = self.options  # type: ignore[assignment]
        return Capabilities(json_schema=opts.json_schema, prefix_cache=opts.prefix_cache,
                            token_probs=opts.choice_probability is not None, max_context=opts.max_context)

    def _choice_probs(self, request: CompletionRequest, text: str) -> dict[str, float] | None:
        p = self.options.choice_probability  # type: ignore[attr-defined]
        probe = request.probe
        if p is None or probe is None or probe.after not in text:
            return None
        rest = text[text.index(probe.after) + len(probe.after):]
        named = next((c for c in sorted(probe.choices, key=rest.find) if c in rest), None)
        if named is None:
            return None
        others = (1.0 - p) / (len(probe.choices) - 1)
        return {c: p if c == named else others for c in probe.choices}

    @property
    def model_name(self) -> str:
        return self.options.model or "fake-model"  # type: ignore[attr-defined]

    def script(self, *replies: str) -> None:
        """Append answers to the script (used in order, before any responder)."""
        with self._state_lock:
            self._replies.extend(replies)

    def respond_with(self, responder: Responder | None) -> None:
        """Answer every request (once the scripted replies are used up) with ``responder(request)``."""
        with self._state_lock:
            self._responder = responder

    def load(self) -> None:
        with self._load_lock:
            self.loads += 1

    def _next_text(self, request: CompletionRequest) -> str:
        with self._state_lock:
            self.requests.append(request)
            if self._replies:
                return self._replies.pop(0)
            responder = self._responder
        if responder is None:
            raise BackendResponseError(
                f"script exhausted after {len(self.requests) - 1} answer(s)", backend=self.name, model=self.model_name
            )
        return responder(request)

    def complete(self, request: CompletionRequest) -> Completion:
        start = time.perf_counter()
        text = self._next_text(request)
        prompt_tokens = sum(len(m.content.split()) for m in request.messages)
        words = text.split(" ")
        finish = "stop"
        if len(words) > request.max_tokens:  # one word, one token: cut off like a real model at max_tokens
            text, finish = " ".join(words[: request.max_tokens]), "length"
        return Completion(
            text=text,
            backend=self.name,
            model=self.model_name,
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=min(len(words), request.max_tokens)),
            timings=Timings(total_s=time.perf_counter() - start),
            finish_reason=finish,
            choice_probs=self._choice_probs(request, text),
        )
