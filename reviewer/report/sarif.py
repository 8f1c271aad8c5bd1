"""SARIF 2.1.0 for GitHub code scanning.

* one rule per finding rule, with short/full descriptions and help text;
* levels from severity: critical/high -> error, medium -> warning, low/info -> note;
* repo-relative ``artifactLocation`` with ``uriBaseId`` ``%SRCROOT%``;
* ``partialFingerprints`` from :func:`reviewer.findings.fingerprint` (rule + file + normalised code of the line,
  not the line number) plus an occurrence index among identical lines, so alerts deduplicate across runs
  when unrelated lines shift;
* GitHub rejects a whole upload when one result has no location, so repository-wide findings are anchored at
  line 1 of a file the result knows (``anchor``), and marked ``repositoryWide`` in their properties;
* suppressed findings stay in the log with ``suppressions``.
"""

from __future__ import annotations

from collections import defaultdict
from importlib.metadata import PackageNotFoundError, metadata
from typing import Any

from reviewer.findings import Finding, Severity
from reviewer.report.context import finding_sort_key, provenance_text
from reviewer.review.result import ReviewResult

__all__ = ["FINGERPRINT_KEY", "SARIF_SCHEMA", "SARIF_VERSION", "choose_anchor", "information_uri", "to_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "reviewerFinding/v1"
_FALLBACK_URI = "https://pypi.org/project/reviewer/"
_ANCHOR_PREFERENCE = ("pyproject.toml", "setup.py", "setup.cfg", "README.md", "README.rst")
_LEVELS: dict[Severity, str] = {
    Severity.critical: "error",
    Severity.high: "error",
    Severity.medium: "warning",
    Severity.low: "note",
    Severity.info: "note",
}
# GitHub reads properties.security-severity (0.0-10.0) to rank security alerts.
_SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.critical: "9.5",
    Severity.high: "8.0",
    Severity.medium: "5.5",
    Severity.low: "3.0",
    Severity.info: "1.0",
}


def information_uri() -> str:
    """The project's home page from the installed package metadata, else its package index page."""
    try:
        meta = metadata("reviewer")
    except PackageNotFoundError:
        return _FALLBACK_URI
    for entry in meta.get_all("Project-URL") or []:
        _, _, url = entry.partition(",")
        if url.strip().startswith("https://"):
            return url.strip()
    home = meta.get("Home-page")
    return home if home and home.startswith("https://") else _FALLBACK_URI


def choose_anchor(result: ReviewResult) -> str:
    """A file the result knows exists, for findings that have no file: a manifest or README if seen, else
    the first file any finding or the model context names, else ``pyproject.toml``."""
    known = {f.file for f in result.findings if f.file} | set(result.model_context.files_seen)
    for name in _ANCHOR_PREFERENCE:
        if name in known:
            return name
    return min(known) if known else _ANCHOR_PREFERENCE[0]


def _rule(rule_id: str, findings: list[Finding]) -> dict[str, Any]:
    first = findings[0]
    worst = min(findings, key=lambda f: f.severity.rank)
    sources = sorted({f.source for f in findings})
    kind = "model judgement" if sources == ["model"] else "measured by " + ", ".join(sources)
    advice = next((f.recommendation for f in findings if f.recommendation), "")
    help_text = advice or f"Review the {len(findings)} result(s) of {rule_id} and fix or suppress each with a reason."
    tags = sorted({t for f in findings for t in (f.category, "model" if f.source == "model" else "measured") if t})
    props: dict[str, Any] = {"tags": tags}
    if any(f.category == "security" for f in findings):
        props["security-severity"] = _SECURITY_SEVERITY[worst.severity]
    if first.cwe is not None:
        props["cwe"] = f"CWE-{first.cwe}"
    return {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": first.title[:200] or rule_id},
        "fullDescription": {"text": f"{rule_id} ({kind}): {first.title}"},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _LEVELS[worst.severity]},
        "properties": props,
    }


def _location(finding: Finding, anchor: str) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.line or 1}
    if finding.file and finding.line and finding.end_line and finding.end_line >= finding.line:
        region["endLine"] = finding.end_line
    artifact = {"uri": finding.file or anchor, "uriBaseId": "%SRCROOT%"}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _message(finding: Finding, default_model: str | None) -> str:
    who = provenance_text(finding, default_model)
    parts = [finding.title, finding.evidence, f"Recommendation: {finding.recommendation}" if finding.recommendation else ""]
    return "\n".join(p for p in parts if p) + f"\n[{who}]"


def _result(finding: Finding, rule_index: int, occurrence: int, anchor: str, model: str | None) -> dict[str, Any]:
    base = finding.fingerprint or finding.compute_fingerprint()
    props: dict[str, Any] = {"severity": finding.severity.value, "source": finding.source}
    for key, value in (("findingId", finding.id), ("category", finding.category), ("agent", finding.agent),
                       ("model", finding.model)):
        if value:
            props[key] = value
    if not finding.file:
        props["repositoryWide"] = True
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": _message(finding, model)},
        "locations": [_location(finding, anchor)],
        "partialFingerprints": {FINGERPRINT_KEY: f"{base}:{occurrence}"},
        "properties": props,
    }
    if finding.suppressed:
        external = (finding.suppression or "").startswith("suppressions file")
        out["suppressions"] = [{"kind": "external" if external else "inSource",
                                "justification": finding.suppression or "suppressed"}]
    return out


def to_sarif(result: ReviewResult, *, anchor: str | None = None) -> dict[str, Any]:
    """The result as one SARIF 2.1.0 log with one run."""
    findings = sorted(result.findings, key=finding_sort_key)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule].append(finding)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    seen: dict[str, int] = defaultdict(int)
    where = anchor or choose_anchor(result)
    results = []
    for finding in sorted(findings, key=lambda f: (f.rule, f.file or "", f.line or 0, f.id or "")):
        key = finding.fingerprint or finding.compute_fingerprint()
        results.append(_result(finding, index[finding.rule], seen[key], where, result.backend.model))
        seen[key] += 1
    driver = {
        "name": "reviewer",
        "version": result.tool_version,
        "informationUri": information_uri(),
        "rules": [_rule(rule_id, by_rule[rule_id]) for rule_id in rule_ids],
    }
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}
    run["automationDetails"] = {"id": f"reviewer/{result.repo_name}/"}
    run["properties"] = {"overallScore": result.overall_score, "verdict": result.verdict,
                         "backend": result.backend.name, "model": result.backend.model or ""}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
