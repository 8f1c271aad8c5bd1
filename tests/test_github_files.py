"""The composite action and the review workflow: structure checks, and the action's shell steps run locally."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from helpers.gate_results import finding, make_result

from reviewer.cli import main
from reviewer.config import GateConfig
from reviewer.errors import BackendError, UsageError
from reviewer.gate.comment_body import comment_body
from reviewer.gate.evaluate import evaluate_gate
from reviewer.gate.pr_comment import MARKER, PullRequestRef, pull_request_from_env, upsert_comment
from reviewer.review.result import write_result

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / ".github" / "actions" / "reviewer" / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "review.yml"
EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True


def _step(action: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in action["runs"]["steps"] if s.get("name") == name)


# --- structure ------------------------------------------------------------------------------------------------


def test_action_is_a_well_formed_composite_action() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert "actions/setup-python@v5" in uses and "github/codeql-action/upload-sarif@v3" in uses
    for step in steps:
        assert ("run" in step) != ("uses" in step), step.get("name")
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")
            assert "${{" not in step["run"], f"{step['name']}: pass inputs through env, never into the script"
    sarif = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert sarif["if"].startswith("always()")
    assert steps[-1]["if"] == "always()" and 'exit "$code"' in steps[-1]["run"]
    assert "reviewer pr-comment" in _step(action, "Pull-request comment")["run"]


def test_every_input_used_exists_and_every_input_is_used() -> None:
    action = _load(ACTION)
    declared = set(action["inputs"])
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert used <= declared, used - declared
    assert declared <= used, declared - used
    for name in ("path", "backend", "model", "base-url", "style", "gate", "baseline", "python-version",
                 "reviewer-source", "sarif"):
        assert name in declared
    step_ids = {s.get("id") for s in action["runs"]["steps"]}
    assert set(re.findall(r"steps\.([a-z_-]+)\.outputs", text)) <= step_ids


def test_review_workflow_gates_pull_requests_and_checkpoints_weekly() -> None:
    workflow = _load(WORKFLOW)
    triggers = _triggers(workflow)
    assert "pull_request" in triggers and triggers["schedule"][0]["cron"].count(" ") == 4
    gate, checkpoint = workflow["jobs"]["gate"], workflow["jobs"]["checkpoint"]
    assert "pull_request" in gate["if"] and "schedule" in checkpoint["if"]
    local = next(s for s in gate["steps"] if s.get("uses") == "./.github/actions/reviewer")
    assert local["with"]["backend"] == "none" and local["with"]["gate"] == "true"
    assert set(local["with"]) <= set(_load(ACTION)["inputs"])
    runs = [s for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
    assert any("reviewer checkpoint" in s["run"] and "--backend none" in s["run"] for s in runs)
    assert all(s.get("shell") == "bash" for s in runs)
    assert gate["permissions"]["pull-requests"] == "write"


# --- the action's shell steps, run locally --------------------------------------------------------------------


def _executable(path: Path, body: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


class _Runner:
    """Runs the action's `run:` steps like GitHub does (bash -eo pipefail, env from expressions)."""

    def __init__(self, tmp: Path, inputs: dict[str, str], reviewer_exit: int) -> None:
        self.action = _load(ACTION)
        self.inputs = {k: str(v.get("default", "")) for k, v in self.action["inputs"].items()} | inputs
        self.tmp, self.outputs = tmp, {}
        self.bin = tmp / "bin"
        self.bin.mkdir()
        self.calls = tmp / "calls.txt"
        _executable(self.bin / "reviewer", f"""
echo "reviewer $*" >> "{self.calls}"
if [ "$1" = run ]; then
  while [ $# -gt 0 ]; do if [ "$1" = --out ]; then out="$2"; fi; shift; done
  mkdir -p "$out"; echo '{{}}' > "$out/review.json"; echo '{{}}' > "$out/review.sarif"
  exit {reviewer_exit}
fi
""")
        _executable(self.bin / "python", f'echo "python $*" >> "{self.calls}"\n')
        self.summary = tmp / "summary.md"

    def _value(self, match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return self.inputs[expr.removeprefix("inputs.")]
        if expr.startswith("steps.run.outputs."):
            return self.outputs.get(expr.removeprefix("steps.run.outputs."), "")
        raise AssertionError(f"unexpected expression {expr}")

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        step = _step(self.action, name)
        output = self.tmp / "github_output"
        output.write_text("")
        env = {k: EXPR.sub(self._value, str(v)) for k, v in step.get("env", {}).items()}
        env |= {"PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.summary), "GITHUB_ACTION_PATH": str(ACTION.parent)}
        script = self.tmp / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env=env,
                              cwd=self.tmp, capture_output=True, text=True, timeout=30, check=False)
        for line in output.read_text().splitlines():
            key, _, value = line.partition("=")
            self.outputs[key] = value
        return proc


def test_action_steps_record_gate_failure_and_fail_the_job_last(tmp_path: Path) -> None:
    runner = _Runner(tmp_path, {"baseline": "old review.json", "model": "qwen"}, reviewer_exit=1)
    assert runner.run("Run reviewer").returncode == 0  # the job continues to SARIF, summary and comment
    call = runner.calls.read_text().strip()
    assert call == ("reviewer run . --backend none --style review --format md,json,sarif,summary "
                    "--out reviewer-report --model qwen --gate --baseline old review.json")
    assert runner.outputs == {"exit-code": "1", "result": "reviewer-report/review.json",
                              "sarif": "reviewer-report/review.sarif"}
    assert runner.run("Job summary").returncode == 0
    assert "quality gate FAILED" in runner.summary.read_text()
    decided = runner.run("Decide the job from the gate")
    assert decided.returncode == 1 and "reviewer exited with 1" in decided.stdout


def test_action_steps_pass_without_gate(tmp_path: Path) -> None:
    runner = _Runner(tmp_path, {"gate": "false"}, reviewer_exit=0)
    assert runner.run("Run reviewer").returncode == 0
    calls = runner.calls.read_text()
    assert "--gate" not in calls.replace("--no-gate", "") and "--no-gate" in calls
    runner.run("Job summary")
    assert "no gate" in runner.summary.read_text()
    assert runner.run("Decide the job from the gate").returncode == 0


def test_action_decides_3_when_reviewer_never_ran(tmp_path: Path) -> None:
    runner = _Runner(tmp_path, {}, reviewer_exit=0)
    assert runner.run("Job summary").returncode == 0
    assert "reviewer did not run" in runner.summary.read_text()
    assert runner.run("Decide the job from the gate").returncode == 3


def test_action_installs_from_its_own_repository_by_default(tmp_path: Path) -> None:
    runner = _Runner(tmp_path, {}, reviewer_exit=0)
    assert runner.run("Install reviewer").returncode == 0
    spec = runner.calls.read_text().splitlines()[0].split()[-1]
    assert (Path(spec) / "pyproject.toml").resolve() == ROOT / "pyproject.toml"
    runner.calls.unlink()
    runner.inputs["reviewer-source"] = "reviewer==0.1.0"
    runner.run("Install reviewer")
    assert runner.calls.read_text().splitlines()[0].endswith("install --disable-pip-version-check reviewer==0.1.0")


# --- the PR comment: one comment, found by its marker ---------------------------------------------------------


class _FakeGitHub:
    def __init__(self, pages: list[list[dict[str, Any]]], fail: int | None = None) -> None:
        self.pages, self.fail, self.requests = pages, fail, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path, request.url.params.get("page")))
        if self.fail:
            return httpx.Response(self.fail)
        if request.method == "GET":
            page = int(request.url.params.get("page", "1"))
            headers = {}
            if page < len(self.pages):
                headers["Link"] = f'<{request.url.copy_set_param("page", page + 1)}>; rel="next"'
            return httpx.Response(200, json=self.pages[page - 1], headers=headers)
        body = json.loads(request.content)
        assert body["body"].startswith(MARKER)
        return httpx.Response(201 if request.method == "POST" else 200, json={"id": 99, "html_url": "u"})


PR = PullRequestRef(api_url="https://api.example.test", repository="o/r", number=7, token="t")


def test_updates_the_marked_comment_on_a_later_page() -> None:
    fake = _FakeGitHub([[{"id": 1, "body": "hello"}], [{"id": 5, "body": f"old\n{MARKER}"}]])
    outcome = upsert_comment(PR, "new report", transport=httpx.MockTransport(fake))
    assert outcome.action == "updated"
    assert fake.requests[-1] == ("PATCH", "/repos/o/r/issues/comments/5", None)
    assert [r[0] for r in fake.requests] == ["GET", "GET", "PATCH"]


def test_creates_a_comment_when_none_is_marked() -> None:
    fake = _FakeGitHub([[{"id": 1, "body": "no marker"}]])
    outcome = upsert_comment(PR, "report", transport=httpx.MockTransport(fake))
    assert outcome.action == "created"
    assert fake.requests[-1] == ("POST", "/repos/o/r/issues/7/comments", None)


def test_github_errors_raise_with_context() -> None:
    with pytest.raises(BackendError, match="HTTP 403"):
        upsert_comment(PR, "report", transport=httpx.MockTransport(_FakeGitHub([[]], fail=403)))


def test_pull_request_from_env(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": str(event)}
    assert pull_request_from_env(env).number == 12
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    with pytest.raises(UsageError, match="not a pull_request event"):
        pull_request_from_env(env)
    with pytest.raises(UsageError, match="GITHUB_TOKEN"):
        pull_request_from_env({})


def test_comment_body_has_marker_summary_and_escaped_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = make_result(findings=[finding("bandit.B307", "critical")])
    result.gate = evaluate_gate(result, GateConfig(min_overall_score=90))
    body = comment_body(result)
    assert body.startswith(MARKER + "\n")
    assert "### Quality gate: failed" in body
    assert "| critical findings (all, in product code, measured, not suppressed) | \\<= 0 | 1 | **FAIL** |" in body
    path = write_result(result, tmp_path / "review.json")
    with pytest.raises(SystemExit) as info:
        main(["pr-comment", "--result", str(path), "--dry-run"])
    assert info.value.code == 0
    assert MARKER in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["pr-comment", "--dry-run"])
    assert info.value.code == 2
