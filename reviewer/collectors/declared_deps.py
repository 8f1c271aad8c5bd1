"""Dependencies a repository declares: pyproject.toml (PEP 621, PEP 735 groups, Poetry), requirements*.txt
(following ``-r`` includes; also one folder down, e.g. ``app/requirements.txt``), setup.cfg and literal lists in setup.py; for the build and docs scopes also
``[build-system].requires``, ``setup_requires`` and ``docs/requirements*.txt``.

Names are normalised with :func:`packaging.utils.canonicalize_name`; requirement strings are parsed with
:class:`packaging.requirements.Requirement`. A file that cannot be read or parsed is reported as a
:class:`~reviewer.evidence.FileFailure`; the other files still count.
"""

from __future__ import annotations

import ast
import configparser
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from reviewer.confine import inside
from reviewer.evidence import FileFailure

__all__ = ["Declaration", "DeclaredDeps", "read_declared"]

_COLLECTOR = "dependencies"


@dataclass(frozen=True)
class Declaration:
    name: str
    """Canonical distribution name."""
    file: str
    line: int | None
    text: str
    group: str | None = None
    """Extra / dependency group, None for the main dependencies."""
    scope: str | None = None
    """The one scope this declaration serves (``build``: build-system requires, setup_requires; ``docs``:
    docs/requirements*.txt); None for the main dependencies, extras and groups, which serve every scope."""


@dataclass
class DeclaredDeps:
    declarations: list[Declaration] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)
    project_name: str | None = None

    @property
    def names(self) -> set[str]:
        return {d.name for d in self.declarations}

    def names_for(self, scope: str) -> set[str]:
        """Names an import in ``scope`` may use: the main ones, extras and groups, and those for that scope."""
        return {d.name for d in self.declarations if d.scope is None or d.scope == scope}


def _line_of(lines: list[str], needle: str) -> int | None:
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return None


def _add_requirement(out: DeclaredDeps, spec: str, rel: str, lines: list[str], group: str | None,
                     scope: str | None = None) -> None:
    try:
        name = canonicalize_name(Requirement(spec).name)
    except InvalidRequirement as exc:
        out.failures.append(FileFailure(path=rel, collector=_COLLECTOR, kind="tool_error",
                                        message=f"invalid requirement {spec!r}: {exc}"))
        return
    line = _line_of(lines, spec) or _line_of(lines, spec.split(";")[0].split("[")[0].strip())
    out.declarations.append(Declaration(name=name, file=rel, line=line, text=spec, group=group, scope=scope))


def _poetry(out: DeclaredDeps, table: dict[str, Any], rel: str, lines: list[str], group: str | None) -> None:
    for dist in table:
        if dist.lower() != "python":
            line = _line_of(lines, f"{dist} =") or _line_of(lines, f'"{dist}"') or _line_of(lines, dist)
            out.declarations.append(Declaration(canonicalize_name(dist), rel, line, dist, group))


def _read_pyproject(out: DeclaredDeps, path: Path, rel: str) -> None:
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()
    for spec in data.get("build-system", {}).get("requires", []):
        if isinstance(spec, str):
            _add_requirement(out, spec, rel, lines, "build-system", scope="build")
    project = data.get("project", {})
    out.project_name = project.get("name") or out.project_name
    for spec in project.get("dependencies", []):
        _add_requirement(out, spec, rel, lines, None)
    for extra, specs in project.get("optional-dependencies", {}).items():
        for spec in specs:
            _add_requirement(out, spec, rel, lines, extra)
    for group, specs in data.get("dependency-groups", {}).items():
        for spec in specs:
            if isinstance(spec, str):  # {include-group = ...} tables name no distribution
                _add_requirement(out, spec, rel, lines, group)
    poetry = data.get("tool", {}).get("poetry", {})
    out.project_name = out.project_name or poetry.get("name")
    _poetry(out, poetry.get("dependencies", {}), rel, lines, None)
    _poetry(out, poetry.get("dev-dependencies", {}), rel, lines, "dev")
    for group, table in poetry.get("group", {}).items():
        _poetry(out, table.get("dependencies", {}), rel, lines, group)


def _read_requirements(out: DeclaredDeps, path: Path, root: Path, seen: set[Path], scope: str | None = None) -> None:
    path = path.resolve()
    if path in seen or not path.is_file() or not path.is_relative_to(root):
        return  # an include (or a symlink) leaving the repository is neither followed nor shown
    seen.add(path)
    rel = path.relative_to(root).as_posix()
    out.files.append(rel)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for raw in lines:
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        for opt in ("-r", "--requirement"):
            if line.startswith(opt + " ") or line.startswith(opt + "="):
                _read_requirements(out, path.parent / line[len(opt) + 1:].strip(), root, seen, scope)
                break
        else:
            if line.startswith("-e") or line.startswith("--editable"):
                egg = line.partition("#egg=")[2]
                if egg:
                    _add_requirement(out, egg, rel, lines, None, scope)
            elif not line.startswith("-") and "://" not in line and not line.startswith((".", "/")):
                _add_requirement(out, line, rel, lines, None, scope)


def _read_setup_cfg(out: DeclaredDeps, path: Path, rel: str) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    out.project_name = out.project_name or parser.get("metadata", "name", fallback=None)
    for spec in parser.get("options", "install_requires", fallback="").splitlines():
        if spec.strip():
            _add_requirement(out, spec.strip(), rel, lines, None)
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            for spec in value.splitlines():
                if spec.strip():
                    _add_requirement(out, spec.strip(), rel, lines, extra)


def _read_setup_py(out: DeclaredDeps, path: Path, rel: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg in _SETUP_LISTS:
                group, scope = _SETUP_LISTS[kw.arg]
                for spec in _literal_strings(kw.value):
                    _add_requirement(out, spec, rel, lines, group, scope)
            elif kw.arg == "extras_require" and isinstance(kw.value, ast.Dict):
                for key, value in zip(kw.value.keys, kw.value.values):
                    extra = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                    for spec in _literal_strings(value):
                        _add_requirement(out, spec, rel, lines, extra)


_SETUP_LISTS = {"install_requires": (None, None), "setup_requires": ("setup_requires", "build"),
                "tests_require": ("tests_require", None)}


def _literal_strings(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


_DOCS_FOLDERS = frozenset({"docs", "doc"})
_DOCS_REQUIREMENTS = ("docs/requirements*.txt", "doc/requirements*.txt", "docs/requirements/*.txt")


def read_declared(root: Path) -> DeclaredDeps:
    """Every dependency declaration found in the usual files at ``root``."""
    out = DeclaredDeps()
    readers = [("pyproject.toml", _read_pyproject), ("setup.cfg", _read_setup_cfg), ("setup.py", _read_setup_py)]
    for name, reader in readers:
        path = root / name
        if path.is_file() and inside(root, path):  # a symlink leaving the root is not read
            try:
                reader(out, path, name)
                out.files.append(name)
            except (OSError, UnicodeDecodeError, ValueError, SyntaxError, configparser.Error) as exc:
                out.failures.append(FileFailure(path=name, collector=_COLLECTOR, kind="tool_error",
                                                message=f"cannot read declared dependencies: {exc}"))
    seen: set[Path] = set()
    found = [*root.glob("requirements*.txt"), *root.glob("requirements/*.txt"), *root.glob("*/requirements*.txt")]
    candidates = [(p, None) for p in sorted(found) if p.parent.name not in _DOCS_FOLDERS]
    docs = sorted(p for pattern in _DOCS_REQUIREMENTS for p in root.glob(pattern))
    for path, scope in [*candidates, *((p, "docs") for p in docs)]:
        try:
            _read_requirements(out, path, root.resolve(), seen, scope)
        except (OSError, ValueError) as exc:
            out.failures.append(FileFailure(path=path.name, collector=_COLLECTOR, kind="tool_error",
                                            message=f"cannot read requirements: {exc}"))
    return out
