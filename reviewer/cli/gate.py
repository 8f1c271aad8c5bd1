"""``reviewer gate``: apply the quality gate to an existing ``review.json``; ``reviewer pr-comment``.

``reviewer gate --result review.json [--baseline OLD.json] [--config FILE] [--path DIR] [--out FILE] [--no-fail]``
prints the checks and exits 0 (passed) or 1 (failed; 0 with ``--no-fail``). The gate result is written into
the result file itself (its ``gate`` field), or into ``--out FILE`` (a copy of the result with the gate), leaving
the input untouched. Thresholds come from ``--config FILE`` or the config of ``--path`` (default ``.``).
Unreadable or invalid result, baseline or config files exit 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.common import load_target_config, target_path, trust_option
from reviewer.console import Terminal
from reviewer.gate.comment_body import comment_body
from reviewer.gate.evaluate import evaluate_gate
from reviewer.gate.pr_comment import MARKER, pull_request_from_env, upsert_comment
from reviewer.review.result import GateResult, ReviewResult, load_result, write_result

__all__ = ["commands", "gate_command", "pr_comment_command", "show_gate"]

EXIT_OK = 0
EXIT_GATE_FAILED = 1


def show_gate(terminal: Terminal, gate: GateResult, result: ReviewResult | None = None) -> None:
    """Print the checks table, the new findings in baseline mode (first 10) and one verdict line."""
    rows = [[c.name, c.threshold, c.actual, "pass" if c.passed else "FAIL"] for c in gate.checks]
    terminal.table("Quality gate", ["check", "threshold", "actual", "result"], rows)
    if gate.baseline is not None:
        terminal.line(f"baseline {gate.baseline}: {len(gate.new_findings)} new finding(s)")
        for fid in gate.new_findings[:10]:
            found = result.finding(fid) if result is not None else None
            what = f" [{found.severity.value}] {found.rule} {found.location}: {found.title}" if found else ""
            terminal.line(f"  new {fid}{what}")
    if gate.suppressed:
        terminal.line(f"{gate.suppressed} suppressed finding(s) not counted")
    terminal.line("gate passed" if gate.passed else "gate FAILED")


@click.command("gate")
@click.option("--result", "result_file", type=click.Path(path_type=Path), required=True, help="review.json")
@click.option("--baseline", type=click.Path(path_type=Path), help="A previous review.json: gate on new findings.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file with [gate].")
@click.option("--path", "root", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Repository whose config holds the thresholds (when --config is not given).")
@click.option("--out", type=click.Path(path_type=Path), help="Write the gated result here instead of in place.")
@click.option("--no-fail", is_flag=True, help="Report the gate but exit 0.")
@trust_option
@click.pass_obj
def gate_command(terminal: Terminal, result_file: Path, baseline: Path | None, config_file: Path | None,
                 root: Path, out: Path | None, no_fail: bool, trust_repo_config: bool = False) -> int:
    """Apply the quality gate to a review result."""
    result = load_result(result_file)
    previous = load_result(baseline) if baseline is not None else None
    config = load_target_config(target_path(root), config_file, trust_repo=trust_repo_config)
    gate = evaluate_gate(result, config.gate, baseline=previous,
                         baseline_path=str(baseline) if baseline is not None else None)
    result.gate = gate
    written = write_result(result, out if out is not None else result_file)
    show_gate(terminal, gate, result)
    terminal.info(f"gate result written to {written}")
    return EXIT_OK if gate.passed or no_fail else EXIT_GATE_FAILED


def _comment_text(body_file: Path | None, result_file: Path | None) -> str:
    if result_file is not None and body_file is None:
        return comment_body(load_result(result_file), report_name="review.md")
    if body_file is not None and result_file is None:
        try:
            return body_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(f"{body_file}: {exc.strerror or exc}", param_hint="--body") from exc
    raise click.UsageError("give exactly one of --body FILE or --result review.json")


@click.command("pr-comment")
@click.option("--result", "result_file", type=click.Path(path_type=Path), help="review.json: post its summary.")
@click.option("--body", "body_file", type=click.Path(path_type=Path, dir_okay=False), help="Markdown to post.")
@click.option("--marker", default=MARKER, show_default=True, help="Hidden marker that identifies the comment.")
@click.option("--dry-run", is_flag=True, help="Print the comment instead of posting it.")
@click.pass_obj
def pr_comment_command(terminal: Terminal, result_file: Path | None, body_file: Path | None, marker: str,
                       dry_run: bool) -> int:
    """Create or update the one reviewer comment on the current pull request (GitHub Actions).

    Needs GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_EVENT_PATH (a pull_request event)."""
    body = _comment_text(body_file, result_file)
    if dry_run:
        terminal.line(body)
        return EXIT_OK
    outcome = upsert_comment(pull_request_from_env(), body, marker=marker)
    terminal.info(f"pull-request comment {outcome.action}: {outcome.url or outcome.comment_id}")
    return EXIT_OK


commands: list[click.Command] = [gate_command, pr_comment_command]
