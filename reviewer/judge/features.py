"""What in a unit's AST makes it risky, and the small AST facts the per-kind checks ask about."""

from __future__ import annotations

import ast
import re

__all__ = [
    "FRESH_OBJECT", "call_name", "imported_modules", "is_broad_handler", "is_division", "lock_withs", "module_names",
    "nodes_on_line", "shared_state_writes", "uses_threads",
]

_MUTATORS = frozenset({"append", "extend", "insert", "update", "pop", "popitem", "remove", "clear", "add",
                       "discard", "setdefault", "__setitem__"})
_PATHISH = re.compile(r"(^|_)(path|dir|directory|folder|root|base|parent|home|dest|target|out)(_|$)|path$|dir$",
                      re.I)
_LOCKISH = ("lock", "mutex", "sem", "condition", "cond")
_CONCURRENCY = ("threading", "concurrent", "asyncio", "multiprocessing", "queue", "_thread", "gevent", "eventlet")
FRESH_OBJECT = ("__init__", "__new__", "__setstate__", "__post_init__", "setUp", "setup_method")
"""Methods that run on an object nobody else holds yet: what they write is not shared."""


def call_name(node: ast.Call) -> str:
    """'subprocess.run', 'open', 'self.session.get' -> the dotted name as far as it is static."""
    parts: list[str] = []
    func: ast.AST = node.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def is_division(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and call_name(node) == "divmod":
        return True
    if not isinstance(node, (ast.BinOp, ast.AugAssign)) or not isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
        return False
    left = node.left if isinstance(node, ast.BinOp) else node.target
    right = node.right if isinstance(node, ast.BinOp) else node.value
    if isinstance(node.op, ast.Mod) and _is_format(left, right):
        return False
    return not (isinstance(node.op, ast.Div) and (_is_pathish(left) or _is_pathish(right)))


_FORMATISH = re.compile(r"template|fmt|format|msg|message|text|pattern|string|^_$|gettext", re.I)


def _is_format(left: ast.AST, right: ast.AST) -> bool:
    """``"%s" % x``, ``_("...") % {...}``, ``self.template % self.vars()``: string formatting, not a modulo."""
    if isinstance(left, (ast.Constant, ast.JoinedStr)) and not isinstance(getattr(left, "value", None), (int, float)):
        return True
    if isinstance(right, (ast.Dict, ast.Tuple, ast.JoinedStr)) or (
            isinstance(right, ast.Constant) and isinstance(right.value, str)):
        return True
    name = call_name(left) if isinstance(left, ast.Call) else ast.unparse(left).rsplit(".", 1)[-1]
    return bool(_FORMATISH.search(name))


def _is_pathish(node: ast.AST) -> bool:
    """``folder / name``, ``Path(x) / "a"``: a path join, not a division."""
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return True
    if isinstance(node, ast.Call):
        return call_name(node).rsplit(".", 1)[-1] in ("Path", "PurePath", "PurePosixPath", "parent", "home", "cwd")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _is_pathish(node.left)
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return bool(_PATHISH.search(name))


def is_broad_handler(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = [handler.type] if not isinstance(handler.type, ast.Tuple) else handler.type.elts
    return any(isinstance(n, ast.Name) and n.id in ("Exception", "BaseException") for n in names)


def nodes_on_line(root: ast.AST, line: int) -> list[ast.AST]:
    """Nodes whose span covers ``line``, innermost last is not guaranteed."""
    return [n for n in ast.walk(root) if hasattr(n, "lineno")
            and n.lineno <= line <= (getattr(n, "end_lineno", None) or n.lineno)]


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _declared_in(root: ast.AST) -> dict[int, set[str]]:
    """For each node, the names its own function declares ``global`` or ``nonlocal``: ``total = 0`` in the outer
    function is its local; ``total += size`` in the nested ``run`` that says ``nonlocal total`` is the shared one."""
    out: dict[int, set[str]] = {}

    def visit(fn: ast.AST) -> None:
        own: list[ast.AST] = []
        stack = list(ast.iter_child_nodes(fn))
        while stack:
            node = stack.pop()
            own.append(node)
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack.extend(ast.iter_child_nodes(node))
        names = {n for node in own if isinstance(node, (ast.Global, ast.Nonlocal)) for n in node.names}
        for node in own:
            out[id(node)] = names
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(node)  # a declaration holds only in its own function, not in those nested in it

    visit(root)
    return out


def shared_state_writes(root: ast.AST, module_names: set[str], in_init: bool = False) -> list[int]:
    """Lines that write state another thread could share: ``self.x`` (outside __init__), a module-level name
    (assigned with ``global``, or mutated through a subscript or a mutating method)."""
    declared = _declared_in(root)
    out: list[int] = []
    for node, declared_global in ((n, declared.get(id(n), set())) for n in ast.walk(root)):
        targets: list[ast.AST] = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
            targets = [node.func.value]
        for target in targets:
            name = _root_name(target)
            direct = isinstance(target, ast.Name)
            if name == "self" and not direct and not in_init:
                out.append(node.lineno)
            elif name in declared_global or (name in module_names and not direct):
                out.append(node.lineno)
    return sorted(set(out))


def lock_withs(root: ast.AST) -> list[tuple[int, int]]:
    """Line spans of ``with <something lock-like>:`` blocks (and of code between acquire() and release())."""
    spans = []
    for node in ast.walk(root):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            text = " ".join(ast.unparse(item.context_expr).lower() for item in node.items)
            if any(word in text for word in _LOCKISH):
                spans.append((node.lineno, int(node.end_lineno or node.lineno)))
    acquires = [n.lineno for n in ast.walk(root) if isinstance(n, ast.Call) and call_name(n).endswith(".acquire")]
    releases = [n.lineno for n in ast.walk(root) if isinstance(n, ast.Call) and call_name(n).endswith(".release")]
    if acquires and releases:
        spans.append((min(acquires), max(releases)))
    return spans


def imported_modules(tree: ast.AST) -> set[str]:
    """The top-level packages a module imports (``concurrent`` for ``from concurrent.futures import ...``)."""
    out = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return out | {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}


def uses_threads(tree: ast.AST) -> bool:
    """The module imports a concurrency library (threading, concurrent.futures, asyncio, queue, ...)."""
    return bool(imported_modules(tree) & set(_CONCURRENCY))


def module_names(tree: ast.Module) -> set[str]:
    """Names a module assigns at its top level (``_cache = {}``, ``count: int = 0``)."""
    return {t.id for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
