"""The open reading of units without sites: the per-kind check on the named line, and the judge's two steps."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reviewer.backends.fake import FakeBackend, FakeOptions
from reviewer.discovery import RepoFile
from reviewer.evidence import Evidence
from reviewer.judge.ask import JudgeSetup, UnitJudge
from reviewer.judge.cache import UnitCache
from reviewer.judge.meter import Meter
from reviewer.judge.opening import OPENED, open_sites
from reviewer.judge.planner import Budget, read_units
from reviewer.judge.possible import possible_kinds
from reviewer.judge.risk import Ranked, rank_units
from reviewer.judge.units import Unit, extract_units
from reviewer.review.prompts import PromptSet
from reviewer.source import SourceFile, SourceStore
from tests.helpers.judge_answers import judge_responder, question_of


def _units(tmp_path: Path, code: str) -> list[Unit]:
    path = tmp_path / "pkg" / "mod.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code).lstrip("\n"))
    src = SourceStore([RepoFile(rel="pkg/mod.py", path=path, size=path.stat().st_size)], 1_000_000).get("pkg/mod.py")
    assert isinstance(src, SourceFile)
    return [u for u in extract_units(src) if u.kind != "module"]


def _unit(tmp_path: Path, code: str) -> Unit:
    return _units(tmp_path, code)[0]


@pytest.mark.parametrize(("code", "kind", "line", "holds"), [
    ("def f(a, b):\n    return a / b\n", "division_by_zero", 2, False),  # the division finder passed it over
    ("def f(xs, n):\n    return xs[:n + 1]\n", "off_by_one", 2, True),
    ("def f(xs):\n    return sorted(xs)\n", "off_by_one", 2, False),
    ("def f(a, b):\n    return a or not b\n", "wrong_boolean_logic", 2, True),
    ("def f(a, b):\n    return g(a, b)\n", "wrong_boolean_logic", 2, False),
    ("def f():\n    try:\n        g()\n    except OSError:\n        return None\n", "error_swallowed", 5, True),
    ("def f():\n    g()\n    return None\n", "error_swallowed", 3, False),
    ("def f():\n    try:\n        g()\n    except OSError:\n        pass\n    return True\n", "success_on_failure", 6,
     True),
    ("def f():\n    g()\n", "success_on_failure", 2, False),
    ("def f(a):\n    return {'ok': True}\n", "success_on_failure", 2, True),
    ("def f(a, b):\n    return a and not b\n", "success_on_failure", 2, False),
    ("def f(k):\n    return self.values[k]\n", "error_as_value", 2, False),
    ("def f(k):\n    return -1\n", "error_as_value", 2, True),
    ("def f(k):\n    try:\n        return g(k)\n    except KeyError as e:\n        return str(e)\n", "error_as_value",
     5, True),
    ("def f(p):\n    h = open(p)\n    return h.read()\n", "resource_not_released", 2, True),
    ("def f(p):\n    with open(p) as h:\n        return h.read()\n", "resource_not_released", 2, False),
    ("def f(u):\n    return requests.get(u)\n", "missing_timeout", 2, True),
    ("def f(u):\n    return requests.get(u, timeout=5)\n", "missing_timeout", 2, False),
    ("def f(d):\n    return d.get('k')\n", "missing_timeout", 2, False),
    ("def f(user):\n    log.info('login %s %s', user, user.password)\n", "sensitive_data_logged", 2, True),
    ("def f(user):\n    return user.name\n", "sensitive_data_logged", 2, False),
    ("_cache = {}\ndef f(k, v):\n    _cache[k] = v\n", "stale_cache_key", 3, True),
    ("def f(k, v):\n    return {k: v}\n", "stale_cache_key", 2, False),
    ("def f(ms):\n    return time.time() - ms\n", "type_confusion", 2, True),
    ("def f(x):\n    return g(x)\n", "type_confusion", 2, False),
    ("def f(a, b):\n    return a < b\n", "no_such_kind", 2, False),
    ("def f(a, b):\n    return a < b\n", "off_by_one", 9, False),
])
def test_a_kind_is_possible_only_where_the_line_can_hold_it(tmp_path: Path, code: str, kind: str, line: int,
                                                             holds: bool) -> None:
    unit = next(u for u in _units(tmp_path, code) if u.qualname == "f")
    assert (kind in dict(possible_kinds(unit, line))) is holds


_THREADED = """
import threading

class Tally:
    def __init__(self):
        self.n = 0
        self._lock = threading.Lock()

    def bump(self):
        self.n += 1

    def safe(self):
        with self._lock:
            self.n += 1
"""


def _race(unit: Unit, line: int) -> bool:
    return "race_on_shared_state" in dict(possible_kinds(unit, line))


def test_a_race_needs_threads_a_write_outside_init_and_no_lock(tmp_path: Path) -> None:
    units = {u.qualname: u for u in _units(tmp_path, _THREADED)}
    assert _race(units["Tally.bump"], 9)
    assert not _race(units["Tally.safe"], 13)  # under the lock
    assert not _race(units["Tally.__init__"], 5)  # a fresh object
    plain = _units(tmp_path / "b", _THREADED.replace("import threading", "import json"))
    assert not _race(next(u for u in plain if u.qualname == "Tally.bump"), 9)


def test_the_kinds_possible_on_a_line_come_most_telling_first(tmp_path: Path) -> None:
    unit = _unit(tmp_path, "def f(a, b):\n    if a < b and b:\n        return -1\n")
    assert [k for k, _ in possible_kinds(unit, 3)] == ["success_on_failure", "error_as_value"]
    assert [k for k, _ in possible_kinds(unit, 2)] == ["wrong_boolean_logic", "off_by_one", "type_confusion"]
    assert possible_kinds(unit, 40) == []


def test_open_sites_say_where_they_came_from_and_why_there_are_none(tmp_path: Path) -> None:
    unit = _unit(tmp_path, "def f(a, b):\n    c = sorted(a)\n    return requests.get(c[0])\n")
    sites = open_sites(unit, 3)
    assert not isinstance(sites, str) and [s.kind for s in sites] == ["missing_timeout", "off_by_one"]
    assert all(OPENED in s.facts for s in sites) and "`requests.get`" in sites[0].facts
    assert "no kind in the closed list" in str(open_sites(unit, 2))
    assert "not among the unit's lines" in str(open_sites(unit, 40))


def _ranked(tmp_path: Path, code: str) -> list[Ranked]:
    return rank_units(_units(tmp_path, code), Evidence(tool_version="t", repo_name="r"), [])


def _judge(fake: FakeBackend, opened: bool = True, cache: UnitCache | None = None, bar: float = 0.5) -> UnitJudge:
    setup = JudgeSetup(prompts=PromptSet(), meter=Meter(fake), cache=cache or UnitCache(None), nonce="n0", model="m",
                       version="v", temperature=0.0, persona_for={}, open_reading=opened, open_min_yes=bar)
    return UnitJudge(setup)


_RATIO = ("def ratio(done, items):\n    \"\"\"The share of items done.\"\"\"\n    try:\n"
          "        return done * 100 // items\n    except ZeroDivisionError:\n        return -1\n")
_AT_HANDLER = {"pkg/mod.py::ratio": 6}


def test_a_unit_without_sites_is_read_openly_and_its_claim_asked_about(tmp_path: Path) -> None:
    [ranked] = _ranked(tmp_path, _RATIO)
    ranked.sites = []  # as if no finder saw the division
    fake = FakeBackend(FakeOptions(responder=judge_responder(claims=_AT_HANDLER,
                                                             reason="-1 is taken for a share")))
    out = _judge(fake).judge(ranked)
    assert [question_of(r) for r in fake.requests] == ["open", "site", "site"]  # the two most telling kinds
    assert OPENED in fake.requests[1].messages[-1].content
    assert out.opened and [(f.line, f.rule, f.confidence) for f in out.kept] == [
        (6, "model.error_swallowed", "low"), (6, "model.success_on_failure", "low")]
    assert out.asked == 3


@pytest.mark.parametrize("line", [2, 0, 99])  # the docstring; outside the unit
def test_a_line_where_no_kind_is_possible_ends_the_reading(tmp_path: Path, line: int) -> None:
    [ranked] = _ranked(tmp_path, _RATIO)
    ranked.sites = []
    fake = FakeBackend(FakeOptions(responder=judge_responder(claims={"pkg/mod.py::ratio": line})))
    out = _judge(fake).judge(ranked)
    assert [question_of(r) for r in fake.requests] == ["open"] and out.asked == 1
    assert not out.kept and [d.reason.split(":")[0] for d in out.dropped] == ["no kind possible there"]


def test_open_reading_off_asks_nothing(tmp_path: Path) -> None:
    [ranked] = _ranked(tmp_path, _RATIO)
    ranked.sites = []
    quiet = FakeBackend(FakeOptions(responder=judge_responder()))
    assert _judge(quiet, opened=False).judge(ranked).asked == 0 and not quiet.requests


@pytest.mark.parametrize(("answer", "p_yes", "bar", "kept"), [
    ("yes", 0.9, 0.8, True), ("yes", 0.7, 0.8, False), ("no", 0.45, 0.5, False), ("no", 0.6, 0.5, False)])
def test_an_open_site_is_kept_only_on_a_yes_that_reaches_its_own_bar(tmp_path: Path, answer: str, p_yes: float,
                                                                     bar: float, kept: bool) -> None:
    [ranked] = _ranked(tmp_path, _RATIO)
    ranked.sites = []
    fake = FakeBackend(FakeOptions(choice_probability=p_yes if answer == "yes" else 1 - p_yes,
                                   responder=judge_responder(claims=_AT_HANDLER,
                                                             verdict=answer)))
    out = _judge(fake, bar=bar).judge(ranked)
    assert bool(out.kept) is kept and len(out.answers) == 2


def test_the_open_answer_is_cached_with_the_unit(tmp_path: Path) -> None:
    [ranked] = _ranked(tmp_path, _RATIO)
    ranked.sites = []
    cache = UnitCache(tmp_path / "cache")
    fake = FakeBackend(FakeOptions(responder=judge_responder(claims=_AT_HANDLER)))
    first = _judge(fake, cache=cache).judge(ranked)
    again = FakeBackend(FakeOptions(responder=judge_responder()))
    second = _judge(again, cache=cache).judge(ranked)
    assert not again.requests and second.cached and [f.line for f in second.kept] == [f.line for f in first.kept]


_TWO = """
def ratio(done, items):
    shown = done * 100
    return shown / items


def test_ratio():
    assert ratio(1, 2) == 50
"""


def test_units_with_sites_come_first_and_tests_are_not_read_openly(tmp_path: Path) -> None:
    ranked = _ranked(tmp_path, _TWO + "\n\ndef share(a, b):\n    return a / b\n")
    for r in ranked:
        if r.unit.qualname == "ratio":
            r.sites = []
    fake = FakeBackend(FakeOptions(responder=judge_responder()))
    judge = _judge(fake)
    reading = read_units(ranked, judge, Budget(seconds=0), None)
    asked = [o.ranked.unit.qualname for o in reading.outcomes if o.asked]
    assert asked == ["share", "ratio"] and reading.units_openable == 1
    assert [o.opened for o in reading.outcomes if o.asked] == [False, True]
