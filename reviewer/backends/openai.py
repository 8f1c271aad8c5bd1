"""Backend for any OpenAI-compatible chat server: LM Studio, Ollama, vLLM, llama.cpp's llama-server,
llama-cpp-python's server.

Usage::

    backend = create_backend("openai", {"base_url": "http://127.0.0.1:11434/v1", "model": "qwen2.5-coder:1.5b"})
    completion = backend.complete(CompletionRequest(messages=[Message(role="user", content="hi")]))

* The base URL comes from the options, else ``REVIEWER_BASE_URL`` (read when the options are built), else
  ``http://127.0.0.1:8080/v1``. A URL without a path gets ``/v1``.
* The API key is read from the environment variable named by ``api_key_env`` (default ``REVIEWER_API_KEY``)
  when the client is created, sent as ``Authorization: Bearer``, and never logged, repr'd or put in errors.
* First use (or :meth:`OpenAIBackend.load`) lists ``/models`` and checks the model is served
  (ModelNotFoundError lists the served ones); the list is re-read after ``models_cache_s`` seconds.
* Connection errors, 5xx and 429 are retried with exponential backoff and jitter (``Retry-After`` honoured,
  capped by ``max_retry_after``); other 4xx are not. A read timeout is not retried: BackendTimeoutError.
  A circuit breaker fails fast once the server looks dead (see :mod:`reviewer.backends.resilience`).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import Field, field_validator

from reviewer.backends.base import Backend, BackendOptions, Capabilities, Completion, CompletionRequest
from reviewer.backends.openai_wire import (
    SchemaMode,
    ServerKind,
    build_chat_body,
    excerpt,
    guess_server_kind,
    parse_chat_response,
    parse_model_ids,
)
from reviewer.backends.resilience import RetryPolicy, TransientFailure, new_breaker, parse_retry_after, run_resilient
from reviewer.errors import (
    BackendResponseError,
    BackendTimeoutError,
    BackendUnavailableError,
    ModelNotFoundError,
)

__all__ = ["DEFAULT_BASE_URL", "OpenAIBackend", "OpenAIOptions"]

DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"
BASE_URL_ENV = "REVIEWER_BASE_URL"


def _default_base_url() -> str:
    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


class OpenAIOptions(BackendOptions):
    model: str | None = Field(default=None, description="Model id as the server lists it (None: the only one)")
    base_url: str = Field(
        default_factory=_default_base_url, validate_default=True, description=f"Server URL; default ${BASE_URL_ENV}"
    )
    api_key_env: str = Field(default="REVIEWER_API_KEY", description="Name of the env var holding the API key")
    connect_timeout: float = Field(default=5.0, gt=0, le=600)
    read_timeout: float = Field(default=300.0, gt=0, le=3600, description="Seconds to wait for an answer")
    max_retries: int = Field(default=3, ge=0, le=10)
    backoff_base: float = Field(default=0.5, ge=0, le=60, description="First backoff, seconds (doubles)")
    backoff_max: float = Field(default=8.0, ge=0, le=600)
    max_retry_after: float = Field(default=30.0, ge=0, le=600, description="Cap on a server's Retry-After")
    circuit_failures: int = Field(default=5, ge=1, le=100, description="Consecutive failures that open it")
    circuit_cooldown: float = Field(default=30.0, gt=0, le=3600, description="Seconds it stays open")
    max_concurrency: int = Field(default=2, ge=1, le=64, description="Requests in flight at once")
    keep_alive: str | int = Field(default="5m", description="Ollama keep_alive ('-1' would mean forever)")
    ttl: int = Field(default=300, gt=0, description="LM Studio ttl, seconds")
    server_kind: ServerKind = Field(default="auto", description="Decides which extras are sent")
    json_schema_mode: SchemaMode = Field(default="auto", description="How a JSON schema is sent")
    logprobs: bool = Field(
        default=False, description="Ask for token probabilities, so that a doubtful yes can be dropped (llama-server, "
        "vLLM and OpenAI send them; llama-cpp-python's server refuses them unless started with logits_all)")
    models_cache_s: float = Field(default=30.0, ge=0, le=3600)
    max_context: int = Field(default=8192, gt=0)

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {value!r}")
        path = parts.path.rstrip("/") or "/v1"
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class OpenAIBackend(Backend):
    name = "openai"
    description = "Any OpenAI-compatible server (LM Studio, Ollama, vLLM, llama-server, llama-cpp-python)"
    Options = OpenAIOptions

    def __init__(self, options: OpenAIOptions | None = None) -> None:
        super().__init__(options)
        self.options: OpenAIOptions
        opts = self.options
        self._client: httpx.Client | None = None
        self._models: list[str] = []
        self._models_at = 0.0
        self._model: str | None = opts.model
        self._kind: ServerKind = opts.server_kind
        self._slots = threading.BoundedSemaphore(opts.max_concurrency)
        self._breaker = new_breaker(opts.circuit_failures, opts.circuit_cooldown, name=f"openai@{self.display_url}")
        self._policy = RetryPolicy(opts.max_retries, opts.backoff_base, opts.backoff_max, opts.max_retry_after)

    def __repr__(self) -> str:
        return f"OpenAIBackend(base_url={self.display_url!r}, model={self._model!r})"

    @property
    def display_url(self) -> str:
        """The base URL without any user:password part."""
        parts = urlsplit(self.options.base_url)
        netloc = parts.hostname or ""
        netloc = f"[{netloc}]" if ":" in netloc else netloc
        netloc += f":{parts.port}" if parts.port else ""
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            json_schema=self.options.json_schema_mode != "none", token_probs=self.options.logprobs,
            max_context=self.options.max_context
        )

    @property
    def model_name(self) -> str:
        return self._model or ""

    @property
    def server_kind(self) -> ServerKind:
        """The kind of server answering (resolved from 'auto' once connected)."""
        return self._kind

    def load(self) -> None:
        self._ensure_ready()

    def close(self) -> None:
        with self._load_lock:
            if self._client is not None:
                self._client.close()
                self._client = None
                self._models_at = 0.0

    def complete(self, request: CompletionRequest) -> Completion:
        started = time.perf_counter()
        model = self._ensure_ready()
        load_s = time.perf_counter() - started
        if request.probe is not None and not self.options.logprobs:
            request = request.model_copy(update={"probe": None})
        body = build_chat_body(
            request,
            model=model,
            kind=self._kind,
            schema_mode=self.options.json_schema_mode,
            keep_alive=self.options.keep_alive,
            ttl=self.options.ttl,
        )
        with self._slots:
            response = self._call("/chat/completions", body)
        if response.status_code == 404:
            self._recheck_model(response)
        try:
            parsed = parse_chat_response(response.text)
        except ValueError as exc:
            raise BackendResponseError(str(exc), backend=self.name, model=model) from exc
        return Completion(
            text=parsed.text,
            backend=self.name,
            model=model,
            usage=parsed.to_usage(),
            timings=parsed.to_timings(load_s=load_s, total_s=time.perf_counter() - started),
            finish_reason=parsed.finish_reason,
            choice_probs=parsed.choice_probs(request.probe),
        )

    # -- connecting and the model list -------------------------------------------------------------------

    def _ensure_ready(self) -> str:
        """Create the client and check the model against a fresh-enough model list; the model id to use."""
        with self._load_lock:
            if self._client is None:
                self._client = self._new_client()
            if time.monotonic() - self._models_at > self.options.models_cache_s or not self._models_at:
                self._refresh_models()
            return self._resolve_model()

    def _new_client(self) -> httpx.Client:
        opts = self.options
        headers = {"Accept": "application/json"}
        key = os.environ.get(opts.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        timeout = httpx.Timeout(opts.read_timeout, connect=opts.connect_timeout, pool=opts.read_timeout)
        limits = httpx.Limits(max_connections=opts.max_concurrency + 1, max_keepalive_connections=opts.max_concurrency)
        return httpx.Client(base_url=opts.base_url + "/", headers=headers, timeout=timeout, limits=limits)

    def _refresh_models(self) -> None:
        response = self._call("/models", None)
        if response.status_code == 404:
            raise BackendResponseError(
                f"{self.display_url}/models not found: is base_url right? (most servers serve under /v1)",
                backend=self.name,
                model=self._model,
            )
        try:
            ids, owners = parse_model_ids(response.text)
        except ValueError as exc:
            raise BackendResponseError(str(exc), backend=self.name, model=self._model) from exc
        self._models, self._models_at = ids, time.monotonic()
        if self.options.server_kind == "auto":
            self._kind = guess_server_kind(self.options.base_url, owners)

    def _resolve_model(self) -> str:
        if self._model is None:
            if len(self._models) != 1:
                raise ModelNotFoundError(self.name, "(none given: choose one with --model)", self._models)
            self._model = self._models[0]
        elif self._model not in self._models:
            raise ModelNotFoundError(self.name, self._model, self._models)
        return self._model

    def _recheck_model(self, response: httpx.Response) -> None:
        """A 404 on a completion: the model may have been unloaded or removed; re-read the list to say which."""
        with self._load_lock:
            self._refresh_models()
            self._resolve_model()
        raise BackendResponseError(
            f"server answered 404 for a listed model: {excerpt(response.text)!r}", backend=self.name, model=self._model
        )

    # -- one request, with retries and the circuit breaker ------------------------------------------------

    def _call(self, path: str, body: dict[str, Any] | None) -> httpx.Response:
        """Send one request (GET when body is None) with retries; a response that is 2xx or 404."""
        return run_resilient(
            lambda: self._attempt(path, body),
            policy=self._policy,
            breaker=self._breaker,
            backend=self.name,
            model=self._model,
        )

    def _attempt(self, path: str, body: dict[str, Any] | None) -> httpx.Response:
        client = self._client
        if client is None:
            raise BackendUnavailableError("backend was closed", backend=self.name, model=self._model)
        where = f"{self.display_url}{path}"
        try:
            if body is None:
                response = client.get(path.lstrip("/"))
            else:
                response = client.post(path.lstrip("/"), json=body)
        except httpx.ReadTimeout as exc:
            raise BackendTimeoutError(
                f"no answer from {where} within {self.options.read_timeout:g}s", backend=self.name, model=self._model
            ) from exc
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            error = BackendUnavailableError(
                f"cannot reach {where}: {type(exc).__name__}: {exc}", backend=self.name, model=self._model
            )
            raise TransientFailure(error) from exc
        return self._check_status(response, where)

    def _check_status(self, response: httpx.Response, where: str) -> httpx.Response:
        status = response.status_code
        if response.is_success or status == 404:
            return response
        said = excerpt(response.text)
        if status == 429 or status >= 500:
            error = BackendUnavailableError(
                f"{where} answered {status}: {said!r}", backend=self.name, model=self._model
            )
            raise TransientFailure(error, retry_after=parse_retry_after(response.headers.get("Retry-After")))
        hint = f" (is ${self.options.api_key_env} set?)" if status in (401, 403) else ""
        raise BackendResponseError(f"{where} answered {status}{hint}: {said!r}", backend=self.name, model=self._model)
