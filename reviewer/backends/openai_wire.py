"""The OpenAI-compatible wire format: request bodies out, parsed chat responses in.

Pure functions and pydantic models, no network: :mod:`reviewer.backends.openai` sends what these build.
Servers differ in the extras they accept, so ``server_kind`` decides what is added to a request:

* ``ollama``: ``keep_alive`` (how long the model stays loaded after the request).
* ``lmstudio``: ``ttl`` (seconds before a just-in-time loaded model is unloaded).
* ``llamacpp`` (llama.cpp's llama-server and llama-cpp-python's server): the schema goes in
  ``{"type": "json_object", "schema": ...}``; llama-cpp-python rejects ``"json_schema"`` with a 422.
* ``vllm``, ``generic``: only standard fields.

Some servers accept ``response_format`` and silently ignore it (mlx_lm.server, Ollama on MLX models): the
structured-output layer validates every answer anyway.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.backends.base import CompletionRequest, Probe, Timings, Usage, probe_choices

__all__ = [
    "ChatResponse",
    "SchemaMode",
    "ServerKind",
    "build_chat_body",
    "excerpt",
    "guess_server_kind",
    "parse_chat_response",
    "parse_model_ids",
]

ServerKind = Literal["auto", "ollama", "lmstudio", "vllm", "llamacpp", "generic"]
SchemaMode = Literal["auto", "json_schema", "json_object", "none"]

# "owned_by" of /v1/models entries, as the servers report it.
_OWNERS: dict[str, ServerKind] = {
    "library": "ollama",
    "ollama": "ollama",
    "organization_owner": "lmstudio",
    "vllm": "vllm",
    "llamacpp": "llamacpp",
    "me": "llamacpp",  # llama-cpp-python's server reports every model as owned by "me"
}
# The servers' documented default ports, used when the model list does not say who is answering.
_PORTS: dict[int, ServerKind] = {11434: "ollama", 1234: "lmstudio", 8000: "vllm", 8080: "llamacpp"}


class _Message(BaseModel):
    content: str | None = None


class _TopLogprob(BaseModel):
    token: str
    logprob: float


class _TokenLogprob(BaseModel):
    token: str
    logprob: float
    top_logprobs: list[_TopLogprob] = Field(default_factory=list)


class _Logprobs(BaseModel):
    content: list[_TokenLogprob] | None = None


class _Choice(BaseModel):
    message: _Message
    finish_reason: str | None = None
    logprobs: _Logprobs | None = None


class _PromptDetails(BaseModel):
    cached_tokens: int | None = None


class _Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_tokens_details: _PromptDetails | None = None


class _Timings(BaseModel):
    """llama.cpp's llama-server adds these to every completion."""

    prompt_ms: float | None = None
    predicted_ms: float | None = None
    cache_n: int | None = None


class ChatResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str | None = None
    choices: list[_Choice] = Field(min_length=1)
    usage: _Usage | None = None
    timings: _Timings | None = None

    @property
    def text(self) -> str:
        return self.choices[0].message.content or ""

    @property
    def finish_reason(self) -> str | None:
        return self.choices[0].finish_reason

    def choice_probs(self, probe: Probe | None) -> dict[str, float] | None:
        """The probe's choice probabilities from the answer's ``logprobs`` (None when the server sent none)."""
        logprobs = self.choices[0].logprobs
        if probe is None or logprobs is None or not logprobs.content:
            return None
        steps = []
        for t in logprobs.content:
            scores = {top.token.strip().strip('"'): top.logprob for top in t.top_logprobs or [t]}
            steps.append((t.token, {c: scores[c] for c in probe.choices if c in scores}))
        return probe_choices(probe, steps)

    def to_usage(self) -> Usage:
        usage = self.usage or _Usage()
        cached = usage.prompt_tokens_details.cached_tokens if usage.prompt_tokens_details else None
        if cached is None and self.timings is not None:
            cached = self.timings.cache_n
        return Usage(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens, cached_tokens=cached)

    def to_timings(self, *, load_s: float, total_s: float) -> Timings:
        prompt_ms = self.timings.prompt_ms if self.timings else None
        predicted_ms = self.timings.predicted_ms if self.timings else None
        return Timings(
            load_s=load_s,
            total_s=total_s,
            prompt_s=prompt_ms / 1000 if prompt_ms is not None else None,
            generation_s=predicted_ms / 1000 if predicted_ms is not None else None,
        )


def excerpt(text: str, limit: int = 200) -> str:
    """A short single-line excerpt of a server's answer, for error messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def parse_chat_response(body: str) -> ChatResponse:
    """Parse a chat completion body. Raises ValueError with a short reason when it is not one."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"answer is not JSON ({exc.msg}): {excerpt(body)!r}") from exc
    if not isinstance(data, dict) or not data.get("choices"):
        raise ValueError(f"answer has no choices: {excerpt(body)!r}")
    try:
        return ChatResponse.model_validate(data)
    except ValidationError as exc:
        problems = f"{exc.error_count()} problem(s)"
        raise ValueError(f"answer is not a chat completion ({problems}): {excerpt(body)!r}") from exc


def parse_model_ids(body: str) -> tuple[list[str], list[str]]:
    """The model ids and their ``owned_by`` values from a /v1/models body. Raises ValueError when unreadable."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"model list is not JSON ({exc.msg}): {excerpt(body)!r}") from exc
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"model list has no 'data' array: {excerpt(body)!r}")
    ids = [str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e]
    owners = [str(e.get("owned_by", "")) for e in entries if isinstance(e, dict)]
    return ids, owners


def guess_server_kind(base_url: str, owners: list[str]) -> ServerKind:
    """Who is answering: from the model list's ``owned_by``, else the default port, else 'generic'."""
    for owner in owners:
        if owner.lower() in _OWNERS:
            return _OWNERS[owner.lower()]
    port = urlsplit(base_url).port
    return _PORTS.get(port, "generic") if port is not None else "generic"


def _response_format(schema: dict[str, Any], mode: SchemaMode, kind: ServerKind) -> dict[str, Any] | None:
    if mode == "auto":
        mode = "json_object" if kind == "llamacpp" else "json_schema"
    if mode == "none":
        return None
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    name = str(schema.get("title") or "response")
    safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)[:64]
    return {"type": "json_schema", "json_schema": {"name": safe, "schema": schema, "strict": True}}


def build_chat_body(
    request: CompletionRequest,
    *,
    model: str,
    kind: ServerKind,
    schema_mode: SchemaMode,
    keep_alive: str | int,
    ttl: int,
) -> dict[str, Any]:
    """The JSON body of one /chat/completions request for a server of ``kind``."""
    body: dict[str, Any] = {
        "model": model,
        "messages": [m.model_dump() for m in request.messages],
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "stream": False,
    }
    if request.seed is not None:
        body["seed"] = request.seed
    if request.probe is not None:
        body["logprobs"] = True
        body["top_logprobs"] = 5
    if request.stop:
        body["stop"] = request.stop
    if request.json_schema is not None:
        response_format = _response_format(request.json_schema, schema_mode, kind)
        if response_format is not None:
            body["response_format"] = response_format
    if kind == "ollama":
        body["keep_alive"] = keep_alive
    elif kind == "lmstudio":
        body["ttl"] = ttl
    return body
