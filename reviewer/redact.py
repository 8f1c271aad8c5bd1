"""The one redaction sink: every output and every prompt passes through here before it is written or sent.

Detection is Yelp's ``detect-secrets`` (its maintained detector patterns: AWS, GitHub, GitLab, Slack, Stripe,
JWT, private keys, OpenAI, PyPI, ... and the keyword detector for ``password = "..."``), plus the literal values
bandit flagged (B105/B106/B107), registered here by the security collector with :func:`remember`.
A private key is masked from its ``BEGIN`` line to its ``END`` line (detect-secrets flags only the header).

* :func:`redact` -- plain text (Markdown, console, prompts, annotations).
* :func:`redact_json` -- JSON text: secrets are detected in the decoded strings and their escaped forms
  replaced, so the document stays valid JSON and keeps its layout.
* :func:`scrub` -- a pydantic model / dict / list / str, every string redacted (before Markdown escaping
  would hide a token from the detectors).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["MASK", "known_secrets", "redact", "redact_json", "remember", "scrub", "secrets_in"]

MASK = "***"
MIN_CHARS = 6
"""Shorter detected values are not masked: they hide nothing a reader could use and would mangle text."""

T = TypeVar("T")

_KNOWN: set[str] = set()
_KNOWN_LOCK = threading.Lock()
# Detectors left out: those that flag what is not a secret in review output (any high-entropy word, public
# IPs), the keyword detector (run separately, below), and five vendor detectors (Artifactory, Cloudant, IBM
# Cloud IAM, IBM COS HMAC, SoftLayer) whose keyword-context patterns cost 5-13 us per line each, three quarters
# of the whole scan, for credentials that also match the keyword detector.
_LEFT_OUT = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector", "KeywordDetector",
                       "ArtifactoryDetector", "CloudantDetector", "IbmCloudIamDetector", "IbmCosHmacDetector",
                       "SoftlayerDetector"})
_KEY_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|PuTTY-User-Key-File-2")
_KEY_END = re.compile(r"-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----")
# A line of key material: base64, a PEM header, or blank; optionally behind a prompt excerpt's "  12 | ".
_KEY_LINE = re.compile(r"^\s*(?:\d+\s*\|\s?)?(?:[A-Za-z0-9+/=]{4,}|(?:Proc-Type|DEK-Info|Comment):.*|)\s*$")
_CACHED_CHARS = 4096


def remember(values: Iterable[str]) -> None:
    """Add literal secret values (e.g. what bandit flagged as a hard-coded password) to mask everywhere."""
    with _KNOWN_LOCK:
        _KNOWN.update(v for v in values if v and len(v) >= MIN_CHARS and v != MASK)
    _cached_secrets.cache_clear()


def known_secrets() -> frozenset[str]:
    with _KNOWN_LOCK:
        return frozenset(_KNOWN)


@lru_cache(maxsize=1)
def _detectors() -> tuple[list[re.Pattern[str]], re.Pattern[str], Any]:
    """The regex detectors of detect-secrets (their ``denylist`` patterns, made multi-line so one search covers
    a whole text), the keyword detector, and a pattern of its keywords to pick the lines worth its time."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector

    patterns: list[re.Pattern[str]] = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if cls.__name__ in _LEFT_OUT or not issubclass(cls, RegexBasedDetector):
            continue
        patterns.extend(re.compile(p.pattern, p.flags | re.M) for p in cls.denylist if isinstance(p, re.Pattern))
    return patterns, re.compile("|".join(DENYLIST), re.I), KeywordDetector()


def _match_value(match: re.Match[str]) -> str:
    """The secret in a detector match: its last capture group when that is long enough, else the whole match
    (some patterns capture only a prefix such as ``ghp``), stripped of the separators some patterns include."""
    groups = [g for g in match.groups() if g]
    value = groups[-1] if groups and len(groups[-1]) >= 8 else match.group(0)
    return value.strip().strip("\"'=:")


def _keyword_secrets(text: str, keywords: re.Pattern[str], detector: Any) -> set[str]:
    found: set[str] = set()
    lines: set[str] = set()
    for match in keywords.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        lines.add(text[start:] if end < 0 else text[start:end])
    for line in lines:
        try:
            found.update(v for v in detector.analyze_string(line) if v)
        except Exception:  # noqa: BLE001 - a detector bug must not stop a report; the other detectors ran
            continue
    return found


_ASSIGNED = re.compile(r"(?<![\w.])(?P<name>[A-Za-z_][\w.]{0,80})(?![\w.])['\"]?\s*(?:[:=]|==|!=)\s*[rRbBuU]?(?P<q>['\"])(?P<body>[^'\"\n]{1,256})(?P=q)")


@lru_cache(maxsize=1)
def _bandit_names() -> re.Pattern[str]:
    """bandit's own pattern for names that hold a password (B105/B106/B107: password, pwd, token, secret...)."""
    from bandit.plugins.general_hardcoded_password import RE_CANDIDATES

    return RE_CANDIDATES


def _bandit_literals(text: str) -> set[str]:
    """The string literals bandit would flag as hard-coded passwords: assigned to, passed as, compared with
    or keyed by a name that bandit's pattern matches."""
    names = _bandit_names()
    return {m["body"] for m in _ASSIGNED.finditer(text) if names.search(m["name"].rsplit(".", 1)[-1])}


def _scan(text: str) -> frozenset[str]:
    patterns, keywords, detector = _detectors()
    found: set[str] = {k for k in known_secrets() if k in text} | _bandit_literals(text)
    for pattern in patterns:
        found.update(_match_value(m) for m in pattern.finditer(text))
    found |= _keyword_secrets(text, keywords, detector)
    return frozenset(v for v in found if len(v) >= MIN_CHARS and v != MASK)


@lru_cache(maxsize=65536)
def _cached_secrets(text: str) -> frozenset[str]:
    return _scan(text)


def secrets_in(text: str) -> set[str]:
    """Every secret value detected in ``text``."""
    if len(text) < MIN_CHARS:
        return set()
    return set(_cached_secrets(text) if len(text) <= _CACHED_CHARS else _scan(text))


_TAIL = r"[A-Za-z0-9_\-+/=]*"
"""A masked value runs on to the end of its token: a pattern that matched a token's first 36 characters must
not leave the rest of it readable."""


def _mask_values(text: str, values: set[str]) -> str:
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value) + _TAIL, MASK, text)
    return text


def _mask_key_blocks(text: str) -> str:
    """Mask private keys line by line, one mask per line (line numbers stay right): the BEGIN line from its
    marker on, then every line up to the END marker while the lines look like key material. A key cut short
    (a code excerpt ending inside it) masks only its own lines, never the text that follows."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        begin = _KEY_BEGIN.search(line)
        if begin is None:
            out.append(line)
            continue
        same = _KEY_END.search(line, begin.end())
        out.append(line[:begin.start()] + f"{MASK} (private key)" + (line[same.end():] if same else ""))
        while not same and i < len(lines):
            end = _KEY_END.search(lines[i])
            if end is None and not _KEY_LINE.match(lines[i]):
                break
            out.append(MASK + (lines[i][end.end():] if end else ""))
            i += 1
            same = end
    return "\n".join(out)


def redact(text: str) -> str:
    """``text`` with every detected secret replaced by ``***`` and every private-key block masked."""
    if not text:
        return text
    if _KEY_BEGIN.search(text):
        text = _mask_key_blocks(text)
    values = secrets_in(text)
    return _mask_values(text, values) if values else text


def _strings(data: Any) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def _escaped(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def redact_json(text: str) -> str:
    """Redact a JSON document without changing its layout; text that is not JSON is redacted as plain text."""
    try:
        data = json.loads(text)
    except ValueError:
        return redact(text)
    keys: list[str] = []
    values: set[str] = set()
    for s in _strings(data):
        if _KEY_BEGIN.search(s):
            keys.append(s)
        values |= secrets_in(s)
    # A whole key block inside one string: mask the string's escaped form of each block.
    for s in keys:
        masked = _mask_key_blocks(s)
        if masked != s:
            text = _replace_escaped(text, _escaped(s), _escaped(masked))
    for value in sorted(values, key=len, reverse=True):
        text = _replace_escaped(text, _escaped(value), MASK, tail=True)
    return text


def _replace_escaped(text: str, needle: str, replacement: str, *, tail: bool = False) -> str:
    """Replace ``needle`` only where it starts on an escape boundary (after an even run of backslashes)."""
    pattern = re.compile(r"(?<!\\)((?:\\\\)*)" + re.escape(needle) + (_TAIL if tail else ""))
    return pattern.sub(lambda m: m.group(1) + replacement, text)


def _scrub_data(data: Any) -> Any:
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {k: _scrub_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_scrub_data(v) for v in data]
    return data


def scrub(value: T) -> T:
    """A copy of ``value`` (a pydantic model, dict, list or str) with every string redacted."""
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="python", round_trip=True)
        return type(value).model_validate(_scrub_data(data))  # type: ignore[return-value]
    return _scrub_data(value)


class RedactingStream:
    """A text stream that redacts every write before passing it on (the console's stdout and stderr).

    ``target`` is called at each write, so a stream swapped later (a test runner capturing output) is honoured.
    """

    def __init__(self, target: Any) -> None:
        self._target = target

    def write(self, text: str) -> int:
        stream = self._target()
        stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)
