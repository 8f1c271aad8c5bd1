"""Declared versus imported dependencies on the defect fixture repository and on small targeted repos."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers.defect_repo import build_defect_repo, line_of, run_collector, write_files

from reviewer.collectors.declared_deps import read_declared
from reviewer.collectors.dependencies import DependenciesCollector, find_imports
from reviewer.evidence import DependenciesSection

MAIN = "app/main.py"


@pytest.fixture(scope="module")
def defect_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_defect_repo(tmp_path_factory.mktemp("deps"))


def test_declarations_from_every_file_kind(defect_repo: Path) -> None:
    declared = read_declared(defect_repo)
    assert declared.names == {"requests", "pyyaml", "unused-lib", "pytest-cov", "pillow", "attrs",
                              "scikit-learn", "beautifulsoup4", "python-dateutil", "opencv-python"}
    assert declared.files == ["pyproject.toml", "setup.cfg", "requirements-base.txt", "requirements.txt"]
    assert declared.project_name == "defect-app"
    by_name = {d.name: d for d in declared.declarations}
    assert (by_name["pillow"].group, by_name["opencv-python"].group) == ("img", "cv")
    assert by_name["scikit-learn"].line == 2 and by_name["scikit-learn"].file == "requirements.txt"
    assert declared.failures == []


def test_undeclared_and_unused_found_at_their_lines(defect_repo: Path) -> None:
    out = run_collector(DependenciesCollector(), defect_repo)
    undeclared = sorted((f.file, f.line, f.severity.value, f.snippet) for f in out.findings
                        if f.rule == "deps.undeclared")
    test_file = "tests/test_main.py"
    assert undeclared == sorted([
        (MAIN, line_of(defect_repo, MAIN, "import numpy"), "high", "import numpy as np"),
        (MAIN, line_of(defect_repo, MAIN, "import pandas"), "high", "import pandas  # FIXME pin the version"),
        (MAIN, line_of(defect_repo, MAIN, "import ujson"), "low", "import ujson"),
        (test_file, 1, "low", "import pytest"),
        (test_file, 2, "low", "import hypothesis"),
    ])
    unused = [(f.file, f.line, f.snippet) for f in out.findings if f.rule == "deps.unused"]
    assert unused == [("pyproject.toml", line_of(defect_repo, "pyproject.toml", "unused-lib"), "unused-lib>=1.0")]
    section = out.section
    assert isinstance(section, DependenciesSection)
    assert section.undeclared == ["hypothesis", "numpy", "pandas", "pytest", "ujson"]
    assert section.unused == ["unused-lib"]
    assert section.imported["yaml"] == "pyyaml" and section.imported["PIL"] == "pillow"
    assert section.imported["cv2"] == "opencv-python" and section.imported["dateutil"] == "python-dateutil"
    assert {"app", "helpers_local", "conftest"} <= set(section.local_packages)
    assert "json" not in section.imported and "app" not in section.imported
    assert all(f.source == "dependencies" and f.recommendation for f in out.findings)


def test_import_kinds() -> None:
    code = ("import a\nfrom b.c import d\nfrom . import e\nfrom .f import g\n"
            "try:\n    import h\nexcept ImportError:\n    h = None\n"
            "if TYPE_CHECKING:\n    import i\n"
            "def fn():\n    import j\n")
    got = [(r.module, r.line, r.kind) for r in find_imports(ast.parse(code))]
    assert got == [("a", 1, "top"), ("b.c", 2, "top"), ("h", 6, "conditional"), ("i", 10, "conditional"),
                   ("j", 12, "lazy")]


def test_src_layout_project_and_its_own_name_are_local(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pyproject.toml": '[project]\nname = "mylib"\ndependencies = ["httpx"]\n',
        "src/mylib/__init__.py": "from __future__ import annotations\nimport httpx\nimport mylib.core\n",
        "src/mylib/core.py": "import os, sys\n",
        "tools/gen.py": "import mylib\nimport gen_helpers\n",
        "tools/gen_helpers.py": "",
    })
    out = run_collector(DependenciesCollector(), root)
    assert out.findings == []


def test_a_root_that_is_itself_a_package_imports_itself(tmp_path: Path) -> None:
    root = write_files(tmp_path / "mypkg", {"__init__.py": "from mypkg import core\n", "core.py": "import mypkg\n"})
    assert run_collector(DependenciesCollector(), root).findings == []


def test_requirement_includes_cycles_and_bad_lines(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "requirements.txt": "-r requirements-dev.txt\nflask>=2 ; python_version > '3.8'\nnot a valid ==\n",
        "requirements-dev.txt": "-r requirements.txt\n-e git+https://example.org/x.git#egg=xlib\n",
        "app.py": "import flask\nimport xlib\n",
    })
    declared = read_declared(root)
    assert declared.names == {"flask", "xlib"}
    assert [f.path for f in declared.failures] == ["requirements.txt"]
    assert run_collector(DependenciesCollector(), root).findings == []


def test_poetry_groups_and_broken_pyproject(tmp_path: Path) -> None:
    root = write_files(tmp_path / "a", {"pyproject.toml": (
        '[tool.poetry]\nname = "p"\n[tool.poetry.dependencies]\npython = "^3.11"\nRequests = "*"\n'
        '[tool.poetry.group.test.dependencies]\npytest = "*"\nfreezegun = "*"\n')})
    declared = read_declared(root)
    assert declared.names == {"requests", "pytest", "freezegun"}
    assert {d.name: d.group for d in declared.declarations}["freezegun"] == "test"
    broken = write_files(tmp_path / "b", {"pyproject.toml": "[project\n", "m.py": "import yaml\n"})
    out = run_collector(DependenciesCollector(), broken)
    assert [f.path for f in out.failures] == ["pyproject.toml"]
    assert [f.rule for f in out.findings] == ["deps.undeclared"]
