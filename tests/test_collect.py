"""`reviewer collect` end to end: bad input becomes per-file records, the cache makes a warm run cheap."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import ClassVar

import pytest

from reviewer.cli import main
from reviewer.collectors.base import CollectContext, Collector, CollectorOutput
from reviewer.collectors.cache import CACHE_DIR_NAME, ResultCache, cache_dir
from reviewer.collectors.memo import MEMO_FILE
from reviewer.collectors.runner import collect_evidence, run_collector
from reviewer.config import Config
from reviewer.discovery import discover
from reviewer.evidence import Evidence, load_evidence
from reviewer.source import SourceStore

FAST = ["complexity", "markers", "dependencies", "config_smells", "repo_facts"]


def _run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return int(exc.value.code or 0)


def _bad_repo(root: Path) -> Path:
    root.mkdir()
    (root / "good.py").write_text("def add(a, b):\n    # TODO: validate input\n    return a + b\n")
    (root / "broken.py").write_text("def f(:\n    pass\n")
    (root / "newer.py").write_text("type Pair[T] = tuple[T, T]\n")
    (root / "latin.py").write_bytes(b"# -*- coding: utf-8 -*-\nname = '\xe9t\xe9'\n")
    (root / "binary.py").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    big = "DATA = [\n" + "".join(f"    {i},\n" for i in range(700_000)) + "]\n"
    (root / "generated.py").write_text(big)  # about 7 MB: over the default max_file_bytes
    (root / "loop.py").symlink_to(root / "loop.py")
    (root / "empty.py").write_text("")
    return root


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("collect", str(tmp_path / "nope"), "--out", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "no such file or directory" in err and "Traceback" not in err
    file = tmp_path / "file.py"
    file.write_text("x = 1\n")
    assert _run("collect", str(file), "--out", str(tmp_path / "out")) == 2
    assert "not a directory" in capsys.readouterr().err


def test_empty_directory_gives_empty_evidence(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    assert _run("collect", str(tmp_path / "repo"), "--out", str(tmp_path / "out"), "--collectors", ",".join(FAST)) == 0
    evidence = load_evidence(tmp_path / "out" / "evidence.json")
    assert evidence.files_discovered == 0 and evidence.python_files == [] and evidence.failures == []
    assert all(s.ok for s in evidence.collectors)


def test_bad_inputs_become_records_and_the_run_finishes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _bad_repo(tmp_path / "repo")
    out = tmp_path / "out"
    assert _run("collect", str(repo), "--out", str(out), "--collectors", ",".join(FAST)) == 0
    assert "Traceback" not in capsys.readouterr().err
    evidence = load_evidence(out / "evidence.json")
    kinds = {f.path: f.kind for f in evidence.failures}
    assert kinds["broken.py"] == "syntax_error"
    assert kinds["newer.py"] == "newer_syntax"
    assert kinds["binary.py"] == "binary"
    assert kinds["generated.py"] == "too_large"
    assert kinds["loop.py"] == "symlink_loop"
    assert kinds["latin.py"] == "decode_error"  # declares utf-8, holds latin-1
    assert all(s.ok for s in evidence.collectors), evidence.collectors
    measured = {f.path for f in evidence.complexity.files}  # type: ignore[union-attr]
    assert {"good.py", "empty.py"} <= measured
    assert any(f.rule == "markers.todo" and f.file == "good.py" and f.line == 2 for f in evidence.findings)


def test_undecodable_file_is_a_decode_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")
    evidence = collect_evidence(repo, Config(), collectors=["complexity"])
    assert [(f.path, f.kind) for f in evidence.failures] == [("latin.py", "decode_error")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_recorded(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    secret = repo / "locked.py"
    secret.write_text("x = 1\n")
    secret.chmod(0)
    try:
        evidence = collect_evidence(repo, Config(), collectors=["complexity"])
    finally:
        secret.chmod(0o644)
    assert [(f.path, f.kind) for f in evidence.failures] == [("locked.py", "unreadable")]


def _findings_key(evidence: Evidence) -> list[tuple[str, str | None, int | None]]:
    return [(f.rule, f.file, f.line) for f in evidence.findings]


def test_warm_run_reuses_every_unchanged_file(tmp_path: Path) -> None:
    repo = _bad_repo(tmp_path / "repo")
    (repo / "other.py").write_text("import os\n\ndef g(x):\n    if x:\n        return 1\n    return 2\n")
    cold = collect_evidence(repo, Config(), collectors=FAST)
    warm = collect_evidence(repo, Config(), collectors=FAST)
    per_file = [s for s in warm.collectors if s.name != "repo_facts"]
    assert all(s.cached_files == s.files == 3 for s in per_file), per_file  # good, empty, other
    assert all(s.cached_files == 0 for s in cold.collectors)
    assert _findings_key(warm) == _findings_key(cold)
    assert warm.complexity == cold.complexity and warm.markers == cold.markers
    assert sorted(f.path for f in warm.failures) == sorted(f.path for f in cold.failures)
    (repo / "other.py").write_text("def g(x):\n    return x  # FIXME: wrong\n")
    changed = collect_evidence(repo, Config(), collectors=["markers"])
    assert changed.collectors[0].cached_files == 2
    assert any(f.rule == "markers.fixme" and f.file == "other.py" for f in changed.findings)
    ignore = cache_dir(repo) / ".gitignore"
    assert ignore.read_text().strip().endswith("*")
    assert CACHE_DIR_NAME not in {p.split("/")[0] for p in changed.python_files}


def test_no_cache_config_neither_reads_nor_writes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    evidence = collect_evidence(repo, Config(cache=False), collectors=["complexity"])
    assert evidence.collectors[0].cached_files == 0
    assert not (cache_dir(repo)).exists()


def test_damaged_cache_is_a_miss_not_an_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("def f():\n    pass\n")
    first = collect_evidence(repo, Config(), collectors=["complexity"])
    cache_file = cache_dir(repo) / "complexity.json"
    cache_file.write_text("{not json")
    (cache_dir(repo) / MEMO_FILE).unlink()  # the per-file cache itself is under test here
    second = collect_evidence(repo, Config(), collectors=["complexity"])
    assert second.collectors[0].ok and second.collectors[0].cached_files == 0
    assert second.complexity == first.complexity
    data = json.loads(cache_file.read_text())
    data["entries"]["a.py"]["result"] = {"unexpected": True}
    cache_file.write_text(json.dumps(data))
    (cache_dir(repo) / MEMO_FILE).unlink()
    third = collect_evidence(repo, Config(), collectors=["complexity"])
    assert third.collectors[0].cached_files == 0 and third.complexity == first.complexity


def test_cache_key_includes_tool_versions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    collect_evidence(repo, Config(), collectors=["complexity"])
    from reviewer.collectors.complexity import ComplexityCollector, ComplexityFileResult

    version = ComplexityCollector.version
    assert ResultCache(cache_dir(repo)).load("complexity", version, ComplexityFileResult)
    assert ResultCache(cache_dir(repo)).load("complexity", version + "x", ComplexityFileResult) == {}
    assert ResultCache(cache_dir(repo), salt="radon=0.0").load("complexity", version, ComplexityFileResult) == {}


def test_unwritable_cache_is_a_note(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    cache_dir(repo).parent.mkdir(parents=True, exist_ok=True)
    cache_dir(repo).write_text("a file where the cache folder would go\n")  # fails even for root
    evidence = collect_evidence(repo, Config(), collectors=["complexity"])
    assert evidence.collectors[0].ok
    assert any("cache not written" in note for note in evidence.notes)


class _Crashing(Collector):
    name: ClassVar[str] = "crashing"

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        raise RuntimeError("tool exploded on purpose")


def test_a_crashing_collector_is_recorded_as_data(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    discovery = discover(tmp_path)
    ctx = CollectContext(root=tmp_path, config=Config(), discovery=discovery,
                         sources=SourceStore(discovery.files, 1_000_000))
    outcome = run_collector(_Crashing(), ctx, cache=None)
    assert not outcome.status.ok and outcome.output is None
    assert outcome.status.error == "RuntimeError: tool exploded on purpose"


def test_collector_names_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("collect", str(tmp_path), "--collectors", "complexity,nonsense", "--out", str(tmp_path / "o")) == 2
    assert "nonsense" in capsys.readouterr().err


def test_process_pool_gives_the_same_results_as_one_process(tmp_path: Path) -> None:
    from reviewer.collectors.base import PerFileCollector
    from reviewer.collectors.perfile import analyse, plan_work
    from reviewer.collectors.registry import builtin_collectors

    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    for i in range(30):
        body = "".join(f"    if x == {j}:\n        return {j}  # TODO: table\n" for j in range(i % 7 + 1))
        (repo / "pkg" / f"m{i}.py").write_text(f"import subprocess\n\ndef f{i}(x):\n{body}    return eval(x)\n")
    (repo / "pkg" / "broken.py").write_text("def f(:\n")
    discovery = discover(repo)
    ctx = CollectContext(root=repo, config=Config(), discovery=discovery,
                         sources=SourceStore(discovery.files, 1_000_000))
    per_file = {c.name: c for c in builtin_collectors() if isinstance(c, PerFileCollector)}
    plan = plan_work(list(per_file.values()), ctx, cache=None)
    pooled = analyse(plan.work, ctx, per_file, processes=2)
    here = analyse(plan.work, ctx, per_file, processes=1)
    assert pooled.processes == 2 and here.processes == 1
    assert pooled.results == here.results and not pooled.errors
    assert len(pooled.results["complexity"]) == 30 and len(pooled.results["security"]) == 30
    assert [f.path for f in pooled.source_failures] == [f.path for f in here.source_failures] == ["pkg/broken.py"]


def _reused(evidence: Evidence, monkeypatch: pytest.MonkeyPatch, repo: Path, **kwargs: object) -> bool:
    """True when collect_evidence answered from the memo (no collector was even instantiated)."""
    import reviewer.collectors.runner as runner

    calls: list[object] = []
    real = runner.builtin_collectors
    monkeypatch.setattr(runner, "builtin_collectors", lambda names=None: calls.append(names) or real(names))
    again = collect_evidence(repo, Config(), **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(runner, "builtin_collectors", real)
    same = again.model_dump(exclude={"created_at", "duration_s", "collectors"}) == evidence.model_dump(
        exclude={"created_at", "duration_s", "collectors"})
    return not calls and same


def test_unchanged_repository_reuses_the_whole_evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("import os\n\n\ndef f(x):\n    return x  # TODO: more\n")
    (repo / "README.md").write_text("hello\n")
    first = collect_evidence(repo, Config(), collectors=FAST)
    assert _reused(first, monkeypatch, repo, collectors=FAST)
    assert not _reused(first, monkeypatch, repo, collectors=["markers"])  # other collectors, other key
    (repo / "README.md").write_text("hello\nagain\n")  # a non-Python file changes the facts
    second = collect_evidence(repo, Config(), collectors=FAST)
    assert second.repo_facts != first.repo_facts
    os.utime(repo / "a.py", ns=(1, 1))  # same content, other mtime: recomputed, and equal
    third = collect_evidence(repo, Config(), collectors=FAST)
    assert third.markers == second.markers
    (repo / "coverage.json").write_text("{}")  # a report the tests collector would ingest
    assert not _reused(third, monkeypatch, repo, collectors=FAST)


def test_deleted_file_leaves_no_result_behind(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1  # TODO: a\n")
    (repo / "b.py").write_text("y = 2  # TODO: b\n")
    first = collect_evidence(repo, Config(), collectors=["markers"])
    assert {f.file for f in first.findings} == {"a.py", "b.py"}
    (repo / "b.py").unlink()
    second = collect_evidence(repo, Config(), collectors=["markers"])
    assert {f.file for f in second.findings} == {"a.py"}
    stored = json.loads((cache_dir(repo) / "markers.json").read_text())
    assert set(stored["entries"]) == {"a.py"}
