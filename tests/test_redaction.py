"""One redaction sink: planted secrets of every kind never reach an output file, the cache, the console or a
prompt sent to a backend. The secrets are assembled at run time so this file holds none."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.judge_answers import judge_responder

from reviewer.collectors.cache import cache_dir
from reviewer.backends.base import CompletionRequest
from reviewer.backends.fake import FakeBackend, FakeOptions
from reviewer.cli.review_output import write_outputs
from reviewer.collectors.runner import collect_evidence
from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.evidence import write_evidence
from reviewer.redact import redact, redact_json
from reviewer.review.engine import review_evidence

PASSWORD = "Hunter2-Planted-Pw9"
GITHUB = "ghp_" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"
AWS = "AKIA" + "ZZZZPLANTED12345"
KEY_BODY = "plantedKEYBODY"
BEGIN, END = "-----BEGIN RSA " + "PRIVATE KEY-----", "-----END RSA " + "PRIVATE KEY-----"
SECRETS = (PASSWORD, GITHUB, AWS, KEY_BODY)

APP = f'''import subprocess

api_password = "{PASSWORD}"  # TODO rotate this before the release


def fetch(x):
    return subprocess.check_output("curl -H 'Authorization: token {GITHUB}' " + x, shell=True)


def calc(expr):
    return eval(expr + "{AWS}")


PRIVATE = """{BEGIN}
MIIEowIBAAKCAQEA{KEY_BODY}1
{KEY_BODY}2
{END}"""


def load():
    return eval(PRIVATE)
'''


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _quotes_the_secret_lines() -> Callable[[CompletionRequest], str]:
    """A model that repeats secrets in its reasons and prose (as if it had learnt them elsewhere): the sink must
    still mask them everywhere."""
    reasons = {"app.py::fetch": f"Token {GITHUB} and password {PASSWORD} in a shell command; key {AWS}"}
    return judge_responder(reasons=reasons, assessment=f"Found {GITHUB} and {AWS}; {BEGIN} {KEY_BODY}9 {END}")


def _files_text(*folders: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for folder in folders for p in sorted(folder.rglob("*")) if p.is_file())


def test_no_secret_reaches_any_output_the_cache_the_console_or_a_prompt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(APP, encoding="utf-8")
    out = tmp_path / "out"
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    config = Config()
    config.review.personas = ["security_engineer"]
    config.review.open_reading = True  # its prompts go through the same sink
    config.report.formats = ["md", "json", "sarif", "summary"]
    terminal = Terminal(force_plain=True)
    evidence = collect_evidence(repo, config, run_tests=False, terminal=terminal)
    write_evidence(evidence, out / "evidence.json")
    fake = FakeBackend(FakeOptions(max_context=16384))
    fake.respond_with(_quotes_the_secret_lines())
    result = review_evidence(evidence, repo, config, fake, terminal=terminal)
    write_outputs(result, out, config, terminal)
    terminal.line(f"debug echo: {PASSWORD} {GITHUB} {AWS}")  # anything printed goes through the sink
    printed = capsys.readouterr()

    # The planted lines were seen: findings on them exist, the model's answer was kept, code was sent.
    rules = {f.rule for f in result.findings}
    assert {"bandit.B105", "markers.todo", "bandit.B602", "bandit.B307"} <= rules
    mc = result.model_context
    site_drops = [d for d in mc.dropped if d.title != "open reading"]  # units without sites are read openly too
    assert site_drops == [] and mc.findings_kept + mc.claims_merged == 1, mc.dropped  # the timeout site
    assert mc.units_read_openly >= 1
    prompts = "\n".join(m.content for r in fake.requests for m in r.messages)
    assert fake.requests and "subprocess.check_output(" in prompts and "***" in prompts  # the token line, masked

    captured = {"outputs": _files_text(out), "cache": _files_text(cache_dir(repo)),
                "summary": summary.read_text(encoding="utf-8"), "stdout": printed.out, "stderr": printed.err,
                "prompts": prompts}
    leaks = [(where, s) for where, text in captured.items() for s in SECRETS if s in text]
    assert leaks == []
    for name in ("evidence.json", "review.json", "review.sarif"):
        json.loads((out / name).read_text(encoding="utf-8"))  # still valid JSON


def test_redact_keeps_json_valid_and_line_numbers() -> None:
    text = json.dumps({"a": f'x = "{GITHUB}"\\ "{AWS}"', "b": [f'password = "{PASSWORD}"'], "c": "plain"}, indent=2)
    masked = redact_json(text)
    data = json.loads(masked)
    assert data["c"] == "plain" and not any(s in masked for s in SECRETS)
    block = f"a\n{BEGIN}\n{KEY_BODY}\n{END}\nb"
    assert redact(block).count("\n") == block.count("\n") and KEY_BODY not in redact(block)
    assert redact("x = compute(a, b)  # nothing secret here") == "x = compute(a, b)  # nothing secret here"


def test_a_key_cut_short_masks_only_its_own_lines() -> None:
    excerpt = f"   14 | PRIVATE = \"\"\"{BEGIN}\n   15 | MIIEowIBAAKCAQEA{KEY_BODY}1\n   16 | {KEY_BODY}2\n\n## Persona\nLook at the code."
    masked = redact(excerpt)
    assert KEY_BODY not in masked and masked.endswith("## Persona\nLook at the code.")
    assert masked.count("\n") == excerpt.count("\n")
