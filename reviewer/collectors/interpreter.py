"""Which interpreter runs the target's tests, and whether it measures the checkout or some installed copy.

Without ``tests.python`` the target's environment is found the way its developers expect:

1. the active virtual environment (``$VIRTUAL_ENV``), unless it is reviewer's own;
2. a ``.venv`` or ``venv`` folder inside the repository (confined to the root: a venv folder that is a symlink
   leaving the root is not followed, as the repository is untrusted);
3. ``python`` (then ``python3``) on ``PATH``, unless it is reviewer's own interpreter;
4. reviewer's own interpreter, as the last resort, said in the evidence and the report.

Each candidate is probed once (``importlib.util.find_spec``, which locates the repository's top-level packages
without executing them), from the repository root like ``python -m pytest``. When the package under review
resolves to a copy installed in reviewer's own environment (click, rich, pydantic... are reviewer's own
dependencies), a test run would measure that copy, not the checkout: a measurement error, reported and not gated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reviewer.confine import inside

__all__ = ["Interpreter", "InterpreterSource", "choose_interpreter", "own_interpreter", "repository_packages"]

InterpreterSource = Literal["config", "virtual_env", "repository_venv", "path", "reviewer"]

_PROBE_TIMEOUT_S = 30.0
_NOT_PACKAGES = frozenset({"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks",
                           "scripts", "tools", "build", "dist", "site-packages"})
_PROBE = """
import importlib.util, json, sys
found = {}
for name in sys.argv[1:]:
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    where = None
    if spec is not None:
        where = spec.origin if spec.origin not in (None, "namespace") else next(iter(spec.submodule_search_locations or []), None)
    found[name] = where
tools = [m for m in ("pytest", "coverage") if importlib.util.find_spec(m) is None]
print(json.dumps({"prefix": sys.prefix, "executable": sys.executable, "packages": found, "missing": tools}))
"""


@dataclass
class Interpreter:
    """The interpreter chosen for the test run and what its probe found."""

    path: str
    source: InterpreterSource
    notes: list[str] = field(default_factory=list)
    prefix: str | None = None
    packages: dict[str, str | None] = field(default_factory=dict)
    """Top-level package of the repository -> where this interpreter imports it from (None: not importable)."""
    imports_checkout: bool | None = None
    """True when every importable package of the repository resolves inside the checkout; None when unknown."""
    measurement_error: str | None = None
    """Set when the tests would import the package under review from reviewer's own environment."""


def own_interpreter() -> tuple[str, str]:
    """reviewer's own interpreter and environment prefix (a function, so that tests can stand in another)."""
    return sys.executable, sys.prefix


def repository_packages(root: Path) -> list[str]:
    """Top-level packages of the repository (flat or ``src/`` layout), sorted; test and doc folders left out."""
    names: set[str] = set()
    for base in (root, root / "src"):
        if base.is_symlink() or not base.is_dir():
            continue
        for child in base.iterdir():
            if child.is_dir() and not child.is_symlink() and child.name.isidentifier() \
                    and child.name not in _NOT_PACKAGES and (child / "__init__.py").is_file():
                names.add(child.name)
    return sorted(names)


def _venv_python(venv: Path) -> Path | None:
    for rel in ("bin/python", "Scripts/python.exe"):
        candidate = venv / rel
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _repository_venv(root: Path, notes: list[str]) -> Path | None:
    for name in (".venv", "venv"):
        venv = root / name
        if not venv.exists() and not venv.is_symlink():
            continue
        if not inside(root, venv) or any(d.exists() and not inside(root, d) for d in (venv / "bin", venv / "Scripts")):
            notes.append(f"{name}/ leads outside the repository: not followed")
            continue
        if not (venv / "pyvenv.cfg").is_file():
            continue
        python = _venv_python(venv)
        if python is not None:
            return python
    return None


def _candidates(root: Path, configured: str | None, env: dict[str, str],
                notes: list[str]) -> list[tuple[str, InterpreterSource]]:
    if configured:
        return [(configured, "config")]
    found: list[tuple[str, InterpreterSource]] = []
    active = env.get("VIRTUAL_ENV")
    if active:
        python = _venv_python(Path(active))
        if python is not None:
            found.append((str(python), "virtual_env"))
    repo = _repository_venv(root, notes)
    if repo is not None:
        found.append((str(repo), "repository_venv"))
    for name in ("python", "python3"):
        from shutil import which

        on_path = which(name, path=env.get("PATH"))
        if on_path:
            found.append((on_path, "path"))
            break
    return found


def _probe(python: str, root: Path, packages: list[str], env: dict[str, str]) -> dict[str, object] | None:
    try:
        proc = subprocess.run([python, "-c", _PROBE, *packages], cwd=root, env=env, capture_output=True, text=True,
                              timeout=_PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return data if isinstance(data, dict) else None


def _same_prefix(a: str | None, b: str) -> bool:
    if not a:
        return False
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _judge(interp: Interpreter, root: Path, own_prefix: str) -> None:
    """Fill imports_checkout and measurement_error from the probe's package locations."""
    located = {name: where for name, where in interp.packages.items() if where}
    if not located:
        return
    outside = {name: where for name, where in located.items() if not inside(root, Path(where))}
    interp.imports_checkout = not outside
    for name, where in outside.items():
        if inside(Path(own_prefix), Path(where)):
            interp.measurement_error = (
                f"the tests would import {name} from reviewer's own environment ({where}), not from the checkout: "
                f"that copy is a dependency of reviewer, so the results would not describe this repository; set "
                f"tests.python to the repository's interpreter or activate its virtual environment")
            return
        interp.notes.append(f"{name} is imported from an installed copy ({where}), not from the checkout")


def choose_interpreter(root: Path, configured: str | None, env: dict[str, str] | None = None) -> Interpreter:
    """The interpreter that runs the tests of ``root``, probed; never raises (the run reports what fails)."""
    env = dict(os.environ if env is None else env)
    own_python, own_prefix = own_interpreter()
    notes: list[str] = []
    packages = repository_packages(root)
    chosen: Interpreter | None = None
    for python, source in _candidates(root, configured, env, notes):
        data = _probe(python, root, packages, env)
        if data is None:
            if source == "config":
                return Interpreter(python, source, [*notes, f"{python} could not be probed"])
            notes.append(f"{python} ({source.replace('_', ' ')}) does not run: skipped")
            continue
        prefix = str(data.get("prefix") or "")
        if source != "config" and _same_prefix(prefix, own_prefix):
            continue  # reviewer's own environment is the last resort, not a find
        missing = [str(m) for m in data.get("missing") or []]
        if missing and source == "path":
            notes.append(f"{python} (on PATH) lacks {' and '.join(missing)}: skipped")
            continue
        if missing:
            notes.append(f"{python} lacks {' and '.join(missing)}: install them in that environment")
        chosen = Interpreter(python, source, notes, prefix=prefix, packages=dict(data.get("packages") or {}))
        break
    if chosen is None:
        data = _probe(own_python, root, packages, env) or {}
        chosen = Interpreter(own_python, "reviewer", [*notes, (
            "no interpreter of the repository was found (tests.python, $VIRTUAL_ENV, .venv/venv, python on PATH): "
            "the tests ran with reviewer's own interpreter")], prefix=own_prefix,
            packages=dict(data.get("packages") or {}))
    _judge(chosen, root, own_prefix)
    return chosen
