"""Topics in model prose are not facts: a sentence that asserts a problem no measured finding supports is removed.

A small model asked to "review for SQL injection, eval/exec, pickle ..." tends to answer with that very list,
whatever the repository holds. Each sentence of the model's prose (summary, strengths, adjustment reason) is
matched against :data:`TOPICS`: a topic is supported when at least one unsuppressed finding in the evidence has a
rule that matches one of the topic's globs. A sentence that asserts an unsupported topic is removed whole and
counted; a negated mention ("no SQL injection was found") asserts nothing and is kept.

Strengths are cleaned as well (:func:`clean_strengths`): empty or one-word items, duplicates (case, whitespace
and punctuation ignored) and sentences that describe a problem rather than a strength are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from reviewer.findings import Finding

__all__ = [
    "TOPICS",
    "unsupported_topics",
    "Topic",
    "TopicCheck",
    "check_topics",
    "clean_strengths",
    "describes_problem",
    "is_negated",
    "split_sentences",
    "strength_key",
    "supported_topics",
]


@dataclass(frozen=True)
class Topic:
    name: str
    pattern: re.Pattern[str]
    rules: tuple[str, ...]
    """Finding rule globs (``fnmatch``) whose presence supports the topic."""


def _topic(name: str, pattern: str, *rules: str) -> Topic:
    return Topic(name, re.compile(pattern, re.I), rules)


_SECRET_NOUN = r"(?:secrets?|passwords?|credentials?|tokens?|api[\s_-]*keys?|private\s+keys?)"

TOPICS: tuple[Topic, ...] = (
    _topic("SQL injection",
           r"\bsql[\s-]*injection|\bsql\s+(?:queries\s+|statements?\s+)?(?:built|assembled|constructed|formatted)"
           r"\s+(?:from|with|by)\b|\bsql\s+string\s+(?:building|concatenation|formatting)",
           "bandit.B608", "bandit.B610", "bandit.B611"),
    _topic("eval/exec", r"\b(?:eval|exec)\b", "bandit.B307", "bandit.B102"),
    _topic("pickle/marshal deserialisation", r"\b(?:c?pickle|marshal|dill|shelve)\b",
           "bandit.B301", "bandit.B302", "bandit.B403"),
    _topic("unsafe deserialisation", r"\b(?:unsafe|insecure|untrusted)\s+deseriali[sz]\w*",
           "bandit.B301", "bandit.B302", "bandit.B403", "bandit.B506"),
    _topic("yaml.load", r"\byaml\.(?:unsafe_)?load\b|\byaml\s+load(?:ing)?\b|\b(?:unsafe|insecure)\s+yaml\b",
           "bandit.B506"),
    _topic("shell=True / command injection",
           r"\bshell\s*=\s*true\b|\b(?:shell|command|os)\s+(?:command\s+)?injection|\bos\.system\b"
           r"|\bshell\s+commands?\b",
           "bandit.B602", "bandit.B604", "bandit.B605", "bandit.B609"),
    _topic("hardcoded secret",
           rf"\bhard[\s-]*coded\s+(?:\w+\s+)?{_SECRET_NOUN}|\b{_SECRET_NOUN}\s+(?:are\s+|is\s+)?"
           r"(?:hard[\s-]*coded|committed|checked\s+in|stored\s+in\s+(?:the\s+)?(?:source|code))",
           "bandit.B105", "bandit.B106", "bandit.B107", "secrets.*"),
    _topic("disabled TLS verification",
           r"\b(?:disabled?|disabling|skip(?:s|ped|ping)?|turn(?:s|ed)?\s+off)\s+(?:the\s+)?(?:tls\s+|ssl\s+|https\s+)?"
           r"(?:certificate\s+|cert\s+)?(?:verification|validation)|\bverify\s*=\s*false\b"
           r"|\b(?:certificate|tls|ssl)\s+(?:verification|validation)\s+(?:is\s+)?(?:disabled|skipped|off)\b",
           "bandit.B501", "bandit.B323"),
    _topic("weak hash", r"\b(?:md5|sha1)\b|\bweak\s+(?:hash\w*|crypto\w*)", "bandit.B303", "bandit.B324"),
    _topic("assert in production code",
           r"\b(?:use\s+of\s+|uses?\s+)assert\b|\bassert(?:ion)?s?\s+(?:statements?\s+)?(?:in\s+production|used\s+for"
           r"|(?:are\s+|is\s+)?(?:removed|stripped)\s+(?:with|under)|for\s+(?:validation|security|control))"
           r"|\bassert\s+statements?\b",
           "bandit.B101"),
    _topic("swallowed exception",
           r"\bbare\s+`?except|\bexcept\s*:|\bswallow(?:s|ed|ing)?\s+(?:all\s+)?(?:the\s+)?(?:exceptions?|errors?)"
           r"|\b(?:exceptions?|errors?)\s+(?:are\s+|is\s+|being\s+|get\s+)?(?:silently\s+)?(?:swallowed|ignored)"
           r"|\bsilently\s+(?:ignor|swallow|catch|caught)\w*|\bexcept\s+\w+(?:\s+as\s+\w+)?\s*:\s*pass\b",
           "smells.bare_except", "smells.except_pass", "bandit.B110", "bandit.B112"),
    _topic("TODO/FIXME/stubs",
           r"\b(?:todo|fixme|xxx)s?\b|\bstub(?:s|bed)?\b|\bplaceholders?\b|\bscratch\s+files?\b"
           r"|\bnotimplementederror\b|\bunfinished\s+(?:code|work|functions?)",
           "markers.*"),
    _topic("undeclared or unused dependency",
           r"\b(?:undeclared|unused|undocumented|unlisted|missing)\s+(?:\w+\s+)?dependenc(?:y|ies)\b"
           r"|\bdependenc(?:y|ies)\s+(?:that\s+(?:are|is)\s+|are\s+|is\s+)?(?:not\s+declared|never\s+(?:used|imported)"
           r"|unused|undeclared)",
           "deps.*"),
    _topic("failing tests",
           r"\b(?:failing|failed|broken)\s+tests?\b|\btests?\s+(?:are\s+|is\s+)?(?:failing|fail(?:s|ed)?)\b"
           r"|\btest\s+failures?\b",
           "tests.failed", "tests.error"),
    _topic("hardcoded paths",
           r"\bhard[\s-]*coded\s+(?:\w+\s+)?(?:paths?|director(?:y|ies)|folders?)\b"
           r"|\b(?:absolute|user|home)\s+paths?\s+(?:are\s+|is\s+)?hard[\s-]*coded",
           "smells.hardcoded_path*", "config.*path*"),
    _topic("environment overwritten",
           r"\b(?:overwrit|overrid|clobber)\w*\s+(?:the\s+|of\s+)?(?:\w+\s+)?environment\s+variables?"
           r"|\benvironment\s+variables?\s+(?:are\s+|is\s+|get\s+)?(?:overwritten|overridden|clobbered)",
           "smells.env_*"),
    _topic("forced offline mode",
           r"\boffline\s+mode\s+(?:is\s+)?(?:forced|hard[\s-]*coded)|\bforce[sd]?\s+offline\b|\bhf_hub_offline\b"
           r"|\blocal_files_only\b",
           "smells.forced_offline"),
    _topic("high complexity",
           r"\b(?:high|excessive|significant|large)\s+(?:level\s+of\s+|degree\s+of\s+)?(?:cyclomatic\s+)?complexity"
           r"|\b(?:overly|highly|too)\s+complex\b|\bcomplex\s+functions?\b",
           "radon.cc", "radon.mi"),
    _topic("security vulnerabilities",
           r"\bsecurity\s+(?:issues?|problems?|vulnerabilit(?:y|ies)|flaws?|holes?|risks?|concerns?)"
           r"|\bvulnerabilit(?:y|ies)\b|\bvulnerable\s+to\b|\bexploitable\b",
           "bandit.*", "secrets.*", "security.*"),
)

_CONTRAST = re.compile(r"\b(?:but|however|although|though|yet|whereas|while|except|apart\s+from"
                       r"|and\s+(?:it\s+)?(?:is|are|has|have|uses?|contains?|relies|suffers))\b|[;:]", re.I)
_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|never|none|nor|neither|without|zero|0|free\s+(?:of|from)|absence\s+of|no\s+sign\s+of)\b|n't\b",
    re.I)
_NEGATION_AFTER = re.compile(
    r"^[^,;:]*?\b(?:(?:was|were|is|are|has\s+been|have\s+been|could\s+be|can\s+be)\s+(?:not|never)\b"
    r"|not\s+(?:found|detected|present|seen|used|reported|an\s+issue)|(?:is|are)\s+absent|none\s+(?:found|detected))",
    re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (split after . ! ? followed by whitespace, and at newlines), stripped, non-empty."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def is_negated(sentence: str, start: int, end: int) -> bool:
    """True when the mention at ``sentence[start:end]`` is negated: a negation earlier in its clause (not cut off
    by 'but', 'however', ';' ...) or a 'was not found'-style phrase right after it."""
    before = sentence[:start]
    cuts = list(_CONTRAST.finditer(before))
    if cuts:
        before = before[cuts[-1].end():]
    if _NEGATION_BEFORE.search(before):
        return True
    after = sentence[end:]
    cut = _CONTRAST.search(after)
    if cut:
        after = after[:cut.start()]
    return bool(_NEGATION_AFTER.search(after))


def supported_topics(findings: Iterable[Finding]) -> set[str]:
    """Names of the topics that at least one unsuppressed finding supports."""
    rules = {f.rule for f in findings if not f.suppressed}
    return {t.name for t in TOPICS if any(fnmatchcase(r, g) for r in rules for g in t.rules)}


def unsupported_topics(sentence: str, supported: set[str]) -> list[str]:
    """The topics ``sentence`` asserts (not negated) that are not supported."""
    out = []
    for topic in TOPICS:
        if topic.name in supported:
            continue
        if any(not is_negated(sentence, m.start(), m.end()) for m in topic.pattern.finditer(sentence)):
            out.append(topic.name)
    return out


@dataclass
class TopicCheck:
    text: str
    unsupported: list[str] = field(default_factory=list)
    """One entry per removed sentence: the sentence and the topics no finding supports."""


def check_topics(text: str, supported: set[str]) -> TopicCheck:
    """Remove every sentence of ``text`` that asserts a topic outside ``supported`` (see :func:`supported_topics`)."""
    kept, removed = [], []
    for sentence in split_sentences(text):
        topics = unsupported_topics(sentence, supported)
        if topics:
            removed.append(f"{sentence!r}: no finding in the evidence supports {', '.join(topics)}")
        else:
            kept.append(sentence)
    if not removed:
        return TopicCheck(text=text.strip())
    return TopicCheck(text=" ".join(kept), unsupported=removed)


_PROBLEM = re.compile(
    r"\b(?:vulnerab\w*|exploit\w*|insecure|unsafe|issues?|problems?|bugs?|flaws?|defects?|concern\w*|lack\w*"
    r"|missing|littered|risk\w*|fail\w*|broken|poor\w*|weak\w*|injection|hard[\s-]*coded|undeclared|unused"
    r"|stubs?|todos?|fixme|smells?|debt|messy|confusing|outdated|deprecated|leaks?|crash\w*"
    r"|should|needs?\s+to|must|could\s+(?:lead|cause|impact|break|result)|too\s+(?:many|few|complex|long)"
    r"|high\s+(?:level\s+of\s+)?complexity)\b",
    re.I)


def describes_problem(sentence: str) -> bool:
    """True when ``sentence`` names a problem (a mention that is not negated: 'no issues found' is a strength)."""
    return any(not is_negated(sentence, m.start(), m.end()) for m in _PROBLEM.finditer(sentence))


def strength_key(text: str) -> str:
    """What two strengths must share to be duplicates: lower-case words, punctuation and spacing ignored."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def clean_strengths(items: Iterable[str]) -> tuple[list[str], int]:
    """(the strengths worth showing, how many items were left out).

    Within each item, sentences that describe a problem are removed; an item left empty or with fewer than two
    words, or repeating an earlier item (see :func:`strength_key`), is left out.
    """
    out: list[str] = []
    seen: set[str] = set()
    left_out = 0
    for item in items:
        text = " ".join(s for s in split_sentences(item) if not describes_problem(s))
        key = strength_key(text)
        if len(key.split()) < 2 or key in seen:
            left_out += 1
            continue
        seen.add(key)
        out.append(text)
    return out, left_out
