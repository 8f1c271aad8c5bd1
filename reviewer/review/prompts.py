"""Render the prompts (Jinja2, StrictUndefined) from ``prompts/*.j2``, a user's ``prompts_dir`` searched first.

The unit prompts are built so that every question shares one prefix (the system prompt with the rules, then
the unit), which a llama.cpp server or the embedded model keeps in its cache; only the question differs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from reviewer.errors import ConfigError
from reviewer.resources import search_path

__all__ = ["PromptSet", "TEMPLATES"]

TEMPLATES = {
    "system": "judge_system.j2",
    "unit": "judge_unit.j2",
    "site": "judge_site.j2",
    "open": "judge_open.j2",
    "persona_system": "judge_persona_system.j2",
    "persona": "judge_persona.j2",
}


class PromptSet:
    """The prompt templates of one review (override directory first, then the packaged ones)."""

    def __init__(self, override: Path | None = None) -> None:
        self.dirs = search_path("prompts", override)
        # Sandboxed: a prompts_dir template is the user's or the repository's, never trusted with Python.
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader([str(d) for d in self.dirs]),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def _fail(self, name: str, exc: Exception) -> ConfigError:
        where = ", ".join(str(d) for d in self.dirs)
        return ConfigError(f"prompt template {name} failed: {type(exc).__name__}: {exc} (searched {where})",
                           key="prompts_dir")

    def render(self, kind: str, **context: Any) -> str:
        name = TEMPLATES[kind]
        try:
            return self.env.get_template(name).render(**context).strip()
        except TemplateError as exc:
            raise self._fail(name, exc) from exc

    def version(self, *kinds: str) -> str:
        """A short hash of the named templates' source: part of the cache key of the answers they produced."""
        digest = hashlib.sha256()
        for kind in kinds:
            name = TEMPLATES[kind]
            try:
                source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            except TemplateError as exc:
                raise self._fail(name, exc) from exc
            digest.update(source.encode("utf-8"))
        return digest.hexdigest()[:12]
