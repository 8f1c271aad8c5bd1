"""The claims audit: what the repository's own documents say about it, checked against the evidence.

Read: Markdown and reStructuredText at the root and under ``docs/`` (untrusted text: symlinks are not followed,
each document and the number of documents are bounded, fenced code is skipped). Checked: test counts, pass
rates and coverage percentages against the test run; "production ready" / "complete" against failing tests and
critical or high findings; paths and functions said to exist against the repository. A figure stated as a target
("should", "minimum", "fail_under", ...) is not a claim. Each contradiction is a finding at the document's line.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
from collections.abc import Iterator
from pathlib import Path

from reviewer.collectors.base import CollectContext, CollectorOutput
from reviewer.collectors.derived import DerivedCollector
from reviewer.confine import inside
from reviewer.evidence import ClaimCheck, ClaimsAuditSection, Evidence, SkippedFile, TestsSection
from reviewer.findings import Finding, Severity

__all__ = ["ClaimsAuditCollector", "claims_in_line", "document_paths"]

DOC_SUFFIXES = (".md", ".markdown", ".rst")
MAX_DOC_BYTES = 512 * 1024
MAX_DOCS = 200
MAX_DEPTH = 5
RULE = "docs.claim_contradicted"
_NUM = r"(\d{1,3}(?:\.\d+)?)"
_COVERAGE = [re.compile(_NUM + r"\s*%\s*(?:(?:test|code|line|branch|statement)\s+)?coverage", re.I),
             re.compile(r"coverage(?:\s+(?:is|of|at|reaches|above|over))*\s*[:=]?\s*" + _NUM + r"\s*%", re.I)]
_PASS_RATE = re.compile(_NUM + r"\s*%\s*(?:of\s+(?:the\s+)?tests\s+)?(?:pass(?:ing|ed|es)?\b|pass\s+rate|success)", re.I)
_ALL_PASS = re.compile(r"\ball\s+(?:\d+\s+)?tests\s+(?:are\s+)?pass(?:ing|ed|)\b", re.I)
_FRACTION = re.compile(r"(\d[\d,]*)\s*/\s*(\d[\d,]*)\s+(?:\w+\s+)?tests?\s+(?:are\s+)?pass", re.I)
_COUNT = re.compile(r"(over|more than|at least)?\s*(?<![\d.,])(\d[\d,]*)(\+)?\s+(?:unit\s+|integration\s+|end-to-end\s+"
                    r"|e2e\s+|automated\s+)?tests\b", re.I)
_READY = re.compile(r"production[- ]ready|ready for production|feature[- ]complete|fully implemented|"
                    r"implementation (?:is )?complete|100\s*% complete", re.I)
_NEGATION = re.compile(r"\b(not|never|isn't|aren't|no longer|before)\b[^.]{0,25}$", re.I)
_TARGET = re.compile(r"\b(target|goal|aim|require[sd]?|minimum|threshold|fail[_-]under|should|must|at least"
                     r" \d+\s*% coverage|expect)\b", re.I)
_PATH = re.compile(r"`([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+\.[A-Za-z0-9]{1,6})`")
_FUNC = re.compile(r"`((?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*))\(\)`")
_EXISTS = re.compile(r"\b(implement(?:ed|s)?|exist(?:s|ed)?|added|provide[sd]?|available|created|defined|"
                     r"already)\b", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)")


def _doc_candidates(root: Path) -> Iterator[Path]:
    for entry in sorted(root.iterdir()):
        yield entry
    docs = root / "docs"
    if docs.is_dir() and not docs.is_symlink():
        for dirpath, dirnames, filenames in os.walk(docs, followlinks=False):
            depth = len(Path(dirpath).relative_to(docs).parts)
            dirnames[:] = sorted(d for d in dirnames if depth < MAX_DEPTH and not d.startswith(("_", ".")))
            for name in sorted(filenames):
                yield Path(dirpath) / name


def document_paths(root: Path) -> tuple[list[Path], list[SkippedFile]]:
    """The documents to read, and those skipped (symlink, too large, over the count), confined to ``root``."""
    docs: list[Path] = []
    skipped: list[SkippedFile] = []
    for path in _doc_candidates(root):
        if not path.name.lower().endswith(DOC_SUFFIXES):
            continue
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not inside(root, path) or not path.is_file():
            skipped.append(SkippedFile(path=rel, collector="claims_audit", reason="symlink or not a regular file"))
        elif path.stat().st_size > MAX_DOC_BYTES:
            skipped.append(SkippedFile(path=rel, collector="claims_audit", reason=f"over {MAX_DOC_BYTES} bytes"))
        elif len(docs) >= MAX_DOCS:
            skipped.append(SkippedFile(path=rel, collector="claims_audit", reason=f"over {MAX_DOCS} documents"))
        else:
            docs.append(path)
    return docs, skipped


def _tests_ran(tests: TestsSection | None) -> bool:
    return tests is not None and tests.mode != "none" and tests.total > 0


class _Checker:
    """Checks one kind of claim against the evidence; returns (status, measured)."""

    def __init__(self, ctx: CollectContext, evidence: Evidence) -> None:
        self.ctx, self.evidence, self.tests = ctx, evidence, evidence.tests
        self._names: set[str] | None = None

    def coverage(self, claimed: float) -> tuple[str, str | None]:
        measured = self.tests.coverage_percent if self.tests is not None else None
        if measured is None:
            return "not_measured", None
        return ("verified" if claimed <= measured + 1.0 else "contradicted"), f"{measured:.1f}%"

    def pass_rate(self, claimed: float) -> tuple[str, str | None]:
        if not _tests_ran(self.tests) or self.tests is None or self.tests.pass_rate is None:
            return "not_measured", None
        rate = 100.0 * self.tests.pass_rate
        measured = f"{rate:.1f}% ({self.tests.passed} of {self.tests.total - self.tests.skipped} passed)"
        return ("verified" if claimed <= rate + 0.5 else "contradicted"), measured

    def count(self, claimed: int, at_least: bool) -> tuple[str, str | None]:
        if not _tests_ran(self.tests) or self.tests is None:
            return "not_measured", None
        total = self.tests.total
        ok = total >= claimed if at_least else abs(total - claimed) <= max(1, claimed // 10)
        return ("verified" if ok else "contradicted"), f"{total} tests"

    def readiness(self) -> tuple[str, str | None]:
        if not _tests_ran(self.tests) or self.tests is None:
            return "not_measured", "tests not run"
        failing = self.tests.failed + self.tests.errors
        severe = [f for f in self.evidence.findings if f.severity.rank <= 1 and not f.suppressed]
        if failing or severe:
            parts = [f"{failing} failing test(s)"] if failing else []
            parts += [f"{len(severe)} critical/high finding(s)"] if severe else []
            return "contradicted", ", ".join(parts)
        return "verified", f"{self.tests.passed} tests pass; no critical or high finding"

    def path(self, rel: str) -> tuple[str, str | None]:
        target = self.ctx.root / rel
        if ".." in rel.split("/") or not inside(self.ctx.root, target):
            return "not_measured", "outside the repository"
        return ("verified", "exists") if target.exists() else ("contradicted", "no such file")

    def function(self, name: str) -> tuple[str, str | None]:
        if self._names is None:
            self._names = {n.name for s in self.ctx.sources.sources() for n in ast.walk(s.tree)
                           if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        return ("verified", "defined") if name in self._names else ("contradicted", "not defined in any Python file")


def _num(text: str) -> int:
    return int(text.replace(",", ""))


def claims_in_line(line: str, top_dirs: set[str]) -> list[tuple[str, str, object]]:
    """(kind, claimed text, value) for each claim in one line of a document."""
    out: list[tuple[str, str, object]] = []
    figures_ok = not _TARGET.search(line)
    if figures_ok:
        out += [("coverage", f"{m.group(1)}% coverage", float(m.group(1))) for p in _COVERAGE for m in p.finditer(line)][:1]
        rates = [("pass_rate", f"{m.group(1)}% pass", float(m.group(1))) for m in _PASS_RATE.finditer(line)]
        rates += [("pass_rate", "all tests pass", 100.0) for _ in _ALL_PASS.finditer(line)]
        fractions = list(_FRACTION.finditer(line))
        for m in fractions:
            passed, total = _num(m.group(1)), _num(m.group(2))
            rates.append(("pass_rate", f"{passed}/{total} tests pass", 100.0 * passed / total if total else 0.0))
            out.append(("test_count", f"{total} tests", (total, False)))
        out += rates[:1]
        if not fractions:
            for m in _COUNT.finditer(line):
                n = _num(m.group(2))
                if n >= 2:
                    out.append(("test_count", m.group(0).strip(), (n, bool(m.group(1) or m.group(3)))))
                    break
    for m in _READY.finditer(line):
        if not _NEGATION.search(line[: m.start()]):
            out.append(("readiness", m.group(0), None))
            break
    out += [("file_exists", m.group(1), m.group(1)) for m in _PATH.finditer(line)
            if m.group(1).split("/")[0] in top_dirs]
    if _EXISTS.search(line):
        out += [("function_exists", f"{m.group(1)}()", m.group(2)) for m in _FUNC.finditer(line)
                if not hasattr(builtins, m.group(2))]
    return out


def _check(checker: _Checker, kind: str, value: object) -> tuple[str, str | None]:
    if kind == "coverage":
        return checker.coverage(float(value))  # type: ignore[arg-type]
    if kind == "pass_rate":
        return checker.pass_rate(float(value))  # type: ignore[arg-type]
    if kind == "test_count":
        n, at_least = value  # type: ignore[misc]
        return checker.count(n, at_least)
    if kind == "readiness":
        return checker.readiness()
    if kind == "file_exists":
        return checker.path(str(value))
    return checker.function(str(value))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            yield number, line


_SEVERITY = {"readiness": Severity.high, "coverage": Severity.medium, "pass_rate": Severity.medium,
             "test_count": Severity.medium, "file_exists": Severity.low, "function_exists": Severity.low}


def _finding(claim: ClaimCheck) -> Finding:
    title = f"{claim.file}:{claim.line} claims {claim.claimed}; measured {claim.measured}"
    return Finding(rule=RULE, severity=_SEVERITY[claim.kind], title=title[:200], file=claim.file, line=claim.line,
                   source="claims_audit", category="documentation", scope="docs", evidence=claim.text,
                   recommendation="Correct the document, or make the code and tests match what it says.")


class ClaimsAuditCollector(DerivedCollector):
    name = "claims_audit"

    def derive(self, ctx: CollectContext, evidence: Evidence) -> CollectorOutput:
        docs, skipped = document_paths(ctx.root)
        top_dirs = {p.name for p in ctx.root.iterdir() if p.is_dir() and not p.is_symlink()}
        checker = _Checker(ctx, evidence)
        claims: list[ClaimCheck] = []
        for path in docs:
            rel = path.relative_to(ctx.root).as_posix()
            text = path.read_bytes().decode("utf-8", errors="replace")
            for number, line in _lines(text):
                for kind, claimed, value in claims_in_line(line, top_dirs):
                    status, measured = _check(checker, kind, value)
                    claims.append(ClaimCheck(file=rel, line=number, kind=kind, text=line.strip()[:200],  # type: ignore[arg-type]
                                             claimed=claimed[:120], measured=measured, status=status))  # type: ignore[arg-type]
        section = ClaimsAuditSection(documents=[p.relative_to(ctx.root).as_posix() for p in docs],
                                     claims=claims, skipped=skipped)
        findings = [_finding(c) for c in claims if c.status == "contradicted"]
        return CollectorOutput(section=section, findings=findings, skipped=skipped, files=len(docs))
