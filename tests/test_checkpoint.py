"""Checkpoints: dated report pairs never overwritten, history and index, trend over two checkpoints, `trend`."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers.gate_results import finding, make_result

from reviewer.checkpoint.create import create_checkpoint
from reviewer.checkpoint.history import load_history
from reviewer.cli import main
from reviewer.review.result import ReviewResult, write_result

FIRST = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
SECOND = datetime(2026, 11, 23, 14, 5, tzinfo=timezone.utc)


def _first() -> ReviewResult:
    return make_result(
        created=FIRST, commit="1111111aaaa", overall=60, base_scores={"architect": 55, "qa_engineer": 65},
        coverage_percent=61.5, tests_total=10, tests_passed=8, tests_failed=2, tests_errors=0, tests_skipped=0,
        average_complexity=4.25, worst_complexity_rank="D",
        findings=[
            finding("bandit.B307", "critical", line=3, snippet="eval(data)"),
            finding("markers.todo", "low", file="app/util.py", line=9, snippet="# TODO: retry"),
        ],
    )


def _second() -> ReviewResult:
    return make_result(
        created=SECOND, commit="2222222bbbb", overall=71, base_scores={"architect": 70, "qa_engineer": 72},
        coverage_percent=70.0, tests_total=12, tests_passed=12, tests_failed=0, tests_errors=0, tests_skipped=0,
        average_complexity=3.5, worst_complexity_rank="C",
        findings=[
            finding("bandit.B307", "critical", line=14, snippet="  eval(data)"),  # moved: not new
            finding("bandit.B602", "high", line=20, snippet="call(cmd, shell=True)", title="Shell | injection"),
        ],
    )


def _mermaid(markdown: str) -> list[str]:
    blocks = re.findall(r"```mermaid\n(.*?)\n```", markdown, flags=re.S)
    assert len(blocks) == 1, "exactly one mermaid block"
    return [line.strip() for line in blocks[0].splitlines()]


def _assert_wellformed_xychart(lines: list[str], points: int) -> list[list[float]]:
    assert lines[0] == "xychart-beta"
    x_axis = next(line for line in lines if line.startswith("x-axis"))
    labels = re.fullmatch(r'x-axis \[(.*)\]', x_axis)
    assert labels is not None
    assert re.findall(r'"([^"]*)"', labels.group(1)) and len(re.findall(r'"[^"]*"', labels.group(1))) == points
    assert any(re.fullmatch(r'y-axis "[^"]+" 0 --> 100', line) for line in lines)
    series = []
    for line in lines:
        if line.startswith("line"):
            match = re.fullmatch(r"line \[([-0-9., ]+)\]", line)
            assert match is not None, line
            values = [float(v) for v in match.group(1).split(",")]
            assert len(values) == points and all(0 <= v <= 100 for v in values)
            series.append(values)
    assert series
    return series


def test_first_checkpoint_writes_pair_history_and_index(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    outcome = create_checkpoint(_first(), reports)
    assert outcome.markdown.name == "2026-11-20-0930-checkpoint.md"
    assert outcome.json.name == "2026-11-20-0930-checkpoint.json"
    assert json.loads(outcome.json.read_text())["overall_score"] == 60
    text = outcome.markdown.read_text()
    assert "## Trend since the previous checkpoint" in text
    assert "This is the first checkpoint" in text
    assert _assert_wellformed_xychart(_mermaid(text), 1) == [[60.0], [61.5]]
    entry = load_history(reports / "history.json").entries[0]
    assert entry.personas == {"architect": 55, "qa_engineer": 65}
    assert entry.severity_counts["critical"] == 1 and len(entry.fingerprints) == 2
    index = (reports / "index.md").read_text()
    assert "[2026-11-20-0930-checkpoint.md](2026-11-20-0930-checkpoint.md)" in index


def test_same_minute_never_overwrites(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    first = create_checkpoint(_first(), reports)
    before = first.markdown.read_bytes()
    second = create_checkpoint(_first(), reports)
    third = create_checkpoint(_first(), reports)
    assert second.markdown.name == "2026-11-20-0930-checkpoint-2.md"
    assert third.json.name == "2026-11-20-0930-checkpoint-3.json"
    assert first.markdown.read_bytes() == before
    assert len(load_history(reports / "history.json").entries) == 3
    # A stray JSON alone also reserves the name for both files of the pair.
    (reports / "2026-11-20-0930-review.json").write_text("{}")
    assert create_checkpoint(_first(), reports, style="review").markdown.name == "2026-11-20-0930-review-2.md"


def test_trend_over_two_checkpoints(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    create_checkpoint(_first(), reports)
    outcome = create_checkpoint(_second(), reports)
    rows = {row.metric: row for row in outcome.trend.rows}
    assert (rows["Overall score"].previous, rows["Overall score"].current, rows["Overall score"].change) == (
        "60", "71", "+11")
    assert rows["Persona architect"].change == "+15"
    assert (rows["Coverage"].previous, rows["Coverage"].change) == ("61.5%", "+8.5")
    assert rows["Tests total"].change == "+2"
    assert rows["Tests failing (failed + errors)"].change == "-2"
    assert (rows["Average complexity"].previous, rows["Average complexity"].change) == ("4.25", "-0.75")
    assert rows["Worst complexity rank"].current == "C"
    assert [(f.rule, f.location) for f in outcome.trend.new] == [("bandit.B602", "app/main.py:20")]
    assert [(f.rule, f.location) for f in outcome.trend.resolved] == [("markers.todo", "app/util.py:9")]
    text = outcome.markdown.read_text()
    assert "| Overall score | 60 | 71 | +11 |" in text
    assert "### New findings (1)" in text and "### Resolved findings (1)" in text
    assert "Shell \\| injection" in text  # escaped title cannot add a table cell
    assert _assert_wellformed_xychart(_mermaid(text), 2) == [[60.0, 71.0], [61.5, 70.0]]
    index = (reports / "index.md").read_text().splitlines()
    rows_in_index = [line for line in index if line.startswith("| 2026")]
    assert rows_in_index[0].startswith("| 2026-11-23 14:05") and "| 71 |" in rows_in_index[0]


def test_chart_leaves_out_coverage_when_not_always_measured(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    create_checkpoint(make_result(created=FIRST), reports)
    outcome = create_checkpoint(_second(), reports)
    text = outcome.markdown.read_text()
    assert _assert_wellformed_xychart(_mermaid(text), 2) == [[72.0, 71.0]]
    assert "coverage is not drawn" in text


def test_resolved_without_previous_json_keeps_fingerprints(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    first = create_checkpoint(_first(), reports)
    first.json.unlink()
    outcome = create_checkpoint(_second(), reports)
    assert [f.title for f in outcome.trend.resolved] == ["(details not kept)"]
    assert outcome.trend.resolved[0].fingerprint in load_history(reports / "history.json").entries[0].fingerprints


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


def test_cli_checkpoint_from_result_and_trend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    first = write_result(_first(), tmp_path / "one.json")
    second = write_result(_second(), tmp_path / "two.json")
    assert _run(["checkpoint", str(tmp_path), "--result", str(first)]) == 0
    assert _run(["checkpoint", str(tmp_path), "--result", str(second)]) == 0
    out = capsys.readouterr().out
    assert "1 new, 1 resolved" in out
    assert sorted(p.name for p in (tmp_path / "reports").iterdir() if p.name != ".history.lock") == [
        "2026-11-20-0930-checkpoint.json", "2026-11-20-0930-checkpoint.md",
        "2026-11-23-1405-checkpoint.json", "2026-11-23-1405-checkpoint.md", "history.json", "index.md"]
    assert _run(["trend", str(tmp_path / "reports")]) == 0
    table = capsys.readouterr().out
    assert "2026-11-20 09:30" in table and "2026-11-23 14:05" in table and "+11" in table
    assert "8/10 (2 failing)" in table


def test_cli_trend_and_checkpoint_errors_exit_2(tmp_path: Path) -> None:
    assert _run(["trend", str(tmp_path)]) == 2
    (tmp_path / "history.json").write_text('{"schema_version": 99}')
    assert _run(["trend", str(tmp_path)]) == 2
    assert _run(["checkpoint", str(tmp_path), "--result", str(tmp_path / "none.json")]) == 2
    assert _run(["checkpoint", str(tmp_path / "missing"), "--result", str(tmp_path / "none.json")]) == 2


def test_live_checkpoint_records_the_gate(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    (repo / "test_app.py").write_text("def test_app():\n    assert True\n")  # no tests at all would block too
    assert _run(["checkpoint", str(repo), "--backend", "none"]) == 0  # a checkpoint records, it does not fail
    entry = load_history(repo / "reports" / "history.json").entries[-1]
    assert entry.gate_passed is False  # bandit B602 at HIGH confidence is critical; the default gate allows 0
    (repo / "app.py").write_text("import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd)\n")
    assert _run(["checkpoint", str(repo), "--backend", "none"]) == 0
    assert load_history(repo / "reports" / "history.json").entries[-1].gate_passed is True
