"""Security issues found by bandit, used as a library on the sources the :class:`SourceStore` already read.

How bandit is driven
    ``BanditManager.run_tests`` opens each file itself and hands the open binary file to
    ``BanditManager._parse_file(fname, fdata, files_list)``, which counts lines of code, reads the ``# nosec``
    comments, runs every test through ``BanditNodeVisitor`` and records a file it cannot handle in
    ``manager.skipped``. This collector calls that same per-file entry point with an ``io.BytesIO`` of the
    bytes the SourceStore already holds (exactly what ``run_tests`` does for stdin), so each file is read once,
    bandit's own nosec handling, metrics and error handling stay in force, and the results are what
    ``bandit -r -f json`` reports for the same files (the tests compare with the CLI). ``_parse_file`` is
    private but has kept that signature since bandit 1.5; driving ``BanditNodeVisitor`` directly would mean
    re-implementing the nosec parsing, line counting and error handling. The visitor is not fed the
    SourceStore's AST: bandit annotates the nodes it visits (``_bandit_parent``), which would mutate a tree
    other collectors share, so bandit parses its own copy (about 10% of the time).

Speed
    The manager is a thin subclass whose ``_execute_ast_visitor`` (five lines, as in bandit) gives the visitor
    a tester that skips bandit's per-line ``# nosec`` look-up in files with no ``# nosec`` comment, where that
    look-up always answers "none" but costs O(lines of a literal) per string inside it; results are identical
    to bandit's manager (tested), and rich's source scans in about half the time. A file with a ``# nosec``
    comment gets bandit's own look-up.

Caching and threads
    The collector is a :class:`PerFileCollector`: a file's result depends on its content only (bandit's module
    qualname is the one path-dependent input, and no bandit test reads it), so the runner may cache it; the
    version includes bandit's. Everything path-dependent (``assert`` in test files) is decided in
    ``summarize``. Each ``analyze``/``analyze_batch`` call builds its own ``BanditManager`` (about 0.1 ms),
    because the manager is not thread safe; building it configures bandit's plugin functions (module-level
    state), which is done under a lock. No concurrency inside the collector: bandit is pure Python, so threads
    would not make it faster under the GIL.

Counting
    * ``# nosec`` (blanket or naming the test) suppressions are bandit's own ``nosec`` + ``skipped_tests``
      metrics, in ``suppressed_nosec``.
    * ``B101`` (assert) in a test file (``tests/``, ``test_*.py``, ...) is not a finding; it is counted in
      ``suppressed_test_asserts``. So are the other noise rules of ``config.noise.test_bandit`` (dummy
      passwords B105-B107, ``random`` B311) in test code (tests and fixtures scopes), counted in
      ``suppressed_test_noise``. Everything else in test files is reported as bandit reports it.
    * Low-signal rules are ``info`` (``config.noise.low_signal_info``): import-only blacklist entries
      (B401-B415, B404 ``import subprocess`` among them) and B603 with a literal program in an argument list.
    * ``counts_by_severity`` / ``counts_by_confidence`` use bandit's own ranks (``HIGH``, ``MEDIUM``, ``LOW``)
      over the reported findings, so on non-test files they equal ``bandit -r -f json``'s metrics.
    * Finding severity: bandit's severity (HIGH -> high, MEDIUM -> medium, LOW -> low), lowered one step
      (high -> medium, medium -> low, low -> info) when bandit's confidence is LOW: such hits are mostly
      false positives. HIGH severity at HIGH confidence (shell injection, weak hashing used for security,
      ...) is **critical**: bandit is sure and rates it high, so the default gate (``critical: 0``) stops on
      it; rules whose harm depends on context bandit cannot see (:data:`CONTEXT_DEPENDENT`: weak hash, TLS
      verification off, template autoescape) stay ``high``. The finding's ``confidence`` is bandit's, lower-cased.
    * A bandit plugin that raises is only logged by bandit and the file counts as scanned, as in the CLI; a
      file bandit gives up on (``manager.skipped``) becomes a ``FileFailure(kind="tool_error")``.

Secrets
    For B105/B106/B107 (hard-coded password) bandit's text quotes the literal. The title keeps bandit's text
    with the value replaced, and every string literal on the code line is replaced by ``'***'``; each such
    value is also removed from any other issue of the same file. Redaction happens before a result can be
    cached, so no copy of the secret leaves bandit's objects.
"""

from __future__ import annotations

import logging
import re
from importlib.metadata import version
from typing import ClassVar

from pydantic import BaseModel, Field

from reviewer.collectors.base import CollectContext, CollectorOutput, PerFileCollector
from reviewer.discovery import is_test_path
from reviewer.evidence import FileFailure, SecuritySection
from reviewer.findings import Finding, Severity
from reviewer.scopes import TEST_SCOPES, scope_of
from reviewer.redact import remember
from reviewer.source import SourceFile

__all__ = [
    "SECRET_TESTS",
    "BanditFileResult",
    "BanditIssue",
    "SecurityCollector",
    "recommendation_for",
    "redact_line",
    "scan_sources",
]

SECRET_TESTS = frozenset({"B105", "B106", "B107"})
RANKS = ("LOW", "MEDIUM", "HIGH")
REDACTED = "***"

# Without a handler bandit's warnings ("Unable to find qualified name ...") reach stderr via logging's last
# resort; the failures that matter become FileFailure records instead.
logging.getLogger("bandit").addHandler(logging.NullHandler())

BANDIT_VERSION = version("bandit")
_SEVERITY = {"HIGH": Severity.high, "MEDIUM": Severity.medium, "LOW": Severity.low}
_LOWER = {Severity.high: Severity.medium, Severity.medium: Severity.low, Severity.low: Severity.info,
          Severity.info: Severity.info, Severity.critical: Severity.high}
# A Python string literal (optional prefix, any quote, escapes), or an unterminated one running to the end.
_STRING = re.compile(
    r"(?P<prefix>(?<![\w])[rRbBuUfF]{0,2})(?P<q>'''|\"\"\"|'|\")(?P<body>(?:\\.|(?!(?P=q)).)*)(?P<end>(?P=q)|$)",
    re.S,
)
_PASSWORD_TEXT = re.compile(r"^(?P<head>.*?: )'(?P<secret>.*)'$", re.S)


class BanditIssue(BaseModel):
    """One bandit issue, with secrets already redacted (safe to cache)."""

    test_id: str
    test_name: str
    severity: str
    confidence: str
    text: str
    line: int
    end_line: int | None = None
    col: int = 0
    cwe: int | None = None
    code: str = ""
    more_info: str = ""
    literal_program: bool = Field(
        default=False, description="B603 only: the call's argument list starts with a literal program name")


class BanditFileResult(BaseModel):
    """What bandit measured in one file (a pure function of the file content)."""

    loc: int = 0
    nosec: int = 0
    skipped_tests: int = 0
    issues: list[BanditIssue] = Field(default_factory=list)


# --- redaction -----------------------------------------------------------------------------------


MIN_SECRET_CHARS = 4
"""Shorter values are not searched for outside string literals (those are always redacted): replacing "t" or
"1" everywhere would mangle identifiers and numbers, and hides nothing a reader could use."""


def redact_line(code: str, secrets: list[str] | None = None) -> str:
    """``code`` with every string literal's body replaced by ``***`` and every known secret (as a whole token,
    at least :data:`MIN_SECRET_CHARS` long) removed from the rest, e.g. a comment repeating it."""
    out = _STRING.sub(lambda m: f"{m['prefix']}{m['q']}{REDACTED if m['body'] else ''}{m['end']}", code)
    for secret in secrets or []:
        if len(secret) >= MIN_SECRET_CHARS:
            out = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", REDACTED, out)
    return out


def _secret_of(text: str) -> str | None:
    match = _PASSWORD_TEXT.match(text)
    return match["secret"] if match else None


def _redact_title(test_id: str, text: str, secrets: list[str]) -> str:
    match = _PASSWORD_TEXT.match(text) if test_id in SECRET_TESTS else None
    if match:
        return f"{match['head']}'{REDACTED}'"
    return redact_line(text, secrets) if any(len(s) >= MIN_SECRET_CHARS and s in text for s in secrets) else text


# --- recommendations -----------------------------------------------------------------------------

_ADVICE: list[tuple[tuple[str, ...], str]] = [
    (("B101",), "Raise an explicit exception instead of assert: asserts are removed under python -O."),
    (("B102", "B307"), "Avoid exec/eval on data; use ast.literal_eval, a parser or an explicit dispatch table."),
    (("B103",), "Give files the narrowest permissions they need (e.g. 0o600 / 0o644), never world-writable."),
    (("B104",), "Bind to 127.0.0.1 or a configured interface instead of all interfaces (0.0.0.0)."),
    (("B105", "B106", "B107"),
     "Load secrets from the environment or a secret manager, never from source; rotate the exposed value."),
    (("B108", "B306"), "Use tempfile.mkstemp / NamedTemporaryFile / TemporaryDirectory, not fixed or mktemp paths."),
    (("B110", "B112"), "Handle or log the exception, and catch only the exception types you expect."),
    (("B113",), "Pass a timeout to every HTTP request so a stalled server cannot hang the program."),
    (("B201",), "Never run Flask with debug=True outside development: the debugger allows code execution."),
    (("B202",), "Extract archives with a filter (filter='data') or validate member paths first."),
    (("B301", "B302", "B403", "B614"),
     "Do not deserialize untrusted data with pickle/marshal/torch.load; use JSON or weights_only=True."),
    (("B303", "B304", "B305", "B324", "B413"),
     "Use strong primitives (SHA-256, AES-GCM via cryptography); pass usedforsecurity=False for non-security hashes."),
    (("B308", "B703", "B704"), "Escape user content; do not mark untrusted strings as safe HTML."),
    (("B310",), "Validate the URL scheme (http/https only) before opening it."),
    (("B311",), "Use the secrets module for tokens, keys and passwords; random is predictable."),
    (("B312", "B321", "B401", "B402"), "Use encrypted protocols (SSH/SFTP/FTPS) instead of telnet or plain FTP."),
    (tuple(f"B{n}" for n in [*range(313, 321), *range(405, 412)]),
     "Parse untrusted XML with defusedxml, which blocks entity-expansion and external-entity attacks."),
    (("B323", "B501", "B502", "B503", "B504", "B507"),
     "Keep certificate/host-key verification on and use TLS 1.2+ with the default SSL context."),
    (("B505",), "Use RSA/DSA keys of at least 2048 bits (EC: 224 bits)."),
    (("B506",), "Use yaml.safe_load (or Loader=yaml.SafeLoader) for anything not fully trusted."),
    (("B404", "B602", "B603", "B604", "B605", "B606", "B607", "B609"),
     "Run subprocesses with an argument list, shell=False and a full executable path; never interpolate "
     "untrusted input into a shell command (shlex.quote if a shell is unavoidable)."),
    (("B601",), "Quote or validate anything passed to paramiko exec_command; prefer fixed commands."),
    (("B608", "B610", "B611"), "Use parameterized queries / ORM parameters instead of building SQL from strings."),
    (("B612",), "Do not expose logging.config.listen on untrusted networks; it can execute received config."),
    (("B613",), "Remove bidirectional control characters from source (Trojan Source)."),
    (("B615",), "Pin Hugging Face downloads to a specific revision (commit hash)."),
    (("B701", "B702"), "Enable autoescaping in the template engine (autoescape=True / select_autoescape)."),
]
_ADVICE_BY_ID: dict[str, str] = {tid: text for ids, text in _ADVICE for tid in ids}


def recommendation_for(test_id: str, more_info: str = "") -> str:
    """Advice for one bandit test id, followed by bandit's documentation link when known."""
    advice = _ADVICE_BY_ID.get(test_id, "Review this code against bandit's explanation of the check.")
    return f"{advice} See {more_info}" if more_info else advice


def _redacted(issues: list[BanditIssue]) -> list[BanditIssue]:
    secrets = [s for i in issues if i.test_id in SECRET_TESTS for s in [_secret_of(i.text)] if s]
    remember(secrets)  # every later output and prompt of this process masks them too
    out: list[BanditIssue] = []
    for issue in issues:
        if issue.test_id in SECRET_TESTS:
            code = redact_line(issue.code, secrets)
        else:
            code = redact_line(issue.code, secrets) if any(len(s) >= MIN_SECRET_CHARS and s in issue.code
                                                           for s in secrets) else issue.code
        out.append(issue.model_copy(update={"code": code, "text": _redact_title(issue.test_id, issue.text, secrets)}))
    return out


def scan_sources(sources: list[SourceFile], fast: bool = True) -> dict[str, BanditFileResult | FileFailure]:
    """Run bandit over already-read sources (see :mod:`reviewer.collectors.bandit_scan`, imported only here:
    bandit takes a fifth of a second to import, and a warm run whose results are all cached never needs it)."""
    from reviewer.collectors.bandit_scan import scan_sources as scan

    return scan(sources, fast)


# --- the collector -------------------------------------------------------------------------------


IMPORT_ONLY = frozenset(f"B{n}" for n in range(401, 416))
"""Bandit's import blacklist: the module is imported, nothing unsafe is done with it yet (the calls have their
own checks, B301-B324)."""
CONTEXT_DEPENDENT = frozenset({"B104", "B324", "B501", "B502", "B503", "B504", "B507", "B701", "B702", "B703"})
"""Rules whose HIGH severity depends on context bandit cannot see: whether a weak hash stores passwords or keys
an HMAC (SHA-1 in an HMAC, as Flask signs sessions, is not broken), whether a template renders HTML at all,
whether a request without certificate checks carries anything secret (often a user's own ``--no-verify``
option), whether binding all interfaces is the server's purpose. At HIGH confidence they are ``high`` (a fix
to make), not ``critical`` (a blocker): bandit is sure of the pattern, not of the harm. Code execution and
injection rules (shell, eval/exec, pickle, yaml.load, SQL) stay critical."""


def low_signal(issue: BanditIssue) -> bool:
    """Rules that say little on their own: ``import subprocess`` (B404), a subprocess call with a literal program
    in an argument list (B603: no shell), and import-only blacklist entries."""
    return issue.test_id in IMPORT_ONLY or (issue.test_id == "B603" and issue.literal_program)


def _severity(issue: BanditIssue, low_signal_info: bool) -> Severity:
    severity = _SEVERITY.get(issue.severity.upper(), Severity.info)
    if low_signal_info and low_signal(issue):
        return Severity.info
    if issue.confidence.upper() == "LOW":
        return _LOWER[severity]
    if severity is Severity.high and issue.confidence.upper() == "HIGH" and issue.test_id not in CONTEXT_DEPENDENT:
        return Severity.critical  # bandit is sure and rates it high: what the default gate stops on
    return severity


def _finding(rel: str, issue: BanditIssue, low_signal_info: bool = True) -> Finding:
    severity = _severity(issue, low_signal_info)
    return Finding(
        rule=f"bandit.{issue.test_id}", severity=severity, title=issue.text, file=rel, line=issue.line,
        end_line=issue.end_line, source="security", evidence=issue.code or issue.text,
        recommendation=recommendation_for(issue.test_id, issue.more_info), snippet=issue.code,
        category="security", confidence=issue.confidence.lower(), cwe=issue.cwe,
    )


def _count(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


class SecurityCollector(PerFileCollector[BanditFileResult]):
    name = "security"
    version: ClassVar[str] = f"3+bandit{BANDIT_VERSION}"  # 3: literal_program recorded for B603
    result_model = BanditFileResult

    def analyze(self, source: SourceFile) -> BanditFileResult | FileFailure:
        return scan_sources([source])[source.rel]

    def analyze_batch(self, sources: list[SourceFile]) -> dict[str, BaseModel | FileFailure]:
        """One bandit manager for the whole batch (the manager is per call: it is not thread safe)."""
        out: dict[str, BaseModel | FileFailure] = {}
        out.update(scan_sources(sources))
        return out

    def summarize(self, ctx: CollectContext, results: dict[str, BanditFileResult]) -> CollectorOutput:
        section = SecuritySection(bandit_version=BANDIT_VERSION,
                                  counts_by_severity=dict.fromkeys(RANKS, 0),
                                  counts_by_confidence=dict.fromkeys(RANKS, 0))
        findings: list[Finding] = []
        for rel in sorted(results):
            result = results[rel]
            section.files_scanned += 1
            section.loc_scanned += result.loc
            section.suppressed_nosec += result.nosec + result.skipped_tests
            in_tests = scope_of(rel, ctx.config.scopes) in TEST_SCOPES or is_test_path(rel)
            for issue in result.issues:
                if in_tests and issue.test_id in ctx.config.noise.test_bandit:
                    if issue.test_id == "B101":
                        section.suppressed_test_asserts += 1
                    else:
                        section.suppressed_test_noise += 1
                    continue
                _count(section.counts_by_severity, issue.severity.upper())
                _count(section.counts_by_confidence, issue.confidence.upper())
                findings.append(_finding(rel, issue, ctx.config.noise.low_signal_info))
        return CollectorOutput(section=section, findings=findings)
