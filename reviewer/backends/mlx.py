"""Backend for MLX models through mlx-lm (Apple Silicon; also runs, slowly, on Linux CPUs with ``mlx[cpu]``).

Install: ``pip install 'evidence-reviewer[mlx]'`` (on Linux: ``pip install "mlx[cpu]" mlx-lm``). mlx-lm is imported
only when the model is first loaded, so this module imports without it.

``model`` is a local MLX model directory (config.json, safetensors weights, tokenizer files), or a repo id
that mlx-lm resolves from the local Hugging Face cache. The model loads lazily, under the backend's lock, on
the first :meth:`MLXBackend.complete` (or on :meth:`MLXBackend.load`). Messages are rendered with the
tokenizer's chat template. mlx-lm has no constrained decoding: ``capabilities.json_schema`` is False, the
schema is not sent anywhere, and the structured-output layer validates the answer and re-asks.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import Field

from reviewer.backends.base import (
    Backend,
    BackendOptions,
    Capabilities,
    Completion,
    CompletionRequest,
    Timings,
    Usage,
)
from reviewer.errors import BackendNotInstalledError, BackendResponseError, ModelNotFoundError

__all__ = ["INSTALL_HINT", "MLXBackend", "MLXOptions"]

INSTALL_HINT = "pip install 'evidence-reviewer[mlx]' (on Linux: pip install \"mlx[cpu]\" mlx-lm)"


class MLXOptions(BackendOptions):
    model: str | None = Field(default=None, description="MLX model directory, or a repo id in the local HF cache")
    max_context: int = Field(default=4096, gt=0)
    max_kv_size: int | None = Field(default=None, gt=0, description="Rotating KV cache size (None: unbounded)")


@dataclass(frozen=True)
class _Loaded:
    mlx_lm: ModuleType
    sample_utils: ModuleType
    mx: ModuleType
    model: Any
    tokenizer: Any


def _import_mlx_lm() -> tuple[ModuleType, ModuleType, ModuleType]:
    """mlx_lm, mlx_lm.sample_utils and mlx.core, or BackendNotInstalledError with the install hint."""
    try:
        return (
            importlib.import_module("mlx_lm"),
            importlib.import_module("mlx_lm.sample_utils"),
            importlib.import_module("mlx.core"),
        )
    except ImportError as exc:
        raise BackendNotInstalledError("mlx", f"{INSTALL_HINT} ({exc})") from exc


class MLXBackend(Backend):
    name = "mlx"
    description = "MLX model through mlx-lm (Apple Silicon; CPU on Linux)"
    Options = MLXOptions

    def __init__(self, options: MLXOptions | None = None) -> None:
        super().__init__(options)
        self.options: MLXOptions
        self._loaded: _Loaded | None = None

    def __repr__(self) -> str:
        return f"MLXBackend(model={self.options.model!r}, loaded={self._loaded is not None})"

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(json_schema=False, prefix_cache=False, max_context=self.options.max_context)

    @property
    def model_name(self) -> str:
        return self.options.model or ""

    def load(self) -> None:
        self._ensure_loaded()

    def close(self) -> None:
        with self._load_lock:
            self._loaded = None

    def complete(self, request: CompletionRequest) -> Completion:
        started = time.perf_counter()
        loaded, load_s = self._ensure_loaded()
        prompt = _prompt_ids(loaded.tokenizer, request)
        text, last = self._generate(loaded, prompt, request)
        finish = "stop" if last is None or last.finish_reason is None else str(last.finish_reason)
        hits = [text.index(s) for s in request.stop or [] if s in text]
        if hits:
            text, finish = text[: min(hits)], "stop"
        timings = Timings(
            load_s=load_s,
            total_s=time.perf_counter() - started,
            prompt_s=len(prompt) / last.prompt_tps if last is not None and last.prompt_tps else None,
            generation_s=(
                last.generation_tokens / last.generation_tps if last is not None and last.generation_tps else None
            ),
        )
        usage = Usage(prompt_tokens=len(prompt), completion_tokens=last.generation_tokens if last is not None else 0)
        return Completion(
            text=text, backend=self.name, model=self.model_name, usage=usage, timings=timings, finish_reason=finish
        )

    def _ensure_loaded(self) -> tuple[_Loaded, float]:
        """Load the model and tokenizer once; them and the seconds spent loading in this call."""
        with self._load_lock:
            if self._loaded is not None:
                return self._loaded, 0.0
            started = time.perf_counter()
            mlx_lm, sample_utils, mx = _import_mlx_lm()
            model = self.options.model
            if not model:
                raise ModelNotFoundError(self.name, "(none given: pass --model DIR)", [])
            path = Path(model).expanduser()
            try:  # a directory, else a repo id that mlx-lm looks up in the local Hugging Face cache
                weights, tokenizer = mlx_lm.load(str(path) if path.is_dir() else model)[:2]
            except (OSError, ValueError) as exc:  # missing/corrupt files, unknown model type, not cached
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ModelNotFoundError(self.name, f"{model} ({reason})", []) from exc
            self._loaded = _Loaded(mlx_lm, sample_utils, mx, weights, tokenizer)
            return self._loaded, time.perf_counter() - started

    def _generate(self, loaded: _Loaded, prompt: list[int], request: CompletionRequest) -> tuple[str, Any]:
        """Stream tokens with mlx-lm; the text and the last GenerationResponse (usage and speeds)."""
        if request.seed is not None:
            loaded.mx.random.seed(request.seed)
        sampler = loaded.sample_utils.make_sampler(temp=request.temperature)
        parts: list[str] = []
        last: Any = None
        stream = loaded.mlx_lm.stream_generate(
            loaded.model,
            loaded.tokenizer,
            prompt,
            max_tokens=request.max_tokens,
            sampler=sampler,
            max_kv_size=self.options.max_kv_size,
        )
        try:
            for last in stream:
                parts.append(last.text)
                if request.stop and any(s in "".join(parts) for s in request.stop):
                    break
        except ValueError as exc:  # e.g. a prompt longer than the model accepts
            raise BackendResponseError(f"generation failed: {exc}", backend=self.name, model=self.model_name) from exc
        return "".join(parts), last


def _prompt_ids(tokenizer: Any, request: CompletionRequest) -> list[int]:
    """The prompt as token ids, through the tokenizer's chat template (a plain transcript when it has none)."""
    messages = [m.model_dump() for m in request.messages]
    if getattr(tokenizer, "has_chat_template", False):
        return list(tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True))
    plain = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant: "
    return list(tokenizer.encode(plain))
