"""Markdown escaping for text the report does not control (model prose, repository code, test messages).

Every report template runs in an environment (see :mod:`reviewer.report.environment`) that passes *every*
``{{ value }}`` through :func:`finalize`: plain strings are escaped with :func:`escape_inline`, and only values
already marked as trusted Markdown (:class:`markupsafe.Markup`, returned by the filters below and by macros)
pass unchanged. So a template that forgets a filter still cannot be broken by hostile text.

What the escaping guarantees for an escaped value:

* no line breaks (a value cannot end a table row, start a heading, list, quote or fence);
* ``|`` is escaped (``\\|``), so a value cannot add table cells (GFM unescapes it inside code spans too);
* the characters that open Markdown constructs are backslash-escaped (``\\ ` * _ [ ] < > # | ~ & $``; ``_``
  only at word edges, where it can open emphasis), so no emphasis, code, links, images (no ``[``), raw HTML,
  autolinks (``<...>``), entities (``&...;``), strikethrough or math come out of it; a leading list or
  setext marker is escaped too;
* bare URLs, ``www.`` and e-mail addresses are broken up so GFM's autolink extension does not link them.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

__all__ = [
    "clip",
    "escape_inline",
    "finalize",
    "md_code",
    "md_fence",
    "md_join",
    "md_para",
]

_SPECIAL = re.compile(r"([\\`*\[\]<>#|~&$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_WHITESPACE = re.compile(r"\s+")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
_WWW = re.compile(r"(?i)\bwww\.")
_EMAIL_AT = re.compile(r"@")
_LEADING_BULLET = re.compile(r"^([-+]|[=-]+$)(?=\s|$)")
_LEADING_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BACKTICKS = re.compile(r"`+")
_FENCE_RUN = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.MULTILINE)


def escape_inline(text: str) -> str:
    """One line of literal text, safe inside a paragraph, list item or table cell."""
    flat = _WHITESPACE.sub(" ", text).strip()
    out = _SPECIAL.sub(r"\\\1", flat)
    out = _SCHEME.sub(lambda m: f"{m.group(1)}\\:", out)
    out = _WWW.sub(lambda m: m.group(0)[:3] + "\\.", out)
    out = _EMAIL_AT.sub(r"\\@", out)
    out = _LEADING_BULLET.sub(lambda m: f"\\{m.group(1)}", out)
    return _LEADING_ORDERED.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", out)


def finalize(value: Any) -> Markup:
    """Jinja ``finalize`` hook: escape everything that is not already trusted Markdown."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("n/a")
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if isinstance(value, (int, float)):
        return Markup(str(value))
    return Markup(escape_inline(str(value)))


def clip(value: Any, limit: int = 200) -> str:
    """Shorten long text to ``limit`` characters with an ellipsis (the result is still escaped on output)."""
    text = _WHITESPACE.sub(" ", "" if value is None else str(value)).strip()
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def md_para(value: Any) -> Markup:
    """Multi-paragraph text: paragraphs kept (blank lines), each escaped as one line."""
    text = "" if value is None else str(value)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return Markup("\n\n".join(escape_inline(p) for p in paragraphs))


def md_code(value: Any, table: bool = True) -> Markup:
    """Inline code span for one line of code: the delimiter is longer than any backtick run inside.
    ``|`` is escaped so the span is safe inside a table cell (GFM unescapes it there); pass ``table=False``
    outside tables, where the backslash would show."""
    code = _WHITESPACE.sub(" ", "" if value is None else str(value)).strip()
    if not code:
        return Markup("")
    longest = max((len(m.group(0)) for m in _BACKTICKS.finditer(code)), default=0)
    fence = "`" * (longest + 1)
    body = code.replace("|", "\\|") if table else code
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return Markup(f"{fence}{pad}{body}{pad}{fence}")


def md_fence(value: Any, indent: int = 0, lang: str = "") -> Markup:
    """Fenced code block for multi-line code or test output; the fence is longer than any fence inside.
    Not for table cells. ``indent`` spaces prefix every line (for a block inside a list item)."""
    text = "" if value is None else str(value).rstrip("\n")
    longest = max((len(m.group(1)) for m in _FENCE_RUN.finditer(text)), default=0)
    fence = "`" * max(3, longest + 1)
    pad = " " * indent
    lines = [f"{fence}{_SPECIAL.sub('', lang)}", *text.split("\n"), fence]
    return Markup("\n".join(pad + line if line else line for line in lines))


def md_join(values: Any, separator: str = ", ") -> Markup:
    """``join`` that escapes each item (replaces Jinja's built-in ``join`` in report templates)."""
    return Markup(separator.join(v if isinstance(v, Markup) else finalize(v) for v in values))
