"""`reviewer init`: starter config and workflow, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reviewer.cli import main
from reviewer.config import load_config
from reviewer.findings import Severity

PYPROJECT = '[project]\nname = "target"\nversion = "1.0"\n'


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


def _workflow(root: Path) -> dict:
    data = yaml.safe_load((root / ".github" / "workflows" / "reviewer.yml").read_text())
    assert "pull_request" in data.get("on", data.get(True))
    return data


def test_appends_section_and_writes_workflow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert _run(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "appended pyproject.toml" in out and "written .github/workflows/reviewer.yml" in out
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)  # the user's part untouched
    config = load_config(tmp_path)
    assert config.backend.name == "none"
    assert config.gate.max_findings == {Severity.critical: 0} and config.gate.blockers
    assert config.gate.min_overall_score is None  # the gate rests on named blockers, not on a bare score
    steps = _workflow(tmp_path)["jobs"]["review"]["steps"]
    runs = [s for s in steps if "run" in s]
    assert all(s["shell"] == "bash" for s in runs)
    assert any("--gate" in s["run"] and "--format md,json,sarif,summary" in s["run"] for s in runs)
    assert any(s.get("uses") == "github/codeql-action/upload-sarif@v3" for s in steps)
    assert any("reviewer pr-comment" in s["run"] for s in runs)


def test_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + "\n[tool.reviewer]\nexclude = ['x']\n")
    workflow = tmp_path / ".github" / "workflows" / "reviewer.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("name: mine\n")
    before = (tmp_path / "pyproject.toml").read_bytes()
    assert _run(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skipped pyproject.toml: already has a [tool.reviewer] section" in out
    assert "skipped .github/workflows/reviewer.yml: already exists" in out
    assert (tmp_path / "pyproject.toml").read_bytes() == before
    assert workflow.read_text() == "name: mine\n"


def test_yaml_config_and_existing_yaml_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert _run(["init", str(tmp_path), "--yaml", "--action", "acme/reviewer/.github/actions/reviewer@v1"]) == 0
    assert (tmp_path / "pyproject.toml").read_text() == PYPROJECT
    assert load_config(tmp_path).gate.max_failing_tests == 0
    steps = _workflow(tmp_path)["jobs"]["review"]["steps"]
    assert steps[-1]["uses"] == "acme/reviewer/.github/actions/reviewer@v1"
    capsys.readouterr()
    assert _run(["init", str(tmp_path)]) == 0
    assert "skipped reviewer.yaml: a reviewer config file already exists" in capsys.readouterr().out
    assert "[tool.reviewer]" not in (tmp_path / "pyproject.toml").read_text()


def test_without_pyproject_writes_yaml(tmp_path: Path) -> None:
    assert _run(["init", str(tmp_path)]) == 0
    assert (tmp_path / "reviewer.yaml").is_file() and not (tmp_path / "pyproject.toml").exists()
    assert load_config(tmp_path).source == str(tmp_path / "reviewer.yaml")


def test_broken_pyproject_is_not_touched_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    assert _run(["init", str(tmp_path)]) == 2
    assert (tmp_path / "pyproject.toml").read_text() == "[project\n"
    assert _run(["init", str(tmp_path / "missing")]) == 2
