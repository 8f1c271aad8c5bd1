"""``reviewer run`` (collect + review + write) and ``reviewer review --evidence FILE`` (resume from evidence).

The evidence is written to ``OUT/evidence.json`` before any model call, so a model failure never loses it.
A backend that is down still gives the deterministic review on disk, then exit 3.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from reviewer.backends.factory import backend_from_config
from reviewer.cli.common import load_target_config, target_path, trust_option, writable_dir
from reviewer.cli.gate import EXIT_GATE_FAILED, EXIT_OK, show_gate
from reviewer.cli.review_output import write_outputs
from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.errors import BackendUnavailableError
from reviewer.evidence import Evidence, load_evidence, write_evidence
from reviewer.gate.evaluate import evaluate_gate
from reviewer.review.engine import review_evidence
from reviewer.review.result import load_result

__all__ = ["commands", "review_command", "run_command"]

DEFAULT_OUT = "reviewer-out"


def _formats(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


def _config(path: Path, config_file: Path | None, opts: dict[str, Any]) -> tuple[Path, Config]:
    root = target_path(path)
    overrides = {
        "report.formats": _formats(opts.get("formats")),
        "report.style": opts.get("style"),
        "tests.run": True if opts.get("run_tests") else None,
        "cache": False if opts.get("no_cache") else None,
        "review.model_budget_s": opts.get("model_budget"),
        "review.diff_base": opts.get("diff_base"),
    }
    return root, load_target_config(root, config_file, overrides, trust_repo=bool(opts.get("trust_repo_config")))


def _evidence(root: Path, config: Config, evidence_file: Path | None, terminal: Terminal) -> Evidence:
    if evidence_file is not None:
        return load_evidence(evidence_file)
    from reviewer.collectors.runner import collect_evidence

    return collect_evidence(root, config, run_tests=config.tests.run, terminal=terminal)


def _review(ctx: click.Context, path: Path, out: Path | None, evidence_file: Path | None, opts: dict[str, Any]) -> int:
    """Collect (or load) evidence, write it, review it, gate it, write the outputs; the exit code."""
    terminal: Terminal = ctx.obj
    baseline_file: Path | None = opts.get("baseline")
    baseline = load_result(baseline_file) if baseline_file is not None else None  # a bad file fails before any work
    root, config = _config(path, opts.get("config_file"), opts)
    out_dir = writable_dir((out or Path.cwd() / DEFAULT_OUT).resolve())  # fail now (exit 2), not after collecting
    backend = backend_from_config(config.backend, name=opts.get("backend"), model=opts.get("model"),
                                  base_url=opts.get("base_url"))
    start = time.perf_counter()
    evidence = _evidence(root, config, evidence_file, terminal)
    collect_s = time.perf_counter() - start
    evidence_path = write_evidence(evidence, out_dir / "evidence.json")
    terminal.info(f"evidence written to {evidence_path}")
    with backend:
        result = review_evidence(evidence, root, config, backend, terminal=terminal)
    result.timings = {("load_evidence" if evidence_file else "collect"): round(collect_s, 3), **result.timings}
    result.evidence_file = str(evidence_path)
    if opts.get("gate", True):
        result.gate = evaluate_gate(result, config.gate, baseline=baseline,
                                    baseline_path=str(baseline_file) if baseline_file is not None else None)
    write_outputs(result, out_dir, config, terminal)
    if result.gate is not None:
        show_gate(terminal, result.gate, result)
    if result.model_context.status == "failed" or result.model_context.backend_error is not None:
        why = result.model_context.status_reason or result.model_context.backend_error
        raise BackendUnavailableError(
            f"the model part failed: {why}; the deterministic review and the evidence are in {out_dir}",
            backend=backend.name, model=backend.model_name or None,
        )
    failed = result.gate is not None and not result.gate.passed
    return EXIT_GATE_FAILED if failed and not opts.get("no_fail") else EXIT_OK


def _common(func: Any) -> Any:
    options = [
        click.option("--backend", "backend", default=None, help="llamacpp, openai, mlx, none (default: config, else llamacpp)."),
        click.option("--model", "model", default=None, help="Model name or GGUF path."),
        click.option("--base-url", "base_url", default=None, help="OpenAI-compatible server URL."),
        click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=None,
                     help=f"Output folder (default: ./{DEFAULT_OUT})."),
        click.option("--format", "formats", default=None, help="Comma list of md,json,sarif,summary."),
        click.option("--style", "style", default=None,
                     type=click.Choice(["review", "checkpoint", "readiness", "validation", "status"])),
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), default=None),
        click.option("--baseline", "baseline", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="A previous review.json: the severity limits apply to new findings only."),
        click.option("--gate/--no-gate", "gate", default=True, show_default=True,
                     help="Evaluate the quality gate and exit 1 when it fails; --no-gate leaves it out."),
        click.option("--no-fail", "no_fail", is_flag=True, help="Report the gate but exit 0 when it fails."),
        trust_option,
        click.option("--model-budget", "model_budget", type=click.FloatRange(min=0), default=None,
                     help="Seconds the model may read code, riskiest units first (0: every unit; "
                          "default: config review.model_budget_s)."),
        click.option("--diff", "diff_base", default=None, metavar="BASE",
                     help="Git ref: read the units touching lines changed since BASE first (PR mode)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("run")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_common
@click.option("--run-tests", "run_tests", is_flag=True, help="Run the target's tests (executes its code).")
@click.option("--evidence", "evidence_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Reuse this evidence file instead of collecting.")
@click.option("--no-cache", "no_cache", is_flag=True, help="Collect without the per-file cache.")
@click.pass_context
def run_command(ctx: click.Context, path: Path, out: Path | None, evidence_file: Path | None, **opts: Any) -> int:
    """Collect evidence on PATH, review it, gate it, and write OUT/evidence.json, OUT/review.json and the reports.

    Exit code: 0 gate passed, 1 gate failed, 2 usage or config error, 3 runtime failure (the evidence and the
    deterministic review are still written)."""
    return _review(ctx, path, out, evidence_file, opts)


@click.command("review")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_common
@click.option("--evidence", "evidence_file", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Evidence file written by 'reviewer collect' or 'reviewer run'.")
@click.pass_context
def review_command(ctx: click.Context, path: Path, out: Path | None, evidence_file: Path, **opts: Any) -> int:
    """Review an existing evidence file of PATH (resume after a model failure), gate it and write the results."""
    return _review(ctx, path, out, evidence_file, opts)


commands = [run_command, review_command]
