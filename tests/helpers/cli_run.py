"""Run the ``reviewer`` command in-process and return its exit code."""

from __future__ import annotations

import pytest

from reviewer.cli import main

__all__ = ["run_cli"]


def run_cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    return int(exit_info.value.code or 0)
