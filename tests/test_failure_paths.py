"""Failure paths and the claims audit, for real: pytest and coverage run on a small repository built here,
then the derived collectors read the coverage and the repository's own documents."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.collectors.claims_audit import claims_in_line, document_paths
from reviewer.collectors.failure_paths import exception_phrase, missing_test_name
from reviewer.collectors.runner import collect_evidence
from reviewer.config import Config, TestsConfig
from reviewer.evidence import Evidence, FailurePath

LOADER = '''\
import json


def load_config(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as exc:
        raise ValueError(f"bad config: {exc}") from exc


def parse(text):
    if not text:
        raise ValueError("empty")  # pragma: no cover
    return text.split(",")


class Store:
    def get(self, key):
        try:
            return self.data[key]
        except KeyError:
            return None
'''
NEVER = '''\
def risky():
    try:
        return 1 / 0
    except ZeroDivisionError:
        raise RuntimeError("boom")
'''
TESTS = '''\
from pkg.loader import load_config, parse


def test_load_missing(tmp_path):
    assert load_config(tmp_path / "none.json") == {}


def test_parse():
    assert parse("a,b") == ["a", "b"]
'''
README = '''\
# Demo

Production ready. 95% test coverage, 2/2 tests passing.
The suite has 40 tests in total.

The loader is implemented in `pkg/loader.py` and `pkg/missing.py`; `load_config()` and `ghost_function()`
already exist.

Our target is 100% coverage.

```
99% coverage inside a code block is not a claim
```
'''


def _repo(root: Path) -> Path:
    files = {"pkg/__init__.py": "", "pkg/loader.py": LOADER, "pkg/never.py": NEVER, "tests/test_loader.py": TESTS,
             "README.md": README, "docs/status.md": "All tests pass.\n"}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Evidence:
    root = _repo(tmp_path_factory.mktemp("fp") / "demo")
    config = Config(tests=TestsConfig(run=True, python=sys.executable), cache=False)
    return collect_evidence(root, config, run_tests=True)


def test_handlers_and_raises_are_counted_ran_or_never_ran(evidence: Evidence) -> None:
    fp = evidence.failure_paths
    assert fp is not None and fp.measured
    modules = {m.path: m for m in fp.modules}
    loader = modules["pkg/loader.py"]
    assert (loader.handlers, loader.handlers_ran) == (3, 1)  # FileNotFoundError ran; JSONDecodeError, KeyError not
    assert (loader.raises, loader.raises_ran) == (1, 0)  # the pragma: no cover raise is not counted
    never = modules["pkg/never.py"]
    assert (never.handlers, never.handlers_ran, never.raises, never.raises_ran) == (1, 0, 1, 0)
    assert (fp.handlers, fp.handlers_ran) == (4, 1)


def test_a_module_whose_failure_paths_never_ran_is_a_finding(evidence: Evidence) -> None:
    found = [f for f in evidence.findings if f.rule == "coverage.failure_paths_untested"]
    assert [f.file for f in found] == ["pkg/never.py"]
    assert found[0].line == 4 and "0 of 1 except handler(s)" in found[0].evidence


def test_missing_tests_are_named_after_function_and_exception(evidence: Evidence) -> None:
    assert evidence.failure_paths is not None
    names = [t.name for t in evidence.failure_paths.missing_tests]
    assert "test_load_config_when_json_invalid" in names
    assert "test_get_when_key_missing" in names
    assert "test_risky_when_dividing_by_zero" in names
    assert "test_load_config_when_file_missing" not in names  # that handler ran
    assert names.index("test_risky_raises_runtime") > names.index("test_get_when_key_missing")  # handlers first


def test_without_coverage_failure_paths_are_not_measured(tmp_path: Path) -> None:
    evidence = collect_evidence(_repo(tmp_path / "demo"), Config(cache=False))
    assert evidence.failure_paths is not None and not evidence.failure_paths.measured
    assert evidence.failure_paths.reason and not evidence.failure_paths.modules


@pytest.mark.parametrize(("exception", "phrase"), [
    ("FileNotFoundError", "file_missing"), ("(KeyError, IndexError)", "key_missing"), (None, "error"),
    ("httpx.TimeoutException", "timeout_"), ("click.BadParameter", "bad_parameter")])
def test_exception_phrases(exception: str | None, phrase: str) -> None:
    assert exception_phrase(exception).startswith(phrase.rstrip("_"))


def test_module_level_names_use_the_file() -> None:
    path = FailurePath(file="pkg/cli.py", line=3, kind="raise", function=None, exception="SystemExit(2)", ran=False)
    assert missing_test_name(path) == "test_cli_raises_system_exit"


def test_claims_are_checked_against_the_evidence(evidence: Evidence) -> None:
    audit = evidence.claims_audit
    assert audit is not None and audit.documents == ["README.md", "docs/status.md"]
    by = {(c.kind, c.claimed): c for c in audit.claims}
    cov = by[("coverage", "95% coverage")]
    assert cov.status == "contradicted" and cov.line == 3 and cov.measured and cov.measured.endswith("%")
    assert by[("pass_rate", "2/2 tests pass")].status == "verified"
    assert by[("test_count", "40 tests")].status == "contradicted"
    assert by[("pass_rate", "all tests pass")].file == "docs/status.md"
    assert by[("file_exists", "pkg/loader.py")].status == "verified"
    assert by[("file_exists", "pkg/missing.py")].status == "contradicted"
    assert by[("function_exists", "load_config()")].status == "verified"
    assert by[("function_exists", "ghost_function()")].status == "contradicted"
    assert not any("99%" in c.claimed or "100%" in c.claimed for c in audit.claims)  # code block, target
    findings = [f for f in evidence.findings if f.rule == "docs.claim_contradicted"]
    assert any(f.title.startswith("README.md:3 claims 95% coverage; measured") for f in findings)
    assert len(findings) == sum(c.status == "contradicted" for c in audit.claims)


def test_readiness_claim_without_a_test_run_is_not_measured(tmp_path: Path) -> None:
    evidence = collect_evidence(_repo(tmp_path / "demo"), Config(cache=False))
    assert evidence.claims_audit is not None
    ready = [c for c in evidence.claims_audit.claims if c.kind == "readiness"]
    assert [c.status for c in ready] == ["not_measured"]


def test_negated_and_target_figures_are_not_claims() -> None:
    assert claims_in_line("This is not production ready yet.", set()) == []
    assert claims_in_line("We require 90% coverage.", set()) == []
    assert [k for k, _, _ in claims_in_line("Coverage: 87.5%", set())] == ["coverage"]
    assert claims_in_line("Python 3.10 tests are run in CI", set()) == []  # a version, not a count
    assert claims_in_line("we run 1,200+ tests nightly", set()) == [("test_count", "1,200+ tests", (1200, True))]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_documents_are_confined_to_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("100% coverage", encoding="utf-8")
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").symlink_to(outside)
    (root / "docs" / "big.md").write_bytes(b"x" * (600 * 1024))
    (root / "docs" / "ok.rst").write_text("fine", encoding="utf-8")
    docs, skipped = document_paths(root)
    assert [p.name for p in docs] == ["ok.rst"]
    assert sorted(s.path for s in skipped) == ["README.md", "docs/big.md"]
