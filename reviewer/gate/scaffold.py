"""``reviewer init``: a starter config and the gate workflow for a target repository, never overwriting.

* Config: a ``[tool.reviewer]`` section appended to ``pyproject.toml`` (never touching an existing section), or
  ``reviewer.yaml`` with ``use_yaml`` or when the repository has no ``pyproject.toml``. A repository that
  already has a ``reviewer.yaml`` (which takes precedence over pyproject.toml) is left alone.
* Workflows: ``.github/workflows/reviewer.yml``, the deterministic gate on pull requests (fast), and
  ``.github/workflows/reviewer-checkpoint.yml``, a weekly checkpoint reviewed by the embedded model with pip's
  wheels and the assembled model cached. Both install reviewer with pip (``source``) or call the composite
  action ``action`` (``OWNER/REPO/.github/actions/reviewer@REF``).

Every skipped file is reported with the reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from reviewer.config import CONFIG_FILES, read_toml
from reviewer.install import with_extras

__all__ = ["CHECKPOINT_PATH", "WORKFLOW_PATH", "InitOutcome", "init_repository"]

WORKFLOW_PATH = Path(".github/workflows/reviewer.yml")
CHECKPOINT_PATH = Path(".github/workflows/reviewer-checkpoint.yml")
CHECKPOINT_CRON = "17 5 * * 1"  # Mondays 05:17 UTC
CHECKPOINT_BUDGET_S = 2700  # the model's reading time: well inside the job's 120 minutes on 4 cores


@dataclass(frozen=True)
class InitOutcome:
    path: Path
    status: Literal["written", "appended", "skipped"]
    reason: str = ""


def _render(name: str, **context: object) -> str:
    env = Environment(loader=PackageLoader("reviewer.gate", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    return env.get_template(name).render(**context)


def _create(path: Path, text: str) -> InitOutcome:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return InitOutcome(path, "skipped", "already exists")
    return InitOutcome(path, "written")


def _has_reviewer_section(pyproject: Path) -> bool:
    data = read_toml(pyproject, invalid="invalid TOML, not appending to it")
    return "reviewer" in data.get("tool", {})


def _config(root: Path, use_yaml: bool) -> InitOutcome:
    existing = next((root / n for n in CONFIG_FILES if (root / n).is_file()), None)
    if existing is not None:
        return InitOutcome(existing, "skipped", "a reviewer config file already exists")
    pyproject = root / "pyproject.toml"
    if use_yaml or not pyproject.is_file():
        return _create(root / "reviewer.yaml", _render("config.yaml.j2"))
    if _has_reviewer_section(pyproject):
        return InitOutcome(pyproject, "skipped", "already has a [tool.reviewer] section")
    text = pyproject.read_text(encoding="utf-8")
    separator = "" if text.endswith("\n") or not text else "\n"
    with pyproject.open("a", encoding="utf-8") as handle:
        handle.write(separator + _render("config.toml.j2"))
    return InitOutcome(pyproject, "appended", "added a [tool.reviewer] section")


def _checkpoint(source: str, action: str | None) -> str:
    from reviewer.backends.models import DEFAULT_MODEL, KNOWN_MODELS

    model = KNOWN_MODELS[DEFAULT_MODEL]
    return _render("checkpoint.yml.j2", action=action, cron=CHECKPOINT_CRON, budget=CHECKPOINT_BUDGET_S,
                   model_alias=DEFAULT_MODEL, model_sha256=model.sha256, local_spec=with_extras(source, ["local"]),
                   model_spec=with_extras(source, ["model"]),
                   source_key=hashlib.sha256(source.encode()).hexdigest()[:16])


def init_repository(root: Path, *, use_yaml: bool, source: str, action: str | None) -> list[InitOutcome]:
    """Write the starter config and the workflows into ``root``; existing files are reported as skipped."""
    workflow = _render("workflow.yml.j2", source=source, action=action)
    return [_config(root, use_yaml), _create(root / WORKFLOW_PATH, workflow),
            _create(root / CHECKPOINT_PATH, _checkpoint(source, action))]
