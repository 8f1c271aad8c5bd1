"""Reports from a real review: the engine's result for a small repository (none backend) validates against the
published schema, and every format renders from it with well-formed Markdown and valid SARIF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers.review_fixtures import make_evidence, make_repo
from jsonschema import Draft4Validator, Draft202012Validator
from markdown_it import MarkdownIt

from reviewer.backends.none import NoneBackend
from reviewer.config import Config, ReportConfig
from reviewer.report.fold import fold
from reviewer.report.markdown import STYLES, render_markdown
from reviewer.report.writer import write_reports
from reviewer.review.engine import review_evidence
from reviewer.review.result import ReviewResult, write_result

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReviewResult, Path]:
    repo = make_repo(tmp_path_factory.mktemp("real") / "shop")
    return review_evidence(make_evidence(repo), repo, Config(), NoneBackend()), repo


def test_real_result_validates_against_the_published_schema(real: tuple[ReviewResult, Path], tmp_path: Path) -> None:
    result, _ = real
    schema = json.loads((ROOT / "schemas" / "review.schema.json").read_text(encoding="utf-8"))
    instance = json.loads(write_result(result, tmp_path / "review.json").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema).iter_errors(instance))
    assert errors == [], [e.message for e in errors[:5]]
    assert instance["findings"], "the fixture repository has planted defects"


@pytest.mark.parametrize("style", STYLES)
def test_real_result_renders_with_well_formed_tables(real: tuple[ReviewResult, Path], style: str) -> None:
    result, _ = real
    markdown = render_markdown(result, style)
    parser = MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(markdown)
    lines = markdown.split("\n")
    for token in tokens:
        if token.type == "table_open" and token.map:
            rows = lines[token.map[0]:token.map[1]]
            assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) == 1, rows
    assert "<script" not in parser.render(markdown)
    if style == "review":  # every finding, or the group it folds into, is named by id (all are in review.json)
        for entry in fold(f for f in result.findings if not f.suppressed):
            assert re.search(rf"\b{entry.lead.id}\b", markdown), entry.lead.id


def test_real_result_writes_valid_sarif(real: tuple[ReviewResult, Path], tmp_path: Path) -> None:
    result, repo = real
    paths = write_reports(result, tmp_path, ReportConfig(formats=["md", "sarif", "summary"]), environ={})
    assert [p.name for p in paths] == ["review.md", "review.sarif", "github-annotations.txt"]
    log = json.loads((tmp_path / "review.sarif").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert list(Draft4Validator(schema).iter_errors(log)) == []
    for res in log["runs"][0]["results"]:
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (repo / uri).is_file(), uri  # repo-relative and real, also for repository-wide findings
