"""The llama.cpp backend with a real model (SmolLM2-135M-Instruct, 98 MB): generation, grammar, prefix reuse, errors."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from reviewer.backends.base import Completion, CompletionRequest, Message, Probe
from reviewer.backends.llamacpp import LlamaCppBackend, LlamaCppOptions, import_llama_cpp
from reviewer.backends.registry import create_backend
from reviewer.backends.structured import complete_structured, schema_for
from reviewer.errors import BackendNotInstalledError, BackendResponseError, BackendUnavailableError, ModelNotFoundError

pytestmark = pytest.mark.model


class Person(BaseModel):
    name: str = Field(max_length=40)
    language: str = Field(max_length=40)
    hobbies: list[str] = Field(max_length=3)


def _backend(model: Path, **options: object) -> LlamaCppBackend:
    return LlamaCppBackend(LlamaCppOptions(model=str(model), n_ctx=2048, **options))  # type: ignore[arg-type]


def _ask(text: str, max_tokens: int = 8, system: str | None = None) -> CompletionRequest:
    messages = [Message(role="system", content=system)] if system else []
    return CompletionRequest(messages=[*messages, Message(role="user", content=text)], max_tokens=max_tokens)


@pytest.fixture(scope="module")
def backend(smollm2_gguf: Path) -> LlamaCppBackend:
    with _backend(smollm2_gguf) as shared:
        yield shared  # type: ignore[misc]


def test_generates_with_usage_and_timings(backend: LlamaCppBackend) -> None:
    completion = backend.complete(_ask("Name a colour.", max_tokens=12))
    assert completion.text.strip()
    assert completion.backend == "llamacpp" and completion.model.endswith(".gguf")
    assert completion.usage.prompt_tokens > 5 and 0 < completion.usage.completion_tokens <= 13
    assert completion.timings.total_s > 0 and completion.timings.generation_s is not None
    assert completion.timings.tokens_per_s(completion.usage) is not None


def test_schema_constrains_the_answer(backend: LlamaCppBackend) -> None:
    schema = schema_for(Person, max_items=3)
    request = _ask("Describe a fictional programmer: name, favourite language, hobbies. Reply in JSON.", 160)
    completion = backend.complete(request.model_copy(update={"json_schema": schema}))
    person = Person.model_validate_json(completion.text)  # grammar output parses without any repair
    assert len(person.name) <= 40 and len(person.hobbies) <= 3
    validated, _ = complete_structured(backend, request, Person)
    assert isinstance(validated, Person)


def test_prefix_is_reused_by_the_next_request(smollm2_gguf: Path) -> None:
    evidence = "\n".join(f"src/module_{i}.py: function handler_{i} has complexity {i % 7 + 3}" for i in range(24))
    with _backend(smollm2_gguf) as fresh:
        first = fresh.complete(_ask("Which module is the most complex?", system=evidence))
        second = fresh.complete(_ask("Which module is the least complex?", system=evidence))
    assert first.usage.prompt_tokens > 300
    assert (first.usage.cached_tokens or 0) == 0
    assert (second.usage.cached_tokens or 0) >= first.usage.prompt_tokens - 20
    assert second.timings.prompt_s is not None and first.timings.prompt_s is not None
    assert second.timings.prompt_s < first.timings.prompt_s / 2


def test_lazy_load_happens_once_under_concurrent_calls(smollm2_gguf: Path) -> None:
    fresh = _backend(smollm2_gguf)
    assert fresh.loads == 0 and fresh.model_path is None  # nothing loaded by construction
    results: list[Completion] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            results.append(fresh.complete(_ask("Say yes.", max_tokens=2)))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fresh.close()
    assert errors == [] and len(results) == 4
    assert fresh.loads == 1
    assert sum(1 for r in results if r.timings.load_s > 0) == 1


def test_warm_up_loads_once(smollm2_gguf: Path) -> None:
    backend = create_backend("llamacpp", {"model": str(smollm2_gguf), "n_ctx": 512})
    assert isinstance(backend, LlamaCppBackend)
    with backend:
        backend.load()
        backend.load()
        completion = backend.complete(_ask("Hi", max_tokens=2))
        assert backend.loads == 1 and backend.load_seconds and completion.timings.load_s == 0


def test_missing_model_path_lists_aliases(tmp_path: Path) -> None:
    backend = LlamaCppBackend(LlamaCppOptions(model=str(tmp_path / "nope.gguf")))
    with pytest.raises(ModelNotFoundError, match="nope.gguf") as caught:
        backend.load()
    assert "smollm2-135m" in str(caught.value)


def test_a_file_that_is_not_gguf_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model" * 100)
    with pytest.raises(BackendUnavailableError, match="junk.gguf") as caught:
        LlamaCppBackend(LlamaCppOptions(model=str(junk))).load()
    assert caught.value.backend == "llamacpp"


def test_context_overflow_is_a_backend_error(smollm2_gguf: Path) -> None:
    with LlamaCppBackend(LlamaCppOptions(model=str(smollm2_gguf), n_ctx=256)) as small:
        with pytest.raises(BackendResponseError, match="context window"):
            small.complete(_ask("word " * 400))


def test_missing_library_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(BackendNotInstalledError, match=r"reviewer\[local\]"):
        import_llama_cpp()


class _YesNo(BaseModel):
    reason: str = Field(max_length=80)
    answer: Literal["yes", "no"]


def test_probe_gives_the_answer_tokens_probability(backend: LlamaCppBackend) -> None:
    request = _ask('Is the sky blue on a clear day? Reply in JSON with "reason" then "answer" (yes or no).', 60)
    request = request.model_copy(update={"json_schema": schema_for(_YesNo),
                                         "probe": Probe(after='"answer"', choices=["yes", "no"])})
    completion = backend.complete(request)
    answer = _YesNo.model_validate_json(completion.text).answer
    probs = completion.choice_probs
    assert backend.capabilities.token_probs and probs is not None
    assert set(probs) == {"yes", "no"} and sum(probs.values()) == pytest.approx(1.0)
    assert probs[answer] >= 0.5  # greedy decoding picked the likelier of the two
    assert backend.complete(request.model_copy(update={"probe": None})).choice_probs is None
