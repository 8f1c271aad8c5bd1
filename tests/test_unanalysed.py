"""Files the review could not analyse are listed (review.json, review.md) and a code file over the size limit
fails the gate by default (``gate.max_unanalysed_files``)."""

from __future__ import annotations

from pathlib import Path

from helpers.cli_run import run_cli as _run
from reviewer.review.result import load_result

BIG_CODE = "import subprocess\n\n\ndef run(x):\n    return subprocess.call(x, shell=True)\n" + "# padding\n" * 400


def _repo(tmp_path: Path, extra: str = "") -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("def f(x):\n    return x + 1\n", encoding="utf-8")
    (repo / "tests").mkdir()
    (repo / "tests" / "test_app.py").write_text("from app import f\n\n\ndef test_f():\n    assert f(1) == 2\n",
                                                 encoding="utf-8")  # no "no tests at all" blocker
    (repo / "big.py").write_text(BIG_CODE, encoding="utf-8")
    (repo / "data.json").write_text("[" + "1, " * 2000 + "1]\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text(f"[tool.reviewer]\nmax_file_bytes = 2000\n{extra}", encoding="utf-8")
    return repo


def test_a_code_file_over_the_size_limit_is_listed_and_fails_the_gate(tmp_path: Path) -> None:
    repo, out = _repo(tmp_path), tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--out", str(out), "--format", "md,json") == 1
    result = load_result(out / "review.json")
    listed = {u.path: u for u in result.unanalysed_files}
    assert set(listed) == {"big.py"}  # data.json is large too, but holds no code and is not parsed
    assert listed["big.py"].holds_code and listed["big.py"].reason.startswith("too_large")
    assert result.gate is not None
    failed = [c for c in result.gate.checks if not c.passed]
    assert [c.name for c in failed] == ["unanalysed code files (too_large)"] and failed[0].actual == "1: big.py"
    markdown = (out / "review.md").read_text(encoding="utf-8")
    assert "| `big.py` | too_large" in markdown and "(holds code) |" in markdown


def test_the_limit_is_configurable(tmp_path: Path) -> None:
    repo, out = _repo(tmp_path, "[tool.reviewer.gate]\nmax_unanalysed_files = 1\n"), tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--out", str(out)) == 0
    result = load_result(out / "review.json")
    assert result.gate is not None and result.gate.passed and len(result.unanalysed_files) == 1
