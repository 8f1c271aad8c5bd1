"""The command line. The only place where errors become exit codes (like bandit):

0 passed, 1 gate failed, 2 usage or config error, 3 runtime failure (backend down, collector crash).

Each sub-command lives in its own module under ``reviewer.cli`` and exposes ``commands: list[click.Command]``.
Modules are imported only when their command runs (``reviewer collect`` never imports the model backends or
the report templates), which keeps start-up short.
"""

from __future__ import annotations

import importlib
import sys

import click

from reviewer import __version__
from reviewer.console import Terminal
from reviewer.errors import ReviewerError

__all__ = ["EXIT_GATE_FAILED", "EXIT_OK", "EXIT_RUNTIME", "EXIT_USAGE", "cli", "main"]

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3

# Command name -> the module under reviewer.cli that defines it (in its `commands` list).
COMMAND_MODULES: dict[str, str] = {
    "collect": "collect", "run": "review", "review": "review", "report": "report", "schema": "report",
    "gate": "gate", "pr-comment": "gate", "checkpoint": "checkpoint", "trend": "checkpoint", "init": "init",
    "backends": "backends",
}


class _LazyGroup(click.Group):
    """A group that imports a sub-command's module only when that command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"reviewer.cli.{module_name}")
        return next((c for c in module.commands if c.name == cmd_name), None)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reviewer")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and results.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Evidence-first code review by a local model, with a deterministic quality gate."""
    ctx.obj = Terminal(quiet=quiet, debug=debug)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and map every outcome to an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    terminal = Terminal(debug=debug)
    try:
        code = cli.main(args=argv, prog_name="reviewer", standalone_mode=False)
    except click.exceptions.Abort:
        terminal.error("aborted")
        code = EXIT_RUNTIME
    except click.ClickException as exc:
        exc.show()
        code = EXIT_USAGE
    except ReviewerError as exc:
        if debug:
            terminal.traceback()
        terminal.error(str(exc))
        code = exc.exit_code
    except KeyboardInterrupt:
        terminal.error("interrupted")
        code = EXIT_RUNTIME
    except Exception as exc:  # noqa: BLE001 - last resort: one clear line, traceback only with --debug
        if debug:
            terminal.traceback()
        terminal.error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        code = EXIT_RUNTIME
    sys.exit(code if isinstance(code, int) else EXIT_OK)
