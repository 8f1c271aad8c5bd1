"""The CLI shell: version, help, and the mapping from errors to exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reviewer.cli import main
from reviewer.errors import (
    BackendUnavailableError,
    ConfigError,
    ModelNotFoundError,
    ReviewerError,
    StructuredOutputError,
    TargetPathError,
)


def test_version_and_help_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "reviewer, version" in capsys.readouterr().out


def test_unknown_command_is_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "reviewer", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert "Usage" in proc.stdout


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TargetPathError("/nope", "does not exist"), 2),
        (ConfigError("unknown key", file="pyproject.toml", key="tool.reviewer.x"), 2),
        (ModelNotFoundError("openai", "m", ["a", "b"]), 2),
        (BackendUnavailableError("connection refused", backend="openai", model="m"), 3),
        (StructuredOutputError("invalid", backend="fake", model="m", raw="{", errors="x"), 3),
    ],
)
def test_error_tree_exit_codes_and_context(error: ReviewerError, code: int) -> None:
    assert error.exit_code == code
    assert str(error)  # one clear line
    assert "\n" not in str(error)


def test_structured_output_error_keeps_raw_text() -> None:
    error = StructuredOutputError("did not validate", backend="llamacpp", model="q", raw="{oops", errors="bad")
    assert error.raw == "{oops"
    assert "llamacpp/q" in str(error)


def test_every_lazily_loaded_command_is_found_in_its_module() -> None:
    import click

    from reviewer.cli import COMMAND_MODULES, cli

    ctx = click.Context(cli)
    for name in COMMAND_MODULES:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, name
    assert cli.get_command(ctx, "nonsense") is None


def test_help_lists_every_command_with_its_own_one_line_help() -> None:
    import click

    from reviewer.cli import COMMAND_HELP, COMMAND_MODULES, cli

    ctx = click.Context(cli)
    assert set(COMMAND_HELP) == set(COMMAND_MODULES)
    for name, text in COMMAND_HELP.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert command.get_short_help_str(limit=1000) == text, name


def test_version_and_help_import_no_command_module_nor_rich() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from reviewer.cli import main\n"
        "for argv in (['--version'], ['--help']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "        main(argv)\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('reviewer.cli.', 'rich', 'pydantic', 'jinja2',"
        " 'importlib.metadata')))\n"
        "print(heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == "[]"
