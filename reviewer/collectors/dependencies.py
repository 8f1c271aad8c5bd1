"""Third-party imports versus declared dependencies.

Per file (cached by content): the absolute imports and whether each is unconditional, conditional (inside
``try``/``if``, e.g. an optional dependency or ``TYPE_CHECKING``) or lazy (inside a function). The summary
removes the standard library (``sys.stdlib_module_names``), ``__future__`` and the repository's own modules,
maps import names to distributions (a table of well-known mismatches, then the installed metadata via
``importlib.metadata.packages_distributions()``, then the name itself) and compares with
:func:`~reviewer.collectors.declared_deps.read_declared`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import ClassVar, Literal

from packaging.utils import canonicalize_name
from pydantic import BaseModel, Field

from reviewer.collectors.base import CollectContext, CollectorOutput, PerFileCollector
from reviewer.collectors.cache import cache_dir
from reviewer.collectors.declared_deps import Declaration, DeclaredDeps, read_declared
from reviewer.collectors.installed import installed_distributions
from reviewer.discovery import Discovery, is_test_path
from reviewer.evidence import DependenciesSection
from reviewer.findings import Finding, Severity
from reviewer.scopes import scope_of
from reviewer.source import SourceFile

__all__ = ["IMPORT_TO_DIST", "DependenciesCollector", "ImportRecord", "ImportsResult", "find_imports",
           "local_modules"]

IMPORT_TO_DIST: dict[str, str] = {
    "yaml": "pyyaml", "PIL": "pillow", "sklearn": "scikit-learn", "cv2": "opencv-python", "bs4": "beautifulsoup4",
    "mlx_lm": "mlx-lm", "dateutil": "python-dateutil", "attr": "attrs", "google.protobuf": "protobuf",
    "skimage": "scikit-image", "dotenv": "python-dotenv", "jwt": "pyjwt", "Crypto": "pycryptodome",
    "OpenSSL": "pyopenssl", "serial": "pyserial", "usb": "pyusb", "magic": "python-magic", "docx": "python-docx",
    "pptx": "python-pptx", "git": "gitpython", "github": "pygithub", "jose": "python-jose", "MySQLdb": "mysqlclient",
    "psycopg2": "psycopg2-binary", "zmq": "pyzmq", "llama_cpp": "llama-cpp-python", "multipart": "python-multipart",
    "fitz": "pymupdf", "Levenshtein": "python-levenshtein", "sentencepiece": "sentencepiece", "tomli_w": "tomli-w",
    "win32api": "pywin32", "win32con": "pywin32", "pkg_resources": "setuptools", "_pytest": "pytest",
    "google.cloud.storage": "google-cloud-storage", "markdown_it": "markdown-it-py", "slugify": "python-slugify",
    "websocket": "websocket-client", "telegram": "python-telegram-bot", "Bio": "biopython", "ruamel": "ruamel-yaml",
}
# Declared but never imported by design: test runners and plugins, linters, type stubs, build and docs tools.
_TOOL_PREFIXES = ("pytest", "types-", "flake8", "sphinx", "mkdocs", "hatch", "poetry", "setuptools", "pre-commit",
                  "mypy", "pylint", "coverage", "tox", "nox", "pip", "jupyter")
_TOOLS = frozenset({"ruff", "black", "isort", "wheel", "build", "twine", "bandit", "radon", "ipython", "ipykernel",
                    "notebook", "gunicorn", "uvicorn", "pyinstaller", "codespell", "pydocstyle", "autopep8", "yapf",
                    "commitizen", "bump2version", "bumpversion", "cython", "maturin", "flit", "flit-core",
                    "pdm", "pyright", "invoke", "twine", "check-manifest", "interrogate", "vulture", "safety"})

ImportKind = Literal["top", "conditional", "lazy"]


class ImportRecord(BaseModel):
    module: str
    line: int
    kind: ImportKind


class ImportsResult(BaseModel):
    imports: list[ImportRecord] = Field(default_factory=list)


def find_imports(tree: ast.Module) -> list[ImportRecord]:
    """Absolute imports with where they happen (module top level, under try/if, inside a function)."""
    out: list[ImportRecord] = []

    def walk(node: ast.AST, kind: ImportKind) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                out.extend(ImportRecord(module=a.name, line=child.lineno, kind=kind) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                out.append(ImportRecord(module=child.module, line=child.lineno, kind=kind))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                walk(child, "conditional" if kind == "conditional" else "lazy")
            elif isinstance(child, (ast.Try, ast.TryStar, ast.If, ast.While)):
                walk(child, "conditional")
            else:
                walk(child, kind)

    walk(tree, "top")
    return out


def _installed(ctx: CollectContext | None = None) -> dict[str, list[str]]:
    """Import name -> installed distributions (cached by a fingerprint of the environment, see
    :mod:`reviewer.collectors.installed`)."""
    cache = cache_dir(ctx.root) if ctx is not None and ctx.config.cache else None
    return installed_distributions(cache)


def local_modules(discovery: Discovery) -> set[str]:
    """Top-level names the repository itself provides: packages, src/ layout, single modules, test helpers,
    and the root folder's own name when the root is itself a package."""
    names: set[str] = {discovery.root.name} if (Path(discovery.root) / "__init__.py").is_file() else set()
    for f in discovery.python_files:
        parts = f.rel.split("/")
        stem = parts[-1].rsplit(".", 1)[0]
        names.add(stem)
        for i, part in enumerate(parts[:-1]):
            names.add(part)
            if i == 0 and part == "src" and len(parts) > 2:
                names.add(parts[1])
    names.discard("__init__")
    return names


def _candidates(module: str, installed: dict[str, list[str]]) -> list[str]:
    parts = module.split(".")
    out: list[str] = []
    for i in range(len(parts), 0, -1):
        dist = IMPORT_TO_DIST.get(".".join(parts[:i]))
        if dist:
            out.append(canonicalize_name(dist))
    out.extend(canonicalize_name(d) for d in installed.get(parts[0], []))
    out.append(canonicalize_name(parts[0]))
    return list(dict.fromkeys(out))


def _code(ctx: CollectContext, rel: str, line: int) -> str:
    return ctx.sources.line(rel, line).strip()


def _unreferenced(ctx: CollectContext, decls: list[Declaration]) -> list[Declaration]:
    """Leave out distributions the code names in a string (``importlib.metadata.files("x")``, a data package
    found by name; a numbered family such as ``part1..part9`` by its stem)."""
    if not decls:
        return decls
    texts = ctx.sources.texts()
    out = []
    for decl in decls:
        stem = decl.name.rstrip("0123456789")
        names = {decl.name, decl.name.replace("-", "_")} | ({stem} if len(stem) >= 8 and stem != decl.name else set())
        needles = [q + n for n in names for q in "\"'"]  # as the start of a string literal
        if not any(n in text for text in texts for n in needles):
            out.append(decl)
    return out


def _is_tool(name: str, project: str | None) -> bool:
    return name in _TOOLS or name.startswith(_TOOL_PREFIXES) or (project is not None and name == project)


_Use = tuple[str, ImportRecord, bool]  # (file, record, outside product code)


class DependenciesCollector(PerFileCollector[ImportsResult]):
    name = "dependencies"
    version: ClassVar[str] = "2"  # 2: imports judged against the declarations of their scope
    result_model = ImportsResult

    def analyze(self, source: SourceFile) -> ImportsResult:
        return ImportsResult(imports=find_imports(source.tree))

    def _third_party(self, ctx: CollectContext, results: dict[str, ImportsResult]) -> dict[str, list[_Use]]:
        """Top-level import name -> uses, without stdlib and the repository's own modules."""
        local = local_modules(ctx.discovery)
        skip = set(sys.stdlib_module_names) | {"__future__", "__main__"}
        uses: dict[str, list[_Use]] = {}
        for rel in sorted(results):
            is_test = is_test_path(rel) or scope_of(rel, ctx.config.scopes) != "product"
            for rec in results[rel].imports:
                top = rec.module.split(".")[0]
                if top not in skip and top not in local:
                    uses.setdefault(rec.module, []).append((rel, rec, is_test))
        return uses

    def summarize(self, ctx: CollectContext, results: dict[str, ImportsResult]) -> CollectorOutput:
        declared = read_declared(ctx.root)
        installed = _installed(ctx)
        project = canonicalize_name(declared.project_name) if declared.project_name else None
        undeclared: dict[str, list[_Use]] = {}  # best-guess distribution -> uses
        imported: dict[str, str] = {}
        used: set[str] = set()
        for module, module_uses in self._third_party(ctx, results).items():
            cands = _candidates(module, installed)
            matches = [c for c in cands if c in declared.names or c == project]
            used.update(matches)
            imported.setdefault(module.split(".")[0], matches[0] if matches else cands[0])
            missing = [u for u in module_uses if not self._declared_for(ctx, u[0], cands, declared, project)]
            if missing:
                undeclared.setdefault(cands[0], []).extend(missing)
        section = DependenciesSection(
            declared=sorted(declared.names), declared_in=declared.files, imported=dict(sorted(imported.items())),
            undeclared=sorted(undeclared), local_packages=sorted(local_modules(ctx.discovery)),
        )
        findings = [self._undeclared(ctx, dist, uses, declared) for dist, uses in sorted(undeclared.items())]
        unused = [d for d in declared.declarations
                  if d.name not in used and d.scope is None and not _is_tool(d.name, project)]
        unused = _unreferenced(ctx, unused)
        section.unused = sorted({d.name for d in unused})
        findings.extend(self._unused(d) for d in unused)
        return CollectorOutput(section=section, findings=findings, failures=declared.failures)

    @staticmethod
    def _declared_for(ctx: CollectContext, rel: str, cands: list[str], declared: DeclaredDeps,
                      project: str | None) -> bool:
        """Declared for the scope of ``rel``: a build script may use build-system requires, docs their own."""
        names = declared.names_for(scope_of(rel, ctx.config.scopes))
        return any(c in names or c == project for c in cands)

    def _undeclared(self, ctx: CollectContext, dist: str, uses: list[_Use], declared: DeclaredDeps) -> Finding:
        rank = {"top": 0, "lazy": 1, "conditional": 2}
        rel, rec, is_test = min(uses, key=lambda u: (u[2], rank[u[1].kind], u[0], u[1].line))
        if is_test:
            severity = Severity.low
        else:
            severity = Severity.low if rec.kind == "conditional" else Severity.high
        where = ", ".join(sorted({f"{u[0]}:{u[1].line}" for u in uses})[:5])
        more = f" and {len(uses) - 5} more" if len(uses) > 5 else ""
        files = ", ".join(declared.files) or "no dependency file"
        return Finding(
            rule="deps.undeclared", severity=severity, title=f"Import of undeclared dependency {dist!r}",
            file=rel, line=rec.line, source=self.name,
            evidence=f"import {rec.module} ({rec.kind}); distribution {dist!r} is not declared in {files}; "
            f"imported at {where}{more}",
            recommendation=f"Declare {dist!r} in the project's dependencies"
            + (" (a test/dev group)." if is_test else "."),
            snippet=_code(ctx, rel, rec.line) or f"import {rec.module}", category="reliability",
        )

    def _unused(self, decl: Declaration) -> Finding:
        group = f" (group {decl.group!r})" if decl.group else ""
        return Finding(
            rule="deps.unused", severity=Severity.low, title=f"Declared dependency {decl.name!r} is never imported",
            file=decl.file, line=decl.line, source=self.name,
            evidence=f"{decl.text}{group} declared in {decl.file}; no Python file imports it",
            recommendation="Remove it if it is not needed, or move it to the extra/group that uses it.",
            snippet=decl.text, category="maintainability",
        )
