"""OpenAI backend options, request bodies per server kind, Retry-After parsing, and 404 handling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from helpers.scripted_http import ScriptedServer, chat, models, reply

from reviewer.backends.base import CompletionRequest, Message
from reviewer.backends.openai import DEFAULT_BASE_URL, OpenAIBackend, OpenAIOptions
from reviewer.backends.openai_wire import build_chat_body, guess_server_kind
from reviewer.backends.registry import create_backend
from reviewer.backends.resilience import parse_retry_after
from reviewer.errors import BackendResponseError, ConfigError, ModelNotFoundError

SCHEMA: dict[str, Any] = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
REQUEST = CompletionRequest(messages=[Message(role="user", content="hi")], json_schema=SCHEMA, stop=["\n\n"])


def body_for(kind: Any, mode: Any = "auto") -> dict[str, Any]:
    return build_chat_body(REQUEST, model="m", kind=kind, schema_mode=mode, keep_alive="5m", ttl=300)


def test_base_url_from_env_is_read_when_options_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_BASE_URL", raising=False)
    assert OpenAIOptions().base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("REVIEWER_BASE_URL", "http://127.0.0.1:11434")  # set after import: still seen
    assert OpenAIOptions().base_url == "http://127.0.0.1:11434/v1"  # a bare server URL gets /v1
    assert OpenAIOptions(base_url="http://127.0.0.1:1234/v1/").base_url == "http://127.0.0.1:1234/v1"


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="backend.options.base_url"):
        create_backend("openai", {"base_url": "ftp://127.0.0.1/v1"})
    with pytest.raises(ConfigError, match="backend.options.api_key"):
        create_backend("openai", {"api_key": "sk-should-not-be-an-option"})
    with pytest.raises(ConfigError, match="backend.options.read_timeout"):
        create_backend("openai", {"read_timeout": 0})


def test_defaults_are_finite() -> None:
    options = OpenAIOptions()
    assert options.read_timeout < 3600 and options.connect_timeout < 60
    assert options.keep_alive == "5m" and 0 < options.ttl <= 3600
    assert options.api_key_env == "REVIEWER_API_KEY"


def test_user_password_in_url_is_not_shown() -> None:
    backend = OpenAIBackend(OpenAIOptions(base_url="http://user:pw-secret@127.0.0.1:8080/v1"))
    assert "pw-secret" not in repr(backend) and backend.display_url == "http://127.0.0.1:8080/v1"


@pytest.mark.parametrize(
    ("kind", "extras", "response_format"),
    [
        ("ollama", {"keep_alive": "5m"}, "json_schema"),
        ("lmstudio", {"ttl": 300}, "json_schema"),
        ("vllm", {}, "json_schema"),
        ("generic", {}, "json_schema"),
        ("llamacpp", {}, "json_object"),
    ],
)
def test_body_per_server_kind(kind: str, extras: dict[str, Any], response_format: str) -> None:
    body = body_for(kind)
    assert {k: body[k] for k in ("keep_alive", "ttl") if k in body} == extras
    assert body["response_format"]["type"] == response_format
    assert body["stop"] == ["\n\n"] and body["stream"] is False and body["seed"] == 0
    if response_format == "json_object":
        assert body["response_format"]["schema"] == SCHEMA
    else:
        assert body["response_format"]["json_schema"]["strict"] is True


def test_schema_mode_overrides_the_kind() -> None:
    assert body_for("llamacpp", "json_schema")["response_format"]["type"] == "json_schema"
    assert body_for("vllm", "json_object")["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert "response_format" not in body_for("vllm", "none")


@pytest.mark.parametrize(
    ("url", "owners", "kind"),
    [
        ("http://127.0.0.1:9999/v1", ["library"], "ollama"),
        ("http://127.0.0.1:9999/v1", ["vllm"], "vllm"),
        ("http://127.0.0.1:11434/v1", [], "ollama"),
        ("http://127.0.0.1:1234/v1", ["someone"], "lmstudio"),
        ("http://127.0.0.1:8000/v1", [], "vllm"),
        ("http://127.0.0.1:9999/v1", ["someone"], "generic"),
    ],
)
def test_guess_server_kind(url: str, owners: list[str], kind: str) -> None:
    assert guess_server_kind(url, owners) == kind


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def test_404_after_the_model_was_removed_names_the_served_ones(scripted: ScriptedServer) -> None:
    scripted.script("/v1/models", models("m1"), models("other"))
    scripted.script("/v1/chat/completions", reply(404, {"error": "model 'm1' not found"}))
    backend = OpenAIBackend(OpenAIOptions(base_url=scripted.base_url, model="m1", backoff_base=0.01))
    with pytest.raises(ModelNotFoundError) as caught:
        backend.complete(REQUEST)
    assert caught.value.available == ["other"] and len(scripted.hits("/v1/models")) == 2


def test_404_for_a_listed_model_is_a_response_error(scripted: ScriptedServer) -> None:
    scripted.script("/v1/models", models("m1"))
    scripted.script("/v1/chat/completions", reply(404, "Not Found"), chat("ok"))
    backend = OpenAIBackend(OpenAIOptions(base_url=scripted.base_url, model="m1", backoff_base=0.01))
    with pytest.raises(BackendResponseError, match="404"):
        backend.complete(REQUEST)
    assert backend.complete(REQUEST).text == "ok"


def test_wrong_base_path_says_so(scripted: ScriptedServer) -> None:
    backend = OpenAIBackend(OpenAIOptions(base_url=scripted.base_url.replace("/v1", "/api"), model="m1"))
    with pytest.raises(BackendResponseError, match="/api/models not found: is base_url right"):
        backend.load()


def test_several_models_and_none_chosen_lists_them(scripted: ScriptedServer) -> None:
    scripted.script("/v1/models", models("a", "b"))
    with pytest.raises(ModelNotFoundError) as caught:
        OpenAIBackend(OpenAIOptions(base_url=scripted.base_url)).load()
    assert caught.value.available == ["a", "b"] and "--model" in str(caught.value)
