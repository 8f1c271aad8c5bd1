"""MLXBackend: the install hint without mlx-lm, and real loading/generation with a tiny model built here."""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import pytest
from helpers.tiny_mlx_model import CHAT_TEMPLATE, build_tiny_llama

from reviewer.backends.base import CompletionRequest, Message
from reviewer.backends.mlx import INSTALL_HINT, MLXBackend, MLXOptions
from reviewer.backends.registry import create_backend
from reviewer.errors import BackendNotInstalledError, ConfigError, ModelNotFoundError

MESSAGES = [Message(role="system", content="You review code."), Message(role="user", content="hello world")]


def ask(**kwargs: object) -> CompletionRequest:
    return CompletionRequest(messages=MESSAGES, **{"max_tokens": 12, **kwargs})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mlx_lm", reason="mlx-lm is not installed (pip install 'evidence-reviewer[mlx]')")
    return build_tiny_llama(tmp_path_factory.mktemp("mlx") / "tiny-llama")


@pytest.fixture(scope="module")
def backend(tiny_model: Path) -> MLXBackend:
    created = create_backend("mlx", {"model": str(tiny_model)})
    assert isinstance(created, MLXBackend)
    return created


def test_missing_mlx_lm_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "mlx_lm", None)  # makes `import mlx_lm` raise ImportError
    backend = MLXBackend(MLXOptions(model=str(tmp_path)))
    with pytest.raises(BackendNotInstalledError) as caught:
        backend.complete(ask())
    assert caught.value.backend == "mlx" and INSTALL_HINT in caught.value.hint
    assert "pip install 'evidence-reviewer[mlx]'" in str(caught.value)


def test_options_are_strict() -> None:
    with pytest.raises(ConfigError, match="backend.options.temperature"):
        create_backend("mlx", {"temperature": 0.3})


def test_capabilities_say_no_schema() -> None:
    caps = MLXBackend(MLXOptions(model="x", max_context=2048)).capabilities
    assert caps.json_schema is False and caps.max_context == 2048 and caps.generates is True


def test_loads_lazily_and_generates_through_the_chat_template(backend: MLXBackend, tiny_model: Path) -> None:
    completion = backend.complete(ask(max_tokens=8))
    assert completion.backend == "mlx" and completion.model == str(tiny_model)
    assert completion.timings.load_s > 0 and completion.timings.total_s >= completion.timings.load_s
    assert 1 <= completion.usage.completion_tokens <= 8
    assert completion.finish_reason in ("length", "stop")
    if completion.finish_reason == "length":
        assert completion.usage.completion_tokens == 8
    rendered = jinja2.Template(CHAT_TEMPLATE).render(
        messages=[m.model_dump() for m in MESSAGES], add_generation_prompt=True
    )
    from tokenizers import Tokenizer

    expected = len(Tokenizer.from_file(str(tiny_model / "tokenizer.json")).encode(rendered).ids)
    assert completion.usage.prompt_tokens == expected  # the template was applied, nothing added twice


def test_second_call_does_not_reload(backend: MLXBackend) -> None:
    backend.load()
    assert backend.complete(ask(max_tokens=2)).timings.load_s == 0.0


def test_greedy_is_deterministic_and_seeded_sampling_follows_the_seed(backend: MLXBackend) -> None:
    greedy = [backend.complete(ask(max_tokens=16, temperature=0.0, seed=s)).text for s in (1, 2)]
    assert greedy[0] == greedy[1]
    hot = [backend.complete(ask(max_tokens=16, temperature=1.5, seed=s)).text for s in (1, 2, 1)]
    assert hot[0] == hot[2]
    assert hot[0] != hot[1]  # random weights give a near-flat distribution: 16 equal draws do not happen


def test_stop_string_cuts_the_answer(backend: MLXBackend) -> None:
    full = backend.complete(ask(max_tokens=16)).text
    assert len(full) >= 6, full
    stop = full[3:5]
    cut = backend.complete(ask(max_tokens=16, stop=[stop]))
    assert cut.text == full[: full.index(stop)] and cut.finish_reason == "stop"


def test_schema_in_request_is_ignored_not_an_error(backend: MLXBackend) -> None:
    completion = backend.complete(ask(max_tokens=4, json_schema={"type": "object"}))
    assert completion.usage.completion_tokens >= 1


def test_not_a_model_directory_is_model_not_found(tmp_path: Path) -> None:
    pytest.importorskip("mlx_lm")
    with pytest.raises(ModelNotFoundError, match="config.json"):
        MLXBackend(MLXOptions(model=str(tmp_path))).load()


def test_no_model_given_is_model_not_found() -> None:
    pytest.importorskip("mlx_lm")
    with pytest.raises(ModelNotFoundError, match="none given"):
        MLXBackend().load()
