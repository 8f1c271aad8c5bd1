"""Render the prompts (Jinja2, StrictUndefined) from ``prompts/*.j2``, a user's ``prompts_dir`` searched first.

The messages are built so that every persona shares one prefix: the system prompt and the evidence digest are
identical for all personas, and the persona-specific part comes last in the user message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from reviewer.backends.base import Message
from reviewer.errors import ConfigError
from reviewer.resources import search_path

__all__ = ["PromptSet", "TEMPLATES"]

TEMPLATES = {
    "system": "system.j2",
    "digest": "digest.j2",
    "persona": "persona.j2",
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

    def render(self, kind: str, **context: Any) -> str:
        name = TEMPLATES[kind]
        try:
            return self.env.get_template(name).render(**context).strip()
        except TemplateError as exc:
            where = ", ".join(str(d) for d in self.dirs)
            raise ConfigError(f"prompt template {name} failed: {type(exc).__name__}: {exc} (searched {where})",
                              key="prompts_dir") from exc

    def messages(self, system: str, digest: str, persona: str) -> list[Message]:
        """System prompt, then one user message: shared digest first, persona part last."""
        return [Message(role="system", content=system), Message(role="user", content=f"{digest}\n\n{persona}")]
