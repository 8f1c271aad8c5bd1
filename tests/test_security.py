"""The security collector against the real bandit CLI on the same files, plus nosec, test asserts, secrets,
files bandit cannot handle, and concurrent use."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers.defect_repo import line_of, run_collector, write_files

from reviewer.collectors.base import CollectorOutput
from reviewer.collectors.security import (
    BanditFileResult,
    SecurityCollector,
    recommendation_for,
    redact_line,
    scan_sources,
)
from reviewer.config import Config
from reviewer.discovery import discover
from reviewer.evidence import SecuritySection
from reviewer.findings import Severity
from reviewer.source import SourceFile, SourceStore

# Secrets are assembled at run time so that this test file itself holds no literal bandit would flag.
SECRET_STR = "hunter" + "2-B105"
SECRET_ARG = "s3cr3t" + "-B106"
SECRET_DEFAULT = "t0ps3cr3t" + "-B107"
SECRET_TABLE = "tab1e" + "-secret"

APP = f'''\
import hashlib
import os
import pickle
import subprocess

import yaml

PASSWORD = "{SECRET_STR}"


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load(blob, text):
    return pickle.loads(blob), yaml.load(text)


def digest(data):
    return hashlib.md5(data).hexdigest()


def quiet():
    try:
        run("ls")
    except Exception:
        pass


def trusted(cmd):
    subprocess.call("echo hi", shell=True)  # nosec
    subprocess.call(cmd, shell=True)  # nosec B602


def check(x):
    assert x > 0
    return x


def query(cur, user):
    sql = "SELECT * FROM users WHERE name = '%s'" % user
    return cur.execute(sql)


def login(user, password="{SECRET_DEFAULT}"):
    return connect(user=user, password="{SECRET_ARG}")


def echo_secret():
    os.system("echo {SECRET_STR}")


def connect(**kwargs):
    return kwargs
'''

CLEAN = "def add(a, b):\n    return a + b\n"

TEST_FILE = '''\
from app.main import check


def test_check():
    assert check(1) == 1
    assert check(2) == 2
'''

# A multi-line literal without any "# nosec": the case the collector's fast nosec path is for.
TABLE = "SETTINGS = {\n" + "".join(f'    "key{n}": "value{n}",\n' for n in range(300)) + \
    f'    "password": "{SECRET_TABLE}",\n' + "}\nexec(SETTINGS['key1'])\n"

FILES = {"app/__init__.py": "", "app/main.py": APP, "app/clean.py": CLEAN, "app/table.py": TABLE,
         "tests/test_main.py": TEST_FILE}
NON_TEST = ["app/__init__.py", "app/clean.py", "app/main.py", "app/table.py"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(tmp_path_factory.mktemp("security"), FILES)


@pytest.fixture(scope="module")
def output(repo: Path) -> CollectorOutput:
    return run_collector(SecurityCollector(), repo)


def _bandit_cli(root: Path, files: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "bandit", "-r", "-f", "json", *files], cwd=root,
                          capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _section(out: CollectorOutput) -> SecuritySection:
    assert isinstance(out.section, SecuritySection)
    return out.section


def test_matches_bandit_cli_on_non_test_files(repo: Path, output: CollectorOutput) -> None:
    cli = _bandit_cli(repo, NON_TEST)
    assert cli["errors"] == []
    expected = Counter((r["test_id"], Path(r["filename"]).as_posix(), r["line_number"]) for r in cli["results"])
    got = Counter((f.rule.removeprefix("bandit."), f.file, f.line) for f in output.findings
                  if f.file in NON_TEST)
    assert got == expected
    assert {tid for tid, _, _ in expected} >= {"B602", "B301", "B403", "B506", "B105", "B106", "B107", "B324",
                                                "B110", "B101", "B608", "B605"}
    totals = cli["metrics"]["_totals"]
    section = _section(output)
    for rank in ("LOW", "MEDIUM", "HIGH"):
        assert section.counts_by_severity[rank] == totals[f"SEVERITY.{rank}"]
        assert section.counts_by_confidence[rank] == totals[f"CONFIDENCE.{rank}"]
    assert section.suppressed_nosec == totals["nosec"] + totals["skipped_tests"] == 3  # B602+B607 blanket, B602 named


def test_scanned_files_lines_and_version_match_cli(repo: Path, output: CollectorOutput) -> None:
    cli = _bandit_cli(repo, [*NON_TEST, "tests/test_main.py"])
    section = _section(output)
    assert section.files_scanned == 5 and output.files == 5 and output.failures == []
    assert section.loc_scanned == cli["metrics"]["_totals"]["loc"]
    assert section.bandit_version == __import__("bandit").__version__


def test_finding_fields(repo: Path, output: CollectorOutput) -> None:
    shell = next(f for f in output.findings if f.rule == "bandit.B602")
    assert shell.file == "app/main.py"
    assert shell.line == line_of(repo, "app/main.py", "return subprocess.call(cmd, shell")
    assert (shell.severity, shell.confidence, shell.cwe) == (Severity.critical, "high", 78)  # HIGH at HIGH
    assert shell.source == "security" and shell.category == "security"
    assert shell.evidence == shell.snippet == "return subprocess.call(cmd, shell=True)"
    assert shell.title == "subprocess call with shell=True identified, security issue."
    assert "shell=False" in shell.recommendation and "https://bandit.readthedocs.io/" in shell.recommendation
    swallow = next(f for f in output.findings if f.rule == "bandit.B110")
    assert swallow.end_line is not None and swallow.end_line > (swallow.line or 0)
    sql = next(f for f in output.findings if f.rule == "bandit.B608")  # MEDIUM severity, LOW confidence
    assert (sql.severity, sql.confidence) == (Severity.low, "low")


def test_nosec_is_counted_not_reported(repo: Path, output: CollectorOutput) -> None:
    nosec_lines = {line_of(repo, "app/main.py", '"echo hi"'), line_of(repo, "app/main.py", "# nosec B602")}
    assert not [f for f in output.findings if f.file == "app/main.py" and f.line in nosec_lines]
    assert _section(output).suppressed_nosec == 3


def test_asserts_in_test_files_are_counted_not_reported(output: CollectorOutput) -> None:
    assert not [f for f in output.findings if f.file == "tests/test_main.py"]
    assert _section(output).suppressed_test_asserts == 2
    assert [f.file for f in output.findings if f.rule == "bandit.B101"] == ["app/main.py"]


def test_secrets_never_appear_in_output(repo: Path, output: CollectorOutput) -> None:
    dumped = json.dumps([f.model_dump(mode="json") for f in output.findings]) + _section(output).model_dump_json()
    for secret in (SECRET_STR, SECRET_ARG, SECRET_DEFAULT, SECRET_TABLE):
        assert secret in (repo / "app/main.py").read_text() + (repo / "app/table.py").read_text()
        assert secret not in dumped
    by_rule = {f.rule: f for f in output.findings}
    assert {"bandit.B105", "bandit.B106", "bandit.B107"} <= set(by_rule)
    table = [f for f in output.findings if f.file == "app/table.py" and f.rule == "bandit.B105"]
    assert [f.evidence for f in table] == ['"***": "***",']  # every literal on the line
    by_rule = {f.rule: f for f in output.findings if f.file == "app/main.py"}
    assert by_rule["bandit.B105"].title == "Possible hardcoded password: '***'"
    assert by_rule["bandit.B105"].evidence == 'PASSWORD = "***"'
    assert by_rule["bandit.B106"].snippet == 'return connect(user=user, password="***")'
    assert by_rule["bandit.B605"].evidence == 'os.system("***")'  # the same value on another issue's line


def test_cacheable_result_holds_no_secret(repo: Path) -> None:
    discovery = discover(repo, [])
    store = SourceStore(discovery.files, Config().max_file_bytes)
    main = store.get("app/main.py")
    assert isinstance(main, SourceFile)
    result = SecurityCollector().analyze(main)
    assert isinstance(result, BanditFileResult)
    assert SECRET_STR not in result.model_dump_json() and SECRET_ARG not in result.model_dump_json()
    assert result == scan_sources([main])["app/main.py"]


def test_fast_nosec_path_gives_bandits_own_results(repo: Path) -> None:
    sources = SourceStore(discover(repo, []).files, Config().max_file_bytes).sources()
    assert len(sources) == 5
    assert scan_sources(sources) == scan_sources(sources, fast=False)


def test_file_bandit_fails_on_does_not_stop_the_others(tmp_path: Path) -> None:
    deep = "x = " + "+".join(["1"] * 1500) + "\n"  # parses, but bandit's recursive visitor overflows
    run = "import subprocess\nsubprocess.call('x', shell=True)\n"
    root = write_files(tmp_path, {"deep.py": deep, "app/run.py": run})
    out = run_collector(SecurityCollector(), root)
    if any(f.path == "deep.py" and f.collector == "source" for f in SourceStore(
            discover(root, []).files, Config().max_file_bytes).failures()):
        pytest.skip("this Python cannot parse the deep expression")
    assert [(f.path, f.collector, f.kind) for f in out.failures] == [("deep.py", "security", "tool_error")]
    assert "bandit" in out.failures[0].message
    assert {f.rule for f in out.findings if f.file == "app/run.py"} >= {"bandit.B602", "bandit.B404"}
    assert _section(out).files_scanned == 1 and out.files == 2


def test_unparseable_files_are_left_to_the_source_store(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"bad.py": "def broken(:\n", "ok.py": "import pickle\n"})
    out = run_collector(SecurityCollector(), root)
    assert out.failures == [] and [f.rule for f in out.findings] == ["bandit.B403"]
    assert _section(out).files_scanned == 1


def test_concurrent_collectors_agree(repo: Path, output: CollectorOutput) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        outs = list(pool.map(lambda _: run_collector(SecurityCollector(), repo), range(4)))
    for out in outs:
        assert [f.model_dump() for f in out.findings] == [f.model_dump() for f in output.findings]
        assert out.section == output.section


def test_redact_line_and_recommendations() -> None:
    assert redact_line("key = 'abc'  # it is") == "key = '***'  # it is"
    assert redact_line('f(b"x", r\'\\d\', """doc""", "")') == 'f(b"***", r\'***\', """***""", "")'
    assert redact_line('token = "unterminated') == 'token = "***'
    assert redact_line("use(hunter2)  # hunter2", ["hunter2"]) == "use(***)  # ***"
    # a short value is not hunted outside literals: identifiers and numbers stay readable
    assert redact_line('PR = PullRequestRef(token="t", number=1)', ["t", "1"]) == 'PR = PullRequestRef(token="***", number=1)'
    assert redact_line("passwords = hunter2s + hunter2", ["hunter2"]) == "passwords = hunter2s + ***"
    assert recommendation_for("B506", "https://x").endswith("See https://x")
    assert "safe_load" in recommendation_for("B506")
    assert recommendation_for("B999")
