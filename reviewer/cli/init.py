"""``reviewer init [PATH] [--yaml] [--source SPEC | --action REF]``: starter config and gate workflow.

Writes a ``[tool.reviewer]`` section into ``pyproject.toml`` (appended; an existing section is never touched)
or ``reviewer.yaml`` (``--yaml``, or when there is no pyproject.toml), and ``.github/workflows/reviewer.yml``.
Existing files are skipped and reported; nothing is overwritten.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewer import __version__
from reviewer.cli.common import target_path
from reviewer.console import Terminal
from reviewer.gate.scaffold import init_repository

__all__ = ["commands", "init_command"]

EXIT_OK = 0


@click.command("init")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option("--yaml", "use_yaml", is_flag=True, help="Write reviewer.yaml instead of [tool.reviewer].")
@click.option("--source", default=f"reviewer=={__version__}", show_default=True,
              help="pip requirement the workflow installs reviewer from.")
@click.option("--action", help="Use the composite action instead, e.g. OWNER/REPO/.github/actions/reviewer@REF.")
@click.pass_obj
def init_command(terminal: Terminal, path: Path, use_yaml: bool, source: str, action: str | None) -> int:
    """Write a starter reviewer config and GitHub workflow into PATH (never overwriting)."""
    root = target_path(path)
    for outcome in init_repository(root, use_yaml=use_yaml, source=source, action=action):
        rel = outcome.path.relative_to(root).as_posix()
        reason = f": {outcome.reason}" if outcome.reason else ""
        terminal.line(f"{outcome.status} {rel}{reason}")
    return EXIT_OK


commands: list[click.Command] = [init_command]
