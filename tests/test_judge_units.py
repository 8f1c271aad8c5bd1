"""Units from the shared parse, risk ranking with reasons, the per-kind AST checks, the diff, the budget."""

from __future__ import annotations

import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from reviewer.backends.fake import FakeBackend, FakeOptions
from reviewer.collectors.cache import cache_dir
from reviewer.discovery import RepoFile
from reviewer.errors import ConfigError
from reviewer.evidence import CoverageFile, Evidence, TestsSection
from reviewer.judge.ask import JudgeSetup, UnitJudge
from reviewer.judge.cache import UnitCache
from reviewer.judge.gitdiff import changed_lines
from reviewer.judge.kinds import info
from reviewer.judge.meter import Meter
from reviewer.judge.planner import Budget
from reviewer.judge.risk import rank_units
from reviewer.judge.sites import find_sites
from reviewer.judge.unitcontext import unit_text
from reviewer.judge.units import Unit, extract_units
from reviewer.review.prompts import PromptSet
from reviewer.source import SourceFile, SourceStore
from tests.helpers.judge_answers import judge_responder


def _source(tmp_path: Path, code: str, rel: str = "pkg/mod.py") -> SourceFile:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code).lstrip("\n"))
    src = SourceStore([RepoFile(rel=rel, path=path, size=path.stat().st_size)], 1_000_000).get(rel)
    assert isinstance(src, SourceFile)
    return src


def _units(tmp_path: Path, code: str, rel: str = "pkg/mod.py") -> dict[str, Unit]:
    return {u.qualname: u for u in extract_units(_source(tmp_path, code, rel))}


MODULE = '''
"""Doc."""
import threading
from os import path

LIMIT = 3
_cache = {}
_lock = threading.Lock()
register(path.sep)


class Store:
    size = 0

    def __init__(self):
        self.items = []

    @property
    def count(self):
        return len(self.items)

    class Inner:
        def deep(self):
            def helper():
                return 1
            return helper()


def mean(values):
    return sum(values) / len(values)
'''


def test_units_are_functions_methods_and_module_code(tmp_path: Path) -> None:
    units = _units(tmp_path, MODULE)
    assert sorted(units) == ["<module>", "Store.Inner.deep", "Store.__init__", "Store.count", "mean"]
    module = units["<module>"]
    assert (module.kind, module.lines) == ("module", [7, 8])  # only the calls do something at import time
    count = units["Store.count"]
    assert (count.kind, count.start, count.end) == ("method", 17, 19)  # the decorator belongs to the unit
    assert units["Store.Inner.deep"].end == 25  # nested functions belong to their parent
    assert len({u.hash for u in units.values()}) == 5


def test_hash_follows_content_not_position(tmp_path: Path) -> None:
    before = _units(tmp_path, MODULE)["mean"].hash
    assert _units(tmp_path, "\n\n\n" + MODULE)["mean"].hash == before
    assert _units(tmp_path, MODULE.replace("len(values)", "max(len(values), 1)"))["mean"].hash != before


def test_unit_text_has_numbered_lines_and_the_context_it_needs(tmp_path: Path) -> None:
    units = _units(tmp_path, MODULE + "\n\ndef report(values):\n    return round(mean(values), 2)\n")
    text = unit_text(units["report"])
    assert "33 |     return round(mean(values), 2)" in text.numbered
    assert any("def mean(values):" in c for c in text.context)
    count = unit_text(units["Store.count"])
    assert any(c.startswith("Class:\nclass Store:") and "size = 0" in c and "self.items = []" in c
               for c in count.context)
    assert not any("Imports" in c for c in count.context)  # it uses none


RISKY = '''
import subprocess
import time


def run(cmd, retries=3):
    for attempt in range(retries):
        try:
            return subprocess.run(cmd, check=True, capture_output=True)
        except Exception:
            time.sleep(1)


def ratio(a, b):
    return a / b


def name(x):
    return x.name
'''


def test_rank_puts_risky_units_first_with_reasons_and_trivial_last(tmp_path: Path) -> None:
    units = list(_units(tmp_path, RISKY).values())
    tests = list(_units(tmp_path, "def test_it():\n    try:\n        x = 1 / 0\n    except Exception:\n        pass\n",
                        "tests/test_mod.py").values())
    evidence = Evidence(tool_version="t", repo_name="r", tests=TestsSection(
        mode="ingest", coverage_files=[CoverageFile(path="pkg/mod.py", statements=9, covered=5, percent=55.0,
                                                    missing_lines=[9, 10, 14])]))
    example = list(_units(tmp_path, RISKY.replace("def run(", "def demo("), "examples/demo.py").values())
    ranked = rank_units([*tests, *example, *units], evidence, [])
    assert [r.unit.qualname for r in ranked][:2] == ["run", "ratio"]
    assert "example code" in next(r for r in ranked if r.unit.qualname == "demo").reasons
    reasons = " | ".join(ranked[0].reasons)
    for expected in ("complexity", "broad except", "I/O or subprocess calls (subprocess.run)",
                     "loop with sleep or retries", "2 line(s) never covered"):
        assert expected in reasons
    assert "division at line 14" in ranked[1].reasons
    assert ranked[2].tier == ranked[3].tier == 2  # test code and a trivial unit come last


def test_script_blocks_and_maintainer_tools_are_read_after_product_code(tmp_path: Path) -> None:
    demo = ("def ratio(a, b):\n    return a / b\n\nif __name__ == '__main__':\n    def bar(a):\n        print(1 / a)\n"
            "    bar(0)\n")
    units = _units(tmp_path, demo)
    tool = _units(tmp_path, "def table(xs, n):\n    return sum(xs) / n\n", "tools/make_table.py")
    ranked = {r.unit.qualname: r for r in rank_units([*units.values(), *tool.values()],
                                                      Evidence(tool_version="t", repo_name="r"), [])}
    assert ranked["ratio"].tier == 1 and ranked["ratio"].sites
    assert ranked["<module>"].tier == 2 and "if __name__" in ranked["<module>"].reasons[-1]
    assert ranked["table"].tier == 2 and ranked["table"].reasons[-1] == "maintainer tooling"


@pytest.mark.parametrize(("kind", "code", "line", "possible"), [
    ("division_by_zero", "def f(xs):\n    return sum(xs) / len(xs)\n", 2, True),
    ("division_by_zero", "def f(xs):\n    return 'n=%d' % len(xs)\n", 2, False),
    ("division_by_zero", "def f(xs):\n    return sum(xs) + len(xs)\n", 2, False),
    ("division_by_zero", "def f(folder, name):\n    return (folder / name).read_text()\n", 2, False),
    ("division_by_zero", "def f(root):\n    return root / 'a' / 'b'\n", 2, False),
    ("division_by_zero", "def f(total, count):\n    return total / count\n", 2, True),
    ("division_by_zero", "def f(xs):\n    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)\n", 4, False),
    ("division_by_zero", "def f(a, b):\n    return a / b if b else 0.0\n", 2, False),
    ("division_by_zero", "def f(ms):\n    return ms / 1000\n", 2, False),
    ("division_by_zero", "def f(a, n):\n    return a / max(n, 1)\n", 2, False),
    ("division_by_zero", "def f(a, n):\n    return a / (n or 1)\n", 2, False),
    ("division_by_zero", "def f(a, b, c):\n    if c:\n        return a / b\n", 3, True),
    ("division_by_zero", "def f(a, b):\n    try:\n        return a / b\n    except ZeroDivisionError:\n"
     "        return 0\n", 3, False),
    ("error_swallowed", "def f():\n    try:\n        g()\n    except OSError as e:\n        raise E() from e\n", 4,
     False),
    ("error_swallowed", "def f():\n    try:\n        g()\n    except OSError:\n        pass\n", 4, True),
    ("error_swallowed", "def f():\n    try:\n        g()\n    except OSError as e:\n        log.warning(e)\n", 4,
     True),
    ("error_swallowed", "def f():\n    try:\n        import yaml\n    except ImportError:\n        pass\n", 4, False),
    ("error_swallowed", "def f():\n    try:\n        g()\n    except OSError:\n        h()\n", 4, False),
    ("error_swallowed", "def f():\n    g()\n    return 1\n", 2, False),
    ("success_on_failure", "def f():\n    try:\n        g()\n    except OSError:\n        return True\n", 5, True),
    ("success_on_failure", "def f():\n    try:\n        g()\n    except OSError:\n        log.warning('x')\n"
     "    return True\n", 6, True),
    ("success_on_failure", "def f():\n    try:\n        g()\n    except OSError:\n        return False\n"
     "    return True\n", 6, False),
    ("success_on_failure", "import subprocess\ndef f(c):\n    subprocess.run(c)\n    return {'ok': True}\n", 4,
     True),
    ("success_on_failure", "import subprocess\ndef f(c):\n    subprocess.run(c, check=True)\n    return True\n", 4,
     False),
    ("success_on_failure", "def f(x):\n    y = g(x)\n    h(y)\n", 2, False),
    ("race_on_shared_state", "import threading\nclass C:\n    def inc(self):\n        self.n += 1\n", 4, False),  # no
    # sign of sharing: threading imported, but no lock made and no thread started
    ("race_on_shared_state", "import threading\nclass C:\n    def __init__(self):\n"
     "        self._lock = threading.Lock()\n"
     "    def inc(self):\n        self.n += 1\n", 6, True),  # the class has a lock: this write does not take it
    ("race_on_shared_state", "import threading\nclass C:\n    def __init__(self):\n"
     "        self.tl = threading.local()\n"
     "        self.lock = threading.Lock()\n    def inc(self):\n        self.tl.n = 1\n", 7, False),  # per thread
    ("race_on_shared_state", "class C:\n    def inc(self):\n        self.n += 1\n", 3, False),  # no threads
    ("race_on_shared_state", "import threading\nclass C:\n    def inc(self):\n        with self._lock:\n"
     "            self.n += 1\n", 5, False),
    ("race_on_shared_state", "import threading\nN = 0\ndef inc():\n    global N\n    N += 1\n"
     "def run():\n    threading.Thread(target=inc).start()\n", 5, True),
    ("race_on_shared_state", "import threading\ndef f(x):\n    y = x + 1\n    return y\n", 3, False),
    ("resource_not_released", "def f(p):\n    fh = open(p)\n    data = fh.read()\n    fh.close()\n    return data\n",
     2, True),
    ("resource_not_released", "def f(p):\n    with open(p) as fh:\n        return fh.read()\n", 2, False),
    ("resource_not_released", "def f(p):\n    return open(p)\n", 2, False),  # the caller owns it
    ("resource_not_released", "def f(lock):\n    lock.acquire()\n    try:\n        g()\n    finally:\n"
     "        lock.release()\n", 2, False),
    ("resource_not_released", "def f(lock):\n    lock.acquire()\n    g()\n    lock.release()\n", 2, True),
    ("missing_timeout", "import requests\ndef f(u):\n    return requests.get(u)\n", 3, True),
    ("missing_timeout", "import requests\ndef f(u):\n    return requests.get(u, timeout=5)\n", 3, False),
    ("missing_timeout", "def f(u):\n    return u.strip()\n", 2, False),
    ("missing_timeout", "def f(cache, k):\n    return cache.get(k)\n", 2, False),
    ("missing_timeout", "def f(self, u):\n    return self.session.get(u)\n", 2, True),
    ("missing_timeout", "import requests\ndef f():\n    return requests.Session()\n", 3, False),
    ("missing_timeout", "import subprocess\ndef f(c):\n    return subprocess.run(c, check=True, capture_output=True)\n",
     3, True),
    ("missing_timeout", "import subprocess\ndef f(c):\n    return subprocess.check_output(c)\n", 3, True),
    ("missing_timeout", "import subprocess\ndef edit(path):\n    return subprocess.call(['vi', path])\n", 3,
     False),  # an interactive program on the terminal: waited for on purpose
    ("resource_not_released", "import subprocess\ndef f(c):\n    p = subprocess.Popen(c, stdout=subprocess.PIPE)\n"
     "    out = p.stdout.read()\n    p.wait()\n    return out\n", 3, True),
    ("resource_not_released", "import subprocess\ndef f(c):\n    p = subprocess.Popen(c)\n    return p.wait()\n", 3,
     False),  # no pipes: nothing of ours to leak
    ("missing_timeout", "from urllib.request import urlopen\ndef f(u):\n    with urlopen(u) as r:\n"
     "        return r.read()\n", 3, True),
    ("sensitive_data_logged", "def f(user, password):\n    log.info('login %s %s', user, password)\n", 2, True),
    ("sensitive_data_logged", "def f(user, password):\n    print(f'login {user}:{password}')\n", 2, True),
    ("sensitive_data_logged", "def f(user):\n    log.info('login %s (password hidden)', user)\n", 2, False),
    ("off_by_one", "def f(xs, i):\n    return xs[i + 1:]\n", 2, True),
    ("off_by_one", "def f(xs):\n    return xs[1:]\n", 2, False),  # the idiom, not a bound
    ("off_by_one", "def f(xs):\n    return [xs[i] for i in range(1, len(xs))]\n", 2, True),
    ("off_by_one", "def f(xs):\n    return xs[len(xs) - 1]\n", 2, False),  # the last element
    ("off_by_one", "def f(xs, i):\n    return i <= len(xs)\n", 2, True),
    ("off_by_one", "def f(xs):\n    return g(xs)\n", 2, False),
    ("wrong_boolean_logic", "def f(a, b):\n    return a or not b\n", 2, True),
    ("wrong_boolean_logic", "def f(xs):\n    return [x for x in xs if x.a and x.b]\n", 2, True),
    ("wrong_boolean_logic", "def f(x):\n    if x != 1 or x != 2:\n        g()\n", 2, True),  # always true
    ("wrong_boolean_logic", "def f(a, b):\n    if a or not b:\n        return 1\n", 2, False),  # steers only
    ("wrong_boolean_logic", "def f(x):\n    return x is not None and x.size > 0\n", 2, False),  # a guard
    ("wrong_boolean_logic", "def f(a):\n    a.run()\n", 2, False),
    ("error_as_value", "def f():\n    try:\n        return g()\n    except OSError as e:\n        return str(e)\n", 5,
     True),
    ("error_as_value", "def f(x):\n    if x < 0:\n        return 'error: negative'\n    return x * 2\n", 3, True),
    ("error_as_value", "def f():\n    try:\n        return g()\n    except OSError:\n        return None\n", 5,
     False),
    ("error_as_value", "def f():\n    g()\n", 2, False),
    ("stale_cache_key", "_cache = {}\ndef f(a, b):\n    _cache[a] = a * b\n    return _cache[a]\n", 3, True),
    ("stale_cache_key", "_cache = {}\ndef f(a, b):\n    key = (a, b)\n    _cache[key] = a * b\n", 4, False),
    ("stale_cache_key", "_cache = {}\ndef f(a, svc):\n    _cache[a] = svc.load(a)\n", 3, False),  # svc: a service
    ("stale_cache_key", "def f(a, b):\n    return a + b\n", 2, False),
    ("type_confusion", "import time\ndef f(ms):\n    time.sleep(ms)\n", 3, True),
    ("type_confusion", "import time\ndef f(t0, timeout_ms):\n    return time.time() - t0 > timeout_ms\n", 3, True),
    ("type_confusion", "import time\ndef f(t0, timeout_ms):\n    return time.time() - t0 > timeout_ms / 1000\n", 3,
     False),
    ("type_confusion", "def f():\n    pass\n", 2, False),
    ("race_on_shared_state", "import threading\nclass C:\n    lock = threading.Lock()\n    @classmethod\n"
     "    def bump(cls):\n        cls.n += 1\n", 6, True),
    ("success_on_failure", "import time\ndef send(c, m):\n    for _ in range(3):\n        try:\n            c.push(m)\n"
     "            break\n        except OSError:\n            time.sleep(1)\n    return True\n"
      "", 9, True),  # retries run out
    ("error_as_value", "def load(p) -> dict:\n    try:\n        return parse(p)\n    except ValueError:\n"
     "        return {}\n", 5, True),
    ("error_as_value", "def load(p) -> dict | None:\n    try:\n        return parse(p)\n    except ValueError:\n"
     "        return None\n", 5, False),  # None is declared
    ("missing_timeout", "def f(proc):\n    return proc.communicate()\n", 2, True),
    ("missing_timeout", "import httpx\ndef f(u):\n    return httpx.get(u)\n", 3, False),  # httpx: 5 s by default
    ("sensitive_data_logged", "def f(r):\n    log.debug('sent %s', r.headers)\n", 2, True),
    ("sensitive_data_logged", "def f(u, p):\n    log.info('login', extra={'user': u, 'password': p})\n", 2, True),
    ("stale_cache_key", "_cache = {}\ndef f(a, b):\n    return _cache.setdefault(a, a * b)\n", 3, True),
    ("stale_cache_key", "import functools, os\n@functools.lru_cache\ndef f(a):\n"
     "    return a * int(os.environ['N'])\n", 4, True),
    ("type_confusion", "import os\ndef f():\n    return os.environ.get('WORKERS') == 4\n", 3, True),
    ("off_by_one", "def f(xs, i):\n    return i < len(xs) - 1\n", 2, True),
    ("wrong_boolean_logic", "def f(o):\n    if o.paid or o.open:\n        return True\n    return False\n", 2, True),
    ("error_swallowed", "def f(p):\n    try:\n        g(p)\n    finally:\n        try:\n            p.unlink()\n"
     "        except OSError:\n            pass\n", 7, False),  # cleanup in a finally block
    ("error_swallowed", "class S:\n    def close(self):\n        try:\n            self.sock.close()\n"
     "        except OSError:\n            pass\n", 5, False),
    ("error_swallowed", "def f(p):\n    try:\n        p.unlink()\n    except FileNotFoundError:\n        pass\n", 4,
     False),  # already gone: the work is done
    ("error_swallowed", "def f(p):\n    try:\n        p.read_text()\n    except FileNotFoundError:\n        pass\n",
     4, True),
    # shapes seen on psf/requests
    ("resource_not_released", "import os, tempfile\ndef f(p, data):\n    fd, tmp = tempfile.mkstemp()\n"
     "    with os.fdopen(fd, 'wb') as fh:\n        fh.write(data)\n    os.replace(tmp, p)\n", 3, False),
    ("resource_not_released", "def send(self, req, conn):\n    resp = conn.urlopen(req)\n"
     "    return self.build_response(req, resp)\n", 2, False),  # a new owner
    ("race_on_shared_state", "import threading\nclass Jar:\n    def __init__(self):\n"
     "        self._lock = threading.RLock()\n    def __setstate__(self, state):\n"
      "        self.__dict__.update(state)\n",
     6, False),  # the object is not shared yet
    ("missing_timeout", "def f(session_hooks):\n    return session_hooks.get('response')\n", 2, False),  # a dict
    ("missing_timeout", "def f(self, job):\n    reply = Q()\n    self.jobs.put((job, reply))\n    return reply.get()\n",
     4, True),
    ("missing_timeout", "def f(self, job):\n    reply = Q()\n    self.jobs.put((job, reply))\n"
     "    return reply.get(timeout=5)\n", 4, False),
    ("missing_timeout", "def worker(self):\n    while True:\n        job = self.jobs.get()\n        run(job)\n"
     "", 3, False),
    ("missing_timeout", "import httpx\ndef f(u):\n    return httpx.Client(timeout=None).get(u)\n", 3, True),
    ("missing_timeout", "import imaplib\ndef f(h):\n    return imaplib.IMAP4_SSL(h)\n", 3, True),
    ("missing_timeout", "import asyncio\nasync def f(h):\n    r, w = await asyncio.open_connection(h, 1)\n"
     "    try:\n        return await r.readline()\n    finally:\n        w.close()\n", 3, True),
    ("resource_not_released", "import asyncio\nasync def f(h):\n"
     "    r, w = await asyncio.wait_for(asyncio.open_connection("
     "h, 1), 5)\n    w.write(b'x')\n    w.close()\n", 3, True),
    ("resource_not_released", "import asyncio\nasync def f(h):\n"
     "    r, w = await asyncio.wait_for(asyncio.open_connection("
     "h, 1), 5)\n    try:\n        w.write(b'x')\n    finally:\n        w.close()\n", 3, False),
    ("missing_timeout", "import asyncio\nasync def f(h):\n"
     "    r, w = await asyncio.wait_for(asyncio.open_connection(h, 1),"
     " 5)\n    return r\n", 3, False),
    ("error_swallowed", "def f(parts):\n    for p in parts:\n        try:\n            k, v = p.split('=')\n"
     "        except ValueError:\n            break\n", 5, False),  # stops parsing: handled
    # shapes seen on pallets/click that are not what they look like
    ("division_by_zero", "def f(self):\n    return self.template % self.vars()\n", 2, False),  # formatting
    ("division_by_zero", "def f(n, name):\n    return _('%(n)s of %(name)s') % {'n': n, 'name': name}\n", 2, False),
    ("division_by_zero", "def f(self):\n    if not self.avg:\n        return 0.0\n"
     "    return sum(self.avg) / float(len(self.avg))\n", 4, False),
    ("wrong_boolean_logic", "def f(cli):\n    return cli.name or 'root'\n", 2, False),  # a default value
    ("wrong_boolean_logic", "def f(d, k):\n    return k in d and d[k] is None\n", 2, False),  # a guard
    ("race_on_shared_state", "import threading\n_local = threading.local()\ndef push(x):\n"
     "    _local.stack.append(x)\n", 4, False),  # one per thread
    ("error_swallowed", "class C:\n    def __del__(self):\n        try:\n            self.close()\n"
     "        except Exception:\n            pass\n", 5, False),
    ("error_as_value", "def f(code) -> str:\n    if code == 0:\n        return 'ERROR_SUCCESS'\n"
     "    return 'error %d' % code\n", 3, False),  # text is the result
    ("resource_not_released", "class F:\n    def read(self):\n        return self.open().read()\n", 3, False),
    ("success_on_failure", "def f(s):\n    try:\n        s.write(b'')\n    except Exception:\n        try:\n"
     "            s.write('')\n            return False\n        except Exception:\n            pass\n"
     "        return None\n    return True\n", 11, False),  # the inner handler falls through to `return None`
    # an index computed from the length that can reach it; len(x) // 2 and len(x) - 1 stay below
    ("off_by_one", "def f(xs, pct):\n    return xs[int(len(xs) * pct / 100)]\n", 2, True),
    ("off_by_one", "def f(xs):\n    return xs[len(xs) // 2]\n", 2, False),
    ("off_by_one", "def f(xs, pct):\n    return xs[min(int(len(xs) * pct / 100), len(xs) - 1)]\n", 2, False),
    ("off_by_one", "def f(n):\n    for attempt in range(1, n + 1):\n        g(attempt)\n", 2, False),  # 1..n
    ("off_by_one", "def f(xs):\n    for i in range(1, len(xs) + 1):\n        g(xs[i])\n", 2, True),
    # an impossible range test, read from the bounds' names or values
    ("wrong_boolean_logic", "def f(v, low, high):\n    if v < low and v > high:\n        return False\n"
     "    return True\n", 2, True),
    ("wrong_boolean_logic", "def f(v, low, high):\n    g(v > low or v < high)\n", 2, True),
    ("wrong_boolean_logic", "def f(v, low, high):\n    g(v < low or v > high)\n", 2, False),
    ("wrong_boolean_logic", "def f(v):\n    g(v > 0 and v < 10)\n", 2, False),
    ("wrong_boolean_logic", "def f(v):\n    g(v < 0 and v > 10)\n", 2, True),
    # bytes compared with text
    ("type_confusion", "import subprocess\ndef f(h):\n    done = subprocess.run(['ssh', h], capture_output=True)\n"
     "    return done.stdout.strip() == 'ready'\n", 4, True),
    ("type_confusion", "import subprocess\ndef f(h):\n    done = subprocess.run(['ssh', h], capture_output=True, "
     "text=True)\n    return done.stdout.strip() == 'ready'\n", 4, False),
    ("type_confusion", "def f(sock):\n    data = sock.recv(64)\n    return data.startswith('OK')\n", 3, True),
    ("type_confusion", "def f(sock):\n    data = sock.recv(64)\n    return data.startswith(b'OK')\n", 3, False),
    # contextlib.suppress is a handler
    ("error_swallowed", "import contextlib\ndef f(p, rows):\n    with contextlib.suppress(OSError):\n"
     "        p.write_text(rows)\n    rows.clear()\n", 3, True),
    ("error_swallowed", "import contextlib, os\ndef f(p):\n    with contextlib.suppress(FileNotFoundError):\n"
     "        os.remove(p)\n", 3, False),  # already gone: the work is done
    # a handler that hands back the input as the result
    ("success_on_failure", "def push(rows) -> int:\n    try:\n        body = send(rows)\n    except IOError:\n"
     "        log.error('failed')\n        return len(rows)\n    return body['accepted']\n", 6, True),
    ("success_on_failure", "def push(rows) -> int:\n    try:\n        body = send(rows)\n    except IOError:\n"
     "        log.error('failed')\n        return 0\n    return body['accepted']\n", 6, False),
    # no file yet means nothing there: an empty result is the answer, not a hidden failure
    ("error_as_value", "def pending(p) -> list:\n    try:\n        return read(p)\n    except FileNotFoundError:\n"
     "        return []\n", 5, False),
    ("error_as_value", "def pending(p) -> list:\n    try:\n        return read(p)\n    except OSError:\n"
     "        return []\n", 5, True),
    # a memo whatever its name: looked up, stored, returned
    ("stale_cache_key", "class S:\n    def window(self, dev, start, end):\n        key = f'{dev}:{start}'\n"
     "        if key not in self._w:\n            self._w[key] = load(dev, start, end)\n        return self._w[key]\n",
     3, True),
    ("stale_cache_key", "class S:\n    def window(self, dev, start, end):\n        key = (dev, start, end)\n"
     "        if key not in self._w:\n            self._w[key] = load(dev, start, end)\n        return self._w[key]\n",
     5, False),
    ("stale_cache_key", "def tally(items, weight):\n    counts = {}\n    for it in items:\n"
     "        if it.k not in counts:\n            counts[it.k] = 0\n        counts[it.k] += weight\n"
     "    return counts\n", 5, False),  # a tally, not a memo: nothing stored is returned for a key
    # a lock attribute acquired outside with; the object's own open() method manages what it opens
    ("resource_not_released", "class C:\n    def f(self):\n        self._lock.acquire()\n        g()\n"
     "        self._lock.release()\n", 3, True),
    ("resource_not_released", "class C:\n    def f(self):\n        with self._lock:\n            g()\n", 3, False),
    ("sensitive_data_logged", "def f(user, pwd):\n    log.info('login %s %s', user, pwd)\n", 2, True),
    ("sensitive_data_logged", "def f(user, pwd):\n    log.info('login %s', user)\n", 2, False),
    # a keyword that names its unit, given another
    ("type_confusion", "import datetime\ndef f(ttl_ms):\n    return datetime.timedelta(seconds=ttl_ms)\n", 3, True),
    ("type_confusion", "import datetime\ndef f(ttl_ms):\n    return datetime.timedelta(seconds=ttl_ms / 1000)\n", 3,
     False),
    ("type_confusion", "def f(url, timeout_ms):\n    return requests.get(url, timeout=timeout_ms)\n", 2, True),
    ("type_confusion", "def f(url, timeout_s):\n    return requests.get(url, timeout=timeout_s)\n", 2, False),
    ("type_confusion", "def f(size_bytes, limit_mb):\n    return size_bytes > limit_mb\n", 2, True),
    ("type_confusion", "def f(size_bytes, limit_mb):\n    return size_bytes > limit_mb * 1024 * 1024\n", 2, False),
    # a constant that is true on its own
    ("wrong_boolean_logic", "def f(ext):\n    if ext == 'jpg' or 'png':\n        g()\n", 2, True),
    ("wrong_boolean_logic", "def f(ext):\n    if ext == 'jpg' or ext == 'png':\n        g()\n", 2, False),
    # a raw socket with no settimeout
    ("missing_timeout", "import socket\ndef f(h):\n    s = socket.socket()\n    s.connect((h, 1))\n    return s\n", 4,
     True),
    ("missing_timeout", "import socket\ndef f(h):\n    s = socket.socket()\n    s.settimeout(5)\n"
     "    s.connect((h, 1))\n    return s\n", 5, False),
    # False from a handler where the function returns data; a predicate's False is its answer
    ("error_as_value", "def load(p) -> dict:\n    try:\n        return json.loads(p.read_text())\n"
     "    except ValueError:\n        return False\n", 5, True),
    ("error_as_value", "def ok(p):\n    try:\n        return p.exists() and p.is_file()\n    except OSError:\n"
     "        return False\n", 5, False),
    # a helper that reports failure by its result, dropped, then success
    ("success_on_failure", "def _write(p) -> bool:\n    return False\ndef save(p):\n    _write(p)\n    return True\n",
     5, True),
    ("success_on_failure", "def _write(p) -> bool:\n    return False\ndef save(p):\n    if not _write(p):\n"
     "        return False\n    return True\n", 6, False),
    # a None test does not rule out zero
    ("division_by_zero", "def f(total, xs):\n    if xs is not None:\n        return total / len(xs)\n", 3, True),
    ("division_by_zero", "def f(total, xs):\n    if xs:\n        return total / len(xs)\n", 3, False),
    # an inclusive loop bound; a binary search's lo <= hi is the rule
    ("off_by_one", "def f(n):\n    i = 0\n    while i <= n:\n        g(i)\n        i += 1\n", 3, True),
    ("off_by_one", "def f(xs, v):\n    lo, hi = 0, len(xs) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n"
     "        lo = mid + 1 if xs[mid] < v else lo\n        hi = mid - 1 if xs[mid] > v else hi\n", 3, False),
    # a number compared with text; a file time with a datetime
    ("type_confusion", "def f(parts):\n    return len(parts) == '3'\n", 2, True),
    ("type_confusion", "def f(parts):\n    return len(parts) == 3\n", 2, False),
    ("type_confusion", "import os, datetime\ndef f(p, cutoff):\n"
     "    return datetime.datetime.now() - os.path.getmtime(p)"
     "\n", 3, True),
    ("type_confusion", "import os, time\ndef f(p):\n    return time.time() - os.path.getmtime(p)\n", 3, False),
    # released in a finally by name: another resource in the same unit is still a site
    ("resource_not_released", "def f(a, b):\n    x = open(a)\n    y = open(b)\n    try:\n        g(x, y)\n"
     "    finally:\n        x.close()\n", 3, True),
    ("resource_not_released", "def f(a, b):\n    x = open(a)\n    y = open(b)\n    try:\n        g(x, y)\n"
     "    finally:\n        x.close()\n", 2, False),
    ("resource_not_released", "import fcntl\ndef f(fh):\n    fcntl.flock(fh, fcntl.LOCK_EX)\n    g(fh)\n"
     "    fcntl.flock(fh, fcntl.LOCK_UN)\n", 3, True),
    ("resource_not_released", "import fcntl\ndef f(fh):\n    fcntl.flock(fh, fcntl.LOCK_EX)\n    try:\n"
     "        g(fh)\n    finally:\n        fcntl.flock(fh, fcntl.LOCK_UN)\n", 3, False),
    # a batch command with no timeout, even when its output is not read; an editor is waited for on purpose
    ("missing_timeout", "import subprocess\ndef f(src, dst):\n"
     "    subprocess.run(['rsync', '-a', src, dst], check=True)\n",
     3, True),
    ("missing_timeout", "import subprocess\ndef f(path):\n    subprocess.run(['vim', path])\n", 3, False),
    ("missing_timeout", "import subprocess\ndef f(editor, path):\n    subprocess.run([editor, path])\n", 3, False),
    # a memo whose value depends on an attribute the key leaves out
    ("stale_cache_key", "class T:\n    def thumb(self, path):\n        if path not in self._memo:\n"
     "            self._memo[path] = render(path, self.size)\n        return self._memo[path]\n", 4, True),
    ("stale_cache_key", "class T:\n    def thumb(self, path):\n        key = (path, self.size)\n"
     "        if key not in self._memo:\n"
     "            self._memo[key] = render(path, self.size)\n        return self._memo[key]\n", 5, False),
    # a cache made in the call (a closure's): the parameters are the same for everything it holds
    ("stale_cache_key", "def make(src, wrap):\n    cache: dict = {}\n    def func():\n        s = src()\n"
     "        if s in cache:\n            return cache[s]\n        cache[s] = wrap()\n        return cache[s]\n"
     "    return func\n", 7, False),
    ("stale_cache_key", "def make(src, wrap):\n    cache = {}\n    def func():\n        s = src()\n"
     "        if s in cache:\n            return cache[s]\n        cache[s] = wrap()\n        return cache[s]\n"
     "    return func\n", 7, False),
    # a count of parts that rounds down; the ceiling idiom does not
    ("off_by_one", "def f(data, size):\n    n = len(data) // size\n    for i in range(n):\n"
     "        g(data[i * size:(i + 1) "
     "* size])\n", 3, True),
    ("off_by_one", "def f(data, size):\n    n = (len(data) + size - 1) // size\n    for i in range(n):\n"
     "        g(data[i * size:(i + 1) * size])\n", 3, False),
    # bytes against text, wherever each comes from
    ("type_confusion", "import hashlib\ndef f(data, expected_hex):\n    want = expected_hex.lower()\n"
     "    return hashlib.sha256(data).digest() == want.strip()\n", 4, False),  # ``want``: unknown, not text
    ("type_confusion", "import hashlib\ndef f(data, other):\n    return hashlib.sha256(data).digest() == "
     "hashlib.sha256(other).hexdigest()\n", 3, True),
    ("type_confusion", "import hashlib\ndef f(data, other):\n    return hashlib.sha256(data).hexdigest() == "
     "hashlib.sha256(other).hexdigest()\n", 3, False),
    ("type_confusion", "import datetime\ndef f(age_seconds):\n    return age_seconds > datetime.timedelta(days=7)\n",
     3, True),
    ("type_confusion", "import datetime\ndef f(age):\n    return age > datetime.timedelta(days=7)\n", 3, False),
    # statistics on a list that can be empty
    ("division_by_zero", "import statistics\ndef f(runs):\n    return statistics.mean(r.seconds for r in runs)\n", 3,
     True),
    ("division_by_zero", "import statistics\ndef f(xs):\n    if not xs:\n        return 0.0\n"
     "    return statistics.mean(xs)\n", 5, False),
    # a negated variable slice bound: [:-0] is empty
    ("off_by_one", "def f(backups, keep):\n    for old in backups[:-keep]:\n        g(old)\n", 2, True),
    ("off_by_one", "def f(backups, keep):\n    for old in backups[:len(backups) - keep]:\n        g(old)\n", 2, False),
    # more resources, and a tuple target released by name
    ("resource_not_released", "import ftplib\ndef f(h, p):\n    ftp = ftplib.FTP(h)\n    ftp.storbinary('STOR x', p)\n"
     "    ftp.quit()\n", 3, True),
    ("resource_not_released", "import os, tempfile\ndef f(b):\n    fd, path = tempfile.mkstemp()\n    try:\n"
     "        os.write(fd, b)\n    finally:\n        os.close(fd)\n    return path\n", 3, False),
    # a parameter's annotated type against a literal of another type
    ("type_confusion", "from pathlib import Path\ndef f(dest: Path):\n    if dest == '-':\n        g()\n", 3, True),
    ("type_confusion", "from pathlib import Path\ndef f(dest: Path):\n    if str(dest) == '-':\n        g()\n", 3,
     False),
    ("type_confusion", "def f(port: int):\n    return port == '8080'\n", 2, True),
    ("type_confusion", "def f(port: int):\n    return port == 8080\n", 2, False),
    # naive against aware datetimes
    ("type_confusion", "import datetime\ndef f(stamp):\n    return datetime.datetime.utcnow() - "
     "datetime.datetime.fromtimestamp(stamp, tz=datetime.timezone.utc)\n", 3, True),
    ("type_confusion", "import datetime\ndef f(stamp):\n    return datetime.datetime.now(datetime.timezone.utc) - "
     "datetime.datetime.fromtimestamp(stamp, tz=datetime.timezone.utc)\n", 3, False),
    # a private method its class calls only with the lock held; called once without it, it is a site again
    ("race_on_shared_state", "import threading\nclass L:\n    def __init__(self):\n"
     "        self._lock = threading.RLock()\n"
     "    def start(self):\n        with self._lock:\n            self._redirect()\n    def _redirect(self):\n"
     "        self._saved = 1\n", 9, False),
    ("race_on_shared_state", "import threading\nclass L:\n    def __init__(self):\n"
     "        self._lock = threading.RLock()\n"
     "    def start(self):\n        with self._lock:\n            self._redirect()\n    def _redirect(self):\n"
     "        self._saved += 1\n    def reset(self):\n        self._redirect()\n", 9, True),
    # a race needs a read and a write that can interleave: a plain store of a new value loses nothing
    ("race_on_shared_state", "import threading\nclass C:\n    def __init__(self):\n"
     "        self._lock = threading.Lock()\n"
     "    def stop(self):\n        self.quiet = True\n", 6, False),
    ("race_on_shared_state", "import threading\nclass C:\n    def __init__(self):\n"
     "        self._lock = threading.Lock()\n"
     "    def add(self, k, v):\n        cur = self._d.get(k, 0)\n        self._d[k] = cur + v\n", 7, True),
    ("race_on_shared_state", "import threading\nclass C:\n    def __init__(self):\n"
     "        self._lock = threading.Lock()\n"
     "    def conn(self):\n        if self._conn is None:\n            self._conn = connect()\n"
     "        return self._conn\n", 7, True),  # a lazy load without the lock
    # a None test after `and` guards nothing: the rest runs only when the value is None
    ("wrong_boolean_logic", "def f(job, now):\n    return job.next is None and now >= job.next\n", 2, True),
    ("wrong_boolean_logic", "def f(job, now):\n    return job.next is None or now >= job.next\n", 2, False),
    ("wrong_boolean_logic", "def f(x):\n    g(x is not None or x.size)\n", 2, True),
    # a read from a file opened in binary mode is bytes; the same name rebound in text mode is not
    ("type_confusion", "def f(p):\n    with open(p, 'rb') as fh:\n        magic = fh.read(4)\n"
     "        if magic != 'BKP1':\n            raise ValueError(p)\n", 4, True),
    ("type_confusion", "def f(p):\n    with open(p, 'rb') as fh:\n        magic = fh.read(4)\n"
     "        if magic != b'BKP1':\n            raise ValueError(p)\n", 4, False),
    ("type_confusion", "def f(p):\n    with open(p, 'wb') as fh:\n        fh.write(b'x')\n    with open(p) as fh:\n"
     "        return fh.read() == 'x'\n", 5, False),
    # a sleep converted from milliseconds with nothing saying the value is in milliseconds
    ("type_confusion", "import time\ndef f(resp):\n    wait = int(resp.headers.get('Retry-After', '1'))\n"
     "    time.sleep(wait / 1000)\n", 4, True),
    ("type_confusion", "import time\ndef f(delay_ms):\n    time.sleep(delay_ms / 1000)\n", 3, False),
    # an object logged whole that holds a secret (read in the unit, or a data class's field)
    ("sensitive_data_logged", "def f(config):\n    auth = (config.user, config.secret_key)\n"
     "    log.info('configured: %r', config)\n", 3, True),
    ("sensitive_data_logged", "def f(config):\n    auth = (config.user, config.secret_key)\n"
     "    log.info('configured: %s', config.endpoint)\n", 3, False),
    ("sensitive_data_logged", "from dataclasses import dataclass\n@dataclass\nclass Db:\n    host: str\n"
     "    password: str\ndef f(db: Db):\n    log.info(f'connecting {db}')\n", 7, True),
    ("sensitive_data_logged", "class Db:\n    def __init__(self, host, password):\n        self.host = host\n"
     "        self.password = password\ndef f(db: Db):\n    log.info(f'connecting {db}')\n", 6, False),  # no field repr
    # an HTTP byte range's end is inclusive
    ("off_by_one", "def f(offset, chunk, total):\n"
     "    return {'Content-Range': f'bytes {offset}-{offset + len(chunk)}/{total}'}\n",
     2, True),
    ("off_by_one", "def f(offset, chunk, total):\n"
     "    return {'Content-Range': f'bytes {offset}-{offset + len(chunk) - 1}/{total}'}\n",
     2, False),
    ("off_by_one", "def f(start, size):\n    return 'bytes=%d-%d' % (start, start + size)\n", 2, True),
    # a failed parse returned as zero where the function declares a number
    ("error_as_value", "import re\ndef f(text) -> int:\n    m = re.fullmatch(r'(\\d+)k', text)\n    if m is None:\n"
     "        return 0\n    return int(m.group(1)) * 1024\n", 5, True),
    ("error_as_value", "import re\ndef f(text) -> int:\n    m = re.fullmatch(r'(\\d+)k', text)\n    if m is None:\n"
     "        raise ValueError(text)\n    return int(m.group(1)) * 1024\n", 5, False),
    # a memo found by what it returns (a read of the map inside the result), its key left short
    ("stale_cache_key", "class R:\n    def convert(self, amount, source, target):\n"
     "        if source not in self._rates:\n"
     "            self._rates[source] = self._client.rate(source, target)\n"
      "        return amount * self._rates[source]\n",
     4, True),
    ("stale_cache_key", "class R:\n    def convert(self, amount, source, target):\n        key = (source, target)\n"
     "        if key not in self._rates:\n            self._rates[key] = self._client.rate(source, target)\n"
     "        return amount * self._rates[key]\n", 3, False),
    # an object's id as a cache key
    ("stale_cache_key", "_cache = {}\ndef f(schema):\n    key = id(schema)\n    v = _cache.get(key)\n"
     "    if v is None:\n"
     "        v = _cache[key] = build(schema)\n    return v\n", 3, True),
    # lru_cache on a method that reads state another method changes (not a lazily filled attribute)
    ("stale_cache_key", "import functools\nclass T:\n    def set_locale(self, loc):\n        self.locale = loc\n"
     "    @functools.lru_cache(maxsize=64)\n    def text(self, key):\n"
      "        return self.cat[self.locale][key]\n", 5, True),
    ("stale_cache_key", "import functools\nclass T:\n    def ansi(self):\n        if self._ansi is None:\n"
     "            self._ansi = make()\n        return self._ansi\n    @functools.lru_cache(maxsize=64)\n"
     "    def text(self, key):\n        return self._ansi + key\n", 7, False),
    # a logged value that carries a secret, unless it was masked
    ("sensitive_data_logged", "def f(address, api_key):\n    url = f'https://geo/?q={address}&key={api_key}'\n"
     "    log.error('failed: %s', url)\n", 3, True),
    ("sensitive_data_logged", "def f(address, api_key):\n    url = redact(f'https://geo/?q={address}&key={api_key}')\n"
     "    log.error('failed: %s', url)\n", 3, False),
    ("sensitive_data_logged", "def f(tokens, s):\n    for token in tokens:\n        s = expect_token(token, s)\n"
     "    raise ValueError(f'left: {s!r}')\n", 4, False),  # a function of the token is not the token
    # a status only ever set to success, returned after a handler that does not raise
    ("success_on_failure", "import json\ndef f(payload):\n    status = 200\n    try:\n"
     "        body = json.loads(payload)\n"
     "    except ValueError as exc:\n        body = {'reason': str(exc)}\n    return status, body\n", 8, True),
    ("success_on_failure", "import json\ndef f(payload):\n    status = 200\n    try:\n"
     "        body = json.loads(payload)\n"
     "    except ValueError as exc:\n        status = 400\n        body = {'reason': str(exc)}\n"
      "    return status, body\n",
     9, False),
    # a return in finally discards the exception; a break out of a loop inside the finally does not
    ("error_swallowed", "def f(p, d):\n    s = dict(d)\n    try:\n        s.update(load(p))\n    finally:\n"
     "        return s\n", 6, True),
    ("error_swallowed", "def f(c):\n    try:\n        run(c)\n    finally:\n        while True:\n"
     "            if c.wait():\n"
     "                break\n", 7, False),
    # futures never asked for their result
    ("error_swallowed", "import concurrent.futures as cf\ndef f(jobs):\n    with cf.ThreadPoolExecutor() as pool:\n"
     "        futures = [pool.submit(j) for j in jobs]\n        cf.wait(futures)\n", 5, True),
    ("error_swallowed", "import concurrent.futures as cf\ndef f(jobs):\n    with cf.ThreadPoolExecutor() as pool:\n"
     "        futures = [pool.submit(j) for j in jobs]\n        for fut in cf.as_completed(futures):\n"
     "            fut.result()\n", 5, False),
    # an error dict from a handler; an empty value from a handler that logs an error
    ("error_as_value", "def f(s, i):\n    try:\n        r = s.get(i)\n    except OSError as exc:\n"
     "        return {'error': str(exc)}\n    return r.json()\n", 5, True),
    ("error_as_value", "def f(p):\n    try:\n        with open(p) as fh:\n            return fh.read().strip()\n"
     "    except OSError as exc:\n        log.error('cannot read %s: %s', p, exc)\n        return ''\n", 7, True),
    ("error_as_value", "def f(p):\n    try:\n        with open(p) as fh:\n            return fh.read().strip()\n"
     "    except OSError as exc:\n        log.debug('no file %s: %s', p, exc)\n        return ''\n", 7, False),
    # a filter in the list's own comprehension does not test the list for empty
    ("division_by_zero", "def f(self, ip):\n    healthy = [b for b in self.backends if b.healthy]\n"
     "    return healthy[hash(ip) % len(healthy)]\n", 3, True),
    # a call that can raise between the acquire and the try whose finally releases it
    ("resource_not_released", "import socket\ndef f(h, p):\n    sock = socket.socket()\n    sock.settimeout(3)\n"
     "    sock.connect((h, p))\n    try:\n        return sock.recv(64)\n    finally:\n        sock.close()\n", 3, True),
    ("resource_not_released", "import socket\ndef f(h, p):\n    sock = socket.socket()\n    sock.settimeout(3)\n"
     "    try:\n        sock.connect((h, p))\n        return sock.recv(64)\n    finally:\n        sock.close()\n",
     3, False),
    # text from the environment used as a number or as bytes
    ("type_confusion", "import os\ndef f(fn):\n    n = os.environ.get('RETRIES', 3)\n    for i in range(n):\n"
     "        fn()\n", 4, True),
    ("type_confusion", "import os\ndef f(fn):\n    n = int(os.environ.get('RETRIES', 3))\n    for i in range(n):\n"
     "        fn()\n", 4, False),
    ("type_confusion", "import hashlib, hmac, os\ndef f(body):\n    secret = os.environ['SECRET']\n"
     "    return hmac.new(secret, body, hashlib.sha256).hexdigest()\n", 4, True),
    # `is` against a literal
    ("wrong_boolean_logic", "def f(h):\n    scheme, _, tok = h.partition(' ')\n    if scheme is 'Bearer' and tok:\n"
     "        return tok\n", 3, True),
    ("wrong_boolean_logic", "def f(h):\n    if h is None:\n        return 0\n", 2, False),
    # the condition before a refusal is the function's decision
    ("wrong_boolean_logic", "def f(user, doc):\n    if not user.is_staff or doc.owner_id == user.id:\n"
     "        raise PermissionDenied(user)\n", 2, True),
    ("wrong_boolean_logic", "def f(user, doc):\n    if not user.is_staff or doc.owner_id == user.id:\n"
     "        raise ValueError(user)\n", 2, False),
    # a class whose docstring says threads share it
    ("race_on_shared_state", "class Pool:\n"
     "    \"\"\"One session per host, shared by the crawler's worker threads.\"\"\"\n"
     "    def get(self, host):\n        if host not in self._s:\n            self._s[host] = make(host)\n"
     "        return self._s[host]\n", 5, True),
    ("race_on_shared_state", "class Pool:\n    \"\"\"One session per host.\"\"\"\n"
     "    def get(self, host):\n        if host not in self._s:\n            self._s[host] = make(host)\n"
     "        return self._s[host]\n", 5, False),
    # a split at a found separator keeps it in the second part; a range that stops one chunk or one day short
    ("off_by_one", "def f(name):\n    dot = name.rfind('.')\n    return name[:dot], name[dot:]\n", 3, True),
    ("off_by_one", "def f(doc, a, b):\n    s = doc.find(a)\n    e = doc.find(b, s)\n"
     "    return doc[:s] + 'x' + doc[e:]\n",
     4, False),  # a splice between markers
    ("off_by_one", "def f(data, size):\n"
     "    return [data[i:i + size] for i in range(0, len(data) - size, size)]\n", 2, True),
    ("off_by_one", "def f(data, size):\n    return [data[i:i + size] for i in range(0, len(data), size)]\n", 2, False),
    ("off_by_one", "import datetime as dt\ndef f(start, end):\n    return [start + dt.timedelta(days=i) for i in "
     "range((end - start).days)]\n", 3, True),
    # a logged value made by a method of the class that puts the token in it
    ("sensitive_data_logged", "class C:\n    def _opts(self):\n"
     "        return {'Authorization': f'Bearer {self.token}'}\n"
     "    def items(self):\n        opts = self._opts()\n        log.debug('options=%s', opts)\n", 6, True),
    ("sensitive_data_logged", "class C:\n    def _opts(self):\n        return {'Accept': 'application/json'}\n"
     "    def items(self):\n        opts = self._opts()\n        log.debug('options=%s', opts)\n", 6, False),
    # a connection made with a timeout limits the calls made on it
    ("missing_timeout", "import http.client\ndef f(host):\n    conn = http.client.HTTPSConnection(host, timeout=5)\n"
     "    conn.request('GET', '/')\n    return conn.getresponse().status\n", 4, False),
    ("missing_timeout", "def f(conn):\n    conn.request('GET', '/')\n    return conn.getresponse().status\n", 2, True),
    # each element with the one before it; a negated bound tested before; a comprehension over a tested map
    ("off_by_one", "def f(xs):\n    out = []\n    for i in range(1, len(xs)):\n        out.append(xs[i] - xs[i - 1])\n"
     "    return out\n", 3, False),
    ("off_by_one", "def f(xs, keep):\n    if keep < 1:\n        raise ValueError(keep)\n    return xs[:-keep]\n"
     "", 4, False),
    ("division_by_zero", "def f(self):\n    if not self.entries:\n        return 1.0\n"
     "    unique = {e.digest for e in self.entries.values()}\n    return len(self.entries) / len(unique)\n", 5, False),
    ("division_by_zero", "def f(self):\n    if not self.entries:\n        return 1.0\n"
     "    unique = {e.digest for e in self.entries.values() if e.digest}\n    return len(self.entries) / len(unique)\n",
     5, True),  # a filter can leave it empty
    # best-effort abort; one round of a worker loop that logs the failure
    ("error_swallowed", "import contextlib\ndef abort_upload(s, k):\n    with contextlib.suppress(OSError):\n"
     "        s.delete(k, timeout=5)\n", 3, False),
    ("error_swallowed", "def loop(self, t):\n    while not self._stop.wait(t):\n        try:\n            self.tick()\n"
     "        except Exception:\n            log.exception('tick failed')\n", 5, False),
    ("error_swallowed", "def loop(self, t):\n    while not self._stop.wait(t):\n        try:\n            self.tick()\n"
     "        except Exception:\n            pass\n", 5, True),
    # a conditional expression whose test comes after the division it guards; a loop that runs only when the
    # divisor is at least one
    ("division_by_zero", "def f(w, done, total):\n    return (\n        int(w * done / total)\n"
     "        if total and done is not None\n        else w\n    )\n", 3, False),
    ("division_by_zero", "def f(w, done, total):\n    return (\n        int(w * done / total)\n"
     "        if done is not None\n        else w\n    )\n", 3, True),
    ("division_by_zero", "def f(width, height):\n    for y in range(0, height):\n        for x in range(width):\n"
     "            g(x / width, y / (height + 1), 1 / height)\n", 4, False),
    ("division_by_zero", "def f(width, height):\n    for y in range(0, height):\n        g(y / width)\n", 3, True),
    # other exits that hide a failure
    ("error_swallowed", "class T:\n    def __exit__(self, t, e, tb):\n        self.rollback()\n        return True\n",
     4, True),
    ("error_swallowed", "class T:\n    def __exit__(self, t, e, tb):\n        self.rollback()\n        return False\n",
     4, False),
    ("error_swallowed", "def f(lines):\n    for x in lines:\n        try:\n            yield int(x)\n"
     "        except ValueError:\n            return\n", 5, True),
    ("error_swallowed", "def f(it):\n    while True:\n        try:\n            yield next(it)\n"
     "        except StopIteration:\n            return\n", 5, False),
    ("success_on_failure", "def f(job):\n    try:\n        job.run()\n    finally:\n        job.status = 'completed'\n",
     5, True),
    ("success_on_failure", "def f(job):\n    try:\n        job.run()\n    finally:\n        job.finished_at = now()\n",
     5, False),
    ("error_as_value", "import asyncio\nasync def f(ps):\n"
     "    return await asyncio.gather(*ps, return_exceptions=True)\n",
     3, True),
    ("error_as_value", "import asyncio\nasync def f(ps):\n    rs = await asyncio.gather(*ps, return_exceptions=True)\n"
     "    return [r for r in rs if not isinstance(r, Exception)]\n", 3, False),
    ("error_as_value", "def f(s, u):\n    r = s.get(u)\n    if r.status_code != 200:\n        return r.status_code\n"
     "    return r.content\n", 4, True),
    ("error_swallowed", "import shutil\ndef delete_asset(d):\n    shutil.rmtree(d, ignore_errors=True)\n", 3, True),
    ("error_swallowed", "import shutil\ndef cleanup_temp(d):\n    shutil.rmtree(d, ignore_errors=True)\n", 3, False),
    # secrets a message names, or carries through a name
    ("sensitive_data_logged", "def f(presented):\n    raise AuthError(f'unknown API key {presented!r}')\n", 2, True),
    ("sensitive_data_logged", "def f(presented):\n    raise AuthError(f'unknown API key {fingerprint(presented)}')\n",
     2, False),
    ("sensitive_data_logged", "def refresh_token(s, log):\n    r = s.post(URL)\n    log.debug('answer %s', r.text)\n",
     3, True),
    ("sensitive_data_logged", "def f(base, stream_key, log):\n    target = f'{base}/{stream_key}'\n"
     "    cmd = ['ffmpeg', target]\n    log.info('run %s', ' '.join(cmd))\n", 4, True),
    # waits with no limit
    ("missing_timeout", "import subprocess\ndef f(c):\n    p = subprocess.Popen(c, stdout=subprocess.PIPE)\n"
     "    try:\n        return p.communicate(timeout=5)\n    except subprocess.TimeoutExpired:\n        p.kill()\n"
     "        p.communicate()\n        raise\n", 3, False),
    ("missing_timeout", "import subprocess\ndef f(c):\n    proc = subprocess.Popen(c, stdout=subprocess.PIPE)\n"
     "    return proc.communicate()\n", 4, True),
    ("missing_timeout", "import asyncio\nasync def f(h):\n"
     "    r, w = await asyncio.wait_for(asyncio.open_connection(h, 1),"
     " 5)\n    return await r.readline()\n", 4, True),
    # values that are not what the code takes them for; conditions the docstring contradicts
    ("type_confusion", "import struct\ndef f(h):\n    rate = struct.unpack('<I', h[0:4])\n"
     "    return 10 / rate\n", 3, True),
    ("type_confusion", "import struct\ndef f(h):\n    (rate,) = struct.unpack('<I', h[0:4])\n    return 10 / rate\n", 3,
     False),
    ("type_confusion", "from datetime import datetime\ndef f():\n    return datetime.utcnow().timestamp()\n", 3, True),
    ("type_confusion", "from datetime import datetime, timezone\ndef f():\n    return datetime.now(timezone.utc)"
     ".timestamp()\n", 3, False),
    ("type_confusion", "from datetime import datetime\ndef f(t):\n    return datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ')"
     ".timestamp()\n", 3, True),
    ("wrong_boolean_logic", "def f(job, max_polls):\n    polls = 0\n"
     "    while job.status != 'ready' or polls < max_polls:\n"
     "        polls += 1\n", 3, True),
    ("wrong_boolean_logic", "def f(job, max_polls):\n    polls = 0\n"
     "    while job.status != 'ready' and polls < max_polls:\n"
     "        polls += 1\n", 3, False),
    ("wrong_boolean_logic", "def ready(rs):\n    \"\"\"True once every one of the renditions is done.\"\"\"\n"
     "    return any(r.done for r in rs)\n", 3, True),
    ("wrong_boolean_logic", "def ready(rs):\n    \"\"\"True once every one of the renditions is done.\"\"\"\n"
     "    return all(r.done for r in rs)\n", 3, False),
    ("off_by_one", "def f(xs, i):\n    if i < 0 or i > len(xs):\n        raise IndexError(i)\n"
     "    return xs[i]\n", 2, True),
    ("off_by_one", "def f(xs, i):\n    if i < 0 or i >= len(xs):\n        raise IndexError(i)\n"
     "    return xs[i]\n", 2, False),
    ("off_by_one", "def f(cues):\n    out = []\n    for n, c in enumerate(cues):\n        out.append(f'{n}. {c}')\n"
     "    return out\n", 3, True),
    ("off_by_one", "def f(cues):\n    out = []\n    for n, c in enumerate(cues, start=1):\n"
     "        out.append(f'{n}. {c}')\n    return out\n", 3, False),
    ("off_by_one", "def f(rows):\n    for y, r in enumerate(rows):\n"
     "        draw(f'<text y=\"{y}\">{r}</text>')\n", 2, False),
    # cache keys
    ("stale_cache_key", "def memo(fn):\n    cache = {}\n    def wrapper(*args, **kwargs):\n"
     "        if args not in cache:\n"
     "            cache[args] = fn(*args, **kwargs)\n        return cache[args]\n    return wrapper\n", 5, True),
    ("stale_cache_key", "def memo(fn):\n    cache = {}\n    def wrapper(*args, **kwargs):\n"
     "        key = (args, frozenset(kwargs.items()))\n        if key not in cache:\n"
     "            cache[key] = fn(*args, **kwargs)\n        return cache[key]\n    return wrapper\n", 6, False),
    ("stale_cache_key", "import functools\nclass A:\n    def bump(self):\n        self.v += 1\n"
     "    @functools.cached_property\n    def url(self):\n        return f'/a/v{self.v}'\n", 5, True),
    ("stale_cache_key", "import functools\nclass A:\n    def bump(self):\n        self.v += 1\n"
     "    @functools.cached_property\n    def url(self):\n        return f'/a/{self.id}'\n", 5, False),
    # a counter a nested function shares with its threads through nonlocal
    ("race_on_shared_state", "from concurrent.futures import ThreadPoolExecutor\ndef f(jobs):\n    total = 0\n"
     "    def run(j):\n        nonlocal total\n        total += j.size\n    with ThreadPoolExecutor() as p:\n"
     "        list(p.map(run, jobs))\n    return total\n", 6, True),
    ("race_on_shared_state", "import threading\nfrom concurrent.futures import ThreadPoolExecutor\ndef f(jobs):\n"
     "    total = 0\n    lock = threading.Lock()\n    def run(j):\n        nonlocal total\n        with lock:\n"
     "            total += j.size\n    with ThreadPoolExecutor() as p:\n        list(p.map(run, jobs))\n"
     "    return total\n", 4, False),
    # a modulo in a comprehension's own filter is not a test of its divisor
    ("division_by_zero", "def f(n, k):\n    return [i for i in range(n) if i % k == 0]\n", 2, True),
    # fields of a binary header, and units written after numbers
    ("off_by_one", "def f(d, o):\n    size = int.from_bytes(d[o:o + 3], 'big')\n    kind = d[o + 4:o + 8]\n"
     "    return size, kind\n", 2, True),
    ("off_by_one", "def f(d):\n    riff = d[0:4]\n    wave = d[8:12]\n    return riff, wave\n", 2, False),
    ("type_confusion", "def f(r):\n    return ['-b:v', f'{r.bitrate_bps}k']\n", 2, True),
    ("type_confusion", "def f(r):\n    return ['-b:v', f'{r.bitrate_kbps}k']\n", 2, False),
    ("type_confusion", "def f(delay_s):\n    return f'waiting {delay_s}ms'\n", 2, True),
    # a divisor every assignment of which is non-zero or tested first
    ("division_by_zero", "def f(n, args):\n    per = max(1, min(args.get('per', 25), 100))\n"
     "    return (n + per - 1) // per\n",
     3, False),
    ("division_by_zero", "def f(fee, xs):\n    if not xs:\n        return []\n    sub = sum(xs)\n    if sub == 0:\n"
     "        ws, total = [1] * len(xs), len(xs)\n    else:\n        ws, total = xs, sub\n"
     "    return [fee * w / total for w in ws]\n", 9, False),
    ("division_by_zero", "def f(text):\n    spans, total = split(text)\n    return len(spans) / total\n", 3, True),
    ("division_by_zero", "def f(xs):\n    n = len(xs) or 1\n    for x in xs:\n        n -= 1\n"
     "    return 1 / n\n", 5, True),
    # state outside the process: rows, Redis keys
    ("race_on_shared_state", "def f(session, pk, v):\n    a = session.get(Account, pk)\n    a.balance = a.balance + v\n"
     "    session.commit()\n", 3, True),
    ("race_on_shared_state", "def f(session, pk, v):\n    a = session.get(Account, pk, with_for_update=True)\n"
     "    a.balance = a.balance + v\n    session.commit()\n", 3, False),
    ("race_on_shared_state", "def f(session, pk, v):\n    a = session.query(Account).with_for_update().get(pk)\n"
     "    a.balance = a.balance + v\n    session.commit()\n", 3, False),
    ("race_on_shared_state", "def f(self, k):\n    n = int(self.redis.get(k) or 0)\n    self.redis.set(k, n + 1)\n",
     3, True),
    ("race_on_shared_state", "def f(self, k):\n    return self.redis.incr(k)\n", 2, False),
    ("race_on_shared_state", "def f(cache, k):\n    v = cache.get(k)\n    if v is None:\n        v = build()\n"
     "        cache.set(k, v)\n    return v\n", 5, False),
    ("missing_timeout", "def f(r, k):\n    return r.blpop(k, timeout=0)\n", 2, True),
    ("missing_timeout", "def f(r, k):\n    return r.blpop(k, timeout=30)\n", 2, False),
    # a handler that only undoes, and an empty result after a logged warning
    ("error_swallowed", "def f(session, rows):\n    try:\n        session.add_all(rows)\n        session.commit()\n"
     "    except DBError:\n        session.rollback()\n", 5, True),
    ("error_swallowed", "def f(session, rows):\n    try:\n        session.add_all(rows)\n        session.commit()\n"
     "    except DBError:\n        session.rollback()\n        raise\n", 5, False),
    ("error_as_value", "def f(http, log, c):\n    try:\n        r = http.get(c)\n        r.raise_for_status()\n"
     "    except HTTPError as e:\n        log.warning('failed: %s', e)\n        return []\n"
      "    return r.json()['data']\n",
     7, True),
    # web-backend shapes: pages, limits, uncalled methods, a 0 replaced, dict keys only, a code in a message
    ("off_by_one", "def f(q, page, per_page=20):\n    return q.offset(page * per_page).limit(per_page).all()\n"
     "", 2, True),
    ("off_by_one", "def f(q, page, per_page=20):\n"
     "    return q.offset((page - 1) * per_page).limit(per_page).all()\n", 2,
     False),
    ("off_by_one", "def f(self, hits, now):\n    if len(hits) > self.limit:\n        return False\n"
     "    hits.append(now)\n    return True\n", 2, True),
    ("off_by_one", "def f(self, errors, e):\n    errors.append(e)\n    if len(errors) > self.max_errors:\n"
     "        raise Abort(errors)\n", 3, False),
    ("wrong_boolean_logic", "def f(form):\n    if form.validate_on_submit:\n        save(form)\n", 2, True),
    ("wrong_boolean_logic", "def f(form):\n    if form.validate_on_submit():\n        save(form)\n", 2, False),
    ("wrong_boolean_logic", "def f(args):\n    if args.check_status:\n        save()\n", 2, False),  # a flag
    ("wrong_boolean_logic", "def f(form):\n    n = form.get('max_errors', type=int) or 20\n    return n\n", 2, True),
    ("wrong_boolean_logic", "def f(self):\n    return float(self.length or 1) or 1\n", 2, False),
    ("stale_cache_key", "def f(session, cache, filters):\n    key = 'search:' + json.dumps(sorted(filters))\n"
     "    ids = cache.get(key)\n    if ids is None:\n        ids = session.query(P).filter_by(**filters).all()\n"
     "        cache.set(key, ids)\n    return ids\n", 2, True),
    ("stale_cache_key", "def f(session, cache, filters):\n    key = 'search:' + json.dumps(sorted(filters.items()))\n"
     "    ids = cache.get(key)\n    if ids is None:\n        ids = session.query(P).filter_by(**filters).all()\n"
     "        cache.set(key, ids)\n    return ids\n", 2, False),
    ("stale_cache_key", "def f(cache, name, params, build):\n    key = (name, tuple(sorted(params.items())))\n"
     "    body = cache.get(key)\n    if body is None:\n        body = build(params)\n        cache.set(key, body)\n"
     "    return body\n", 6, False),
    ("sensitive_data_logged", "def f(sms, phone, code, log):\n    body = f'Your sign-in code is {code}.'\n"
     "    sms.send(phone, body)\n    log.info('sent %s', body)\n", 4, True),
    ("sensitive_data_logged", "def f(sms, phone, n, log):\n    body = f'Your order {n} has shipped.'\n"
     "    sms.send(phone, body)\n    log.info('sent %s', body)\n", 4, False),
    ("success_on_failure", "def f(server, sender, recipients, msg):\n    server.sendmail(sender, recipients, msg)\n"
     "    return list(recipients)\n", 3, True),
    ("success_on_failure", "def f(server, sender, recipients, msg):\n"
     "    refused = server.sendmail(sender, recipients, msg)\n"
     "    return [r for r in recipients if r not in refused]\n", 3, False),
    # idioms that are right: one attempt of a retry loop, a context manager's entry, making room at the limit
    ("error_swallowed", "def f(s, n):\n    for i in range(n):\n        try:\n            return s.post(U, timeout=5)\n"
     "        except ConnectionError as e:\n            log.warning('attempt %d: %s', i, e)\n"
     "    return False\n", 5, False),
    ("success_on_failure", "def f(s, n):\n    for i in range(n):\n        try:\n            s.post(U, timeout=5)\n"
     "        except ConnectionError as e:\n            log.warning('attempt %d: %s', i, e)\n"
     "    return True\n", 7, True),
    ("resource_not_released", "import tempfile\nclass W:\n    def __enter__(self):\n"
     "        self.path = Path(tempfile.mkdtemp())\n        return self.path\n", 4, False),
    ("off_by_one", "def f(self, k, v):\n    if len(self.cache) >= self.max:\n        self.cache.popitem(last=False)\n"
     "    self.cache[k] = v\n", 2, False),
    ("race_on_shared_state", "class B:\n    \"\"\"Collects samples from the request threads.\"\"\"\n"
     "    def add(self, x):\n"
     "        self.n += x\n", 4, True),
    ("error_as_value", "def norm(raw):\n    \"\"\"Return the number in E.164 form.\"\"\"\n    try:\n"
     "        n = lib.parse(raw)\n"
     "    except lib.ParseError:\n        return raw\n    return lib.format(n)\n", 6, True),
    ("error_as_value", "def norm(raw):\n"
     "    \"\"\"Return the number in E.164 form, or raw unchanged if it is not one.\"\"\"\n"
     "    try:\n        n = lib.parse(raw)\n    except lib.ParseError:\n        return raw\n    return lib.format(n)\n",
     6, False),
    ("stale_cache_key", "class M:\n    def get(self, url):\n        key = urlsplit(url).path\n"
     "        if key in self._cache:\n            return self._cache[key]\n        body = self.session.get(url).text\n"
     "        self._cache[key] = body\n        return body\n", 3, True),
    ("stale_cache_key", "class M:\n    def get(self, url):\n        key = url.split('?')[0]\n"
     "        if key in self._cache:\n            return self._cache[key]\n        body = self.session.get(url).text\n"
     "        self._cache[key] = body\n        return body\n", 3, True),
    ("stale_cache_key", "class M:\n    def get(self, url):\n        key = urlsplit(url).path\n"
     "        if key in self._cache:\n            return self._cache[key]\n        body = self.session.get(key).text\n"
     "        self._cache[key] = body\n        return body\n", 3, False),
    ("sensitive_data_logged", "def me():\n    user = db.get(User, uid)\n"
     "    return jsonify({c.name: getattr(user, c.name) "
     "for c in User.__table__.columns})\n", 3, True),
    ("sensitive_data_logged", "def me(account):\n    return json.dumps(vars(account))\n", 2, True),
    ("sensitive_data_logged", "def me(user):\n    return jsonify({'id': user.id, 'name': user.name})\n", 2, False),
    ("sensitive_data_logged", "def opts(settings):\n    return dict(vars(settings))\n", 2, False),
    ("success_on_failure", "def run(self, job):\n    try:\n        handle(job)\n    finally:\n"
     "        self.store.mark(job.id, JobStatus.DONE)\n", 5, True),
    ("success_on_failure", "def run(self, jobs):\n    try:\n        handle(jobs)\n    finally:\n"
     "        self.pool.shutdown(wait=True)\n", 5, False),
    ("error_swallowed", "def flush(self):\n    \"\"\"Upload the buffer.\n\n"
     "    Raises StorageError when the upload fails.\"\"\"\n"
     "    try:\n        upload(self.buf)\n    except StorageError:\n        self.metrics.incr('failures')\n"
     "        return\n    self.buf = []\n", 7, True),
    ("error_swallowed", "def check(version):\n    try:\n        v = list(map(int, version.split('.')))\n"
     "    except ValueError:\n        return\n    if v < [1, 3]:\n        warn('old')\n", 4, False),
    ("success_on_failure", "def insert_rows(self, rows):\n    with self.conn:\n"
     "        self.conn.executemany(SQL, rows)\n    return len(rows)\n", 4, True),
    ("success_on_failure", "def insert_rows(self, rows):\n    with self.conn:\n"
     "        cur = self.conn.executemany(SQL, rows)\n    return cur.rowcount\n", 4, False),
    ("type_confusion", "def bounds(day):\n    \"\"\"Epoch seconds at which day starts in UTC.\"\"\"\n"
     "    return datetime.combine(day, time.min).timestamp()\n", 3, True),
    ("type_confusion", "def bounds(day):\n    \"\"\"Epoch seconds at which day starts in UTC.\"\"\"\n"
     "    return datetime.combine(day, time.min, tzinfo=timezone.utc).timestamp()\n", 3, False),
    ("type_confusion", "def parse(raw):\n    \"\"\"The feed gives ts as epoch milliseconds.\"\"\"\n"
     "    return datetime.fromtimestamp(raw['ts'], tz=timezone.utc)\n", 3, True),
    ("type_confusion", "def parse(raw):\n    \"\"\"The feed gives ts as epoch milliseconds.\"\"\"\n"
     "    return datetime.fromtimestamp(raw['ts'] / 1000, tz=timezone.utc)\n", 3, False),
    ("off_by_one", "def parts(start, end):\n    span = (end - start).days\n    return [start + timedelta(days=i) "
     "for i in range(span)]\n", 3, True),
    ("off_by_one", "def parts(start, end):\n    span = (end - start).days + 1\n    return [start + timedelta(days=i) "
     "for i in range(span)]\n", 3, False),
    ("resource_not_released", "def bundle(parts):\n    work = tempfile.mkdtemp()\n"
     "    with open(os.path.join(work, 'm.json'), 'w') as fh:\n        json.dump(parts, fh)\n"
     "    out = shutil.make_archive('b', 'gztar', root_dir=work)\n    shutil.rmtree(work)\n    return out\n", 2, True),
    ("resource_not_released", "def write(data):\n    fd, path = tempfile.mkstemp()\n"
     "    with os.fdopen(fd, 'w') as fh:\n        fh.write(data)\n    return path\n", 2, False),
    ("error_swallowed", "def run_all(self, tables):\n    futs = {self.pool.submit(f, t): t for t in tables}\n"
     "    for fut in as_completed(futs):\n        exc = fut.exception()\n        if exc is not None:\n"
     "            log.error('%s failed: %r', futs[fut], exc)\n    return self.totals\n", 6, True),
    ("error_swallowed", "def run_all(self, tables):\n    futs = {self.pool.submit(f, t): t for t in tables}\n"
     "    failed = []\n    for fut in as_completed(futs):\n        exc = fut.exception()\n        if exc is not None:\n"
     "            log.error('%s failed: %r', futs[fut], exc)\n            failed.append(futs[fut])\n"
     "    if failed:\n        raise SyncFailed(failed)\n", 7, False),
    ("wrong_boolean_logic", "def pages(self, max_pages=None):\n    n = 0\n"
     "    while max_pages is None or n < max_pages:\n        n += 1\n", 3, False),
    ("race_on_shared_state", "class B:\n    \"\"\"One per worker; it is not shared between threads.\"\"\"\n"
     "    def add(self, x):\n        self.n += x\n", 4, False),
    ("type_confusion", "def locked(user, now):\n    return (now - user.failed_at).seconds < 900\n", 2, True),
    ("type_confusion", "def f(start, end):\n    delta = end - start\n    return delta.seconds > 30\n", 3, True),
    ("type_confusion", "def f(delta):\n    return delta.days * 86400 + delta.seconds\n", 2, False),
    ("type_confusion", "def f(start, end):\n    return (end - start).total_seconds() > 30\n", 2, False),
    ("error_as_value", "def conv(value):\n    try:\n        return int(value)\n    except ValueError:\n"
     "        return value\n", 5,
     False),
    # session 9: shapes three authors wrote independently, each with the twin that is right
    ("error_as_value", "def f(u):\n    try:\n        r = get(u, timeout=5)\n        return r.json()\n"
     "    except RequestException:\n        return {}\n", 6, True),
    ("error_as_value", "def f(u):\n    \"\"\"The config, or {} when the server is unreachable.\"\"\"\n    try:\n"
     "        r = get(u, timeout=5)\n        return r.json()\n    except RequestException:\n"
     "        return {}\n", 7, False),
    ("error_as_value", "def f(d, k):\n    try:\n        return d[k].items\n    except KeyError:\n"
     "        return []\n", 5,
     False),
    ("type_confusion", "from datetime import datetime, timezone\ndef made():\n    return datetime.now(timezone.utc)\n"
     "def f(t):\n    return datetime.utcnow() >= t.expires_at\n", 5, True),
    ("type_confusion", "from datetime import datetime\ndef made():\n    return datetime.utcnow()\n"
     "def f(t):\n    return datetime.utcnow() >= t.expires_at\n", 5, False),
    ("resource_not_released", "def f(p):\n    with sqlite3.connect(p) as conn:\n"
     "        return conn.execute('select 1').fetchone()\n", 2, True),
    ("resource_not_released", "def f(p):\n    with closing(sqlite3.connect(p)) as conn:\n"
     "        return conn.execute('select 1').fetchone()\n", 2, False),
    ("error_swallowed", "async def f(xs):\n    await asyncio.gather(*(g(x) for x in xs), return_exceptions=True)\n",
     2, True),
    ("error_swallowed", "async def f(xs):\n"
     "    done = await asyncio.gather(*(g(x) for x in xs), return_exceptions=True)\n"
     "    for r in done:\n        if isinstance(r, Exception):\n            log.error('failed: %r', r)\n", 2, False),
    ("success_on_failure", "def f(self, j):\n    try:\n        self.up(j)\n    finally:\n"
     "        self.db.mark_uploaded(j.id)\n", 5, True),
    ("success_on_failure", "def f(self, j):\n    try:\n        self.up(j)\n        self.db.mark_uploaded(j.id)\n"
     "    finally:\n        self.db.release(j.id)\n", 6, False),
    ("off_by_one", "def f(call, max_attempts):\n    attempt = 0\n    while True:\n        attempt += 1\n        try:\n"
     "            return call()\n        except OSError:\n            if attempt > max_attempts:\n"
     "                raise\n",
     8, True),
    ("off_by_one", "def f(call, max_attempts):\n    for attempt in range(max_attempts):\n        try:\n"
     "            return call()\n        except OSError:\n            if attempt == max_attempts - 1:\n"
     "                raise\n", 6, False),
    ("stale_cache_key", "class B:\n    def submit(self, p, r):\n        self._r[p] = r\n"
     "    def submit_many(self, rs):\n        self._r.update(rs)\n        self._snap = None\n"
     "    def standings(self):\n        if self._snap is None:\n            self._snap = sorted(self._r.items())\n"
     "        return self._snap\n", 3, True),
    ("stale_cache_key", "class B:\n    def submit(self, p, r):\n        self._r[p] = r\n        self._snap = None\n"
     "    def submit_many(self, rs):\n        self._r.update(rs)\n        self._snap = None\n"
     "    def standings(self):\n        if self._snap is None:\n            self._snap = sorted(self._r.items())\n"
     "        return self._snap\n", 3, False),
    ("stale_cache_key", "class StatsCache:\n    def summary(self, pid, mode):\n        key = f'stats:{pid}'\n"
     "        value = self.db.load(pid, mode)\n        self._put(key, value)\n        return value\n", 3, True),
    ("stale_cache_key", "class StatsCache:\n    def summary(self, pid, mode):\n        key = f'stats:{pid}:{mode}'\n"
     "        value = self.db.load(pid, mode)\n        self._put(key, value)\n        return value\n", 3, False),
    ("division_by_zero", "def f(t, n):\n    if n < 0:\n        raise ValueError(n)\n    return -(-t // n)\n", 4, True),
    ("division_by_zero", "def f(t, n):\n    if n < 1:\n        raise ValueError(n)\n    return -(-t // n)\n", 4, False),
    ("division_by_zero", "def f(t, n):\n    limit = n or t\n    return limit, t // n\n", 3, True),
    ("type_confusion", "def f(m):\n    c = json.dumps(m, sort_keys=True)\n"
     "    return hashlib.sha256(c).hexdigest()\n", 3,
     True),
    ("type_confusion", "def f(m):\n    c = json.dumps(m, sort_keys=True)\n"
     "    return hashlib.sha256(c.encode()).hexdigest()\n", 3, False),
    ("success_on_failure", "async def f(req):\n    try:\n        b = await req.json()\n    except ValueError:\n"
     "        return web.json_response({'ok': False})\n    return web.json_response({'ok': True}, status=202)\n", 5,
     True),
    ("success_on_failure", "async def f(req):\n    try:\n        b = await req.json()\n    except ValueError:\n"
     "        return web.json_response({'ok': False}, status=400)\n"
     "    return web.json_response({'ok': True}, status=202)\n", 5, False),
    ("off_by_one", "def f(rows, page, per_page):\n    \"\"\"Rows of the 1-based page.\"\"\"\n"
     "    start = page * per_page\n    return rows[start:start + per_page]\n", 3, True),
    ("off_by_one", "def f(rows, page, per_page):\n    \"\"\"Rows of the 1-based page.\"\"\"\n"
     "    start = (page - 1) * per_page\n    return rows[start:start + per_page]\n", 3, False),
    ("error_swallowed", "def f(p):\n    \"\"\"Load the optional local file.\"\"\"\n"
     "    with contextlib.suppress(FileNotFoundError):\n        return p.read_text()\n    return ''\n", 3, False),
    ("error_swallowed", "def f(p):\n    \"\"\"Load the local file.\"\"\"\n"
     "    with contextlib.suppress(FileNotFoundError):\n        return p.read_text()\n    return ''\n", 3, True),
    ("wrong_boolean_logic", "def debug():\n    return bool(os.environ.get('APP_DEBUG', 'false'))\n", 2, True),
    ("wrong_boolean_logic", "def debug():\n    if os.getenv('APP_DEBUG', '0'):\n        return 1\n    return 0\n", 2,
     True),
    ("wrong_boolean_logic", "def debug():\n"
     "    return os.environ.get('APP_DEBUG', 'false').lower() in ('1', 'true')\n", 2, False),
    ("wrong_boolean_logic", "def token():\n    if os.getenv('APP_TOKEN'):\n        return 1\n    return 0\n", 2, False),
    ("wrong_boolean_logic", "def same(a, b):\n    return a.id is b.id\n", 2, True),
    ("wrong_boolean_logic", "def same(a, b):\n    return a.owner is b.owner\n", 2, False),
    ("type_confusion", "def elapsed_ms(started):\n    return time.monotonic() - started\n", 2, True),
    ("type_confusion", "def elapsed_ms(started):\n    return (time.monotonic() - started) * 1000\n", 2, False),
    # asyncio alone: one thread, so a task switch (and a lost update) needs an await between the read and the write
    ("race_on_shared_state", "import asyncio\n_counts = {}\nasync def bump(k):\n    n = _counts.get(k, 0)\n"
     "    await asyncio.sleep(0)\n    _counts[k] = n + 1\nasync def main():\n"
     "    await asyncio.gather(bump(1), bump(1))\n",
     6, True),
    ("race_on_shared_state", "import asyncio\n_counts = {}\nasync def bump(k):\n    n = _counts.get(k, 0)\n"
     "    _counts[k] = n + 1\n    await asyncio.sleep(0)\nasync def main():\n"
     "    await asyncio.gather(bump(1), bump(1))\n",
     5, False),
    ("error_swallowed", "class T:\n    def spawn(self, c):\n"
     "        asyncio.create_task(c).add_done_callback(self._done)\n"
     "    def _done(self, task):\n        exc = task.exception()\n        if exc is not None:\n"
     "            log.error('task failed', exc_info=exc)\n", 7, False),
    ("race_on_shared_state", "class S:\n    async def broadcast(self, m):\n        for k, ws in self._c.items():\n"
     "            await ws.send(m)\n    def kick(self, k):\n        self._c.pop(k, None)\n", 3, True),
    ("race_on_shared_state", "class S:\n    async def broadcast(self, m):\n"
     "        for k, ws in list(self._c.items()):\n"
     "            await ws.send(m)\n    def kick(self, k):\n        self._c.pop(k, None)\n", 3, False),
    # a write to the store a sibling caches from, with the cached entry left as it was
    *[("stale_cache_key", "class Users:\n    def get(self, uid):\n        if uid not in self._cache:\n"
       "            self._cache[uid] = self.db.load(uid)\n        return self._cache[uid]\n"
       f"    def rename(self, uid, name):\n        self.db.update(uid, name=name)\n{tail}", 7, sited)
      for tail, sited in [("", True), ("        self._cache.pop(uid, None)\n", False),
                          ("        self._forget(uid)\n    def _forget(self, uid):\n"
                           "        del self._cache[uid]\n", False),
                          ("    def __init__(self, db):\n        self._cache = TTLCache(100, ttl=60)\n", False)]],
    ("stale_cache_key", "class Users:\n    def get(self, uid):\n        row = self.db.load(uid)\n"
     "        self._cache[uid] = row\n        return row\n"
     "    def rename(self, uid, name):\n        self.audit.update(uid, name=name)\n", 7, False),  # another store
    # mkstemp's file is a resource of its own: the with statement over its descriptor does not remove it
    *[("resource_not_released", "def fetch(url):\n    fd, name = tempfile.mkstemp()\n"
       "    with os.fdopen(fd, 'wb') as fh:\n        download(url, fh)\n" + tail, 2, sited) for tail, sited in [
          ("    try:\n        yield name\n    finally:\n        os.unlink(name)\n", True),
          ("    return Path(name)\n", False),
          ("    os.replace(name, 'dest')\n", False)]],
    ("resource_not_released", "def fetch(url):\n    fd, name = tempfile.mkstemp()\n    try:\n"
     "        with os.fdopen(fd, 'wb') as fh:\n            download(url, fh)\n        yield name\n"
     "    finally:\n        os.unlink(name)\n", 2, False),
    # a handler of everything that releases and re-raises does what a finally does
    *[("resource_not_released", "def open_index(path):\n    conn = sqlite3.connect(path)\n    try:\n"
       f"        conn.execute('PRAGMA x')\n    except {caught}:\n        conn.close()\n        raise\n"
       "    rows = conn.execute('SELECT 1').fetchall()\n    conn.close()\n    return rows\n", 2, sited)
      for caught, sited in [("BaseException", False), ("ValueError", True)]],
    *[("sensitive_data_logged", f"def load(path):\n    secret = read(path)\n    log.debug('%s', {shown})\n", 3, sited)
      for shown, sited in [("len(secret)", False), ("type(secret)", False), ("secret[:4]", True),
                           ("str(secret)", True)]],
    # a 3xx counted as success where the docstring promises a 2xx, or the client (httpx) does not follow redirects
    *[("success_on_failure", f"{head}def deliver(client, url):\n    '''{doc}'''\n    r = client.post(url)\n"
       f"    return {test}\n", 4 + head.count("\n"), sited) for head, doc, test, sited in [
          ("", "True if the receiver accepted it (2xx).", "r.status_code < 400", True),
          ("import httpx\n", "True if the receiver accepted it.", "r.status_code <= 399", True),
          ("import requests\n", "True if the receiver accepted it.", "r.status_code < 400", False),
          ("", "True if the receiver accepted it (2xx).", "200 <= r.status_code < 300", False)]],
    # bytes returned where the name promises bits per second
    *[("type_confusion", f"def {name}(size_bytes, seconds):\n    if seconds <= 0:\n        return None\n"
       f"    return {value}\n", 4, sited)
      for name, value, sited in [("output_kbps", "size_bytes / seconds / 1000", True),
                                 ("output_kbps", "size_bytes * 8 / seconds / 1000", False),
                                 ("output_kbps", "(size_bytes << 3) / seconds / 1000", False),
                                 ("throughput", "size_bytes / seconds", False)]],
    # the same rule on several values, joined with `and` in a rejection
    *[("wrong_boolean_logic", f"def check(req):\n    if {test}:\n        raise ValueError('bad size')\n", 2, sited)
      for test, sited in [("req.width % 2 and req.height % 2", True), ("req.width < 0 and req.height < 0", True),
                          ("req.width % 2 or req.height % 2", False), ("not req.email and not req.phone", False),
                          ("req.email is None and req.phone is None", False), ("req.w < 0 and req.h > 9", False),
                          ("req.w == 0 and req.h == 0", False)]],
    # a value logged raw where the module masks values like it
    *[("sensitive_data_logged", "def redact_url(u):\n    return u\n"
       f"def show(database_url, redis_url):\n    {body}\n", 4, sited) for body, sited in [
          ("log.info('db %s redis %s', database_url, redact_url(redis_url))", True),
          ("log.info('db %s redis %s', redact_url(database_url), redact_url(redis_url))", False),
          ("log.info('db %s', database_url)", False),  # a helper never used: nothing masked
          ("log.info('db %s', len(database_url))", False)]],
    ("sensitive_data_logged", "def safe_target(u):\n    '''scheme and host of u, without userinfo, for logs.'''\n"
     "def send(d):\n    log.warning('failed %s', d.url)\n    raise E(safe_target(d.url))\n", 4, True),
    ("sensitive_data_logged", "def get_hint(p):\n    '''p's name, for use in error messages.'''\n"
     "def send(d):\n    log.warning('failed %s', d.url)\n    raise E(get_hint(d.url))\n", 4, False),
    ("sensitive_data_logged", "def redact_url(u):\n    return u\n"
     "def show(url):\n    url = redact_url(url)\n    log.info('to %s', url)\n", 5, False),
    ("sensitive_data_logged", "def redact_url(u):\n    return u\n"
     "def show(name, url):\n    log.info('%s at %s', name, redact_url(url))\n", 4, False),
    ("stale_cache_key", "class Prices:\n    def price(self, sku):\n        if sku not in self._memo:\n"
     "            self._memo[sku] = self.conn.execute('SELECT p FROM t WHERE sku = ?', (sku,)).fetchone()\n"
     "        return self._memo[sku]\n    def set_price(self, sku, p):\n"
     "        self.conn.execute('UPDATE t SET p = ? WHERE sku = ?', (p, sku))\n", 7, True),
    # a stored value read, tested and changed in Python, and written back with nothing keeping others out
    *[("race_on_shared_state", f"def cancel(r, jid):\n    {head}job = Job.from_json(r.hget('jobs', jid))\n"
       "    if job.state != 'queued':\n        return False\n    job.state = 'cancelled'\n"
       "    r.hset('jobs', jid, job.to_json())\n    return True\n", 3 + bool(head), sited) for head, sited in [
          ("", True), ("r.watch('jobs')\n    ", False), ("lock = r.lock(jid)\n    ", False)]],
    ("race_on_shared_state", "def fill(r, k):\n    v = r.get(k)\n    if v is None:\n        v = compute(k)\n"
     "        r.set(k, v)\n    return v\n", 5, False),  # a cache fill writes what it computed, not a change
    ("race_on_shared_state", "def touch(r, k):\n    data = json.loads(r.get(k))\n    data['seen'] += 1\n"
     "    r.set(k, json.dumps(data))\n", 4, True),
    ("race_on_shared_state", "def touch(r, k, other):\n    data = json.loads(r.get(k))\n    data['seen'] += 1\n"
     "    r.set(other, json.dumps(data))\n", 4, False),  # written to another key
    # a blocking pop whose timeout rounds down to 0, which means forever
    *[("missing_timeout", f"def f(r, k, poll_s):\n    return r.brpop(k, timeout={limit})\n", 2, sited)
      for limit, sited in [("int(poll_s)", True), ("poll_ms // 1000", True), ("max(1, int(poll_s))", False),
                           ("int(math.ceil(poll_s))", False), ("int(5)", False), ("poll_s", False)]],
    # Redis expiries given the other unit: px/pexpire take milliseconds, ex/expire seconds, a Lua script's ARGV too
    *[("type_confusion", f"def f(r, k, ttl_seconds, ttl_ms):\n    r.{call}\n", 2, sited) for call, sited in [
        ("set(k, 1, px=ttl_seconds)", True), ("set(k, 1, px=int(ttl_seconds * 1000))", False),
        ("set(k, 1, ex=ttl_ms)", True), ("set(k, 1, ex=ttl_seconds)", False), ("pexpire(k, int(ttl_seconds))", True),
        ("pexpire(k, ttl_ms)", False), ("expire(k, ttl_ms)", True), ("expire(k, ttl_seconds)", False)]],
    *[("type_confusion", "RENEW = \"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('"
       f"{command}', KEYS[1], ARGV[2]) end\"\nclass Q:\n    def __init__(self, r):\n"
       "        self._renew = r.register_script(RENEW)\n    def renew(self, key, who):\n"
       f"        return self._renew(keys=[key], args=[who, {ttl}])\n", 6, sited) for command, ttl, sited in [
          ("PEXPIRE", "int(self.lease_seconds)", True), ("PEXPIRE", "int(self.lease_seconds * 1000)", False),
          ("EXPIRE", "int(self.lease_seconds)", False), ("EXPIRE", "self.lease_ms", True)]],
    # one memo entry dropped where the memo's values are built from other keys' entries too (a parent chain)
    *[("stale_cache_key", "class Catalog:\n    def resolve(self, name):\n        hit = self._resolved.get(name)\n"
       "        if hit is not None:\n            return hit\n        chain, cur = [], name\n"
       "        while cur is not None:\n            p = self._presets[cur]\n            chain.append(p)\n"
       "            cur = p.parent\n        self._resolved[name] = merge(chain)\n        return self._resolved[name]\n"
       f"    def update(self, p):\n        self._presets[p.name] = p\n        {drop}\n", 15, sited)
      for drop, sited in [("self._resolved.pop(p.name, None)", True), ("self._resolved.clear()", False)]],
    ("stale_cache_key", "class Catalog:\n    def resolve(self, name):\n        hit = self._resolved.get(name)\n"
     "        if hit is not None:\n            return hit\n        self._resolved[name] = build(self._presets[name])\n"
     "        return self._resolved[name]\n    def update(self, p):\n        self._presets[p.name] = p\n"
     "        self._resolved.pop(p.name, None)\n", 10, False),  # each entry built from its own key alone
    ("race_on_shared_state", "async def hit(r, key):\n    current = await r.get(key)\n"
     "    count = int(current or 0) + 1\n    await r.set(key, count, ex=60)\n", 4, True),
    # a slot taken, then a return before the try whose finally gives it back
    *[("resource_not_released", "async def run(self, e):\n    await self._slots.acquire()\n"
       f"    hs = self._h.get(e)\n    if not hs:\n{early}        return\n    try:\n        await go(hs)\n"
       "    finally:\n        self._slots.release()\n", 2, sited) for early, sited in [
          ("", True), ("        self._slots.release()\n", False)]],
    ("resource_not_released", "def write(tmp):\n    fd = os.open(tmp, 1)\n    try:\n        put(fd)\n"
     "    except BaseException:\n        os.close(fd)\n        raise\n    os.close(fd)\n    return tmp\n", 2, False),
    # futures dropped on the floor, whatever else the function returns
    *[("error_swallowed", f"{extra}class S:\n    def tick(self):\n        due = self.due()\n        for j in due:\n"
       f"            {call}\n        return len(due)\n", 5 + extra.count("\n"), sited) for extra, call, sited in [
          ("", "self._pool.submit(self._run, j)", True),
          ("", "self._futures.append(self._pool.submit(self._run, j))", False),
          ("def _run(j):\n    try:\n        j()\n    except Exception:\n        log.exception('job')\n",
           "self._pool.submit(_run, j)", False)]],
    ("error_swallowed", "def start(pool, jobs):\n    fs = [pool.submit(j) for j in jobs]\n    return fs\n", 2, False),
    # a connection URL, password and all, logged raw
    *[("sensitive_data_logged", "def connect(url):\n    c = redis.Redis.from_url(url)\n"
       f"    log.info('at %s', {shown})\n    return c\n", 3, sited)
      for shown, sited in [("url", True), ("redact_url(url)", False)]],
    # a rowcount test that holds when no row matched
    *[("success_on_failure", f"def resolve(conn, i):\n    cur = conn.execute('UPDATE t SET s = 1 WHERE id = ?', (i,))\n"
       f"    return {test}\n", 3, sited) for test, sited in [
          ("cur.rowcount >= 0", True), ("cur.rowcount != -1", True), ("cur.rowcount > 0", False),
          ("cur.rowcount == 1", False)]],
    # a key built from a mapping's keys alone
    *[("stale_cache_key", f"def make_key(ns, args, kwargs: dict):\n    parts = [ns, *map(repr, args), {kw}]\n"
       "    return ':'.join(parts)\n", 2, sited) for kw, sited in [
          ("*map(repr, sorted(kwargs))", True), ("*map(repr, sorted(kwargs.items()))", False)]],
    # the entry dropped is not the one read
    *[("stale_cache_key", "class Store:\n    def get_roles(self, uid):\n        key = f'roles:{uid}'\n"
       "        hit = self._cache.get(key)\n        if hit is None:\n            hit = load(uid)\n"
       "            self._cache.set(key, hit)\n        return hit\n    def set_roles(self, uid, roles):\n"
       f"        save(uid, roles)\n        self._cache.delete(f'{prefix}:{{uid}}')\n", 11, sited)
      for prefix, sited in [("role", True), ("roles", False), ("user", False)]],
    # a field the module divides by 1000 elsewhere, taken from a clock in seconds
    *[("type_confusion", "def parse(p):\n    return p['origin_server_ts'] / 1000.0\n"
       f"def old(p):\n    return time.time() - {field} > 60\n", 4, sited) for field, sited in [
          ("p.get('origin_server_ts', 0)", True), ("p.get('origin_server_ts', 0) / 1000", False),
          ("p.get('ts', 0)", False)]],
    # a range written as text names its last value
    *[("off_by_one", "def expand(part):\n    start_s, end_s = part.split('-', 1)\n"
       f"    start, end = int(start_s), int(end_s)\n    return set({rng})\n", 4, sited) for rng, sited in [
          ("range(start, end)", True), ("range(start, 10)", False)]],
    ("off_by_one", "def take(part, xs):\n    a, b = part.split(':')\n    return xs[int(a):int(b)]\n", 3, False),
    # redis-py replies are bytes unless decode_responses=True
    *[("type_confusion", f"import redis\nclass C:\n    def __init__(self, url):\n"
       f"        self._client = redis.Redis.from_url(url{opt})\n    def on(self, k):\n"
       "        raw = self._client.get(k)\n        return raw == '1'\n", 7, sited) for opt, sited in [
          ("", True), (", decode_responses=True", False)]],
    # redis commands take no per-call timeout: the connection's is theirs
    ("missing_timeout", "import redis\ndef f(client, k):\n    return client.get(k)\n", 3, False),
    ("missing_timeout", "import requests\ndef f(client, k):\n    return client.get(k)\n", 3, True),
    # a window around a centre that range() makes lopsided
    *[("off_by_one", f"def verify(code, now, window):\n    for step in {rng}:\n        if ok(code, step):\n"
       "            return True\n    return False\n", 2, sited) for rng, sited in [
          ("range(now - window, now + window)", True), ("range(now - back, now + window)", False)]],
    # a read and its change on one line, written back
    ("race_on_shared_state", "def fail(r, key):\n    count = int(r.get(key) or 0) + 1\n    r.set(key, count)\n",
     3, True),
    # an HTTP client made for one call and never closed; one kept by the object or handed back is not
    *[("resource_not_released", f"{head}    c = httpx.Client(timeout=5)\n{tail}", line, sited)
      for head, tail, line, sited in [
          ("def revoke(url, t):\n", "    c.post(url, data={'token': t})\n", 2, True),
          ("def revoke(url, t):\n", "    return c\n", 2, False),
          ("class A:\n  def __init__(self):\n", "    self._c = c\n", 3, False)]],
    ("resource_not_released", "def revoke(url, t):\n    with httpx.Client(timeout=5) as c:\n"
     "        c.post(url)\n", 2, False),
    # failures collected, then success for the caller
    *[("success_on_failure", "def cmd_disable(names):\n    failed = []\n    for n in names:\n"
       f"        if not disable(n):\n            failed.append(n)\n{tail}", line, sited)
      for tail, line, sited in [
          ("    if failed:\n        print(failed)\n    return 0\n", 8, True),
          ("    if failed:\n        print(failed)\n        return 1\n    return 0\n", 9, False),
          ("    return 1 if failed else 0\n", 6, False)]],
    # any() where every required item is needed
    *[("wrong_boolean_logic", "def has_scopes(granted, required):\n"
       f"    return {call}(s in granted for s in required)\n", 2, sited)
      for call, sited in [("any", True), ("all", False)]],
    ("wrong_boolean_logic", "def any_admin(users, optional):\n    return any(u.admin for u in optional)\n", 2, False),
    # an expiry whose unit the class's __init__ names
    *[("type_confusion", f"class S:\n    def __init__(self, r, {arg}):\n        self._ttl = {arg}\n"
       "    def create(self, k, v):\n        self._r.set(k, v, px=self._ttl)\n", 5, sited)
      for arg, sited in [("ttl_seconds", True), ("ttl_ms", False)]],
    # utcnow() is naive, and timestamp() reads a naive value as local time
    *[("type_confusion", f"def exp(lifetime):\n    return int(({now} + lifetime).timestamp())\n", 2, sited)
      for now, sited in [("datetime.utcnow()", True), ("datetime.now(timezone.utc)", False)]],
    # a page offset passed to SQL where pages are numbered from 1
    *[("off_by_one", "def list_users(cur, page=1, per_page=50):\n    \"\"\"Pages are numbered from 1.\"\"\"\n"
       f"    offset = {offset}\n    cur.execute('SELECT * FROM users LIMIT %s OFFSET %s', (per_page, offset))\n"
       "    return cur.fetchall()\n", 3, sited)
      for offset, sited in [("page * per_page", True), ("(page - 1) * per_page", False)]],
    # two things that each make a record unusable, joined with `and` in a refusal
    *[("wrong_boolean_logic", f"def redeem(record, now):\n    if {test}:\n        raise Invalid('no longer valid')\n"
       "    return record.user_id\n", 2, sited) for test, sited in [
          ("record.used and record.expires_at <= now", True), ("record.used or record.expires_at <= now", False),
          ("user.locked and user.locked_until > now", False)]],
    # a value moved down and up by one margin: below the one and above the other at once is never true
    *[("wrong_boolean_logic", f"def fresh(ts, now, tol):\n    if {test}:\n        raise Stale(ts)\n", 2, sited)
      for test, sited in [("ts < now - tol and ts > now + tol", True), ("ts < now - tol or ts > now + tol", False)]],
    # asdict() and vars() copy the fields repr=False keeps out of the repr
    *[("sensitive_data_logged", "@dataclass\nclass Settings:\n    db_password: str = field(repr=False)\n"
       f"def log_startup(settings: Settings):\n    log.info('config: %s', {shown})\n", 5, sited)
      for shown, sited in [("dataclasses.asdict(settings)", True), ("settings", False)]],
    # what was sent in a batch counted as done, the reply listing failures unread
    *[("success_on_failure", "def purge(s3, keys):\n    deleted = 0\n    for batch in chunks(keys):\n"
       f"        {call}\n        deleted += len(batch)\n    return deleted\n", 5, sited) for call, sited in [
          ("s3.delete_objects(Delete={'Objects': [{'Key': k} for k in batch]})", True),
          ("reply = s3.delete_objects(Delete={'Objects': [{'Key': k} for k in batch]})", False)]],
    # an HTTP reply of success from the handler of a failure
    ("success_on_failure", "def record(repo, e):\n    try:\n        repo.save(e)\n    except DBError:\n"
     "        log.exception('no')\n        return 202, 'accepted'\n    return 200, 'ok'\n", 6, True),
    ("success_on_failure", "def record(repo, e):\n    try:\n        repo.save(e)\n    except DBError:\n"
     "        log.exception('no')\n        return 503, 'retry'\n    return 200, 'ok'\n", 6, False),
    # a naive datetime made by combine() compared with the module's aware values
    *[("type_confusion", "def booked_on(p, tz):\n    return p.booked_at.astimezone(tz).date()\n"
       f"def paid_late(p, due):\n    deadline = datetime.combine(due, time.max{tz})\n"
       "    return p.booked_at > deadline\n",
       5, sited) for tz, sited in [("", True), (", tzinfo=timezone.utc", False)]],
    # milliseconds given to a histogram that takes seconds
    *[("type_confusion", f"def timed(h, fn):\n    start = time.perf_counter()\n    fn()\n    {call}\n", 4, sited)
      for call, sited in [("h.observe((time.perf_counter() - start) * 1000)", True),
                          ("h.observe(time.perf_counter() - start)", False),
                          ("latency_ms.observe((time.perf_counter() - start) * 1000)", False)]],
    # openpyxl keeps the file open only when it reads lazily
    *[("resource_not_released", f"def rows(path):\n    wb = load_workbook(path{opt})\n"
       "    yield from wb.active.values\n", 2, sited) for opt, sited in [(", read_only=True", True), ("", False)]],
    # a divisor the class refuses to be zero when it is made, and a power of a constant
    *[("division_by_zero", "class Totp:\n    def __init__(self, period):\n"
       f"{check}        self._period = period\n    def counter(self, t):\n        return int(t // self._period)\n",
       5 + check.count("\n"), sited) for check, sited in [
          ("", True), ("        if period <= 0:\n            raise ValueError('period')\n", False)]],
    ("division_by_zero", "def hotp(code, digits):\n    return code % (10 ** digits)\n", 2, False),
    # an httpx client handed in, in a module that also imports urllib.parse (which sends nothing)
    *[("missing_timeout", f"import httpx\nfrom {mod} import x\ndef f(client, u):\n    return client.get(u)\n", 4,
       sited) for mod, sited in [("urllib.parse", False), ("requests", True)]],
    # a nearest rank (counted from 1) used as an index
    *[("off_by_one", "def percentile(xs, pct):\n    ordered = sorted(xs)\n"
       f"    rank = {rank}\n    return ordered[rank]\n", 4, sited)
      for rank, sited in [("math.ceil(pct / 100 * len(ordered))", True), ("round(pct / 100 * (len(ordered) - 1))",
                                                                         False)]],
    # a streamed response holds its connection until closed
    *[("resource_not_released", f"def fetch(s, url):\n    r = s.get(url, stream=True{t})\n    check(r)\n"
       "    body = r.raw.read()\n    r.close()\n    return body\n", 2, sited)
      for t, sited in [("", True)]],
    ("resource_not_released", "def fetch(s, url):\n    r = s.get(url)\n    check(r)\n    return r.content\n", 2,
     False),
    # gather's exceptions filtered away by type
    *[("error_swallowed", "async def batch(urls):\n    results = await asyncio.gather(*map(one, urls), "
       f"return_exceptions=True)\n{tail}", 2, sited) for tail, sited in [
          ("    return [r for r in results if isinstance(r, Page)]\n", True),
          ("    for e in (r for r in results if isinstance(r, Exception)):\n        log.error('%s', e)\n"
           "    return [r for r in results if isinstance(r, Page)]\n", False)]],
    # a presigned URL is a credential of its own
    *[("sensitive_data_logged", "def share(s3, b, k):\n    url = s3.generate_presigned_url('get_object', "
       f"Params={{'Bucket': b, 'Key': k}})\n    log.info('link for %s: %s', k, {shown})\n    return url\n", 3, sited)
      for shown, sited in [("url", True), ("len(url)", False)]],
    # failures reported in a loop, and still success
    *[("success_on_failure", f"def cmd_export(args):\n    summary = export(args)\n"
       f"    for name, why in summary.failed:\n        log.error('%s: %s', name, why)\n{tail}", line, sited)
      for tail, line, sited in [("    return 0\n", 5, True),
                                ("    if summary.failed:\n        return 1\n    return 0\n", 7, False)]],
    # an UPDATE reported as done where the docstring says True means a row changed
    *[("success_on_failure", "class Store:\n    def mark(self, url):\n        '''True when the row was updated.'''\n"
       f"        cur = self._conn.execute('UPDATE pages SET s = 1 WHERE url = ?', (url,))\n        return {ret}\n", 5,
       sited) for ret, sited in [("True", True), ("cur.rowcount == 1", False)]],
    # a clock's seconds plus milliseconds, through a name
    *[("type_confusion", f"def next_at(delay_ms):\n    now = time.monotonic()\n    return now + {delay}\n", 3, sited)
      for delay, sited in [("delay_ms", True), ("delay_ms / 1000", False)]],
    # pages after the first, numbered from 1: the count is the last page's number
    *[("off_by_one", f"def pages(get):\n    first = get(1)\n    for page in range({start}, {stop}):\n"
       "        yield get(page)\n", 3, sited)
      for start, stop, sited in [(2, "int(first['total_pages'])", True), (1, "first['total_pages'] + 1", False),
                                 (2, "len(first['items'])", False)]],
    # a Redis client with no socket timeout
    *[("missing_timeout", f"def connect(url):\n    return redis.Redis.from_url(url{kw})\n", 2, sited)
      for kw, sited in [(", decode_responses=True", True), (", socket_timeout=5", False), (", **options", False)]],
    # an expiry attribute whose unit only the class's docstring gives
    *[("type_confusion", f"class Limiter:\n    '''Counts hits; `window` is in {unit}.'''\n"
       "    def __init__(self, r, window):\n        self._r = r\n        self._window = window\n"
       "    def hit(self, key):\n        p = self._r.pipeline()\n        p.incr(key)\n"
       "        p.pexpire(key, self._window)\n        return p.execute()\n", 9, sited)
      for unit, sited in [("seconds", True), ("milliseconds", False)]],
    # two checks worked out here, refused only when both fail
    *[("wrong_boolean_logic", "def verify(secret, ts, sig, now, tol):\n"
       "    valid = hmac.compare_digest(sig, mac(secret))\n"
       f"    {second}\n    if not valid and not fresh:\n        raise Rejected()\n", 4, sited)
      for second, sited in [("fresh = abs(now - ts) <= tol", True), ("fresh = ts in recent", False)]],
    # the error's text handed back as the rendered result, after logging the failure
    *[("error_as_value", f"def {name}(t, ctx) -> str:\n    try:\n        return t.render(**ctx)\n"
       "    except TemplateError as exc:\n        log.error('render failed: %s', exc)\n"
       "        return f'<p>Template error: {exc}</p>'\n", 6, sited)
      for name, sited in [("render_body", True), ("describe_failure", False)]],
    ("error_as_value", "def render_body(t, ctx) -> str:\n    try:\n        return t.render(**ctx)\n"
     "    except TemplateError as exc:\n        log.info('render failed: %s', exc)\n"
     "        return f'<p>{exc}</p>'\n", 6, False),
    # accepted=True whatever the gateway's reply says, where the class reads the reply's status elsewhere
    *[("success_on_failure", "class Gateway:\n    def send(self, to):\n"
       "        r = self._s.post(self._url, json={'to': to})\n"
       f"        r.raise_for_status()\n        data = r.json()\n{check}"
       "        return Result(accepted=True, id=data.get('id'))\n"
       "    def status(self, mid):\n        return self._s.get(self._url + mid).json().get('status')\n", line, sited)
      for check, line, sited in [("", 6, True), ("        if data.get('status') == 'rejected':\n"
                                                 "            return Result(accepted=False, id=None)\n", 8, False)]],
    # a datetime plus a timedelta is what a timedelta is for
    *[("type_confusion", f"def due(delay):\n    return {expr}\n", 2, sited)
      for expr, sited in [("datetime.now(timezone.utc) + timedelta(seconds=delay)", False),
                          ("time.time() + timedelta(seconds=delay)", True)]],
    # a few characters of a token tell devices apart in a log
    *[("sensitive_data_logged", f"def report(token, err):\n    log.warning('push to %s failed: %r', {shown}, err)\n", 2,
       sited) for shown, sited in [("token", True), ("token[:8]", False), ("token[-4:]", False), ("token[:-4]", True),
                                   ("token[8:]", True)]],
    # a registry of named objects, each made once with its description
    *[("stale_cache_key", "class Registry:\n    def counter(self, name, help_text):\n"
       f"        c = self._counters.get({key})\n        if c is None:\n"
       f"            c = self._counters[{key}] = Counter(name, help_text)\n        return c\n", 5, sited)
      for key, sited in [("name", False), ("name.lower()", True)]],
    # a window test that runs only when the window wraps, where it can never hold
    *[("wrong_boolean_logic", "def contains(self, t):\n    if self.start < self.end:\n"
       f"        return self.start <= t < self.end\n    return {test}\n", 4, sited)
      for test, sited in [("self.start <= t and t < self.end", True), ("self.start <= t < self.end", True)]],
    # a request's headers logged, where the unit gave it an Authorization header
    ("sensitive_data_logged", "def send(self, body):\n    headers = {'Authorization': f'Bearer {self._token()}'}\n"
     "    resp = self._client.post(self._url, json=body, headers=headers)\n"
     "    log.warning('failed: %s', dict(resp.request.headers))\n", 4, True),
    # a 4xx answer counted as done
    *[("success_on_failure", f"def {name}(s, url):\n    resp = s.post(url)\n    return resp.status_code < 500\n", 3,
       sited) for name, sited in [("acknowledge", True), ("server_alive", False)]],
    # success reported when there was nothing to work on
    *[("success_on_failure", "def handover(self, out_id, new):\n    current = self._active.get(out_id)\n"
       f"    if current is None:\n        return Result(ok={flag}, closed=None)\n    closed = self.end(out_id)\n"
       "    return Result(ok=True, closed=closed)\n", 4, sited) for flag, sited in [("True", True), ("False", False)]],
    # a failed query returned as the same None that means "no such row"
    *[("error_as_value", f"def last(self, vid) -> Pos | None:\n    '''{doc}'''\n    try:\n        row = self._q(vid)\n"
       "    except sqlite3.Error:\n        log.exception('read failed')\n        return None\n"
       "    return to_pos(row) if row else None\n", 7, sited)
      for doc, sited in [("The latest fix.", True), ("The latest fix, or None when it cannot be read.", False)]],
    # the page counter moved on, then compared with the page count
    *[("off_by_one", "def jobs(self):\n    page = 1\n    while True:\n        body = self._get(page)\n"
       f"        yield from body['items']\n        page += 1\n        if page {op} body['total_pages']:\n"
       "            return\n", 7, sited) for op, sited in [(">=", True), (">", False)]],
    # two range checks written inline, refused only when both fail
    *[("wrong_boolean_logic", f"def check(lat, lon):\n    if not -90 <= lat <= 90 {op} not -180 <= lon <= 180:\n"
       "        raise ValueError('out of range')\n", 2, sited) for op, sited in [("and", True), ("or", False)]],
    # one read of a stream wrapped in wait_for, another not
    *[("missing_timeout", f"async def handle(self, reader):\n    header = await {first}\n"
       "    return await asyncio.wait_for(reader.readexactly(int(header)), timeout=5)\n", 2, sited)
      for first, sited in [("reader.readexactly(4)", True),
                           ("asyncio.wait_for(reader.readexactly(4), timeout=5)", False)]],
    # a known conversion factor into another unit than the name says
    *[("type_confusion", f"def fix(knots):\n    return Fix(speed_mps=knots * {factor})\n", 2, sited)
      for factor, sited in [("1.852", True), ("0.514444", False)]],
    # divisors that cannot be zero
    ("division_by_zero", "def to_ms(dt):\n    return (dt - EPOCH) // timedelta(milliseconds=1)\n", 2, False),
    *[("division_by_zero", f"R_M = {value}\ndef deg(m):\n    return m / R_M\n", 3, sited)
      for value, sited in [("6_371_008.8", False), ("0", True)]],
    # a poll of a queue that found nothing yet
    ("error_swallowed", "def run(self, q):\n    while True:\n        try:\n            item = q.get(timeout=0.5)\n"
     "        except queue.Empty:\n            continue\n        self.handle(item)\n", 5, False),
    # an attribute set once in __init__ is the same for every entry of the instance's cache
    *[("stale_cache_key", "class Geo:\n    def __init__(self, url):\n        self._url = url\n"
       "        self._cache = {}\n"
       f"{extra}    def lookup(self, key):\n        if key in self._cache:\n            return self._cache[key]\n"
       "        value = fetch(self._url, key)\n        self._cache[key] = value\n        return value\n", 9 + n,
       sited) for extra, n, sited in [("", 0, False), ("    def use(self, url):\n        self._url = url\n", 2, True)]],
    # a path-keyed cache whose docstring promises a new result once the file changes
    *[("stale_cache_key", "def probe(self, path):\n    '''Probe again whenever the file is modified.'''\n"
       f"    key = {key}\n"
       "    if key in self._entries:\n        return self._entries[key]\n    info = run(path)\n"
       "    self._entries[key] = info\n    return info\n", 3, sited)
      for key, sited in [("str(path.resolve())", True), ("(str(path), path.stat().st_mtime_ns)", False)]],
    # the object's own worker thread, made by the call that starts it
    *[("race_on_shared_state", f"import threading\nclass W:\n    def {name}(self):\n        if self._t is not None:\n"
       "            raise RuntimeError('started')\n        self._t = threading.Thread(target=self._loop)\n"
       "        self._t.start()\n", 6, sited) for name, sited in [("start", False), ("submit", True)]],
    # a product divisor whose factors are a constant and a value tested before
    *[("division_by_zero", f"R = 6371.0\ndef dlon(r, lat):\n    c = math.cos(lat)\n{guard}    return r / (R * c)\n",
       4 + guard.count("\n"), sited) for guard, sited in [("    if c < 1e-9:\n        return 180.0\n", False),
                                                         ("", True)]],
    # each element with the one before it, inside range(1, len(xs))
    *[("off_by_one", f"def gaps(xs, g):\n    out = []\n    for i in range({start}, len(xs)):\n"
       "        if xs[i] - xs[i - 1] > g:\n            out.append(i)\n    return out\n", 4, sited)
      for start, sited in [(1, False), (0, True)]],
    # a ring's closing pair left out by pairing from index 1
    *[("off_by_one", f"def area(vertices):\n    '''{doc}'''\n    total = 0.0\n    for i in range(1, len(vertices)):\n"
       "        total += cross(vertices[i - 1], vertices[i])\n    return abs(total) / 2\n", 4, sited)
      for doc, sited in [("Area of a polygon given as an open ring of points.", True),
                         ("Summed steps between consecutive readings.", False)]],
    # a write to state the class's other methods touch only under its lock
    *[("race_on_shared_state", "import threading\nclass W:\n    def __init__(self):\n"
       "        self._lock = threading.Lock()\n        self._ready = {}\n    def poll(self, path, m):\n"
       f"        self._ready[path] = m\n    def drain(self):\n{body}", 7, sited)
      for body, sited in [("        with self._lock:\n            ready, self._ready = self._ready, {}\n"
                           "        return ready\n", True),
                          ("        ready, self._ready = self._ready, {}\n        return ready\n", False)]],
    # one of two properties unchanged taken for both
    *[("wrong_boolean_logic", f"def stable(self, size, mtime, prev_size, prev_mtime):\n    if {test}:\n"
       "        self.polls += 1\n", 2, sited)
      for test, sited in [("size == prev_size or mtime == prev_mtime", True),
                          ("size == prev_size and mtime == prev_mtime", False)]],
    # a cache filled through a method named for it, its key leaving out a parameter
    *[("stale_cache_key", f"def results(self, sid, qc=False):\n    key = f'results:{{{key}}}'\n"
       "    hit = self._cache_get(key)\n    if hit is not None:\n        return hit\n"
       "    params = {'qc': qc}\n    resp = self._get(sid, params=params)\n"
       "    rows: list = resp.json()['results']\n    self._cache_put(key, rows)\n    return rows\n", 2, sited)
      for key, sited in [("sid", True), ("sid}:{qc", False)]],
    # NaN returned where the text did not parse
    *[("error_as_value", "def parse_quantity(text) -> tuple[float, str]:\n    m = RX.match(text)\n    if m is None:\n"
       f"        {ret}\n    return float(m[1]), m[2]\n", 4, sited)
      for ret, sited in [("return math.nan, ''", True), ("raise ValueError(text)", False)]],
    # one struct format in the other byte order than the module's others
    *[("type_confusion", f"import struct\nHEAD = struct.Struct('<4sHH')\nTAIL = struct.Struct('<I')\n"
       f"def crc(buf):\n    return struct.unpack_from('{order}I', buf, len(buf) - 4)[0]\n", 5, sited)
      for order, sited in [(">", True), ("<", False)]],
    # a method declared -> str gives text, which hmac does not take
    *[("type_confusion", f"class S:\n    def _text(self, a) -> {ret}:\n        return a\n"
       "    def sign(self, key, a):\n        msg = self._text(a)\n"
       "        return hmac.new(key, msg, 'sha256').hexdigest()\n",
       6, sited) for ret, sited in [("str", True), ("bytes", False)]],
    # personal data in a data class's repr
    *[("sensitive_data_logged", "@dataclass\nclass Sample:\n    sample_id: str\n"
       f"    {field}: str\n\ndef register(s: Sample):\n    log.warning('already registered: %r', s)\n", 7, sited)
      for field, sited in [("patient_mrn", True), ("matrix", False)]],
    # a handler of a failure that answers 200 ok
    *[("success_on_failure", "def dispatch(self, event):\n    try:\n        self._handle(event)\n"
       "    except Exception:\n"
       f"        log.exception('failed')\n        return WebhookResponse({code}, 'ok')\n"
       "    return WebhookResponse(200, 'processed')\n", 6, sited) for code, sited in [(200, True), (500, False)]],
    # empty bytes from a download that failed
    *[("error_as_value", "def download(self, url) -> bytes:\n    try:\n        return self._open(url).read()\n"
       f"    except {caught} as exc:\n        return b''\n", 5, sited)
      for caught, sited in [("urllib.error.HTTPError", True), ("FileNotFoundError", False)]],
    # a key left out of a cache read through self._cached and written through self._store
    *[("stale_cache_key", f"def available(self, sku, wh):\n    key = ({key})\n    hit = self._cached(key)\n"
       "    if hit is not None:\n        return hit\n    value = self._query(sku, wh)\n    self._store(key, value)\n"
       "    return value\n", 2, sited) for key, sited in [("'avail', sku", True), ("'avail', sku, wh", False)]],
    # a value both above a tolerance and below its negative
    *[("wrong_boolean_logic", f"def verify(self, age):\n    if {test}:\n        raise Stale()\n", 2, sited)
      for test, sited in [("age > self._tolerance and age < -self._tolerance", True),
                          ("age > self._tolerance or age < -self._tolerance", False)]],
    # a price truncated to whole units where the API takes cents
    *[("type_confusion", f"def charge(self, order):\n    return self._post({{'amount': {value}, 'currency': 'usd'}})\n",
       2, sited) for value, sited in [("int(order.total)", True), ("int(order.total * 100)", False)]],
    # a payload's card data in an error message
    *[("sensitive_data_logged", "def tokenize(self, payload):\n    raise PaymentError(f\"declined for {" + shown
       + "}\")\n", 2, sited) for shown, sited in [("payload['card']", True), ("payload['order_id']", False)]],
    # a minimum left out by a strict test
    *[("off_by_one", f"def percent_for(self, quantity, tier):\n    if quantity {op} tier.min_qty:\n"
       "        return tier.percent\n    return 0\n", 2, sited) for op, sited in [(">", True), (">=", False)]],
    # the last entry returned as the previous one
    *[("off_by_one", f"def {name}(self):\n    return self.history[-1].status\n", 2, sited)
      for name, sited in [("previous_status", True), ("current_status", False)]],
    # a file listed a moment ago and gone before its stat: not there, nothing failed
    *[("error_swallowed", "def scan(root):\n    total = 0\n    for p in root.rglob('*'):\n        try:\n"
       f"            total += p.{call}().st_size\n        except FileNotFoundError:\n            continue\n"
       "    return total\n", 6, sited) for call, sited in [("stat", False), ("open", True)]],
    # a text cut to its width with an ellipsis
    *[("off_by_one", f"def truncate(text, width):\n    if len(text) <= width:\n        return text\n"
       f"    return text[:width - 1] + {mark!r}\n", 4, sited) for mark, sited in [("\u2026", False), ("", True)]],
    # a Decimal made from a float
    *[("type_confusion", f"@dataclass\nclass Off:\n    percent: {ann}\n    def amount_off(self, sub):\n"
       "        return sub * Decimal(self.percent) / 100\n", 5, sited) for ann, sited in [("float", True),
                                                                                      ("Decimal", False)]],
    # a batch sent once it is full
    ("off_by_one", "def add(self, row):\n    self._buf.append(row)\n    if len(self._buf) >= self._size:\n"
     "        self.flush()\n", 3, False),
    # a registry stores what it is given
    ("stale_cache_key", "def register(self, name, fn):\n    if name in self._registry:\n        raise KeyError(name)\n"
     "    self._registry[name] = fn\n", 4, False),
    # a divisor that is a Decimal constant of the module
    ("division_by_zero", "_HUNDRED = Decimal(100)\ndef pct(x):\n    return x / _HUNDRED\n", 3, False),
    # an entry of a module table of non-zero numbers as divisor
    *[("division_by_zero", f"TO_L = {{'ml': 0.001, 'l': {value}}}\ndef convert(v, unit):\n    return v / TO_L[unit]\n",
       3, sited) for value, sited in [("1.0", False), ("0", True)]],
    # a command's exit code on Ctrl-C
    ("error_as_value", "def cmd_watch(args) -> int:\n    try:\n        run(args)\n    except KeyboardInterrupt:\n"
     "        return 0\n    return finish(args)\n", 5, False),
    # the first unlocked write keeps its site when a write to lock-guarded state comes later
    ("race_on_shared_state", "import threading\nclass W:\n    def __init__(self):\n"
     "        self._lock = threading.Lock()\n        self._ready = {}\n        self._seen = set()\n"
     "    def poll(self, path, m):\n        if path in self._seen:\n            return\n"
     "        self._seen.add(path)\n        self._ready[path] = m\n    def drain(self):\n"
     "        with self._lock:\n            ready, self._ready = self._ready, {}\n        return ready\n", 10, True),
])


def test_each_kind_has_sites_only_where_its_shape_is(tmp_path: Path, kind: str, code: str, line: int,
                                                      possible: bool) -> None:
    unit = next(u for u in extract_units(_source(tmp_path, code)) if u.kind != "module" and u.start <= line <= u.end)
    sites = find_sites(unit, limit=99)
    assert any(s.kind == kind and s.line == line for s in sites) == possible, sites


def test_a_wrapped_windows_right_test_is_not_called_always_true(tmp_path: Path) -> None:
    code = ("def contains(self, t):\n    if self.start < self.end:\n        return self.start <= t < self.end\n"
            "    return t >= self.start or t < self.end\n")
    unit = next(u for u in extract_units(_source(tmp_path, code)) if u.kind != "module")
    sites = find_sites(unit, limit=99)
    assert not any("always" in s.facts for s in sites), sites


@pytest.mark.parametrize(("op", "tries"), [(">", "max_attempts + 1 tries"), (">=", "max_attempts tries")])
def test_a_retry_sites_facts_count_the_tries(tmp_path: Path, op: str, tries: str) -> None:
    code = ("def f(call, max_attempts):\n    attempt = 0\n    while True:\n        attempt += 1\n        try:\n"
            f"            return call()\n        except OSError:\n            if attempt {op} max_attempts:\n"
            "                raise\n")
    [unit] = [u for u in extract_units(_source(tmp_path, code)) if u.kind != "module"]
    [site] = [s for s in find_sites(unit, limit=99) if s.kind == "off_by_one"]
    assert site.facts.endswith(f"has run: {tries} in all"), site.facts


@pytest.mark.parametrize(("code", "line", "asked"), [
    ("def f(form):\n    if form.validate_on_submit:\n        save(form)\n", 2,
     "`form.validate_on_submit` is not called, so this condition is always true"),
    ("def f(form):\n    n = form.get('max_errors', type=int) or 20\n    return n\n", 2,
     "A caller who gives 0 here gets 20 instead"),
    ("_cache = {}\ndef f(a, b):\n    _cache[a] = a * b\n    return _cache[a]\n", 3,
     "The key leaves out `b`. Does the value stored under this key change when `b` changes"),
    ("def f(ready, polls, max_polls):\n    while not ready() or polls < max_polls:\n        polls += 1\n", 2,
     "The loop goes on past `polls < max_polls` while the other part holds"),
    ("def f(xs):\n    \"\"\"True when every item is ready.\"\"\"\n    return any(x.ready for x in xs)\n", 3,
     "`any()` is true when one item holds. Does the docstring ask for every item instead?"),
])
def test_a_site_whose_facts_show_the_mechanism_asks_about_its_effect(tmp_path: Path, code: str, line: int,
                                                                      asked: str) -> None:
    unit = next(u for u in extract_units(_source(tmp_path, code)) if u.kind != "module")
    [site] = [s for s in find_sites(unit, limit=99) if s.line == line]
    assert site.question.startswith(asked), site


def test_other_sites_are_asked_the_kinds_question(tmp_path: Path) -> None:
    unit = next(u for u in extract_units(_source(tmp_path, "def f(xs):\n    return sum(xs) / len(xs)\n")))
    [site] = find_sites(unit, limit=99)
    assert site.kind == "division_by_zero" and site.question == ""


def test_the_model_is_asked_the_sites_own_question(tmp_path: Path) -> None:
    code = "def f(form):\n    if form.validate_on_submit:\n        save(form)\n"
    units = [u for u in extract_units(_source(tmp_path, code)) if u.kind != "module"]
    [ranked] = rank_units(units, Evidence(tool_version="t", repo_name="r"), [])
    fake = FakeBackend(FakeOptions(responder=judge_responder(verdict="yes", reason="it saves invalid forms")))
    setup = JudgeSetup(prompts=PromptSet(), meter=Meter(fake), cache=UnitCache(None), nonce="n0", model="m",
                       version="v", temperature=0.0, persona_for={})
    out = UnitJudge(setup).judge(ranked)
    [request] = fake.requests
    asked = request.messages[-1].content
    assert ranked.sites[0].question in asked and info("wrong_boolean_logic").question not in asked
    assert [f.line for f in out.kept] == [2]


def test_bound_facts_work_out_what_the_bound_gives(tmp_path: Path) -> None:
    code = "def f(n, xs, i):\n    for k in range(1, n):\n        g(k)\n    return xs[:i + 1]\n"
    unit = next(u for u in extract_units(_source(tmp_path, code)) if u.kind != "module")
    facts = {s.line: s.facts for s in find_sites(unit, limit=99)}
    assert "gives 1 up to n - 1 (never n)" in facts[2]
    assert "from the start up to `i` (never `i + 1`)" in facts[4]


@pytest.mark.parametrize(("line", "worked_out"), [
    ("g(lines[n - 1])", "`lines[n - 1]` reads the element before position `n`: right when `n` counts from 1"),
    ("g(xs[i + 1])", "past the end of `xs` when `i` is its last index"),
    ("g(xs[len(xs) - i - 1])", "the `i`-th element from the end of `xs`, counting from 0"),
    ("g(xs[len(xs)])", "always one past the last element"),
    ("if i < n - 1: g()", "`i < n - 1` holds for `i` up to `n - 2` (never `n - 1`)"),
    ("if i + 1 > n: g()", "`i + 1 > n` holds for `i` from `n` (never `n - 1`)"),
    ("if len(xs) < n + 1: g()", "holds for `len(xs)` up to `n` (never `n + 1`)"),
    ("if len(xs) <= n: g()", "`len(xs) <= n` holds when both sides are equal too"),
])
def test_index_and_comparison_facts_work_out_the_bound(tmp_path: Path, line: str, worked_out: str) -> None:
    code = f"def f(n, xs, i, lines):\n    {line}\n"
    unit = next(u for u in extract_units(_source(tmp_path, code)) if u.kind != "module")
    facts = {s.line: s.facts for s in find_sites(unit, limit=99) if s.kind == "off_by_one"}
    assert worked_out in facts[2]


@pytest.mark.parametrize(("line", "possible"), [
    ("if len(xs) >= 1: g()", False), ("if 1 <= len(xs): g()", False), ("if len(xs) >= 2: g()", True),
])
def test_a_non_empty_test_is_not_a_bound(tmp_path: Path, line: str, possible: bool) -> None:
    unit = next(u for u in extract_units(_source(tmp_path, f"def f(xs):\n    {line}\n")) if u.kind != "module")
    assert any(s.kind == "off_by_one" for s in find_sites(unit, limit=99)) == possible


@pytest.mark.parametrize(("reason", "contradicts"), [
    ("The condition `a and b` is correct. It checks that both hold.", True),
    ("The exception is expected and harmless here.", True),
    ("This is not a defect: the caller checks the result.", True),
    ("The code handles the empty list correctly.", True),
    ("An empty list reaches this line and len(orders) is 0.", False),
    ("The condition is not correct: `or` lets cancelled orders ship.", False),
    ("It is always true because it is not called. The method checks if the form data is valid.", False),
    ("The log gets `code`, a one-time sign-in code, which is intended to be used for authentication.", False),
    ("If the list is empty, the division is fine.", True),
    ("The check is correct when the token is valid.", True),
])
def test_a_yes_whose_reason_says_the_code_is_right_is_not_kept(reason: str, contradicts: bool) -> None:
    from reviewer.judge.ask import contradicts_yes

    assert contradicts_yes(reason) == contradicts


def test_a_site_a_measured_finding_already_covers_is_not_asked(tmp_path: Path) -> None:
    from reviewer.findings import Finding, Severity

    code = "def f(xs):\n    try:\n        g()\n    except Exception:\n        pass\n    return sum(xs) / len(xs)\n"
    units = [u for u in _units(tmp_path, code).values() if u.kind != "module"]
    b110 = Finding(rule="bandit.B110", severity=Severity.low, title="Try, Except, Pass", file="pkg/mod.py", line=4,
                   source="bandit", evidence="except Exception:", category="reliability")
    [ranked] = rank_units(units, Evidence(tool_version="t", repo_name="r"), [b110])
    assert [s.kind for s in ranked.sites] == ["division_by_zero"]  # the swallowed error is bandit's already
    [alone] = rank_units(units, Evidence(tool_version="t", repo_name="r"), [])
    assert [s.kind for s in alone.sites] == ["error_swallowed", "division_by_zero"]


def test_sites_are_capped_per_unit_most_severe_first_one_per_line(tmp_path: Path) -> None:
    code = ("import requests\n"
            "def f(xs, url, password):\n"
            "    log.info('login %s', password)\n"
            "    a = sum(xs) / len(xs)\n"
            "    b = requests.get(url)\n"
            "    return xs[a + 1:]\n")
    [unit] = [u for u in extract_units(_source(tmp_path, code)) if u.kind != "module"]
    assert [s.kind for s in find_sites(unit, limit=99)] == ["sensitive_data_logged", "division_by_zero",
                                                             "missing_timeout", "off_by_one"]
    assert [s.kind for s in find_sites(unit)] == ["sensitive_data_logged", "division_by_zero", "missing_timeout"]
    [division] = [s for s in find_sites(unit) if s.kind == "division_by_zero"]
    assert "`len(xs)` is the divisor" in division.facts and "`len(xs)` == 0" in division.fix


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"})


def test_diff_mode_reads_changed_units_first(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "m.py").write_text(RISKY.lstrip("\n"))
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "one")
    (root / "m.py").write_text(RISKY.lstrip("\n").replace("return x.name", "return x.name or 'none'"))
    changed = changed_lines(root, "HEAD")
    assert changed == {"m.py": {18}}
    units = list(_units(root, (root / "m.py").read_text(), "m.py").values())
    ranked = rank_units(units, Evidence(tool_version="t", repo_name="r"), [], changed)
    assert ranked[0].unit.qualname == "name" and "1 line(s) changed since the base ref" in ranked[0].reasons
    with pytest.raises(ConfigError, match="not a usable git ref"):
        changed_lines(root, "--output=/tmp/x")
    with pytest.raises(ConfigError, match="git diff"):
        changed_lines(root, "no-such-ref")


def test_budget_expects_time_by_unit_size_and_stops_when_it_would_not_fit() -> None:
    assert Budget(seconds=0).allows(10**6)  # 0: every unit
    budget = Budget(seconds=1.0, started=time.perf_counter() - 0.7)
    assert budget.allows(10**6)  # nothing measured yet
    budget.measured = [(0.2, 1000), (0.5, 1000), (0.4, 1000)]  # 0.4 ms per character
    assert not budget.allows(1000)  # 0.7 s spent + 0.4 s expected > 1 s
    assert budget.allows(500)  # a smaller unit still fits
    budget.concurrency = 2
    assert budget.allows(1000)  # two at once: 0.2 s more


def test_once_product_code_is_passed_over_no_test_unit_is_started(tmp_path: Path) -> None:
    from reviewer.judge.ask import Outcome
    from reviewer.judge.planner import read_units

    big = "def big(xs):\n" + "".join(f"    y{i} = sum(xs) / len(xs)\n" for i in range(40))
    small = "def small(xs):\n    return sum(xs) / len(xs)\n"
    product = [*_units(tmp_path, big).values(), *_units(tmp_path, small, "pkg/small.py").values()]
    tests = list(_units(tmp_path, small.replace("small", "test_small"), "tests/test_small.py").values())
    ranked = rank_units(product + tests, Evidence(tool_version="t", repo_name="r"), [])
    assert [r.unit.qualname for r in ranked] == ["big", "small", "test_small"] and ranked[2].tier == 2

    class Judge:
        def judge(self, item):  # noqa: ANN001, ANN202 - a stand-in for UnitJudge
            return Outcome(ranked=item, asked=len(item.sites))

        def wants(self, item):  # noqa: ANN001, ANN202
            return bool(item.sites)

    budget = Budget(seconds=20.0, measured=[(1.0, 100)])  # 10 ms a character: big (~2,600) does not fit
    reading = read_units(ranked, Judge(), budget, None)  # type: ignore[arg-type]
    assert [o.ranked.unit.qualname for o in reading.outcomes] == ["small"] and reading.budget_spent
    every = read_units(ranked, Judge(), Budget(seconds=0), None)  # type: ignore[arg-type]
    assert [o.ranked.unit.qualname for o in every.outcomes] == ["big", "small", "test_small"]


def test_unit_cache_keeps_live_units_and_survives_a_corrupt_file(tmp_path: Path) -> None:
    from reviewer.judge.cache import CachedUnit, UnitCache, cache_key

    cache = UnitCache(cache_dir(tmp_path))
    cache.put(cache_key("aaa", "m", "v1"), CachedUnit(verdicts={"division_by_zero@1": ["yes", "r"]}))
    cache.put(cache_key("gone", "m", "v1"), CachedUnit())
    cache.save({"aaa"})
    again = UnitCache(cache_dir(tmp_path))
    assert again.get(cache_key("aaa", "m", "v1")) == CachedUnit(verdicts={"division_by_zero@1": ["yes", "r"]})
    assert again.get(cache_key("gone", "m", "v1")) is None  # units that no longer exist are not kept
    assert again.get(cache_key("aaa", "other-model", "v1")) is None and again.get(cache_key("aaa", "m", "v2")) is None
    assert (cache_dir(tmp_path) / ".gitignore").read_text().strip().endswith("*")
    (cache_dir(tmp_path) / "judge.json").write_text("{not json")
    assert UnitCache(cache_dir(tmp_path)).get(cache_key("aaa", "m", "v1")) is None  # a miss, no error
