"""A fixture repository holding every defect the markers, dependencies and config-smells collectors report
(plus the negative cases they must leave alone), and a helper to run one collector on a repository.

Home paths are assembled at run time so that this file itself holds no real-looking user path.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from reviewer.collectors.base import CollectContext, Collector, CollectorOutput
from reviewer.config import Config
from reviewer.discovery import discover
from reviewer.source import SourceStore

__all__ = ["DEFECT_FILES", "build_defect_repo", "line_of", "run_collector", "write_files"]

MAC_HOME = "/" + "Users/alice"
LINUX_HOME = "/" + "home/carol"
WIN_HOME = "C:" + "\\\\" + "Users" + "\\\\" + "bob"  # two backslashes each: escaped inside a Python string

MAIN = '''\
"""Main module. An example path such as {linux}/example in a docstring is documentation."""
import argparse
import json
import os
from abc import ABC, abstractmethod
from typing import Protocol, overload

import attr
import cv2
import dateutil.parser
import numpy as np
import requests
import sklearn
import yaml
from bs4 import BeautifulSoup
from PIL import Image

from app import helpers
from . import helpers as same_helpers

try:
    import ujson
except ImportError:
    ujson = None

DATA_DIR = "{mac}/projects/data"
MODEL_DIR = "{win}\\\\models"
NOTE = "TODO inside a string is not a marker"
os.environ["CUDA_VISIBLE_DEVICES"] = "0"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["KEEP_ME"] = os.environ.get("KEEP_ME", "default")
if "MY_FLAG" not in os.environ:
    os.environ["MY_FLAG"] = "1"


# TODO: split this module
def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true", default=True)
    parser.add_argument("--slow", action="store_true")
    return parser.parse_args()


def load(path):
    try:
        return json.load(open(path))
    except:
        return None


def quiet():
    try:
        requests.get("https://example.org")
    except Exception:
        pass


def go_offline(args):
    os.environ.update({{"TRANSFORMERS_OFFLINE": "1"}})
    if args.offline:
        os.environ["HF_DATASETS_OFFLINE"] = "1"


def lazy():
    import pandas  # FIXME pin the version
    return pandas


def todo_stub():
    pass


def ellipsis_stub(): ...


def not_implemented(x):
    """Documented but empty."""
    raise NotImplementedError("later")


class Base(ABC):
    @abstractmethod
    def run(self): ...

    def hook(self):
        pass


class Reader(Protocol):
    def read(self) -> bytes: ...


@overload
def first(x: int) -> int: ...
@overload
def first(x: str) -> str: ...
def first(x):
    return x  # XXX: fragile


class AppError(Exception):
    pass


def helper_user():  # HACK around an upstream bug
    return helpers.VALUE, same_helpers, np, yaml, Image, sklearn, BeautifulSoup, dateutil, attr, cv2
'''

DEFECT_FILES: dict[str, str] = {
    "app/__init__.py": "",
    "app/helpers.py": "VALUE = 1\n",
    "app/main.py": MAIN.format(mac=MAC_HOME, linux=LINUX_HOME, win=WIN_HOME),
    "tests/conftest.py": "import helpers_local\n",
    "tests/helpers_local.py": "X = 1\n",
    "tests/test_main.py": "import pytest\nimport hypothesis\nfrom app import main\n\n\ndef test_main():\n"
                          "    pass\n",
    "pyproject.toml": textwrap.dedent("""\
        [project]
        name = "defect-app"
        version = "0.1"
        dependencies = [
            "requests>=2",
            "PyYAML",
            "unused-lib>=1.0",
            "pytest-cov",
        ]

        [project.optional-dependencies]
        img = ["Pillow>=10"]

        [tool.poetry.dependencies]
        python = "^3.11"
        attrs = "*"
        """),
    "requirements.txt": "-r requirements-base.txt\nscikit-learn==1.4  # ml\n--index-url https://example.org\n",
    "requirements-base.txt": "beautifulsoup4\n",
    "setup.cfg": "[options]\ninstall_requires =\n    python-dateutil\n\n[options.extras_require]\ncv = opencv-python\n",
    "tmp.py": "x = 1\n",
    "scratch_notes.py": "y = 2\n",
    "main_old.py": "z = 3\n",
    "notes.txt": "remember\n",
    "temperature.py": "T = 20\n",
    "app/tmp.py": "w = 4\n",
}


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build_defect_repo(root: Path) -> Path:
    return write_files(root, DEFECT_FILES)


def line_of(root: Path, rel: str, needle: str) -> int:
    """1-based number of the only line of ``rel`` that contains ``needle``."""
    hits = [n for n, line in enumerate((root / rel).read_text().splitlines(), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def run_collector(collector: Collector, root: Path, config: Config | None = None) -> CollectorOutput:
    """The uncached path, as the runner would call it, on the real discovery and source store."""
    config = config or Config()
    discovery = discover(root, config.exclude)
    ctx = CollectContext(root=root.resolve(), config=config, discovery=discovery,
                         sources=SourceStore(discovery.files, config.max_file_bytes))
    return collector.collect(ctx)
