"""Wrong data, crashes and late errors: stale cache entries of deleted files, file names that are not UTF-8,
an output folder that cannot be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.cli_run import run_cli as _run
from reviewer.collectors.cache import cache_dir
from reviewer.evidence import load_evidence
from reviewer.review.result import load_result


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ok.py").write_text("def g():\n    return 1\n", encoding="utf-8")
    (repo / "bad.py").write_text("def f(x):\n    return eval(x)\n", encoding="utf-8")
    return repo


def test_a_deleted_file_loses_its_cached_findings(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    first, second = tmp_path / "o1", tmp_path / "o2"
    assert _run("run", str(repo), "--backend", "none", "--out", str(first)) in (0, 1)
    assert any(f.file == "bad.py" for f in load_result(first / "review.json").findings)
    (repo / "bad.py").unlink()
    assert _run("run", str(repo), "--backend", "none", "--out", str(second)) in (0, 1)
    result = load_result(second / "review.json")
    assert not any(f.file == "bad.py" for f in result.findings)
    assert "bad.py" not in (cache_dir(repo) / "security.json").read_text(encoding="utf-8")


@pytest.mark.skipif(os.uname().sysname == "Darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_recorded_not_fatal(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    with open(os.path.join(os.fsencode(repo), b"b\xff.py"), "wb") as fh:
        fh.write(b"def h(x):\n    return eval(x)\n")
    for out in (tmp_path / "o1", tmp_path / "o2"):  # the second run goes through the cache
        assert _run("run", str(repo), "--backend", "none", "--out", str(out), "--format", "md,json,sarif") in (0, 1)
        evidence = load_evidence(out / "evidence.json")
        assert [(f.path, f.kind) for f in evidence.failures] == [("b\\xff.py", "unreadable")]
        assert any(u.path == "b\\xff.py" for u in load_result(out / "review.json").unanalysed_files)


def test_an_output_folder_that_cannot_be_written_fails_before_collecting(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert _run("run", str(repo), "--backend", "none", "--out", str(blocker / "out")) == 2
    assert not (cache_dir(repo)).exists()  # nothing was collected
    assert _run("collect", str(repo), "--out", str(blocker / "out")) == 2
    assert not (cache_dir(repo)).exists()


def test_a_cache_folder_committed_in_the_repository_cannot_hide_a_finding(tmp_path: Path) -> None:
    """The cache lives outside the repository: a forged per-file result shipped in the repository's own
    `.reviewer-cache/` (right content hash, no bandit issue) is never read, although the same file in the real
    cache folder would be trusted."""
    import hashlib
    import json
    import shutil

    from reviewer.collectors.runner import collect_evidence
    from reviewer.config import Config

    evil = "import subprocess\n\n\ndef run(x):\n    return subprocess.call(x, shell=True)\n"
    clean_repo, repo = tmp_path / "clean", tmp_path / "repo"
    for folder, code in ((clean_repo, "def run(x):\n    return x\n"), (repo, evil)):
        folder.mkdir()
        (folder / "app.py").write_text(code, encoding="utf-8")
    collect_evidence(clean_repo, Config(), collectors=["security"])  # a genuine "no issue" result
    forged = json.loads((cache_dir(clean_repo) / "security.json").read_text(encoding="utf-8"))
    forged["entries"]["app.py"]["sha256"] = hashlib.sha256(evil.encode()).hexdigest()
    (repo / ".reviewer-cache").mkdir()
    (repo / ".reviewer-cache" / "security.json").write_text(json.dumps(forged, separators=(",", ":")), encoding="utf-8")

    evidence = collect_evidence(repo, Config(), collectors=["security"])
    assert {f.rule for f in evidence.findings} >= {"bandit.B602"}
    assert not str(cache_dir(repo).resolve()).startswith(str(repo.resolve()))

    # the control: the forged result would be trusted where the cache really is, so the test above can fail
    shutil.rmtree(cache_dir(repo))
    cache_dir(repo).mkdir(parents=True)
    (cache_dir(repo) / "security.json").write_text(json.dumps(forged, separators=(",", ":")), encoding="utf-8")
    assert "bandit.B602" not in {f.rule for f in collect_evidence(repo, Config(), collectors=["security"]).findings}
