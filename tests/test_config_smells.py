"""Config smells on the defect fixture repository, each at its line, and the cases that must stay quiet."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers.defect_repo import build_defect_repo, line_of, run_collector

from reviewer.collectors.config_smells import ConfigSmellsCollector, find_smells
from reviewer.evidence import ConfigSmellsSection

MAIN = "app/main.py"


@pytest.fixture(scope="module")
def defect_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_defect_repo(tmp_path_factory.mktemp("smells"))


def test_every_smell_found_at_its_line(defect_repo: Path) -> None:
    out = run_collector(ConfigSmellsCollector(), defect_repo)
    got = sorted((f.rule, f.line, f.severity.value) for f in out.findings if f.file == MAIN)

    def at(needle: str) -> int:
        return line_of(defect_repo, MAIN, needle)

    expected = sorted([
        ("smells.hardcoded_path", at("DATA_DIR ="), "medium"),
        ("smells.hardcoded_path", at("MODEL_DIR ="), "medium"),
        ("smells.env_overwrite", at("CUDA_VISIBLE_DEVICES"), "medium"),
        ("smells.forced_offline", at('"HF_HUB_OFFLINE"'), "medium"),
        ("smells.forced_offline", at("TRANSFORMERS_OFFLINE"), "medium"),
        ("smells.store_true_default_true", at('"--fast"'), "medium"),
        ("smells.bare_except", at("except:"), "medium"),
        ("smells.except_pass", at("except Exception:"), "medium"),
    ])
    assert got == expected
    section = out.section
    assert isinstance(section, ConfigSmellsSection)
    assert section.counts == {"smells.bare_except": 1, "smells.env_overwrite": 1, "smells.except_pass": 1,
                              "smells.forced_offline": 2, "smells.hardcoded_path": 2,
                              "smells.store_true_default_true": 1}
    bare = next(f for f in out.findings if f.rule == "smells.bare_except")
    assert bare.snippet == "except:" and bare.source == "config_smells" and bare.category == "reliability"
    assert all(f.recommendation and f.title for f in out.findings)


def _rules(code: str, is_test: bool = False) -> list[tuple[str, int]]:
    return [(h.rule, h.line) for h in find_smells(ast.parse(code), is_test)]


def test_guarded_and_defaulted_environment_writes_are_not_overwrites() -> None:
    code = (
        "import os\n"
        "os.environ.setdefault('A', '1')\n"
        "os.environ['B'] = os.getenv('B', 'x')\n"
        "if os.name == 'nt':\n    os.environ['C'] = '1'\n"
        "while False:\n    os.putenv('D', '1')\n"
        "value = os.environ['E']\n"
    )
    assert _rules(code) == []


def test_other_environment_writes_are_overwrites() -> None:
    code = (
        "import os\nfrom os import environ\n"
        "environ['A'] = '1'\n"
        "os.putenv('B', '2')\n"
        "os.environ.update(C='3')\n"
        "def f():\n    os.environ['D'] = '4'\n"
        "os.environ.setdefault('HF_HUB_OFFLINE', '1')\n"
        "model = load('m', local_files_only=True)\n"
    )
    assert _rules(code) == [("smells.env_overwrite", 3), ("smells.env_overwrite", 4), ("smells.env_overwrite", 5),
                            ("smells.env_overwrite", 7), ("smells.forced_offline", 8),
                            ("smells.forced_offline", 9)]
    severities = [h.severity.value for h in find_smells(ast.parse(code))]
    assert severities == ["medium", "medium", "medium", "low", "low", "low"]  # in a function: low


def test_offline_switch_set_to_zero_is_a_plain_overwrite() -> None:
    assert _rules("import os\nos.environ['HF_HUB_OFFLINE'] = '0'\n") == [("smells.env_overwrite", 2)]


def test_paths_and_exceptions_edge_cases() -> None:
    home = "/" + "home"
    code = (
        f'a = "{home}/dave/.cache"\n'
        f'b = f"{home}/{{user}}/x"\n'
        f'c = "/usr{home}/x"\n'
        f'd = "{home}"\n'
        "try:\n    pass\nexcept (KeyError, ValueError):\n    pass\n"
        "try:\n    pass\nexcept ImportError as exc:\n    log(exc)\n"
    )
    assert _rules(code) == [("smells.hardcoded_path", 1), ("smells.except_pass", 7)]
    narrow = [h for h in find_smells(ast.parse(code)) if h.rule == "smells.except_pass"]
    assert narrow[0].severity.value == "low" and "except (KeyError, ValueError) only passes" in narrow[0].detail
    broad = find_smells(ast.parse("try:\n    pass\nexcept (KeyError, Exception):\n    pass\n"))
    assert [h.severity.value for h in broad] == ["medium"]


def test_smells_in_test_code_are_low() -> None:
    code = "try:\n    x = 1\nexcept:\n    pass\n"
    assert {h.severity.value for h in find_smells(ast.parse(code), is_test=True)} == {"low"}
    assert {h.severity.value for h in find_smells(ast.parse(code))} == {"medium"}


def test_store_true_without_default_or_with_false_is_fine() -> None:
    code = ("p.add_argument('--a', action='store_true')\np.add_argument('--b', action='store_true', default=False)\n"
            "p.add_argument('--c', action='store_false', default=True)\n")
    assert _rules(code) == []
