"""Nothing outside the repository root is read: symlinks, requirement includes and config paths are confined."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.cli_run import run_cli as _run
from reviewer.collectors.cache import cache_dir
from reviewer.cli.common import load_target_config
from reviewer.errors import ConfigError
from reviewer.evidence import load_evidence

OUTSIDE_MARK = "OUTSIDE-CONTENT-7f3a"


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.py").write_text(f'MARK = "{OUTSIDE_MARK}"\neval(MARK)\n', encoding="utf-8")
    (folder / "creds.txt").write_text(f"{OUTSIDE_MARK}==1.0\n", encoding="utf-8")
    (folder / "bad.yaml").write_text(f"- rule: [{OUTSIDE_MARK}\n", encoding="utf-8")  # a parse error
    return folder


def _repo(tmp_path: Path, pyproject: str = "") -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("def f(x):\n    return x + 1\n", encoding="utf-8")
    if pyproject:
        (repo / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return repo


def _all_text(*folders: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for folder in folders for p in sorted(folder.rglob("*")) if p.is_file())


def test_symlinked_file_leaving_the_root_is_recorded_not_followed(tmp_path: Path, outside: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "link.py").symlink_to(outside / "secret.py")
    (repo / "inner.py").symlink_to(repo / "app.py")  # a symlink inside the root is fine
    out = tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--out", str(out), "--format", "md,json,sarif,summary") in (0, 1)
    evidence = load_evidence(out / "evidence.json")
    assert [(f.path, f.kind) for f in evidence.failures if f.path == "link.py"] == [("link.py", "outside_root")]
    assert "link.py" not in evidence.python_files and "inner.py" in evidence.python_files
    assert OUTSIDE_MARK not in _all_text(out, cache_dir(repo))


def test_requirement_includes_outside_the_root_are_not_followed_nor_shown(tmp_path: Path, outside: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "requirements.txt").write_text(f"-r ../outside/creds.txt\n-r {outside / 'creds.txt'}\n"
                                           f"-c {outside / 'creds.txt'}\nrequests==2.0\n", encoding="utf-8")
    (repo / "requirements-dev.txt").symlink_to(outside / "creds.txt")
    out = tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--out", str(out), "--format", "md,json,sarif") in (0, 1)
    text = _all_text(out)
    assert OUTSIDE_MARK not in text and str(outside) not in text


@pytest.mark.parametrize("setting", [
    'suppressions_file = "../outside/bad.yaml"',
    'suppressions_file = "{abs}/bad.yaml"',
    'rubrics_dir = "../outside"',
    'prompts_dir = "{abs}"',
    '[tool.reviewer.report]\ntemplate = "../outside/bad.yaml"',
    '[tool.reviewer.tests]\njunit = ["../outside/*.xml"]',
])
def test_config_paths_outside_the_root_are_refused_unread(tmp_path: Path, outside: Path, setting: str) -> None:
    section = setting.format(abs=outside)
    repo = _repo(tmp_path, section if section.startswith("[") else "[tool.reviewer]\n" + section + "\n")
    # Refused even when trusted: trust lets the repository choose templates, not leave its root.
    with pytest.raises(ConfigError) as info:
        load_target_config(repo, None, trust_repo=True)
    assert "outside the repository" in str(info.value) and OUTSIDE_MARK not in str(info.value)


@pytest.mark.parametrize("setting", ['suppressions_file = "{abs}/bad.yaml"', '[tool.reviewer.review]\npersonas = ["{abs}/bad"]'])
def test_outside_files_are_never_parsed_nor_echoed(tmp_path: Path, outside: Path, setting: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    section = setting.format(abs=outside)
    repo = _repo(tmp_path, section if section.startswith("[") else "[tool.reviewer]\n" + section + "\n")
    assert _run("run", str(repo), "--backend", "none", "--out", str(tmp_path / "out")) == 2
    assert OUTSIDE_MARK not in capsys.readouterr().err


def test_a_config_file_symlinked_outside_is_not_read(tmp_path: Path, outside: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    (repo / "reviewer.yaml").symlink_to(outside / "bad.yaml")
    assert _run("run", str(repo), "--backend", "none", "--out", str(tmp_path / "out")) == 2
    assert OUTSIDE_MARK not in capsys.readouterr().err
