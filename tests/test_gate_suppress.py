"""Suppressions: inline comments and the suppressions file mark findings suppressed, never hide them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.gate_results import finding, make_result

from reviewer.config import Config, GateConfig
from reviewer.errors import ConfigError
from reviewer.gate.evaluate import evaluate_gate
from reviewer.gate.suppress import apply_suppressions, parse_inline

SOURCE = """\
import subprocess
eval(a)  # reviewer: ignore[bandit.B307] -- input is a constant
eval(b)  # reviewer: ignore[markers.*, bandit.B1*]
# reviewer: ignore[bandit.B602] -- fixed command list
subprocess.call(cmd, shell=True)
x = 1  # reviewer: ignore
subprocess.call(other, shell=True)
eval(c)
"""


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def test_parse_inline_variants() -> None:
    one = parse_inline("f()  # reviewer: ignore[bandit.B307]")
    assert one is not None and one.rules == ["bandit.B307"] and not one.standalone
    several = parse_inline("    # Reviewer: ignore[a.*, b] -- why")
    assert several is not None and several.rules == ["a.*", "b"] and several.reason == "why" and several.standalone
    bare = parse_inline("x  # reviewer: ignore")
    assert bare is not None and bare.rules == [] and bare.matches("anything.at_all")
    assert parse_inline("x  # reviewer ignores nothing") is None


def test_inline_suppressions(repo: Path) -> None:
    findings = [
        finding("bandit.B307", "critical", line=2, snippet="eval(a)"),  # same line, exact rule
        finding("bandit.B102", "high", line=3, snippet="eval(b)"),  # same line, glob
        finding("bandit.B307", "critical", line=3, snippet="eval(b)"),  # same line, rule not listed
        finding("bandit.B602", "high", line=5, snippet="subprocess.call(cmd, shell=True)"),  # comment above
        finding("bandit.B602", "high", line=7, snippet="subprocess.call(other, shell=True)"),  # above is code
        finding("radon.cc", "low", line=6, snippet="x = 1"),  # bare ignore
        finding("bandit.B307", "critical", line=8, snippet="eval(c)"),  # no comment
    ]
    count = apply_suppressions(findings, repo, Config())
    assert [f.suppressed for f in findings] == [True, True, False, True, False, True, False]
    assert count == 4
    assert findings[0].suppression == "inline comment at app/main.py:2: input is a constant"
    assert findings[3].suppression == "inline comment at app/main.py:4: fixed command list"
    assert apply_suppressions(findings, repo, Config()) == 4  # idempotent


def test_suppressions_file(repo: Path) -> None:
    target = finding("bandit.B307", "critical", line=8, snippet="eval(c)")
    (repo / "supp.yaml").write_text(
        "- rule: 'bandit.B101'\n  file: 'tests/**'\n  reason: asserts are fine in tests\n"
        f"- rule: 'bandit.*'\n  fingerprint: '{target.fingerprint}'\n  reason: reviewed by security\n",
        encoding="utf-8",
    )
    findings = [
        finding("bandit.B101", "low", file="tests/unit/test_x.py", line=4, snippet="assert x"),
        finding("bandit.B101", "low", file="app/main.py", line=1, snippet="import subprocess"),
        target,
        finding("bandit.B307", "critical", line=2, snippet="eval(zzz)", suppressed=False),
    ]
    config = Config(suppressions_file="supp.yaml")
    assert apply_suppressions(findings, repo, config) == 3  # 1 test assert, 1 fingerprint, 1 inline (line 2)
    assert [f.suppressed for f in findings] == [True, False, True, True]
    assert findings[0].suppression == "suppressions file supp.yaml: asserts are fine in tests"
    assert findings[2].suppression == "suppressions file supp.yaml: reviewed by security"
    assert findings[3].suppression is not None and findings[3].suppression.startswith("inline comment")


def test_suppressed_findings_are_kept_and_reported_by_the_gate(repo: Path) -> None:
    findings = [finding("bandit.B307", "critical", line=2, snippet="eval(a)")]
    result = make_result(findings=findings)
    apply_suppressions(result.findings, repo, Config())
    outcome = evaluate_gate(result, GateConfig())
    assert outcome.passed and outcome.suppressed == 1
    assert len(result.findings) == 1 and result.findings[0].suppressed


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("rule: x\n", None),
        ("- rule: x\n", "[0].reason"),
        ("- rule: x\n  reason: y\n  colour: red\n", "[0].colour"),
        ("- [unclosed\n", None),
    ],
)
def test_bad_suppressions_file_is_a_config_error(repo: Path, text: str, key: str | None) -> None:
    (repo / "supp.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        apply_suppressions([finding("a", "low")], repo, Config(suppressions_file="supp.yaml"))
    assert info.value.key == key or (key is None and "supp.yaml" in str(info.value))


def test_missing_suppressions_file_is_a_config_error(repo: Path) -> None:
    with pytest.raises(ConfigError, match="suppressions file not found"):
        apply_suppressions([], repo, Config(suppressions_file="nope.yaml"))
