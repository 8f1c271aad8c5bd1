"""Repository facts: counts by language, project documents, CI, tests versus code, and real git state."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers.defect_repo import run_collector, write_files

from reviewer.collectors.cache import cache_dir
from reviewer.collectors.git_facts import parse_numstat
from reviewer.collectors.repo_facts import RepoFactsCollector, count_lines
from reviewer.evidence import RepoFactsSection

_GIT_ENV = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, timeout=30,
                   env={**os.environ, **_GIT_ENV})


def _facts(root: Path) -> tuple[RepoFactsSection, list[str]]:
    out = run_collector(RepoFactsCollector(), root)
    assert isinstance(out.section, RepoFactsSection)
    return out.section, sorted(f.rule for f in out.findings)


def test_bare_repo_gets_every_missing_fact(tmp_path: Path) -> None:
    section, rules = _facts(write_files(tmp_path, {"app.py": "print(1)\n"}))
    assert rules == ["facts.no_ci", "facts.no_license", "facts.no_readme", "facts.no_tests"]
    assert section.git is None
    assert (section.source_files, section.test_files, section.test_to_code_ratio) == (1, 0, 0.0)


def test_complete_repo_counts_and_documents(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "README.md": "# x\n\ntext\n", "LICENSE": "MIT\n", "CHANGELOG.md": "1.0\n",
        ".github/workflows/ci.yml": "on: push\n", "pkg/__init__.py": "", "pkg/a.py": "a = 1\nb = 2\nc = 3",
        "tests/test_a.py": "def test_a():\n    assert True\n", "web/app.js": "let x = 1;\n",
    })
    (root / "pkg" / "data.bin").write_bytes(b"\x00\x01\n\n\n" * 10)
    section, rules = _facts(root)
    assert rules == []
    assert (section.has_readme, section.has_license, section.has_changelog) == (True, True, True)
    assert section.ci_configs == [".github/workflows/ci.yml"]
    assert section.languages["Python"].model_dump() == {"files": 3, "lines": 5}
    assert section.languages["JavaScript"].model_dump() == {"files": 1, "lines": 1}
    assert section.languages["Other"].model_dump() == {"files": 2, "lines": 1}  # LICENSE + binary (no lines)
    assert (section.source_files, section.source_lines, section.test_files, section.test_lines) == (2, 3, 1, 2)
    assert section.test_to_code_ratio == pytest.approx(0.667)
    assert section.total_files == 9 and section.total_lines == 3 + 1 + 1 + 1 + 5 + 1


def test_count_lines_streams_any_size(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x\n" * 3_000_000 + b"tail")
    assert count_lines(big) == 3_000_001
    empty = tmp_path / "empty.py"
    empty.write_bytes(b"")
    assert count_lines(empty) == 0


def test_git_branch_commit_dirty_and_churn(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"README.md": "r\n", "a.py": "x = 1\n", "b.py": "y = 1\n"})
    _git(root, "init", "-q", "-b", "trunk")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "one")
    (root / "a.py").write_text("x = 2\nz = 3\n")
    _git(root, "commit", "-q", "-am", "two")
    section, _ = _facts(root)
    git = section.git
    assert git is not None and git.branch == "trunk" and not git.dirty
    assert git.commits_considered == 2 and git.commit is not None and len(git.commit) == 40
    churn = {c.path: (c.commits, c.added, c.deleted) for c in git.churn}
    assert churn == {"a.py": (2, 3, 1), "b.py": (1, 1, 0), "README.md": (1, 1, 0)}
    (root / "b.py").write_text("changed\n")
    assert _facts(root)[0].git.dirty  # type: ignore[union-attr]


def test_git_repo_without_commits(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"a.py": "x = 1\n"})
    _git(root, "init", "-q", "-b", "main")
    git = _facts(root)[0].git
    assert git is not None and (git.branch, git.commit, git.commits_considered) == ("main", None, 0)


def test_parse_numstat_binary_and_totals() -> None:
    text = "@@commit abc\n\n1\t2\ta.py\n-\t-\timg.png\n@@commit def\n\n3\t0\ta.py\n"
    commits, churn = parse_numstat(text)
    assert commits == 2
    assert [(c.path, c.commits, c.added, c.deleted) for c in churn] == [("a.py", 2, 4, 2), ("img.png", 1, 0, 0)]


def test_git_churn_is_cached_by_commit(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"a.py": "x = 1\n"})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "one")
    first = _facts(root)[0].git
    cache_file = cache_dir(root) / "git.json"
    data = json.loads(cache_file.read_text())
    assert first is not None and first.commit in data["key"]
    data["churn"][0]["added"] = 99  # what a second run returns comes from the cache, not from git log
    cache_file.write_text(json.dumps(data))
    assert _facts(root)[0].git.churn[0].added == 99  # type: ignore[union-attr]
    (root / "a.py").write_text("x = 2\n")
    _git(root, "commit", "-q", "-am", "two")
    again = _facts(root)[0].git
    assert again is not None and again.commits_considered == 2 and again.churn[0].added == 2
    cache_file.write_text("{broken")
    assert _facts(root)[0].git.churn[0].added == 2  # type: ignore[union-attr]
