"""`reviewer init`: starter config and workflow, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

import json
from importlib.metadata import PathDistribution

import pytest
import yaml

from reviewer.backends.models import DEFAULT_MODEL, KNOWN_MODELS
from reviewer.cli import main
from reviewer.config import load_config
from reviewer.findings import Severity
from reviewer.install import install_source, with_extras

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
    assert "written .github/workflows/reviewer-checkpoint.yml" in out
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)  # the user's part untouched
    config = load_config(tmp_path)
    assert config.backend.name == "llamacpp"  # the embedded model, where nothing else is said
    section = text[len(PYPROJECT):]
    assert "--backend none" in section and "--backend llamacpp" in section  # which workflow uses which, and why
    assert config.gate.max_findings == {Severity.critical: 0} and config.gate.blockers
    assert config.gate.min_overall_score is None  # the gate rests on named blockers, not on a bare score
    steps = _workflow(tmp_path)["jobs"]["review"]["steps"]
    runs = [s for s in steps if "run" in s]
    assert all(s["shell"] == "bash" for s in runs)
    assert any("--gate" in s["run"] and "--format md,json,sarif,summary" in s["run"] for s in runs)
    assert any(s.get("uses") == "github/codeql-action/upload-sarif@v4" for s in steps)
    assert any("--backend none" in s["run"] for s in runs)  # the pull-request gate stays fast
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


def test_checkpoint_workflow_uses_the_embedded_model_with_caches(tmp_path: Path) -> None:
    source = "evidence-reviewer @ git+https://github.com/acme/reviewer@0123abcd"
    assert _run(["init", str(tmp_path), "--source", source]) == 0
    data = yaml.safe_load((tmp_path / ".github" / "workflows" / "reviewer-checkpoint.yml").read_text())
    assert "schedule" in data.get("on", data.get(True))
    steps = data["jobs"]["checkpoint"]["steps"]
    caches = {s["with"]["key"]: s for s in steps if s.get("uses") == "actions/cache@v6"}
    sha = KNOWN_MODELS[DEFAULT_MODEL].sha256
    assert f"reviewer-model-{sha}" in caches
    installs = [s for s in steps if "pip install" in s.get("run", "")]
    assert installs[0]["env"]["REVIEWER_SOURCE"] == "evidence-reviewer[local] @ git+https://github.com/acme/reviewer@0123abcd"
    assert installs[1]["env"]["REVIEWER_SOURCE"] == "evidence-reviewer[model] @ git+https://github.com/acme/reviewer@0123abcd"
    assert "cache-hit != 'true'" in installs[1]["if"] and "--no-cache-dir" in installs[1]["run"]
    review = next(s for s in steps if s.get("name") == "Review with the embedded model")
    assert "--backend llamacpp" in review["run"] and "--model-budget" in review["run"]
    assert any("reviewer checkpoint" in s.get("run", "") and "--result" in s["run"] for s in steps)
    assert any("git push" in s.get("run", "") for s in steps)
    assert any(s.get("uses") == "actions/upload-artifact@v7" for s in steps)


def test_default_source_is_the_git_commit_reviewer_was_installed_from(tmp_path: Path) -> None:
    info = tmp_path / "evidence_reviewer-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evidence-reviewer\nVersion: 0.1.0\n")
    (info / "direct_url.json").write_text(json.dumps(
        {"url": "https://github.com/acme/reviewer", "vcs_info": {"vcs": "git", "commit_id": "abc123",
                                                                  "requested_revision": "v1"}}))
    dist = PathDistribution(info)
    assert install_source(dist) == "evidence-reviewer @ git+https://github.com/acme/reviewer@abc123"
    (info / "direct_url.json").write_text(json.dumps({"url": "file:///src/reviewer", "dir_info": {"editable": True}}))
    assert install_source(dist).startswith("evidence-reviewer==")
    assert with_extras("evidence-reviewer==0.1.0", ["local"]) == "evidence-reviewer[local]==0.1.0"
    assert with_extras(".", ["local", "model"]) == ".[local,model]"
