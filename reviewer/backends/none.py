"""The ``none`` backend: no model at all. ``--backend none`` is the first-class deterministic review.

Its capabilities say ``generates=False``, so the review engine never calls :meth:`NoneBackend.complete`;
calling it anyway is a programming error reported as a BackendError that says what to choose instead.
"""

from __future__ import annotations

from reviewer.backends.base import Backend, BackendOptions, Capabilities, Completion, CompletionRequest
from reviewer.errors import BackendError

__all__ = ["NoneBackend", "NoneOptions"]


class NoneOptions(BackendOptions):
    model: str | None = None


class NoneBackend(Backend):
    name = "none"
    description = "No model: deterministic review from the collected evidence only"
    Options = NoneOptions

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(generates=False, json_schema=False, prefix_cache=False, max_context=0)

    def complete(self, request: CompletionRequest) -> Completion:
        raise BackendError(
            "no model is configured (the 'none' backend gives the deterministic review only); "
            "choose --backend llamacpp or --backend openai to get model findings",
            backend=self.name,
        )
