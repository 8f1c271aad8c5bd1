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
