"""``reviewer report`` and ``reviewer schema``, the published schemas, and the end-of-run terminal summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from reviewer.config import ReportConfig
from reviewer.console import Terminal
from reviewer.cli.report import report_command, schema_command
from reviewer.report.schema import json_schema, schema_text
from reviewer.report.writer import ANNOTATIONS_FILE, read_annotations, write_reports
from reviewer.review.result import ReviewResult, load_result, write_result

ROOT = Path(__file__).parent.parent
RESULT = Path(__file__).parent / "fixtures" / "report" / "result.json"


def _invoke(command: object, args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    outcome = CliRunner().invoke(command, args, obj=Terminal(force_plain=True), env=env)  # type: ignore[arg-type]
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        raise outcome.exception
    return outcome.exit_code, outcome.stdout


@pytest.mark.parametrize(("kind", "flags"), [("review", []), ("evidence", ["--evidence"])])
def test_schema_command_prints_the_published_schema(kind: str, flags: list[str]) -> None:
    code, out = _invoke(schema_command, flags)
    assert code == 0
    published = ROOT / "schemas" / f"{kind}.schema.json"
    assert out == schema_text(kind) == published.read_text(encoding="utf-8"), \
        f"{published} is stale: regenerate with 'reviewer schema {' '.join(flags)} --out {published.relative_to(ROOT)}'"
    Draft202012Validator.check_schema(json.loads(out))


def test_schema_command_writes_a_file(tmp_path: Path) -> None:
    code, _ = _invoke(schema_command, ["--out", str(tmp_path / "s" / "review.schema.json")])
    assert code == 0 and json.loads((tmp_path / "s" / "review.schema.json").read_text())["title"] == "ReviewResult"


def test_real_result_validates_against_the_schema(tmp_path: Path) -> None:
    written = write_result(load_result(RESULT), tmp_path / "review.json")
    validator = Draft202012Validator(json_schema("review"), format_checker=Draft202012Validator.FORMAT_CHECKER)
    instance = json.loads(written.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(instance)) == []
    instance["verdict"] = "maybe"
    instance["findings"][0]["severity"] = "catastrophic"
    assert len(list(validator.iter_errors(instance))) == 2


def test_report_command_renders_every_format(tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    code, out = _invoke(report_command, ["--result", str(RESULT), "--out", str(tmp_path / "out"), "--style",
                                         "readiness", "--format", "md,json,sarif,summary", "--max-items", "3"],
                        env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(["review.md", "review.sarif", ANNOTATIONS_FILE])
    assert (tmp_path / "out" / "review.md").read_text(encoding="utf-8").startswith("# Production Readiness")
    assert json.loads((tmp_path / "out" / "review.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert summary.read_text(encoding="utf-8").startswith("earlier step\n## reviewer: acme-shop")
    assert out.splitlines()[0].startswith("::error file=app/run.py,line=12,")


def test_report_command_template_and_appendix(tmp_path: Path) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text("# Custom {{ r.repo_name }}\n\n## Conclusion\n\ndone\n", encoding="utf-8")
    appendix = tmp_path / "trend.md"
    appendix.write_text("## Trend\n\nup\n", encoding="utf-8")
    code, _ = _invoke(report_command, ["--result", str(RESULT), "--out", str(tmp_path), "--format", "md",
                                       "--template", str(template), "--appendix", str(appendix)])
    assert code == 0
    assert (tmp_path / "review.md").read_text() == "# Custom acme-shop\n\n## Trend\n\nup\n\n## Conclusion\n\ndone\n"


def test_report_command_rejects_unknown_format(tmp_path: Path) -> None:
    code, _ = _invoke(report_command, ["--result", str(RESULT), "--out", str(tmp_path), "--format", "md,pdf"])
    assert code == 2


def test_unreadable_result_is_a_usage_error(tmp_path: Path) -> None:
    from reviewer.cli import main

    bad = tmp_path / "review.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--result", str(bad), "--out", str(tmp_path / "o")])
    assert exit_info.value.code == 2


def test_writer_without_summary_env_writes_no_step_summary(tmp_path: Path) -> None:
    result = load_result(RESULT)
    paths = write_reports(result, tmp_path, ReportConfig(formats=["summary"]), environ={})
    assert [p.name for p in paths] == [ANNOTATIONS_FILE]
    assert read_annotations(paths)[0].startswith("::error ")
    assert write_reports(result, tmp_path / "j", ReportConfig(formats=["json"]), environ={}) == []


def test_terminal_review_summary(capsys: pytest.CaptureFixture[str]) -> None:
    result: ReviewResult = load_result(RESULT)
    Terminal(force_plain=True).review_summary(result, [Path("out/review.md"), Path("out/review.sarif")])
    out = capsys.readouterr().out
    for text in ("Security Engineer", "40", "1 critical, 2 high, 5 medium, 6 low, 1 info", "verdict: not ready",
                 "out/review.md", "out/review.sarif", "unverified model claims dropped: 3"):
        assert text in out


def test_relative_template_resolves_against_the_config_directory(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "mine.md.j2").write_text("# Mine {{ r.overall_score }}\n", encoding="utf-8")
    config = ReportConfig(formats=["md"], template="tpl/mine.md.j2")
    paths = write_reports(load_result(RESULT), tmp_path / "out", config, template_base=tmp_path, environ={})
    assert paths[0].read_text(encoding="utf-8") == "# Mine 54\n"
