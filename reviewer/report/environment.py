"""The one Jinja2 environment for report templates: package templates, StrictUndefined, escape by default.

``autoescape`` is on with :func:`reviewer.report.escape.finalize` as the finalize hook, so every
``{{ value }}`` that is a plain string is Markdown-escaped, while macros, filters that build Markdown and
literal text in the template are trusted (they are :class:`markupsafe.Markup`). Jinja's ``join`` is replaced
by an escaping one; templates must not use ``|safe`` on repository or model text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import (
    BaseLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateError,
)

from jinja2.sandbox import SandboxedEnvironment

from reviewer.errors import ConfigError
from reviewer.report.escape import clip, finalize, md_code, md_fence, md_join, md_para

__all__ = ["STYLES", "load_template", "markdown_environment", "report_environment"]

STYLES: tuple[str, ...] = ("review", "checkpoint", "readiness", "validation", "status")


def markdown_environment(loader: BaseLoader) -> Environment:
    """The settings every Markdown template shares: escaping on output (``finalize``), strict undefined names,
    trimmed blocks, and the escaping filters of :mod:`reviewer.report.escape`.

    It is a :class:`~jinja2.sandbox.SandboxedEnvironment`: a user's or a repository's template (``--template``,
    ``report.template``, checkpoint templates) cannot reach Python internals (``cycler.__init__.__globals__``)."""
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=True,
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        {"clip": clip, "md_code": md_code, "md_fence": md_fence, "md_para": md_para,
         "join": md_join, "md_join": md_join}
    )
    return env


@lru_cache(maxsize=1)
def report_environment() -> Environment:
    """One shared environment per process, so packaged templates are compiled once."""
    return markdown_environment(PackageLoader("reviewer.report", "templates"))


def load_template(env: Environment, style: str, template: Path | None) -> Template:
    """The packaged template for ``style``, or the user's template file (which may import the packaged macros)."""
    if template is None:
        if style not in STYLES:
            raise ConfigError(f"unknown report style {style!r}; choose one of {', '.join(STYLES)}", key="report.style")
        return env.get_template(f"{style}.md.j2")
    try:
        source = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read report template: {exc}", file=template, key="report.template") from exc
    try:
        return env.from_string(source)
    except TemplateError as exc:
        raise ConfigError(f"invalid report template: {exc}", file=template, key="report.template") from exc
