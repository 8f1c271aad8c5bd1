"""OpenAIBackend against a real llama-cpp-python server (SmolLM2) and against a scripted misbehaving server."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers.llama_server import MODEL_ALIAS, free_port, llama_server
from helpers.scripted_http import ScriptedServer, chat, models, reply, slow

from reviewer.backends.base import CompletionRequest, Message, Probe
from reviewer.backends.openai import OpenAIBackend, OpenAIOptions
from reviewer.backends.registry import create_backend
from reviewer.errors import (
    BackendResponseError,
    BackendTimeoutError,
    BackendUnavailableError,
    ModelNotFoundError,
)

CHAT = "/v1/chat/completions"
MODELS = "/v1/models"
VERDICT_SCHEMA: dict[str, Any] = {
    "title": "Verdict",
    "type": "object",
    "properties": {"verdict": {"type": "string", "enum": ["pass", "fail"]}},
    "required": ["verdict"],
    "additionalProperties": False,
}


def ask(text: str = "Say hello.", **kwargs: Any) -> CompletionRequest:
    return CompletionRequest(messages=[Message(role="user", content=text)], **{"max_tokens": 12, **kwargs})


def backend_for(url: str, **options: Any) -> OpenAIBackend:
    """Fast-failing options for tests: tiny backoff, short timeouts."""
    defaults: dict[str, Any] = {"backoff_base": 0.01, "backoff_max": 0.05, "connect_timeout": 2.0, "read_timeout": 20}
    return OpenAIBackend(OpenAIOptions(base_url=url, **{**defaults, **options}))


@pytest.fixture(scope="module")
def real_server(smollm2_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_server(smollm2_gguf, log) as url:
        yield url


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.script(MODELS, models("m1"))
        yield server


# -- the real server ------------------------------------------------------------------------------------------


@pytest.mark.model
def test_real_server_completes_with_usage_and_detects_llamacpp(real_server: str) -> None:
    with create_backend("openai", {"base_url": real_server}) as backend:  # no model: the only one served
        completion = backend.complete(ask(max_tokens=8))
        assert isinstance(backend, OpenAIBackend)
        assert backend.model_name == MODEL_ALIAS and completion.model == MODEL_ALIAS
        assert backend.server_kind == "llamacpp"  # from owned_by, under server_kind="auto"
    assert completion.text.strip()
    assert completion.usage.prompt_tokens > 5
    assert 0 < completion.usage.completion_tokens <= 8
    assert completion.finish_reason in ("stop", "length")
    assert completion.timings.total_s >= completion.timings.load_s > 0


@pytest.mark.model
def test_real_server_unknown_model_lists_the_served_one(real_server: str) -> None:
    backend = backend_for(real_server, model="no-such-model")
    with pytest.raises(ModelNotFoundError) as caught:
        backend.complete(ask())
    assert caught.value.available == [MODEL_ALIAS]
    assert "no-such-model" in str(caught.value) and MODEL_ALIAS in str(caught.value)


@pytest.mark.model
def test_real_server_schema_constrained_output(real_server: str) -> None:
    backend = backend_for(real_server, model=MODEL_ALIAS)
    request = ask("Does 2 + 2 equal 4? Answer pass or fail as JSON.", max_tokens=24, json_schema=VERDICT_SCHEMA)
    completion = backend.complete(request)
    jsonschema.validate(json.loads(completion.text), VERDICT_SCHEMA)
    assert backend.capabilities.json_schema is True


# -- faults -----------------------------------------------------------------------------------------------


def test_connection_refused_is_unavailable_after_retries() -> None:
    backend = backend_for(f"http://127.0.0.1:{free_port()}/v1", model="m1", max_retries=1)
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError) as caught:
        backend.complete(ask())
    assert "cannot reach" in str(caught.value) and "gave up after 2 attempt(s)" in str(caught.value)
    assert caught.value.backend == "openai" and caught.value.model == "m1"
    assert time.monotonic() - started < 5


def test_slow_server_times_out_without_retry(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, slow(5.0, chat("too late")))
    backend = backend_for(scripted.base_url, model="m1", read_timeout=0.3, max_retries=3)
    started = time.monotonic()
    with pytest.raises(BackendTimeoutError, match=r"within 0\.3s"):
        backend.complete(ask())
    assert time.monotonic() - started < 3
    assert len(scripted.hits(CHAT)) == 1


def test_500_then_success_is_retried(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, reply(500, {"error": "boom"}), chat("recovered"))
    completion = backend_for(scripted.base_url, model="m1").complete(ask())
    assert completion.text == "recovered"
    assert completion.usage.prompt_tokens == 7 and completion.usage.completion_tokens == 3
    assert len(scripted.hits(CHAT)) == 2


def test_5xx_until_retries_run_out(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, reply(503, {"error": "overloaded"}))
    with pytest.raises(BackendUnavailableError, match="answered 503.*overloaded.*gave up after 3"):
        backend_for(scripted.base_url, model="m1", max_retries=2).complete(ask())
    assert len(scripted.hits(CHAT)) == 3


def test_429_retry_after_is_honoured(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, reply(429, {"error": "slow down"}, {"Retry-After": "1"}), chat("ok"))
    started = time.monotonic()
    completion = backend_for(scripted.base_url, model="m1").complete(ask())
    waited = time.monotonic() - started
    assert completion.text == "ok" and len(scripted.hits(CHAT)) == 2
    assert waited >= 0.9  # the backoff alone would be ~0.01 s


def test_non_json_answer_is_a_response_error_with_excerpt(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, reply(200, "<html><body>Gateway says oops</body></html>"))
    with pytest.raises(BackendResponseError, match="not JSON.*Gateway says oops"):
        backend_for(scripted.base_url, model="m1").complete(ask())
    assert len(scripted.hits(CHAT)) == 1


def test_json_without_choices_is_a_response_error(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, reply(200, {"object": "chat.completion", "choices": []}))
    with pytest.raises(BackendResponseError, match="no choices"):
        backend_for(scripted.base_url, model="m1").complete(ask())


def test_schema_ignored_by_server_returns_text_as_is(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, chat("Sure! The verdict is pass."))
    backend = backend_for(scripted.base_url, model="m1")
    completion = backend.complete(ask(json_schema=VERDICT_SCHEMA))
    assert completion.text == "Sure! The verdict is pass."  # validation is the structured layer's job
    sent = scripted.hits(CHAT)[0].body["response_format"]
    assert sent == {"type": "json_schema", "json_schema": {"name": "Verdict", "schema": VERDICT_SCHEMA, "strict": True}}
    assert backend.capabilities.json_schema is True


def test_schema_mode_none_sends_no_schema_and_says_so(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, chat("{}"))
    backend = backend_for(scripted.base_url, model="m1", json_schema_mode="none")
    backend.complete(ask(json_schema=VERDICT_SCHEMA))
    assert "response_format" not in scripted.hits(CHAT)[0].body
    assert backend.capabilities.json_schema is False


def test_model_not_in_list_sends_no_completion(scripted: ScriptedServer) -> None:
    scripted.script(MODELS, models("qwen", "llama"))
    with pytest.raises(ModelNotFoundError) as caught:
        backend_for(scripted.base_url, model="gpt-4").complete(ask())
    assert caught.value.available == ["qwen", "llama"]
    assert scripted.hits(CHAT) == []


def test_model_list_is_cached_briefly(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, chat("ok"))
    backend = backend_for(scripted.base_url, model="m1", models_cache_s=30)
    for _ in range(3):
        backend.complete(ask())
    assert len(scripted.hits(MODELS)) == 1 and len(scripted.hits(CHAT)) == 3


def test_server_killed_opens_circuit_then_recovers() -> None:
    first = ScriptedServer().__enter__()
    first.script(MODELS, models("m1"))
    first.script(CHAT, chat("one"))
    options = {"model": "m1", "max_retries": 2, "circuit_failures": 3, "circuit_cooldown": 0.5}
    backend = backend_for(first.base_url, **options)
    assert backend.complete(ask()).text == "one"
    first.stop()
    with pytest.raises(BackendUnavailableError, match="gave up after 3 attempt.*circuit breaker now open"):
        backend.complete(ask())
    with ScriptedServer(port=first.port) as second:  # the server is back, but the circuit is still open
        second.script(MODELS, models("m1"))
        second.script(CHAT, chat("two"))
        started = time.monotonic()
        with pytest.raises(BackendUnavailableError, match="circuit breaker open"):
            backend.complete(ask())
        assert time.monotonic() - started < 0.2
        assert second.requests == []  # failed fast: no connection attempt
        time.sleep(0.6)  # cooldown over: one trial call goes through and closes the circuit
        assert backend.complete(ask()).text == "two"


def test_api_key_sent_as_bearer_and_never_shown(scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("MY_REVIEW_KEY", secret)
    scripted.script(CHAT, chat("fine"), reply(401, {"error": "bad key"}))
    backend = backend_for(scripted.base_url, model="m1", api_key_env="MY_REVIEW_KEY")
    backend.complete(ask())
    with pytest.raises(BackendResponseError) as caught:
        backend.complete(ask())
    assert all(r.headers.get("Authorization") == f"Bearer {secret}" for r in scripted.requests)
    assert "$MY_REVIEW_KEY" in str(caught.value)
    shown = [repr(backend), repr(backend.options), str(backend.options.model_dump()), str(caught.value)]
    assert not any(secret in text for text in shown)


def test_no_key_in_env_sends_no_authorization(scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_API_KEY", raising=False)
    scripted.script(CHAT, chat("fine"))
    backend_for(scripted.base_url, model="m1").complete(ask())
    assert all("Authorization" not in r.headers for r in scripted.requests)


def test_400_is_not_retried_and_does_not_open_circuit(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, reply(400, {"error": "bad request: max_tokens"}), chat("ok"))
    backend = backend_for(scripted.base_url, model="m1", max_retries=3, circuit_failures=1)
    with pytest.raises(BackendResponseError, match="answered 400.*max_tokens"):
        backend.complete(ask())
    assert len(scripted.hits(CHAT)) == 1
    assert backend.complete(ask()).text == "ok"  # circuit_failures=1 would have opened on a counted failure


def test_concurrency_is_limited(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, slow(0.2, chat("ok")))
    backend = backend_for(scripted.base_url, model="m1", max_concurrency=1)
    backend.load()
    threads = [threading.Thread(target=backend.complete, args=(ask(),)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(scripted.hits(CHAT)) == 3 and scripted.in_flight_max == 1


@pytest.mark.parametrize(
    ("owned_by", "expected"),
    [("library", {"keep_alive": "5m"}), ("organization_owner", {"ttl": 300}), ("someone", {})],
)
def test_auto_server_kind_sends_its_extras(scripted: ScriptedServer, owned_by: str, expected: dict[str, Any]) -> None:
    scripted.script(MODELS, models("m1", owned_by=owned_by))
    scripted.script(CHAT, chat("ok"))
    backend_for(scripted.base_url, model="m1").complete(ask())
    body = scripted.hits(CHAT)[0].body
    assert {k: body[k] for k in ("keep_alive", "ttl") if k in body} == expected


def _logprob_chat(tokens: list[tuple[str, dict[str, float]]]) -> Any:
    """A chat completion with OpenAI-style ``logprobs``: each token with its top alternatives."""
    content = [{"token": t, "logprob": top.get(t.strip('"'), -0.1), "top_logprobs": [
        {"token": k, "logprob": v} for k, v in top.items()]} for t, top in tokens]
    return reply(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(
        t for t, _ in tokens)}, "finish_reason": "stop", "logprobs": {"content": content}}]})


def test_logprobs_give_the_probability_where_the_answer_is_given(scripted: ScriptedServer) -> None:
    # "no" inside the reason is not the answer: only the token after "answer" is
    scripted.script(CHAT, _logprob_chat([('{"reason": "', {}), ("no", {"no": -0.1, "yes": -3.0}),
                                         (' timeout", "answer": "', {}), ("yes", {"yes": -0.4, "no": -1.1}),
                                         ('"}', {})]))
    backend = backend_for(scripted.base_url, model="m1", logprobs=True)
    completion = backend.complete(ask(probe=Probe(after='"answer"', choices=["yes", "no"])))
    sent = scripted.hits(CHAT)[0].body
    assert sent["logprobs"] is True and sent["top_logprobs"] == 5
    assert completion.choice_probs is not None and backend.capabilities.token_probs
    assert completion.choice_probs["yes"] == pytest.approx(1 / (1 + math.exp(-1.1 + 0.4)))  # e^-0.4 / (e^-0.4 + e^-1.1)


def test_logprobs_are_not_asked_for_unless_enabled(scripted: ScriptedServer) -> None:
    scripted.script(CHAT, chat('{"reason": "r", "answer": "yes"}'))
    backend = backend_for(scripted.base_url, model="m1")
    completion = backend.complete(ask(probe=Probe(after='"answer"', choices=["yes", "no"])))
    assert "logprobs" not in scripted.hits(CHAT)[0].body  # a server that refuses them would fail every call
    assert completion.choice_probs is None and not backend.capabilities.token_probs
