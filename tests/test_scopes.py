"""Scopes of files and what they change: findings outside product code, noise in tests, scoped dependencies,
densities, persona status and contributors, not-measured areas, the blocker gate. Real collectors on small
repositories written here."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.defect_repo import run_collector, write_files
from helpers.gate_results import finding, make_result

from reviewer.collectors.complexity import ComplexityCollector
from reviewer.collectors.dependencies import DependenciesCollector
from reviewer.collectors.security import SecurityCollector
from reviewer.config import Config, GateConfig, load_config
from reviewer.errors import ConfigError
from reviewer.evidence import (
    ComplexitySection,
    ConfigSmellsSection,
    Evidence,
    FileMetrics,
    MarkersSection,
    SecuritySection,
)
from reviewer.findings import Finding, Severity
from reviewer.gate.evaluate import evaluate_gate
from reviewer.review.criteria import evaluate_criterion
from reviewer.review.result import AgentResult, CriterionScore
from reviewer.review.rubric import FindingsPenaltyCriterion, load_rubric
from reviewer.review.scoring import contributors, overall_score, persona_status
from reviewer.review.view import ScoringView
from reviewer.scopes import ScopesConfig, scope_of


@pytest.mark.parametrize(("path", "scope"), [
    ("src/pkg/core.py", "product"), ("pkg/writers/html.py", "product"), ("tests/test_core.py", "tests"),
    ("tests/roots/test-ext/conf.py", "fixtures"), ("pkg/tests/fixtures/data.py", "fixtures"),
    ("test_top.py", "tests"), ("conftest.py", "tests"), ("examples/demo.py", "examples"),
    ("docs/conf.py", "docs"), ("setup.py", "build"), ("noxfile.py", "build"), ("tools/gen.py", "build"),
    ("pkg/setup.py", "product"), ("README.md", "product"),
])
def test_default_scopes(path: str, scope: str) -> None:
    assert scope_of(path) == scope


def test_scopes_are_configurable(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.reviewer.scopes]\nproduct = ["tools/**"]\nexamples = ["cookbook/**"]\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert scope_of("tools/gen.py", config.scopes) == "product"  # a forced product glob wins
    assert scope_of("cookbook/a.py", config.scopes) == "examples"
    assert scope_of("examples/a.py", config.scopes) == "product"  # the scope's list was replaced
    (tmp_path / "pyproject.toml").write_text('[tool.reviewer.scopes]\nvendor = ["v/**"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="scopes.vendor"):
        load_config(tmp_path)


_NOISY = '''import random
import subprocess


def test_login():
    password = "hunter2hunter2"
    assert random.random() < 2
    subprocess.run(["git", "status"])
'''


def test_noise_in_tests_is_counted_not_reported(tmp_path: Path) -> None:
    write_files(tmp_path, {"tests/test_login.py": _NOISY, "pkg/run.py": _NOISY.replace("def test_", "def ")})
    out = run_collector(SecurityCollector(), tmp_path)
    section = out.section
    assert isinstance(section, SecuritySection)
    in_tests = sorted(f.rule for f in out.findings if f.file == "tests/test_login.py")
    assert in_tests == ["bandit.B404", "bandit.B603", "bandit.B607"]  # no B101, B105, B311
    assert section.suppressed_test_asserts == 1 and section.suppressed_test_noise == 2
    product = {f.rule: f.severity.value for f in out.findings if f.file == "pkg/run.py"}
    assert product["bandit.B105"] == "low" and product["bandit.B311"] == "low"
    # Low-signal: import subprocess and a literal program in an argument list are info.
    assert product["bandit.B404"] == "info" and product["bandit.B603"] == "info"
    loud = Config()
    loud.noise.test_bandit = ["B101"]
    loud.noise.low_signal_info = False
    out = run_collector(SecurityCollector(), tmp_path, loud)
    in_tests = sorted(f.rule for f in out.findings if f.file == "tests/test_login.py")
    assert "bandit.B105" in in_tests and "bandit.B311" in in_tests
    assert {f.severity.value for f in out.findings if f.rule == "bandit.B404"} == {"low"}


def test_a_variable_program_stays_a_b603_finding(tmp_path: Path) -> None:
    write_files(tmp_path, {"pkg/run.py": "import subprocess\n\n\ndef run(cmd):\n    subprocess.run(cmd)\n"})
    out = run_collector(SecurityCollector(), tmp_path)
    assert [f.severity.value for f in out.findings if f.rule == "bandit.B603"] == ["low"]


def test_context_dependent_high_rules_are_high_not_critical(tmp_path: Path) -> None:
    code = ("import hashlib\nimport requests\n\n\ndef get(u, p):\n    requests.get(u, verify=False, timeout=5)\n"
            "    return hashlib.md5(p).hexdigest()\n")
    write_files(tmp_path, {"pkg/net.py": code})
    out = run_collector(SecurityCollector(), tmp_path)
    severity = {f.rule: f.severity.value for f in out.findings}
    assert severity["bandit.B501"] == "high"  # TLS verification off: harm depends on what is sent
    assert severity["bandit.B324"] == "high"  # a password hash or an HMAC digest: bandit cannot tell


def test_complexity_of_test_code_is_noise(tmp_path: Path) -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    code = f"def test_many(x):\n{branches}    return -1\n"
    write_files(tmp_path, {"tests/test_big.py": code, "pkg/big.py": code.replace("test_many", "many")})
    out = run_collector(ComplexityCollector(), tmp_path)
    assert [f.file for f in out.findings if f.rule == "radon.cc"] == ["pkg/big.py"]
    section = out.section
    assert isinstance(section, ComplexitySection) and section.suppressed_test_findings == 1


def test_dependencies_declared_for_a_scope_count_there(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "pyproject.toml": '[project]\nname = "pkg"\ndependencies = ["click"]\n'
                          '[build-system]\nrequires = ["setuptools", "wheel"]\n',
        "docs/requirements.txt": "sphinx\nfuro\n",
        "setup.py": "import setuptools\nsetuptools.setup()\n",
        "docs/conf.py": "import furo\n",
        "pkg/__init__.py": "import click\n",
        "pkg/build.py": "import setuptools\n",  # product code may not lean on a build requirement
        "examples/demo.py": "import numpy\n",
    })
    out = run_collector(DependenciesCollector(), tmp_path)
    undeclared = {f.file: f.severity.value for f in out.findings if f.rule == "deps.undeclared"}
    assert undeclared == {"pkg/build.py": "high", "examples/demo.py": "low"}
    # Build and docs requirements are tools: never "unused".
    assert not [f for f in out.findings if f.rule == "deps.unused"]


def _evidence(product_lloc: int, test_lloc: int = 0) -> Evidence:
    files = [FileMetrics(path="pkg/a.py", loc=product_lloc, lloc=product_lloc, sloc=product_lloc, comments=0,
                         multi=0, blank=0, single_comments=0, mi=80.0)]
    if test_lloc:
        files.append(FileMetrics(path="tests/test_a.py", loc=test_lloc, lloc=test_lloc, sloc=test_lloc,
                                 comments=0, multi=0, blank=0, single_comments=0, mi=80.0))
    return Evidence(tool_version="t", repo_name="r", complexity=ComplexitySection(files=files),
                    security=SecuritySection(), config_smells=ConfigSmellsSection(), markers=MarkersSection())


def _bandit(n: int, severity: Severity = Severity.medium, scope: str = "product", confidence: str = "high"
            ) -> list[Finding]:
    return [Finding(rule="bandit.B608", severity=severity, title="sql", file=f"pkg/m{i}.py", line=1,
                    source="security", evidence="x", scope=scope, confidence=confidence) for i in range(n)]


def test_penalties_are_densities_on_a_saturating_curve() -> None:
    rubric = load_rubric("security_engineer")
    criterion = rubric.criteria[0]
    assert isinstance(criterion, FindingsPenaltyCriterion) and criterion.per == "product_statements"
    small = evaluate_criterion(criterion, _evidence(1000), _bandit(2), 80)
    large = evaluate_criterion(criterion, _evidence(10000), _bandit(20), 80)
    assert small.points == pytest.approx(large.points)  # same density, same points
    assert evaluate_criterion(criterion, _evidence(1000), _bandit(200), 80).points < 0.01  # saturates at 0
    # Findings outside product code do not count; lower confidence weighs less.
    assert evaluate_criterion(criterion, _evidence(1000), _bandit(5, scope="tests"), 80).points == 1.0
    sure = evaluate_criterion(criterion, _evidence(1000), _bandit(3), 80).points
    unsure = evaluate_criterion(criterion, _evidence(1000), _bandit(3, confidence="low"), 80).points
    assert sure < unsure < 1.0


def test_status_contributors_and_the_overall_leave_out_what_was_not_measured() -> None:
    rubric = load_rubric("security_engineer")
    findings = [*_bandit(3), *_bandit(1, Severity.high), *_bandit(4, scope="tests")]
    criteria = [evaluate_criterion(c, _evidence(500), findings, 80) for c in rubric.criteria]
    assert persona_status(criteria) == ("measured", [])
    top = contributors(rubric, criteria, findings)
    assert top[0].rule == "bandit.B608" and top[0].scope == "product" and top[0].count == 4
    loss = 100 - round(100 * sum(c.weight * c.points for c in criteria) / sum(c.weight for c in criteria))
    assert sum(c.points for c in top) == pytest.approx(loss, abs=1)
    missing = CriterionScore(id="x", name="Coverage", weight=1, points=0, measured="-", status="not_measured")
    assert persona_status([criteria[0], missing]) == ("partial", ["Coverage"])
    assert persona_status([missing]) == ("not_measured", ["Coverage"])
    agents = [AgentResult(id="a", name="A", score=80, base_score=80),
              AgentResult(id="b", name="B", score=50, base_score=50, status="not_measured")]
    assert overall_score(agents, {}) == 80


def test_test_code_has_its_own_lens() -> None:
    rubric = load_rubric("test_engineer")
    lens = next(c for c in rubric.criteria if c.id == "test_code")
    assert isinstance(lens, FindingsPenaltyCriterion)
    none = evaluate_criterion(lens, _evidence(1000), [], 80)
    assert none.status == "not_measured"  # no test code
    hurt = evaluate_criterion(lens, _evidence(1000, 500), _bandit(5, scope="tests"), 80)
    assert hurt.status == "measured" and hurt.points < 1.0
    view = ScoringView(_evidence(1000, 500), ScopesConfig(tests=[]))
    assert view.test_statements == 0 and view.product_statements == 1500


def test_the_default_gate_fails_on_blockers_and_counts_product_findings() -> None:
    clean = make_result()
    assert evaluate_gate(clean, GateConfig()).passed
    blocked = make_result()
    blocked.verdict, blocked.blockers = "not_ready", ["no tests at all: no test files found and no test results"]
    gate = evaluate_gate(blocked, GateConfig())
    check = next(c for c in gate.checks if c.name == "blockers (verdict)")
    assert not gate.passed and not check.passed and check.actual.startswith("no tests at all")
    assert evaluate_gate(blocked, GateConfig(blockers=False)).passed
    tool = finding("bandit.B602", "critical").model_copy(update={"scope": "build"})
    assert evaluate_gate(make_result(findings=[tool]), GateConfig()).passed  # a build script is not the product
    assert not evaluate_gate(make_result(findings=[tool]), GateConfig(finding_scopes=None)).passed
    unconfirmed = make_result()
    unconfirmed.verdict = "not_confirmed"
    check = next(c for c in evaluate_gate(unconfirmed, GateConfig()).checks if c.name == "blockers (verdict)")
    assert check.passed and "tests not run" in check.actual


def test_a_test_file_without_a_test_function_is_no_test() -> None:
    from reviewer.evidence import BlockComplexity, TestsSection
    from reviewer.review.verdict import find_blockers

    def block(file: str, name: str, classname: str | None = None) -> BlockComplexity:
        kind = "method" if classname else "function"
        return BlockComplexity(file=file, name=name, type=kind, classname=classname, lineno=1, complexity=1,
                               rank="A")

    evidence = _evidence(500)
    assert evidence.complexity is not None
    evidence.complexity.blocks = [block("pkg/a.py", "run"), block("app/tests.py", "helper")]  # Django's empty tests.py
    assert any(b.startswith("no tests at all") for b in find_blockers(evidence, []))
    evidence.complexity.blocks.append(block("app/tests.py", "runs_ok", classname="TestViews"))
    assert not find_blockers(evidence, [])
    evidence.complexity.blocks = []
    evidence.tests = TestsSection(mode="ingest", total=3, passed=3)  # results count even without the code
    assert not find_blockers(evidence, [])


def test_test_ratio_falls_back_to_the_scopes_when_repository_facts_failed() -> None:
    ratio = next(c for c in load_rubric("test_engineer").criteria if c.id == "test_ratio")
    score = evaluate_criterion(ratio, _evidence(1000, 250), [], 80)
    assert score.status == "measured" and score.points == pytest.approx(0.5)  # 0.25 against a 0.5 target
    assert "250 test / 1000 product statements" in score.measured


def test_no_density_without_a_size() -> None:
    criterion = load_rubric("security_engineer").criteria[0]
    evidence = _evidence(1000)
    evidence.complexity = None
    score = evaluate_criterion(criterion, evidence, _bandit(3), 80)
    assert score.status == "not_measured" and "size of the product code unknown" in score.measured
