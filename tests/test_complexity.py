"""The radon complexity collector: its figures equal what the radon CLI prints (``radon cc -j``, ``radon mi -j``,
``radon raw -j``) for the same files, huge literal files go through the linear raw pass (recorded in the
evidence) with radon's own figures, rank C+ functions become findings, and a file radon cannot measure is a
FileFailure, not an exception.

Timing is not asserted here (that belongs to benchmarks): the tests assert which engine ran instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import radon
from helpers.defect_repo import run_collector, write_files
from radon.raw import analyze

import reviewer
from reviewer.collectors.base import CollectorOutput
from reviewer.collectors.complexity import LONG_STATEMENT_LINES, ComplexityCollector, ComplexityFileResult
from reviewer.collectors.rawmetrics import linear_raw_analyze
from reviewer.evidence import BlockComplexity, ComplexitySection, FileFailure, FileMetrics

RAW_FIELDS = ("loc", "lloc", "sloc", "comments", "multi", "blank", "single_comments")
BLOCK_FIELDS = ("name", "type", "classname", "lineno", "endline", "col_offset", "complexity", "rank")

BRANCHES = '''\
"""Module docstring
spanning two lines.
"""

import asyncio  # an import with a comment

THRESHOLD = 10


def simple(x):
    return x + 1


def branchy(a, b, items):
    """One-line docstring."""
    total = 0
    if a and b:
        total += 1
    elif a or b:
        total -= 1
    else:
        total = 0
    for item in items:
        if item > THRESHOLD:
            continue
        total += item
    while total > 100:
        total //= 2
    try:
        total = int(total)
    except ValueError:
        total = 0
    except TypeError:
        pass
    else:
        total += 1
    return total if total else None


def outer(values):
    # a closure and a lambda
    key = lambda v: -v if v < 0 else v

    def inner(v):
        if v:
            return key(v)
        return 0

    return [inner(v) for v in values if v]


async def fetch(urls):
    results = []
    async for url in urls:
        async with url as conn:
            if conn:
                results.append(await conn.read())
    return results


class Shape:
    \'\'\'A class docstring
    on two lines.\'\'\'

    sides = 0

    def __init__(self, sides):
        self.sides = sides

    def describe(self):
        if self.sides == 3:
            return "triangle"
        if self.sides == 4:
            return "square"
        return "polygon"

    @property
    def is_polygon(self):
        return self.sides > 2 and self.sides < 100

    class Meta:
        def option(self, flag):
            return 1 if flag else 2

    async def refresh(self):
        await asyncio.sleep(0)
        assert self.sides >= 0


if __name__ == "__main__":
    print(branchy(1, 2, [3]))
'''

TRICKY = '''\
# leading comment
#: another

x = 1; y = 2
if x: y = 3  # two logical lines
total = (x +  # a comment inside brackets
         y)
text = """first
second

third"""
"""A bare multi-line string
used as a comment."""
'single-line string statement'
long_sum = 1 + \\
    2 + \\
    3
name = "w"
greeting = f"hello {name!r} {x + y:>10} {'nested'}"
block = f"""multi {name}
line {x}"""
nested = {
    "a": [1, 2, (3,
                 4)],
    # a comment inside a dict

    "b": {"c": [
        5,
    ]},
}
joined = 'a\\
b'
def one_liner(): return 1
class Empty: pass
'''

CRLF = (
    '"""A CRLF file."""\r\n'
    "\r\n"
    "# comment\r\n"
    "def crlf(a):\r\n"
    '    """Docstring\r\n'
    '    on two lines."""\r\n'
    "    if a:\r\n"
    "        return 1\r\n"
    "\r\n"
    "    return 2\r\n"
)


def _ladder(name: str, branches: int, indent: str = "") -> str:
    """A function whose cyclomatic complexity is branches + 1."""
    lines = [f"{indent}def {name}(v):"]
    for i in range(branches):
        lines += [f"{indent}    if v == {i}:", f"{indent}        return {i}"]
    lines.append(f"{indent}    return -1")
    return "\n".join(lines) + "\n"


TANGLED = (
    '"""Functions of every rank."""\n\n\n'
    + _ladder("rank_a", 2) + "\n\n"
    + _ladder("rank_b", 7) + "\n\n"
    + _ladder("rank_c", 14) + "\n\n"
    + _ladder("rank_d", 24) + "\n\n"
    + _ladder("rank_f", 44) + "\n\n"
    + "class Tangled:\n"
    + _ladder("rank_e", 34, indent="    ")
)


def _literal_module(entries: int) -> str:
    """A generated literal module in the shape of rich's ``_emoji_codes.py``, with a few tricky lines inside."""
    body = []
    for i in range(entries):
        if i % 50 == 7:
            body.append("    # a comment line inside the literal")
        if i % 50 == 13:
            body.append("")
        if i % 50 == 21:
            body.append(f'    "multi_{i}": """first\n  second\n""",')
        if i % 10 == 3:
            body.append(f'    "name_{i}": "\\U0001F600 {i}",  # trailing comment')
        else:
            body.append(f'    "name_{i}": "x{i}",')
    head = '"""Generated codes."""\n\n# generated: do not edit\nEMOJI = {\n'
    return head + "\n".join(body) + "\n}\nCOUNT = len(EMOJI) \\\n\n# radon reads this comment as code\n"


def _loop_header_module(items: int) -> str:
    """A compound statement whose header is one long logical line."""
    values = "".join(f"    {i},\n" for i in range(items))
    return f"total = 0\nfor value in [\n{values}]:\n    if value:\n        total += value\n"


FILES = {
    "pkg/__init__.py": "# package marker\n# nothing else\n\n",
    "pkg/branches.py": BRANCHES,
    "pkg/tricky.py": TRICKY,
    "pkg/tangled.py": TANGLED,
    "pkg/empty.py": "",
    "pkg/literal.py": _literal_module(2 * LONG_STATEMENT_LINES),
    "pkg/loop_header.py": _loop_header_module(LONG_STATEMENT_LINES + 50),
}
LINEAR = {"pkg/literal.py", "pkg/loop_header.py"}


def _radon_json(root: Path, command: str, paths: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "radon", command, "-j", *paths],
        cwd=root, capture_output=True, text=True, check=True, timeout=300,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("complexity")
    write_files(root, FILES)
    (root / "pkg" / "crlf.py").write_bytes(CRLF.encode())
    return root


@pytest.fixture(scope="module")
def output(repo: Path) -> CollectorOutput:
    return run_collector(ComplexityCollector(), repo)


@pytest.fixture(scope="module")
def section(output: CollectorOutput) -> ComplexitySection:
    assert isinstance(output.section, ComplexitySection)
    return output.section


@pytest.fixture(scope="module")
def paths(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*.py"))


def _metrics(section: ComplexitySection) -> dict[str, FileMetrics]:
    return {m.path: m for m in section.files}


def _block_key(block: dict[str, Any]) -> tuple[int, str, str]:
    return block["lineno"], block["type"], block["name"]


def test_cc_blocks_equal_radon_cc_json(repo: Path, section: ComplexitySection, paths: list[str]) -> None:
    cli = _radon_json(repo, "cc", paths)
    assert not [p for p, v in cli.items() if isinstance(v, dict)]  # no {"error": ...}
    for path in paths:
        ours = sorted((b.model_dump(include=set(BLOCK_FIELDS)) for b in section.blocks if b.file == path),
                      key=_block_key)
        theirs = sorted(({f: entry.get(f) for f in BLOCK_FIELDS} for entry in cli.get(path, [])), key=_block_key)
        assert ours == theirs, path
    assert {b.file for b in section.blocks} == set(cli)  # radon leaves files without blocks out


def test_cc_blocks_are_radons_top_level_entries(repo: Path, section: ComplexitySection) -> None:
    """Top level of ``radon cc -j``: functions, classes and methods; closures only nested in their function."""
    cli = _radon_json(repo, "cc", ["pkg/branches.py"])["pkg/branches.py"]
    outer = next(e for e in cli if e["name"] == "outer")
    assert [c["name"] for c in outer["closures"]] == ["inner"]
    ours = {(b.type, b.classname, b.name) for b in section.blocks if b.file == "pkg/branches.py"}
    assert ours == {
        ("function", None, "simple"), ("function", None, "branchy"), ("function", None, "outer"),
        ("function", None, "fetch"), ("class", None, "Shape"), ("method", "Shape", "__init__"),
        ("method", "Shape", "describe"), ("method", "Shape", "is_polygon"), ("method", "Shape", "refresh"),
    }
    by_name = {b.name: b for b in section.blocks if b.file == "pkg/branches.py"}
    assert by_name["outer"].complexity == outer["complexity"]  # the closure counts in its function
    assert by_name["branchy"].rank == "C"


def test_raw_figures_equal_radon_raw_json(repo: Path, section: ComplexitySection, paths: list[str]) -> None:
    cli = _radon_json(repo, "raw", paths)
    metrics = _metrics(section)
    assert sorted(metrics) == paths
    for path in paths:
        assert "error" not in cli[path], path
        assert {f: getattr(metrics[path], f) for f in RAW_FIELDS} == {f: cli[path][f] for f in RAW_FIELDS}, path


def test_mi_equals_radon_mi_json(repo: Path, section: ComplexitySection, paths: list[str]) -> None:
    cli = _radon_json(repo, "mi", paths)
    metrics = _metrics(section)
    for path in paths:
        assert "error" not in cli[path], path
        assert metrics[path].mi == pytest.approx(cli[path]["mi"], abs=1e-6), path
        assert metrics[path].mi_rank == cli[path]["rank"], path


def test_halstead_totals_equal_radon_hal_json(repo: Path, section: ComplexitySection, paths: list[str]) -> None:
    cli = _radon_json(repo, "hal", paths)
    metrics = _metrics(section)
    for path in paths:
        ours = metrics[path].halstead
        assert ours is not None
        assert ours.model_dump() == pytest.approx(cli[path]["total"], abs=1e-9), path


def test_engines_and_skipped_notes(section: ComplexitySection, output: CollectorOutput) -> None:
    metrics = _metrics(section)
    assert {p for p, m in metrics.items() if m.raw_engine == "linear"} == LINEAR
    assert all(m.bounded is None for p, m in metrics.items() if p not in LINEAR)
    assert sorted((s.path, s.collector) for s in section.skipped) == sorted((p, "complexity") for p in LINEAR)
    for skipped in section.skipped:
        assert skipped.reason == metrics[skipped.path].bounded
        assert "one tokenizer pass" in skipped.reason and "same figures as radon" in skipped.reason
    assert output.failures == [] and output.files == len(FILES) + 1


def test_section_totals(section: ComplexitySection) -> None:
    blocks = section.blocks
    assert section.average_complexity == pytest.approx(sum(b.complexity for b in blocks) / len(blocks))
    assert section.worst_rank == "F"
    assert section.rank_counts == {r: sum(1 for b in blocks if b.rank == r) for r in {b.rank for b in blocks}}
    assert {r: section.rank_counts[r] for r in "DEF"} == {"D": 1, "E": 2, "F": 1}  # class Tangled is E too
    assert section.total_sloc == sum(m.sloc for m in section.files)
    mis = [m.mi for m in section.files if m.mi is not None]
    assert section.average_mi == pytest.approx(sum(mis) / len(mis))


def test_cc_findings_for_rank_c_and_worse(repo: Path, output: CollectorOutput, section: ComplexitySection) -> None:
    cc = sorted((f for f in output.findings if f.rule == "radon.cc"), key=lambda f: (f.file or "", f.line or 0))
    def def_line(name: str, path: str = "pkg/tangled.py") -> int:
        lines = (repo / path).read_text().splitlines()
        return next(i for i, text in enumerate(lines, 1) if text.strip().startswith(f"def {name}("))

    got = [(f.file, f.line, f.severity.value) for f in cc]
    assert got == [
        ("pkg/branches.py", def_line("branchy", "pkg/branches.py"), "low"),
        ("pkg/tangled.py", def_line("rank_c"), "low"),
        ("pkg/tangled.py", def_line("rank_d"), "medium"),
        ("pkg/tangled.py", def_line("rank_f"), "high"),
        ("pkg/tangled.py", def_line("rank_e"), "high"),
    ]
    by_line = {(f.file, f.line): f for f in cc}
    rank_d = by_line[("pkg/tangled.py", def_line("rank_d"))]
    block_d = next(b for b in section.blocks if b.name == "rank_d")
    assert (block_d.complexity, block_d.rank) == (25, "D")
    assert rank_d.end_line == block_d.endline and rank_d.snippet == "def rank_d(v):"
    assert rank_d.title == "function rank_d has cyclomatic complexity 25 (rank D)"
    assert rank_d.source == "complexity" and rank_d.category == "maintainability" and rank_d.recommendation
    rank_e = by_line[("pkg/tangled.py", def_line("rank_e"))]
    assert rank_e.title == "method Tangled.rank_e has cyclomatic complexity 35 (rank E)"
    quiet = {b.name for b in section.blocks if b.rank in "AB"}
    assert {"rank_a", "rank_b", "simple", "describe", "Shape"} <= quiet
    assert not [f for f in cc if f.title.split(" ")[1].split(".")[-1] in quiet]
    tangled = next(b for b in section.blocks if b.name == "Tangled")
    assert tangled.rank == "E" and not [f for f in cc if f.title.startswith("class")]  # classes: no finding


def test_mi_finding_only_for_rank_c(output: CollectorOutput, section: ComplexitySection) -> None:
    flagged = sorted(f.file or "" for f in output.findings if f.rule == "radon.mi")
    assert flagged == sorted(m.path for m in section.files if m.mi_rank == "C")


def test_huge_literal_file_takes_the_linear_pass(tmp_path: Path) -> None:
    """rich's ``_emoji_codes.py`` shape: 3000 entries; radon.raw.analyze would take minutes on it."""
    entries = 3000
    write_files(tmp_path, {"codes.py": _literal_module(entries), "small.py": "x = 1\n"})
    out = run_collector(ComplexityCollector(), tmp_path)
    section = out.section
    assert isinstance(section, ComplexitySection) and out.failures == []
    codes = _metrics(section)["codes.py"]
    assert codes.raw_engine == "linear" and _metrics(section)["small.py"].raw_engine == "radon"
    skipped = [(s.path, s.collector, s.reason) for s in section.skipped]
    assert skipped == [("codes.py", "complexity", codes.bounded)]
    assert codes.bounded is not None and "quadratic" in codes.bounded
    # Every raw figure is affine in the number of entries (the shape repeats every 50 of them), so radon's own
    # figures at 100 and 150 entries, where radon is fast, give its figures at 3000.
    small, smaller = analyze(_literal_module(150)), analyze(_literal_module(100))
    expected = {f: getattr(small, f) + (getattr(small, f) - getattr(smaller, f)) * (entries - 150) // 50
                for f in RAW_FIELDS}
    assert {f: getattr(codes, f) for f in RAW_FIELDS} == expected
    assert expected["loc"] == len(_literal_module(entries).splitlines())
    assert codes.mi is not None and codes.mi_rank is not None and codes.halstead is not None


TRICKY_INPUTS = {
    "empty": "",
    "only_newlines": "\n\n\n",
    "only_comments": "# one\n#two\n\n   # indented\n",
    "no_trailing_newline": "x = 1\ny = [1,\n 2]",
    "trailing_blank_lines": "x = 1\n\n\n   \n",
    "docstrings": '"""Module."""\n\n\ndef f():\n    """Multi\n\n    line.\n    """\n    return 1\n',
    "single_quoted_docstring": "def f():\n    '''one'''\n    r'''raw\n    two'''\n",
    "multi_line_strings_in_literal": 'D = {\n    "a": """x\n\n  y""",\n    "b": [\'\'\'p\nq\'\'\', 2],\n}\n',
    "comments_in_brackets": "call(  # why\n    1,  # one\n    # alone\n\n    2,\n)  # after\n",
    "backslash_continuation": "x = 1 + \\\n    2 + \\\n    3\nif x and \\\n   x:\n    pass\n",
    "string_backslash_newline": "s = 'abc\\\ndef'\nt = \"x\\\n\\\ny\"\n",
    "nested_brackets": "a = [[(1,\n  {2: 3,\n   4: [5,\n6]}),\n]]\nb = (\n(\n)\n)\n",
    "f_strings": 'n = 1\ns = f"{n!r:>{n}} {{}} {\'q\'}"\nt = f"""a {n}\nb {n + 1}\n"""\nu = rf"\\d{n}"\n',
    "semicolons_and_one_liners": (
        "a = 1; b = 2; c = 3\nif a: b = 1\nelse: b = 2\nwhile False: pass\ntry: 1/0\nexcept: pass\n"
    ),
    "colon_not_last": "d = {1: 2}\nlam = lambda: 0\nx = d[1:2] if d else None  # c: d\n",
    "decorators_and_classes": (
        "@dec(\n    1,\n)\nclass A(B,\n        C):\n    x: int = 1\n\n    def m(self) -> None: ...\n"
    ),
    "form_feed_and_whitespace": "x = 1\n\x0c\ndef f():\n    \t\n    return 2\n",
    "string_statement_then_code": '"""doc""" ; x = 1\n\'\'\'a\nb\'\'\'.strip()\n',
    "bytes_and_prefixes": "a = b'\\x00'\nb = Rb'''\\d\n'''\nc = u'x'\n",
    "walrus_and_match": (
        "if (n := 3) > 2:\n    match n:\n        case 1 | 2:\n            pass\n        case _:\n            pass\n"
    ),
    # An empty line ends a backslash-continued statement, but radon reads on to the next line (its tokenizer
    # never sees a buffer's trailing empty line): the next statement joins the chunk (as in mpmath's test_hp.py).
    "backslash_blank_comment": 'x = "a"\\\n"b"\\\n\n# c\ny = 1\n',
    "backslash_blank_code": "x = 1 \\\n\ny = 2\ndef f(): return 1\n",
    "backslash_blank_def": "x = 1 \\\n\ndef f(): return 1\n",
    "backslash_blank_string": "x = 1 \\\n\n'''doc\nstring'''\nz = 3\n",
    "backslash_blank_bracket": "x = 1 \\\n\ny = [1,\n2]\nq = 1\n",
    "backslash_blank_chain": "x = 1 \\\n\ny = 2 \\\n\n\nz = 3 \\\n\n# c\n",
    "backslash_two_blanks": "x = 1 \\\n\n\ny = 2\n",
    "backslash_blank_at_end": "x = 1 \\\n\ny = 2 \\\n\n\n",
    "literal_block": _literal_module(120),
    "loop_header": _loop_header_module(60),
}


@pytest.mark.parametrize("name", sorted(TRICKY_INPUTS))
def test_linear_raw_analyze_equals_radon(name: str) -> None:
    text = TRICKY_INPUTS[name]
    linear = linear_raw_analyze(text)
    assert linear is not None
    assert linear == analyze(text)


def _python_files(package_dir: Path) -> list[Path]:
    return sorted(package_dir.rglob("*.py"))


@pytest.mark.parametrize("package", [reviewer, radon], ids=["reviewer", "radon"])
def test_linear_raw_analyze_equals_radon_on_real_packages(package: Any) -> None:
    files = _python_files(Path(package.__file__).parent)
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert linear_raw_analyze(text) == analyze(text), path


def test_linear_raw_analyze_declines_what_radon_cannot_measure() -> None:
    # str.splitlines() (used by radon) splits at U+2028 inside a string literal that Python itself accepts.
    text = 'x = "a\u2028b"\ny = 1\n'
    compile(text, "<text>", "exec")
    assert linear_raw_analyze(text) is None
    with pytest.raises(SyntaxError):
        analyze(text)
    ends_continued = "x = 1 \\\n\n"  # valid Python; radon runs out of lines looking for the statement's end
    compile(ends_continued, "<text>", "exec")
    assert linear_raw_analyze(ends_continued) is None
    with pytest.raises(SyntaxError):
        analyze(ends_continued)


ODD_FILES = {
    # str.splitlines() splits at U+2028 inside the string literal.
    "odd_separator.py": 'SEP = "a\u2028b"\n\n\ndef f(x):\n    return x\n',
    # tokenize's pure-Python \w rejects the combining marks of this identifier (from pyparsing's unicode.py).
    "odd_identifier.py": (
        "class Hebrew:\n    pass\n\n\nעִברִית = Hebrew\n\n\ndef g(y):\n    if y:\n        return 1\n    return 2\n"
    ),
}


def test_file_radon_cannot_measure_is_a_failure_with_its_cc_blocks(tmp_path: Path) -> None:
    write_files(tmp_path, {**ODD_FILES, "fine.py": "y = 2\n"})
    out = run_collector(ComplexityCollector(), tmp_path)
    assert sorted((f.path, f.collector, f.kind) for f in out.failures) == [
        ("odd_identifier.py", "complexity", "tool_error"), ("odd_separator.py", "complexity", "tool_error")]
    assert all(f.message.startswith("radon raw/mi: SyntaxError") for f in out.failures)
    section = out.section
    assert isinstance(section, ComplexitySection)
    assert [m.path for m in section.files] == ["fine.py"] and out.files == 3
    raw = _radon_json(tmp_path, "raw", [*ODD_FILES, "fine.py"])
    mi = _radon_json(tmp_path, "mi", [*ODD_FILES, "fine.py"])
    for odd in ODD_FILES:  # radon itself cannot measure them ...
        assert "error" in raw[odd] and "error" in mi[odd]
    assert "error" not in raw["fine.py"]
    cc = _radon_json(tmp_path, "cc", [*ODD_FILES, "fine.py"])  # ... but cc can, and so does the collector
    for odd in ODD_FILES:
        ours = sorted((b.model_dump(include=set(BLOCK_FIELDS)) for b in section.blocks if b.file == odd),
                      key=_block_key)
        assert ours and ours == sorted(({f: e.get(f) for f in BLOCK_FIELDS} for e in cc[odd]), key=_block_key)


def test_results_are_plain_models(section: ComplexitySection) -> None:
    """Evidence round-trips through JSON (the runner caches per-file results by content)."""
    again = ComplexitySection.model_validate_json(section.model_dump_json())
    assert again == section
    assert all(isinstance(b, BlockComplexity) for b in again.blocks)


def test_file_result_needs_metrics_or_failure() -> None:
    """A cached entry of the wrong shape must not validate as an empty result (the cache treats it as a miss)."""
    with pytest.raises(ValueError):
        ComplexityFileResult.model_validate({"unexpected": True})
    failure = FileFailure(path="a.py", collector="complexity", kind="tool_error", message="radon raw/mi: x")
    result = ComplexityFileResult(failure=failure)
    assert ComplexityFileResult.model_validate_json(result.model_dump_json()) == result
