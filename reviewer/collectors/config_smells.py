"""Configuration smells found in the AST: things that make code work on one machine only or hide failures.

Rules (all per file, so the runner caches them by content hash):

* ``smells.hardcoded_path``: an absolute path into one user's home (``/Users/x/...``, ``/home/x/...``,
  ``C:\\Users\\x\\...``) in a string literal (docstrings are documentation and left alone);
* ``smells.env_overwrite``: ``os.environ[...] = ...``, ``os.environ.update(...)`` or ``os.putenv(...)`` not guarded
  by a condition (``os.environ.setdefault`` and ``os.environ[k] = os.environ.get(k, ...)`` are not overwrites);
* ``smells.forced_offline``: an offline switch such as ``HF_HUB_OFFLINE=1`` set in code unconditionally, or a
  literal ``local_files_only=True``;
* ``smells.store_true_default_true``: argparse ``action="store_true"`` with ``default=True`` (cannot be turned off);
* ``smells.bare_except``: ``except:``;
* ``smells.except_pass``: an ``except`` whose body only passes (the exception is swallowed).
"""

from __future__ import annotations

import ast
import re
from typing import ClassVar

from pydantic import BaseModel, Field

from reviewer.collectors.base import CollectContext, CollectorOutput, PerFileCollector
from reviewer.evidence import ConfigSmellsSection
from reviewer.findings import Finding, Severity
from reviewer.source import SourceFile

__all__ = ["ConfigSmellsCollector", "SmellHit", "SmellsResult", "find_smells"]

# A user name segment must follow the home prefix, so a pattern such as "/Users/[^/]+" is not itself a path.
_USER_PATH = re.compile(
    r"(?<![\w.])(?:/(?:Users|home)/[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/|$)|[A-Za-z]:[\\/]+Users[\\/]+[A-Za-z0-9_][\w.-]*)"
)
OFFLINE_KEYS = frozenset(
    {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE", "DIFFUSERS_OFFLINE"}
)
_TRUTHY = frozenset({"1", "true", "yes", "on"})
_BROAD = frozenset({"Exception", "BaseException"})


class SmellHit(BaseModel):
    rule: str
    line: int
    severity: Severity
    detail: str


class SmellsResult(BaseModel):
    hits: list[SmellHit] = Field(default_factory=list)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _is_environ(node: ast.AST) -> bool:
    return _dotted(node) in ("os.environ", "environ")


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_truthy(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is True or (isinstance(node.value, (str, int)) and str(node.value).lower() in _TRUTHY)
    return False


def _reads_same_key(value: ast.AST, key: ast.AST) -> bool:
    """``os.environ.get(k, ...)`` / ``os.getenv(k, ...)`` with the same key: effectively a setdefault."""
    if not isinstance(value, ast.Call) or not value.args:
        return False
    func = _dotted(value.func)
    if func not in ("os.environ.get", "environ.get", "os.getenv", "getenv"):
        return False
    return ast.dump(value.args[0]) == ast.dump(key)


class _Visitor(ast.NodeVisitor):
    def __init__(self, is_test: bool) -> None:
        self.hits: list[SmellHit] = []
        self.is_test = is_test
        self.guards = 0  # enclosing if/while/ternary conditions in the current scope
        self.in_function = 0

    def add(self, rule: str, node: ast.AST, severity: Severity, detail: str) -> None:
        if self.is_test and severity in (Severity.high, Severity.medium):
            severity = Severity.low
        self.hits.append(SmellHit(rule=rule, line=getattr(node, "lineno", 1), severity=severity, detail=detail))

    # --- scopes and guards ----------------------------------------------------------------------

    def _scope(self, node: ast.AST) -> None:
        saved, self.guards = self.guards, 0
        self.in_function += 1
        self.generic_visit(node)
        self.in_function -= 1
        self.guards = saved

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scope

    def _guarded(self, node: ast.If | ast.While | ast.IfExp) -> None:
        self.visit(node.test)
        self.guards += 1
        for child in [*node.body, *node.orelse] if isinstance(node.body, list) else [node.body, node.orelse]:
            self.visit(child)
        self.guards -= 1

    visit_If = visit_While = visit_IfExp = _guarded

    def visit_Match(self, node: ast.Match) -> None:
        self.visit(node.subject)
        self.guards += 1
        for case in node.cases:
            self.visit(case)
        self.guards -= 1

    # --- environment ----------------------------------------------------------------------------

    def _env_write(self, node: ast.AST, key: ast.AST | None, value: ast.AST | None, how: str) -> None:
        name = _const_str(key) if key is not None else None
        if self.guards:
            return
        if name in OFFLINE_KEYS and _is_truthy(value):
            self.add("smells.forced_offline", node, Severity.medium, f"{name} forced on with {how}")
            return
        severity = Severity.low if self.in_function else Severity.medium
        self.add("smells.env_overwrite", node, severity, f"{how} overwrites {name or 'an environment variable'}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and _is_environ(target.value):
                if not _reads_same_key(node.value, target.slice):
                    self._env_write(node, target.slice, node.value, "os.environ[...] =")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = _dotted(node.func)
        if isinstance(node.func, ast.Attribute) and _is_environ(node.func.value):
            self._environ_method(node, node.func.attr)
        elif func in ("os.putenv", "putenv") and len(node.args) >= 2:
            self._env_write(node, node.args[0], node.args[1], "os.putenv()")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
            self._argparse(node)
        for kw in node.keywords:
            if kw.arg == "local_files_only" and isinstance(kw.value, ast.Constant) and kw.value.value is True:
                self.add("smells.forced_offline", node, Severity.low, "local_files_only=True hard-coded")
        self.generic_visit(node)

    def _environ_method(self, node: ast.Call, method: str) -> None:
        if method == "update":
            pairs: list[tuple[ast.AST | None, ast.AST | None]] = []
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    pairs.extend(zip(arg.keys, arg.values))
                else:
                    pairs.append((None, None))
            pairs.extend((ast.Constant(kw.arg) if kw.arg else None, kw.value) for kw in node.keywords)
            for key, value in pairs or [(None, None)]:
                self._env_write(node, key, value, "os.environ.update()")
        elif method == "setdefault" and len(node.args) >= 2 and not self.guards:
            name = _const_str(node.args[0])
            if name in OFFLINE_KEYS and _is_truthy(node.args[1]):
                self.add("smells.forced_offline", node, Severity.low, f"{name} defaults to on (setdefault)")

    def _argparse(self, node: ast.Call) -> None:
        kws = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        default = kws.get("default")
        if _const_str(kws.get("action")) == "store_true" and isinstance(default, ast.Constant):
            if default.value is True:
                self.add("smells.store_true_default_true", node, Severity.medium, "store_true with default=True")

    # --- exceptions and literals ----------------------------------------------------------------

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        caught = ast.unparse(node.type) if node.type is not None else ""
        if node.type is None:
            self.add("smells.bare_except", node, Severity.medium, "bare except catches everything")
        if all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
               for s in node.body):
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            broad = node.type is None or any(_dotted(t).rsplit(".", 1)[-1] in _BROAD for t in types if t)
            what = f"except {caught}" if caught else "except"
            self.add("smells.except_pass", node, Severity.medium if broad else Severity.low,
                     f"{what} only passes: the exception is swallowed")
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if _const_str(node.value) is None:  # a bare string statement is a docstring or comment
            self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            match = _USER_PATH.search(node.value)
            if match:
                self.add("smells.hardcoded_path", node, Severity.medium, f"user path {match.group(0)!r}")


def find_smells(tree: ast.AST, is_test: bool = False) -> list[SmellHit]:
    visitor = _Visitor(is_test)
    visitor.visit(tree)
    return sorted(visitor.hits, key=lambda h: (h.line, h.rule))


_TEXT: dict[str, tuple[str, str, str]] = {
    "smells.hardcoded_path": ("Hard-coded path into a user's home directory", "reliability",
                              "Take the path from configuration, an argument or a path relative to the project."),
    "smells.env_overwrite": ("Environment variable overwritten unconditionally", "reliability",
                             "Use os.environ.setdefault, or set it only when the user asked for it."),
    "smells.forced_offline": ("Offline mode forced in code", "functionality",
                              "Leave offline switches to the user's environment or an explicit option."),
    "smells.store_true_default_true": ("store_true option that defaults to True", "functionality",
                                       "Use default=False, or argparse.BooleanOptionalAction to allow --no-..."),
    "smells.bare_except": ("Bare except", "reliability",
                           "Catch the specific exceptions expected; let KeyboardInterrupt/SystemExit through."),
    "smells.except_pass": ("Exception swallowed (except ...: pass)", "reliability",
                           "Handle the error, log it, or let it propagate; at least narrow the exception type."),
}


class ConfigSmellsCollector(PerFileCollector[SmellsResult]):
    name = "config_smells"
    version: ClassVar[str] = "2"
    result_model = SmellsResult

    def analyze(self, source: SourceFile) -> SmellsResult:
        return SmellsResult(hits=find_smells(source.tree, source.file.is_test))

    def summarize(self, ctx: CollectContext, results: dict[str, SmellsResult]) -> CollectorOutput:
        findings: list[Finding] = []
        counts: dict[str, int] = {}
        for rel in sorted(results):
            for hit in results[rel].hits:
                counts[hit.rule] = counts.get(hit.rule, 0) + 1
                code = ctx.sources.line(rel, hit.line).strip()
                title, category, advice = _TEXT[hit.rule]
                findings.append(Finding(
                    rule=hit.rule, severity=hit.severity, title=title, file=rel, line=hit.line,
                    source=self.name, evidence=f"{hit.detail}: {code}" if code else hit.detail,
                    recommendation=advice, snippet=code, category=category,
                ))
        return CollectorOutput(section=ConfigSmellsSection(counts=dict(sorted(counts.items()))), findings=findings)
