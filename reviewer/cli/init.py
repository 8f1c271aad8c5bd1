"""``reviewer init [PATH] [--yaml] [--source SPEC | --action REF]``: starter config and gate workflow.

Writes a ``[tool.reviewer]`` section into ``pyproject.toml`` (appended; an existing section is never touched)
or ``reviewer.yaml`` (``--yaml``, or when there is no pyproject.toml), ``.github/workflows/reviewer.yml`` (the
pull-request gate) and ``.github/workflows/reviewer-checkpoint.yml`` (the weekly checkpoint with the model).
Existing files are skipped and reported; nothing is overwritten.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.common import target_path
from reviewer.console import Terminal
from reviewer.gate.scaffold import init_repository
from reviewer.install import install_source

__all__ = ["commands", "init_command"]

EXIT_OK = 0


@click.command("init")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option("--yaml", "use_yaml", is_flag=True, help="Write reviewer.yaml instead of [tool.reviewer].")
@click.option("--source", default=None,
              help="pip requirement the workflows install reviewer from [default: the git repository and commit "
                   "this reviewer was installed from, else evidence-reviewer==VERSION].")
@click.option("--action", help="Use the composite action instead, e.g. OWNER/REPO/.github/actions/reviewer@REF.")
@click.pass_obj
def init_command(terminal: Terminal, path: Path, use_yaml: bool, source: str | None, action: str | None) -> int:
    """Write a starter reviewer config and GitHub workflows into PATH (never overwriting)."""
    root = target_path(path)
    if source is None and action is None:
        source = install_source()
        if "@" not in source:
            terminal.warn(f"the workflows install {source}: until that is published on PyPI, pass --source "
                             "'evidence-reviewer @ git+https://github.com/OWNER/REPO@REF' or --action "
                             "OWNER/REPO/.github/actions/reviewer@REF")
    source = source or install_source()
    for outcome in init_repository(root, use_yaml=use_yaml, source=source, action=action):
        rel = outcome.path.relative_to(root).as_posix()
        reason = f": {outcome.reason}" if outcome.reason else ""
        terminal.line(f"{outcome.status} {rel}{reason}")
    return EXIT_OK


commands: list[click.Command] = [init_command]
