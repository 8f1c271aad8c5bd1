"""Topics in model prose are checked against the evidence: a sentence asserting a problem no measured finding
supports is removed and counted, negated mentions stay, and strengths are cleaned before "What's Good"."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.judge_answers import judge_responder
from helpers.review_fixtures import make_evidence, make_repo

from reviewer.backends.fake import FakeBackend, FakeOptions
from reviewer.config import Config
from reviewer.findings import Finding, Severity
from reviewer.report.markdown import render_markdown
from reviewer.report.sections import good_strengths
from reviewer.review.engine import review_evidence
from reviewer.review.result import AgentResult, ReviewResult
from reviewer.review.topics import TOPICS, check_topics, clean_strengths, describes_problem, supported_topics

PARROTED = ("The code is vulnerable to SQL injection, eval/exec, pickle and yaml.load on untrusted data, shell=True, "
            "and disabled verification.")


def _finding(rule: str, *, suppressed: bool = False) -> Finding:
    return Finding(rule=rule, severity=Severity.medium, title=rule, file="a.py", line=1, source="test",
                   evidence="x = 1", suppressed=suppressed)


def _supported(*rules: str) -> set[str]:
    return supported_topics([_finding(r) for r in rules])


def test_parroted_rubric_sentence_is_removed_and_listed() -> None:
    checked = check_topics(f"The service is small. {PARROTED} Tests run quickly.", _supported("bandit.B105"))
    assert checked.text == "The service is small. Tests run quickly."
    [why] = checked.unsupported
    assert "SQL injection" in why and "eval/exec" in why and "shell=True" in why and "yaml.load" in why


def test_sentence_is_kept_when_every_topic_it_asserts_is_measured() -> None:
    sql = "shop/db.py builds SQL from strings and is vulnerable to SQL injection."
    assert check_topics(sql, _supported("bandit.B608")).unsupported == []
    assert check_topics(sql, _supported("bandit.B608")).text == sql
    assert check_topics(sql, _supported("bandit.B307")).unsupported  # eval measured, SQL injection not
    both = "It uses eval and is open to SQL injection."
    assert check_topics(both, _supported("bandit.B608", "bandit.B307")).text == both
    assert check_topics(both, _supported("bandit.B608")).text == ""


def test_suppressed_findings_support_nothing() -> None:
    assert "SQL injection" not in supported_topics([_finding("bandit.B608", suppressed=True)])
    assert "SQL injection" in supported_topics([_finding("bandit.B608")])


@pytest.mark.parametrize("sentence", [
    "No SQL injection, eval or pickle use was found.",
    "SQL injection was not found anywhere.",
    "There is no use of shell=True or yaml.load.",
    "The code is free of hardcoded secrets.",
    "Without any eval/exec, the parser is safe.",
    "There are no failing tests and no TODO markers.",
    "Hardcoded secrets are not present.",
])
def test_negated_mentions_are_kept(sentence: str) -> None:
    checked = check_topics(sentence, set())
    assert checked.unsupported == [] and checked.text == sentence


@pytest.mark.parametrize("sentence", [
    "No eval is used, but the queries are open to SQL injection.",
    "There are no tests for db.py and it uses pickle for the cache.",
    "Passwords are hardcoded in settings.py.",
    "The cleanup swallows exceptions silently.",
    "Several TODO comments and stubs remain.",
    "Two dependencies are undeclared: several unused dependencies too.",
    "There are 3 failing tests.",
    "Configuration uses hardcoded paths into /home/alice.",
])
def test_affirmed_topics_after_a_contrast_or_without_negation_are_removed(sentence: str) -> None:
    assert check_topics(sentence, set()).unsupported, sentence


def test_every_topic_names_real_rule_globs() -> None:
    prefixes = ("bandit.", "smells.", "markers.", "deps.", "tests.", "radon.", "secrets.", "security.", "config.")
    for topic in TOPICS:
        assert topic.rules and all(r.startswith(prefixes) for r in topic.rules), topic.name


def test_plain_prose_is_untouched() -> None:
    text = "Small, readable modules.  The CLI has clear help text."
    assert check_topics(text, set()).text == text.strip()
    assert check_topics("", set()).text == ""


def test_strengths_lose_junk_duplicates_and_problems() -> None:
    items = [
        "Small, readable modules",
        "findings",
        "",
        "  small readable   modules. ",
        "SMALL, READABLE MODULES!",
        "The code is littered with stubs, which could lead to unexpected behavior.",
        "Clear README. The documentation is also lacking, with several missing files.",
        "No security issues were found in the CLI.",
    ]
    kept, left_out = clean_strengths(items)
    assert kept == ["Small, readable modules", "Clear README.", "No security issues were found in the CLI."]
    assert left_out == 5


def test_problem_detection_respects_negation() -> None:
    assert describes_problem("The repository has several issues that could impact reliability.")
    assert not describes_problem("No issues found in error handling.")
    assert not describes_problem("Well-structured package with a clear entry point.")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop")


def _security_review(repo: Path, assessment: str = "The code was read.", reasons: dict | None = None) -> ReviewResult:
    config = Config()
    config.cache = False
    config.review.personas = ["security_engineer"]
    config.review.open_reading = False  # the site questions only
    fake = FakeBackend(FakeOptions(responder=judge_responder(reasons=reasons, assessment=assessment),
                                   max_context=8192))
    return review_evidence(make_evidence(repo), repo, config, fake)


GROUNDED = "shop/db.py formats user input into SQL, a SQL injection."
UNGROUNDED = "The cache loads pickle and yaml.load data from users."
NEGATED = "No hardcoded secrets were found."


def test_engine_drops_and_counts_ungrounded_sentences_keeps_grounded_and_negated(repo: Path) -> None:
    # the fixture evidence measures bandit.B608 (SQL) and bandit.B307 (eval), no pickle, yaml or secrets
    result = _security_review(repo, f"{GROUNDED} {UNGROUNDED} {NEGATED} {PARROTED}")
    [agent] = result.agents
    assert agent.model_error is None
    assert agent.summary == f"{GROUNDED} {NEGATED}"
    ctx = result.model_context
    assert ctx.sentences_unsupported == len(ctx.unsupported) == 2
    assert any("pickle" in u for u in ctx.unsupported) and any("shell=True" in u for u in ctx.unsupported)
    ReviewResult.model_validate_json(result.model_dump_json())


def test_the_rendered_report_holds_no_dropped_sentence(repo: Path) -> None:
    result = _security_review(repo, f"{UNGROUNDED} {PARROTED}")
    markdown = render_markdown(result, "checkpoint")
    persona = markdown[markdown.index("## What's Good"):markdown.index("## What's Broken")]
    for gone in ("pickle", "yaml.load", "shell=True"):
        assert gone not in persona and gone not in result.agents[0].summary
    assert "sentences removed because no measured finding supports their topic: 2" in markdown
    assert result.agents[0].summary.startswith("Security Engineer: base score")  # nothing left: deterministic


def test_deterministic_fallback_strengths_are_labelled_measured(repo: Path) -> None:
    result = _security_review(repo, PARROTED)
    [agent] = result.agents
    good = good_strengths(result, 25)
    assert [s.text for s in good.items] == agent.strengths
    assert all(s.measured for s in good.items)
    assert "(model judgement" not in render_markdown(result, "checkpoint").split("## What's Broken")[0]


def test_whats_good_removes_duplicates_across_agents_and_problems_from_older_results(repo: Path) -> None:
    result = _security_review(repo)
    agent = result.agents[0].model_copy(update={"strengths": ["Small, readable modules"]})
    other = AgentResult(id="qa_engineer", name="QA Engineer", score=50, base_score=50,
                        strengths=["small, READABLE modules", "findings", "The documentation is lacking."])
    result = result.model_copy(update={"agents": [agent, other]})
    good = good_strengths(result, 25)
    assert [(s.text, s.agent) for s in good.items] == [("Small, readable modules", "Security Engineer")]


def test_reasons_naming_an_unmeasured_problem_are_dropped_even_at_a_real_site(repo: Path) -> None:
    # Seen with the embedded 1.5B model: "hardcoded secrets" given as the reason on an ordinary line.
    result = _security_review(repo, reasons={
        "shop/calc.py::average": "hardcoded secrets leak when the list is empty",
        "shop/db.py::find_user": "the cursor stays open when the SQL injection query raises",
        "shop/db.py::commit": "a failed commit is hidden from callers",
    })
    dropped = {d.title.split(": ", 1)[1]: d.reason for d in result.model_context.dropped}
    assert set(dropped) == {"hardcoded secrets leak when the list is empty"}, dropped
    assert "no measured finding in shop/calc.py" in dropped["hardcoded secrets leak when the list is empty"]
    kept = {f.title for f in result.findings if f.source == "model"}
    assert kept == {"resource not released: the cursor stays open when the SQL injection query raises",  # B608 there
                    "error swallowed: a failed commit is hidden from callers"}  # the site shows it
