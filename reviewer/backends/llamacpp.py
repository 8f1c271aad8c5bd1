"""In-process GGUF models through llama-cpp-python (extra ``reviewer[local]``); the embedded default backend.

* The model is resolved (:func:`reviewer.backends.models.resolve_model`: path, alias, ``REVIEWER_MODEL``, the
  assembled default) and loaded lazily on first use, once, under the backend's load lock. ``load()`` warms up.
* The chat format comes from the GGUF's ``tokenizer.chat_template`` unless ``chat_format`` names one.
* A request's JSON schema becomes ``response_format={"type": "json_object", "schema": ...}`` (a grammar).
* Prefix reuse: the Llama object keeps the KV state of the previous prompt and only evaluates the tokens after
  the longest common prefix, so reviews that put the shared evidence first and the persona last do not
  recompute it. ``prompt_cache_mb`` adds a RAM cache of saved states for prompts that interleave.
  ``Usage.cached_tokens`` reports the prompt tokens not evaluated again.
* Threads: see :func:`default_threads`. With llama.cpp's OpenMP build, busy-waiting threads collapse when the
  other core is taken; ``omp_passive`` sets ``OMP_WAIT_POLICY=PASSIVE`` (unless already set) just before
  llama_cpp is first imported, never at import of this module.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import Field

from reviewer.backends.base import (
    Backend, BackendOptions, Capabilities, Completion, CompletionRequest, Probe, Timings, Usage, probe_choices,
)
from reviewer.backends.models import DEFAULT_MODEL, resolve_model
from reviewer.errors import BackendError, BackendNotInstalledError, BackendResponseError, BackendUnavailableError

__all__ = ["INSTALL_HINT", "LlamaCppBackend", "LlamaCppOptions", "default_threads", "import_llama_cpp"]

INSTALL_HINT = "pip install 'evidence-reviewer[local]'  (llama-cpp-python; a prebuilt wheel skips the compile)"


def _usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_threads() -> tuple[int, int]:
    """(generation threads, prompt threads): all usable cores for both, at most 8."""
    cpus = min(_usable_cpus(), 8)
    return cpus, cpus


def import_llama_cpp(*, omp_passive: bool = True) -> ModuleType:
    """Import llama_cpp, or raise BackendNotInstalledError with the install hint."""
    if omp_passive and "llama_cpp" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError as exc:
        raise BackendNotInstalledError("llamacpp", INSTALL_HINT) from exc
    return llama_cpp


class LlamaCppOptions(BackendOptions):
    model: str | None = Field(default=None, description="GGUF path or alias; default: REVIEWER_MODEL, then Qwen")
    n_ctx: int = Field(default=8192, ge=256)
    n_threads: int | None = Field(default=None, ge=1, description="Generation threads (default: see docs)")
    n_threads_batch: int | None = Field(default=None, ge=1, description="Prompt-processing threads")
    n_batch: int = Field(default=512, ge=1)
    chat_format: str | None = Field(default=None, description="None: the GGUF's own chat template")
    seed: int = 0
    verbose: bool = False
    omp_passive: bool = Field(default=True, description="OMP_WAIT_POLICY=PASSIVE unless set (see module docs)")
    prompt_cache_mb: int = Field(default=0, ge=0, description="RAM cache of prompt states; 0 = KV reuse only")


class LlamaCppBackend(Backend):
    name = "llamacpp"
    description = "In-process GGUF model (llama-cpp-python)"
    Options = LlamaCppOptions

    def __init__(self, options: LlamaCppOptions | None = None) -> None:
        super().__init__(options)
        self.opts: LlamaCppOptions = self.options  # type: ignore[assignment]
        self._llama: Any = None
        self._module: ModuleType | None = None
        self._run_lock = threading.Lock()
        self.model_path: Path | None = None
        self.load_seconds: float | None = None
        self.loads = 0

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(json_schema=True, prefix_cache=True, token_probs=True, max_context=self.opts.n_ctx)

    @property
    def model_name(self) -> str:
        if self.model_path is not None:
            return self.model_path.name
        return self.opts.model or os.environ.get("REVIEWER_MODEL") or DEFAULT_MODEL

    # --- lifecycle ------------------------------------------------------------------------------
    def _create(self) -> Any:
        module = import_llama_cpp(omp_passive=self.opts.omp_passive)
        path = resolve_model(self.opts.model)
        gen_threads, batch_threads = default_threads()
        try:
            llama = module.Llama(
                model_path=str(path),
                n_ctx=self.opts.n_ctx,
                n_threads=self.opts.n_threads or gen_threads,
                n_threads_batch=self.opts.n_threads_batch or batch_threads,
                n_batch=self.opts.n_batch,
                chat_format=self.opts.chat_format,
                seed=self.opts.seed,
                verbose=self.opts.verbose,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise BackendUnavailableError(f"cannot load {path}: {exc}", backend=self.name, model=path.name) from exc
        if self.opts.prompt_cache_mb:
            llama.set_cache(module.LlamaRAMCache(capacity_bytes=self.opts.prompt_cache_mb << 20))
        self._module, self.model_path = module, path
        return llama

    def _ensure_loaded(self) -> tuple[Any, float]:
        """The Llama object and the load time spent in this call (0 when it was already loaded)."""
        if self._llama is not None:
            return self._llama, 0.0
        with self._load_lock:
            if self._llama is not None:
                return self._llama, 0.0
            start = time.perf_counter()
            llama = self._create()
            self.load_seconds = time.perf_counter() - start
            self.loads += 1
            self._llama = llama
            return llama, self.load_seconds

    def load(self) -> None:
        self._ensure_loaded()

    def close(self) -> None:
        with self._load_lock, self._run_lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    # --- completion -----------------------------------------------------------------------------
    def _arguments(self, request: CompletionRequest) -> dict[str, Any]:
        args: dict[str, Any] = {
            "messages": [m.model_dump() for m in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed if request.seed is not None else self.opts.seed,
            "stop": request.stop or [],
        }
        if request.json_schema is not None:
            args["response_format"] = {"type": "json_object", "schema": request.json_schema}
        return args

    def _recorder(self, llama: Any, probe: Probe) -> _ChoiceRecorder | None:
        """A logits processor that notes each choice's logit at every generated token (it changes nothing)."""
        first = [llama.tokenize(choice.encode("utf-8"), add_bos=False, special=False)[:1] for choice in probe.choices]
        ids = [t[0] for t in first if t]
        if len(ids) != len(probe.choices) or len(set(ids)) != len(ids):
            return None  # a choice with no token of its own: no probabilities
        return _ChoiceRecorder(dict(zip(probe.choices, ids)))

    def _generate(self, llama: Any, args: dict[str, Any]) -> tuple[dict[str, Any], Any, float]:
        if self._module is None:  # _load sets it before any model exists
            raise BackendError("llama_cpp is not loaded", backend=self.name, model=self.model_name or None)
        with self._run_lock:
            self._module.llama_perf_context_reset(llama._ctx.ctx)
            start = time.perf_counter()
            try:
                response = llama.create_chat_completion(**args)
            except ValueError as exc:  # context overflow, bad grammar/schema, bad chat template input
                raise BackendResponseError(str(exc), backend=self.name, model=self.model_name) from exc
            except RuntimeError as exc:  # llama_decode failures
                raise BackendError(f"generation failed: {exc}", backend=self.name, model=self.model_name) from exc
            total = time.perf_counter() - start
            perf = self._module.llama_perf_context(llama._ctx.ctx)
        return response, perf, total

    def complete(self, request: CompletionRequest) -> Completion:
        llama, load_s = self._ensure_loaded()
        args = self._arguments(request)
        recorder = self._recorder(llama, request.probe) if request.probe is not None else None
        if recorder is not None:
            args["logits_processor"] = [recorder]
        response, perf, total = self._generate(llama, args)
        choice = response["choices"][0]
        probs = None
        if recorder is not None and request.probe is not None:
            probs = probe_choices(request.probe, recorder.steps(lambda t: llama.detokenize([t]).decode(
                "utf-8", "replace")))
        raw_usage = response.get("usage") or {}
        prompt_tokens = int(raw_usage.get("prompt_tokens", 0))
        return Completion(
            text=choice["message"].get("content") or "",
            backend=self.name,
            model=self.model_name,
            usage=Usage(
                prompt_tokens=prompt_tokens,
                completion_tokens=int(raw_usage.get("completion_tokens", 0)),
                cached_tokens=max(0, prompt_tokens - int(perf.n_p_eval)),
            ),
            timings=Timings(
                load_s=load_s,
                total_s=total + load_s,
                prompt_s=perf.t_p_eval_ms / 1000,
                generation_s=perf.t_eval_ms / 1000,
            ),
            finish_reason=choice.get("finish_reason"),
            choice_probs=probs,
        )


class _ChoiceRecorder:
    """Called by llama.cpp before each token is sampled, with the tokens so far and the logits: keeps the
    choices' logits and, from the next call's tokens, which token was sampled."""

    def __init__(self, token_of: dict[str, int]) -> None:
        self.token_of = token_of
        self.scores: list[dict[str, float]] = []
        self.start: int | None = None
        self.generated: list[int] = []

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.start is None:
            self.start = len(input_ids)
        self.generated = [int(t) for t in input_ids[self.start:]]
        self.scores.append({c: float(scores[t]) for c, t in self.token_of.items()})
        return scores

    def steps(self, text_of: Callable[[int], str]) -> list[tuple[str, dict[str, float]]]:
        """(token text, choice logits) per sampled token; the last call's token is not known and is left out."""
        return [(text_of(token), self.scores[i]) for i, token in enumerate(self.generated) if i < len(self.scores)]
