"""Markers on the defect fixture repository: comments, stubs and scratch files, and what must stay quiet."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers.defect_repo import build_defect_repo, line_of, run_collector, write_files

from reviewer.collectors.markers import MarkersCollector, find_comment_markers, find_stubs, is_scratch_name
from reviewer.evidence import MarkersSection

MAIN = "app/main.py"


@pytest.fixture(scope="module")
def defect_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_defect_repo(tmp_path_factory.mktemp("markers"))


def test_every_marker_found_at_its_line(defect_repo: Path) -> None:
    out = run_collector(MarkersCollector(), defect_repo)

    def at(needle: str, rel: str = MAIN) -> int:
        return line_of(defect_repo, rel, needle)

    got = sorted((f.rule, f.file, f.line, f.severity.value) for f in out.findings if f.rule != "markers.scratch")
    expected = sorted([
        ("markers.todo", MAIN, at("# TODO: split"), "low"),
        ("markers.fixme", MAIN, at("# FIXME"), "medium"),
        ("markers.xxx", MAIN, at("# XXX"), "medium"),
        ("markers.hack", MAIN, at("# HACK"), "low"),
        ("markers.stub", MAIN, at("def todo_stub"), "medium"),
        ("markers.stub", MAIN, at("def ellipsis_stub"), "medium"),
        ("markers.stub", MAIN, at("def not_implemented"), "medium"),
    ])
    assert got == expected  # tests/test_main.py's empty test_main is test code, not a stub
    todo = next(f for f in out.findings if f.rule == "markers.todo")
    assert todo.snippet == "# TODO: split this module" and todo.category == "maintainability"
    stub = next(f for f in out.findings if f.line == at("def not_implemented"))
    assert "NotImplementedError" in stub.evidence and stub.category == "functionality"


def test_scratch_files_only_at_the_root(defect_repo: Path) -> None:
    out = run_collector(MarkersCollector(), defect_repo)
    scratch = sorted(f.file for f in out.findings if f.rule == "markers.scratch")
    assert scratch == ["main_old.py", "notes.txt", "scratch_notes.py", "tmp.py"]
    section = out.section
    assert isinstance(section, MarkersSection)
    assert section.scratch_files == scratch
    assert section.counts == {"todo": 1, "fixme": 1, "xxx": 1, "hack": 1, "stub": 3, "scratch": 4}


def test_markers_in_strings_are_not_comments() -> None:
    code = 's = "TODO: not a comment"\nt = """\n# FIXME inside a docstring\n"""\nx = 1  # todo: lower case with colon\n'
    assert [(h.kind, h.line) for h in find_comment_markers(code)] == [("todo", 5)]
    assert find_comment_markers("# TODOS and HACKING are other words\n# autodoc\n") == []


def _stubs(code: str) -> list[int]:
    return [h.line for h in find_stubs(ast.parse(code))]


def test_declarations_are_not_stubs() -> None:
    code = (
        "import abc\nfrom typing import Protocol, overload\n"
        "class A(abc.ABC):\n    @abc.abstractmethod\n    def f(self):\n        raise NotImplementedError\n"
        "class P(Protocol):\n    def g(self) -> int:\n        ...\n"
        "class BaseThing:\n    def h(self):\n        raise NotImplementedError\n"
        "@overload\ndef k(x: int) -> int: ...\n"
        "class E(Exception):\n    pass\n"
        "def real():\n    return 1\n"
    )
    assert _stubs(code) == []


def test_stubs_in_plain_code_nested_and_in_methods() -> None:
    code = (
        "class Service:\n    def start(self):\n        pass\n"
        "if True:\n    def later():\n        '''Docstring only.'''\n"
        "def outer():\n    def inner():\n        ...\n    return inner\n"
        "class Null:\n    def __exit__(self, *a):\n        pass\n    def go(self):\n        raise NotImplementedError\n"
    )
    hits = find_stubs(ast.parse(code))
    assert [(h.line, h.severe) for h in hits] == [(2, False), (5, True), (8, True), (14, True)]


def test_scratch_names() -> None:
    assert all(is_scratch_name(n) for n in ["tmp.py", "tmp2.py", "scratch.py", "untitled3.py", "x_old.py",
                                          "data.bak", "notes.txt", "test.py"])
    assert not any(is_scratch_name(n) for n in ["temperature.py", "setup.py", "debugger.py", "README.md"])


def test_a_file_without_markers_adds_nothing(tmp_path: Path) -> None:
    out = run_collector(MarkersCollector(), write_files(tmp_path, {"pkg/ok.py": "def f():\n    return 1\n"}))
    assert out.findings == [] and out.files == 1


def test_deliberate_empty_bodies_are_not_stubs() -> None:
    code = """
import docutils.nodes

class Base:
    def hook(self):
        return 1

class Child(Base):
    def hook(self):
        pass
    def own(self):
        pass

class Translator(docutils.nodes.NodeVisitor):
    def visit_x(self, node):
        pass
    def depart_x(self, node):
        pass
    def helper(self):
        raise NotImplementedError

class Plain:
    def cmd_a(self): pass
    def cmd_b(self): pass
    def cmd_c(self): pass
    def lonely(self): pass

class MyError(ValueError):
    def describe(self):
        pass

def visit_module(node):
    pass

def orphan():
    pass
"""
    got = sorted(h.text for h in find_stubs(ast.parse(code)))
    # Child.own: no base defines it; Translator.helper: NotImplementedError in a concrete class; Plain.lonely:
    # no family, no base; orphan: a module-level no-op. Everything else says it is deliberate.
    assert got == ["Child.own() body is only pass", "Plain.lonely() body is only pass",
                   "Translator.helper() body is only NotImplementedError", "orphan() body is only pass"]


def test_no_stubs_outside_product_code(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "pkg/__init__.py": "def real():\n    pass\n",
        "tests/test_cli.py": "def cli():\n    pass\n",
        "tests/roots/test-x/conf.py": "def setup(app):\n    pass\n",
        "examples/demo.py": "def main():\n    pass\n",
    })
    out = run_collector(MarkersCollector(), tmp_path)
    assert sorted(f.file for f in out.findings if f.rule == "markers.stub") == ["pkg/__init__.py"]


def test_a_class_the_repository_derives_from_is_a_contract(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "pkg/base.py": "class Plugin:\n    def run(self):\n        raise NotImplementedError\n\n\n"
                       "class Lonely:\n    def run(self):\n        raise NotImplementedError\n",
        "pkg/impl.py": "from pkg.base import Plugin\n\n\nclass Echo(Plugin):\n    def run(self):\n        return 1\n",
    })
    out = run_collector(MarkersCollector(), tmp_path)
    assert [f.evidence for f in out.findings if f.rule == "markers.stub"] == [
        "Lonely.run() body is only NotImplementedError"]
