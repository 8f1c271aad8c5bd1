"""``reviewer backends`` and ``reviewer backends check`` through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reviewer.cli import cli, main


@pytest.fixture(autouse=True)
def _empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REVIEWER_MODEL", raising=False)
    monkeypatch.chdir(tmp_path)


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_lists_every_backend_with_its_state() -> None:
    result = CliRunner().invoke(cli, ["backends"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in ("llamacpp", "openai", "mlx", "none", "fake"):
        assert f" {name} " in result.output
    assert "no model" in result.output  # the none backend
    assert "json_schema" in result.output and "prefix_cache" in result.output
    assert "qwen2.5-coder-1.5b" in result.output and "assembled on first use" in result.output


@pytest.mark.model
def test_check_a_real_small_model_is_healthy(smollm2_gguf: Path) -> None:
    result = CliRunner().invoke(cli, ["backends", "check", "--backend", "llamacpp", "--model", str(smollm2_gguf),
                                      "--max-tokens", "4"])
    assert result.exit_code == 0, result.output
    assert "SmolLM2-135M-Instruct.Q4_1.gguf" in result.output
    assert "load:" in result.output and "tokens/s" in result.output
    assert result.output.rstrip().endswith("healthy")


def test_check_none_is_healthy_without_a_model() -> None:
    result = CliRunner().invoke(cli, ["backends", "check", "--backend", "none"])
    assert result.exit_code == 0 and "deterministic" in result.output


def test_missing_model_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(["backends", "check", "--model", str(tmp_path / "missing.gguf")], capsys)
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and out == ""
    assert len(errors) == 1 and "missing.gguf" in errors[0] and "smollm2-135m" in errors[0]
    assert "Traceback" not in err


def test_unloadable_model_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"\0" * 4096)
    code, _, err = _main(["backends", "check", "--model", str(junk)], capsys)
    assert code == 3 and "cannot load" in err and "junk.gguf" in err


def test_a_model_that_answers_nothing_is_unhealthy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "reviewer.yaml"
    config.write_text(yaml.safe_dump({"backend": {"name": "fake", "options": {"replies": ["   "]}}}))
    # The config in the current directory names the backend; its text options need the trust flag.
    code, _, err = _main(["backends", "check", "--trust-repo-config"], capsys)
    assert code == 3 and "answered nothing" in err
