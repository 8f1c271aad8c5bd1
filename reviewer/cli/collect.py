"""``reviewer collect PATH --out DIR``: measure a repository into ``DIR/evidence.json`` (no model involved)."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.common import load_target_config, target_path, trust_option, writable_dir
from reviewer.collectors.registry import BUILTIN_COLLECTORS, DERIVED_COLLECTORS
from reviewer.collectors.runner import collect_evidence
from reviewer.console import Terminal
from reviewer.evidence import Evidence, write_evidence

__all__ = ["collect_command", "commands"]


def _collector_names(value: str | None) -> list[str] | None:
    if not value:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in BUILTIN_COLLECTORS and n not in DERIVED_COLLECTORS]
    if unknown:
        raise click.BadParameter(f"unknown collector(s) {', '.join(unknown)}; known: {', '.join([*BUILTIN_COLLECTORS, *DERIVED_COLLECTORS])}",
                                 param_hint="--collectors")
    return names


def _summary(terminal: Terminal, evidence: Evidence, path: Path) -> None:
    rows = [
        (s.name, "ok" if s.ok else f"FAILED: {s.error}", s.files, s.cached_files, f"{s.duration_s:.2f}")
        for s in evidence.collectors
    ]
    terminal.table("collectors", ["collector", "status", "files", "cached", "seconds"], rows)
    by_severity: dict[str, int] = {}
    for finding in evidence.findings:
        by_severity[finding.severity.value] = by_severity.get(finding.severity.value, 0) + 1
    counts = ", ".join(f"{k} {v}" for k, v in sorted(by_severity.items())) or "none"
    terminal.line(f"{len(evidence.python_files)} Python files of {evidence.files_discovered}; findings: {counts}; "
                  f"file failures: {len(evidence.failures)}; {evidence.duration_s:.2f}s")
    for note in evidence.notes:
        terminal.warn(note)
    terminal.line(f"wrote {path}")


@click.command("collect")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("reviewer-out"),
              show_default=True, help="Output folder for evidence.json.")
@click.option("--run-tests", "run_tests", is_flag=True, help="Run the target's tests under coverage (executes its code).")
@click.option("--no-cache", "no_cache", is_flag=True, help="Ignore and do not update the per-file cache.")
@click.option("--collectors", "collectors", default=None, help=f"Comma list (default all): {', '.join([*BUILTIN_COLLECTORS, *DERIVED_COLLECTORS])}.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), default=None)
@trust_option
@click.pass_obj
def collect_command(terminal: Terminal, path: Path, out: Path, run_tests: bool, no_cache: bool,
                    collectors: str | None, config_file: Path | None, trust_repo_config: bool = False) -> None:
    """Measure PATH (radon, bandit, tests and coverage, markers, dependencies, config smells, repo facts)."""
    root = target_path(path)
    names = _collector_names(collectors)
    config = load_target_config(root, config_file, {
        "tests.run": True if run_tests else None, "cache": False if no_cache else None,
    }, trust_repo=trust_repo_config)
    out_dir = writable_dir(out.resolve())  # fail now (exit 2), not after collecting
    evidence = collect_evidence(root, config, run_tests=config.tests.run, terminal=terminal, collectors=names)
    written = write_evidence(evidence, out_dir / "evidence.json")
    _summary(terminal, evidence, written)


commands = [collect_command]
