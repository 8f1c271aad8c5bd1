"""Config loading: [tool.reviewer], reviewer.yaml, unknown keys named with their file, CLI overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import Config, apply_overrides, load_config
from reviewer.errors import ConfigError
from reviewer.findings import Severity


def test_defaults_without_any_config(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.gate.max_findings == {Severity.critical: 0}
    assert config.gate.max_failing_tests == 0
    assert config.tests.run is False


def test_pyproject_section_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.reviewer]\nexclude = ["gen/**"]\n\n'
        "[tool.reviewer.gate]\nmin_coverage = 75\nmax_findings = { high = 2, critical = 0 }\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.exclude == ["gen/**"]
    assert config.gate.min_coverage == 75
    assert config.gate.max_findings == {Severity.high: 2, Severity.critical: 0}
    assert config.source is not None and config.source.endswith("pyproject.toml")


def test_yaml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.reviewer]\nexclude = ['a']\n", encoding="utf-8")
    (tmp_path / "reviewer.yaml").write_text("exclude: [b]\nreview:\n  model_budget_s: 30\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.exclude == ["b"]
    assert config.review.model_budget_s == 30


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.reviewer.gate]\nmin_covrage = 80\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert "pyproject.toml" in message
    assert "tool.reviewer.gate.min_covrage" in message
    assert "unknown key" in message
    assert info.value.exit_code == 2


def test_bad_value_and_bad_yaml_are_config_errors(tmp_path: Path) -> None:
    (tmp_path / "reviewer.yaml").write_text("review:\n  temperature: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"review\.temperature"):
        load_config(tmp_path)
    (tmp_path / "reviewer.yaml").write_text("exclude: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(tmp_path)


def test_explicit_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path, tmp_path / "nope.yaml")


def test_cli_overrides_win_and_none_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "reviewer.yaml").write_text("backend:\n  name: openai\n  model: m1\n", encoding="utf-8")
    config = apply_overrides(load_config(tmp_path), {"backend.model": "m2", "backend.name": None})
    assert config.backend.name == "openai"
    assert config.backend.model == "m2"
    with pytest.raises(ConfigError, match="review.model_budget_s"):
        apply_overrides(config, {"review.model_budget_s": -1})
