"""Unit judgement over the OpenAI-compatible backend: parallel unit requests against a scripted loopback server,
honest failure when the server is slower than the read timeout or answers garbage (the run exits 3 after writing
everything), and the real path against llama-cpp-python's server (marked ``model``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli_run import run_cli as _run
from helpers.llama_server import MODEL_ALIAS, llama_server
from helpers.review_fixtures import make_evidence, make_repo
from helpers.scripted_http import ScriptedServer, chat, models, reply, slow

from reviewer.backends.openai import OpenAIBackend, OpenAIOptions
from reviewer.config import Config
from reviewer.review.engine import review_evidence
from reviewer.review.result import load_result

CHAT = "/v1/chat/completions"
MODELS = "/v1/models"
ANSWER_NO = json.dumps({"reason": "the code is right here", "answer": "no"})


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop")


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.script(MODELS, models("m1"))
        yield server


def _backend(url: str, **options: object) -> OpenAIBackend:
    defaults: dict[str, object] = {"model": "m1", "backoff_base": 0.01, "backoff_max": 0.05, "connect_timeout": 2.0,
                                   "read_timeout": 20, "max_retries": 0}
    return OpenAIBackend(OpenAIOptions(base_url=url, **{**defaults, **options}))  # type: ignore[arg-type]


def _config(personas: list[str]) -> Config:
    config = Config()
    config.cache = False
    config.review.personas = personas
    config.review.model_budget_s = 0
    config.review.open_reading = False  # one question per site: the units without sites stay unread
    return config


def test_units_are_requested_in_parallel_up_to_the_backend_concurrency(repo: Path, scripted: ScriptedServer) -> None:
    scripted.script(CHAT, slow(0.4, chat(ANSWER_NO)))
    result = review_evidence(make_evidence(repo), repo, _config(["qa_engineer"]), _backend(scripted.base_url,
                                                                                           max_concurrency=3))
    unit_posts = [r for r in scripted.hits(CHAT) if "Unit:" in r.body["messages"][-1]["content"]]
    assert len(unit_posts) == 3 and scripted.in_flight_max == 3  # one question per site, three units have one
    assert result.model_context.units_read == 3 and result.model_context.status in ("complete", "partial")


def test_one_request_at_a_time_with_concurrency_one(repo: Path, scripted: ScriptedServer) -> None:
    scripted.script(CHAT, slow(0.05, chat(ANSWER_NO)))
    review_evidence(make_evidence(repo), repo, _config(["qa_engineer"]), _backend(scripted.base_url, max_concurrency=1))
    assert scripted.in_flight_max == 1


def _server_config(tmp_path: Path, url: str, **options: object) -> Path:
    opts = {"max_retries": 0, "connect_timeout": 2, "read_timeout": 0.5, **options}
    config = tmp_path / "reviewer.yaml"
    config.write_text("backend:\n  name: openai\n" f"  base_url: {url}\n  model: m1\n"
                      f"  options: {json.dumps(opts)}\n" "review:\n  personas: [qa_engineer, security_engineer]\n")
    return config


@pytest.mark.parametrize("behaviour", [
    pytest.param(slow(3.0, chat(ANSWER_NO)), id="slower-than-read-timeout"),
    pytest.param(chat("I am sorry, as an AI model I cannot review code."), id="prose-not-json"),
    pytest.param(reply(200, "<html>proxy error</html>"), id="not-a-chat-completion"),
])
def test_every_call_failing_exits_3_after_writing_everything(repo: Path, tmp_path: Path, scripted: ScriptedServer,
                                                             behaviour: object, capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    scripted.script(CHAT, behaviour)  # type: ignore[arg-type]
    out = tmp_path / "out"
    code = _run("run", str(repo), "--config", str(_server_config(tmp_path, scripted.base_url)), "--out", str(out),
                "--no-cache")
    assert code == 3
    result = load_result(out / "review.json")
    ctx = result.model_context
    assert ctx.status == "failed" and ctx.calls == ctx.calls_failed >= 1 and ctx.findings_kept == 0
    assert ctx.status_reason and "failed" in ctx.status_reason
    assert all(a.model_error for a in result.agents)
    assert (out / "review.md").is_file() and (out / "evidence.json").is_file()
    captured = capsys.readouterr()
    assert "model: failed" in captured.out and "the model part failed" in captured.err
    # it stopped after the first 3 failed questions (2 in flight at once, each asked and re-asked at most)
    assert len(scripted.hits(CHAT)) <= (3 + 1) * 2


@pytest.mark.model
def test_real_llama_server_runs_the_unit_pipeline(repo: Path, smollm2_gguf: Path, tmp_path: Path) -> None:
    with llama_server(smollm2_gguf, tmp_path / "server.log") as url:
        backend = _backend(url, model=MODEL_ALIAS, read_timeout=120, max_concurrency=2)
        config = _config(["qa_engineer"])
        result = review_evidence(make_evidence(repo), repo, config, backend)
    ctx = result.model_context
    assert ctx.calls >= ctx.units_read >= 1 and ctx.tokens > 0
    assert ctx.status in ("complete", "partial") and ctx.calls_failed < ctx.calls
    for f in (f for f in result.findings if f.source == "model"):  # whatever a 135M model says: only at sites
        lines = (repo / (f.file or "")).read_text().splitlines()
        assert f.line is not None and lines[f.line - 1] == f.snippet and f.rule.startswith("model.")


def test_the_reports_say_the_model_part_failed(repo: Path, tmp_path: Path, scripted: ScriptedServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    step_summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    scripted.script(CHAT, chat("not json at all"))
    out = tmp_path / "out"
    config = _server_config(tmp_path, scripted.base_url)
    assert _run("run", str(repo), "--config", str(config), "--out", str(out), "--format", "md,json,summary") == 3
    markdown = (out / "review.md").read_text()
    assert "The model part failed (every model call failed" in markdown
    assert "Reviewed by" not in markdown and "personas from measured evidence" in markdown
    assert "The model part failed" in step_summary.read_text()
