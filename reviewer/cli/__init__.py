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


# Command name -> its one-line help, for `reviewer --help` without importing every command's module
# (tests/test_cli_basics.py checks that each matches the command's own docstring).
COMMAND_HELP: dict[str, str] = {
    "collect": "Measure PATH (radon, bandit, tests and coverage, markers, dependencies, config smells, repo facts).",
    "run": "Collect evidence on PATH, review it, gate it, and write OUT/evidence.json, OUT/review.json and the "
           "reports.",
    "review": "Review an existing evidence file of PATH (resume after a model failure), gate it and write the "
              "results.",
    "report": "Render reports (Markdown, SARIF, GitHub summary) from a review result.",
    "schema": "Print the JSON Schema of review.json (or of evidence.json with --evidence).",
    "gate": "Apply the quality gate to a review result.",
    "pr-comment": "Create or update the one reviewer comment on the current pull request (GitHub Actions).",
    "checkpoint": "Review PATH (or take --result) and write a dated checkpoint report with its trend.",
    "trend": "Print the checkpoint history of REPORTS (default: reports/) as a table.",
    "init": "Write a starter reviewer config and GitHub workflows into PATH (never overwriting).",
    "backends": "List the model backends, whether they are installed, and their default model.",
}


class _LazyGroup(click.Group):
    """A group that imports a sub-command's module only when that command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands table of --help from COMMAND_HELP, as click would print it, importing nothing."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, click.utils.make_default_short_help(COMMAND_HELP.get(name, ""), limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
    from reviewer.console import Terminal

    ctx.obj = Terminal(quiet=quiet, debug=debug)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and map every outcome to an exit code."""
    from reviewer.console import Terminal  # rich itself is imported on first output only

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
