"""The review engine: evidence + rubrics (+ a model) -> a complete :class:`ReviewResult`.

Scores, health, verdict and recommendations are computed from the evidence and deterministic findings; the model
reads the code unit by unit (see :mod:`reviewer.judge`) and adds checked findings and each persona's assessment;
it never moves a score. ``--backend none`` (a backend that does not
generate) gives the complete deterministic review.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from fnmatch import fnmatchcase
from pathlib import Path

from reviewer import __version__
from reviewer.backends.base import Backend
from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.errors import ConfigError
from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.gate.suppress import apply_suppressions
from reviewer.judge.pipeline import JudgeReview, PersonaInput, run_judgement
from reviewer.review.assemble import assemble_agents
from reviewer.review.categories import categorise
from reviewer.review.metrics import metrics_from_evidence
from reviewer.review.prompts import PromptSet
from reviewer.review.recommendations import build_recommendations
from reviewer.review.result import AgentResult, BackendInfo, ReviewResult
from reviewer.review.rubric import Rubric, load_rubrics
from reviewer.review.scoring import (
    base_score,
    contributors,
    health_table,
    overall_score,
    persona_status,
    score_criteria,
    severity_counts,
)
from reviewer.review.unanalysed import unanalysed_files
from reviewer.review.verdict import decide_verdict, find_blockers
from reviewer.review.view import ScoringView
from reviewer.scopes import scope_of

__all__ = ["review_evidence", "user_dir"]


class _Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - start, 3)


def user_dir(root: Path, value: str | None, key: str) -> Path | None:
    """A configured override directory (relative to the repository root); an error when it does not exist."""
    if value is None:
        return None
    path = Path(value).expanduser()
    path = path if path.is_absolute() else root / path
    if not path.is_dir():
        raise ConfigError(f"directory not found: {path}", key=key)
    return path


def _deterministic(evidence: Evidence, rubrics: list[Rubric], root: Path, config: Config) -> list[Finding]:
    """Evidence findings, categorised, fingerprinted, scoped (product, tests, ...), suppressions applied, each
    owned by the first persona whose rule globs match."""
    out = []
    for f in evidence.findings:
        f = categorise(f).with_fingerprint()
        if f.scope is None and f.file is not None:
            f = f.model_copy(update={"scope": scope_of(f.file, config.scopes)})
        if f.agent is None:
            owner = next((r.id for r in rubrics if any(fnmatchcase(f.rule, g) for g in r.owns)), None)
            f = f.model_copy(update={"agent": owner})
        out.append(f)
    apply_suppressions(out, root, config)
    return out


def _personas(rubrics: list[Rubric], evidence: Evidence, findings: list[Finding], config: Config) -> list[PersonaInput]:
    out = []
    view = ScoringView(evidence, config.scopes)
    for rubric in rubrics:
        criteria = score_criteria(rubric, evidence, findings, config.review.coverage_target, view)
        base, _ = base_score(criteria)
        out.append(PersonaInput(rubric=rubric, base=base, criteria=criteria))
    return out


def _model_part(personas: list[PersonaInput], evidence: Evidence, root: Path, config: Config, backend: Backend,
                findings: list[Finding], terminal: Terminal | None, stages: _Stages) -> JudgeReview:
    if not backend.capabilities.generates:
        return JudgeReview()
    with stages("model"):
        prompts = PromptSet(user_dir(root, config.prompts_dir, "prompts_dir"))
        review = run_judgement(personas, evidence, root, config, backend, prompts, findings, terminal)
    for part, seconds in review.seconds.items():
        stages.seconds[f"model.{part}"] = seconds
    return review


def _explain(agents: list[AgentResult], personas: list[PersonaInput], deterministic: list[Finding]) -> None:
    """Each persona's status (measured, partial, not measured), its missing criteria and top contributors."""
    by_id = {p.rubric.id: p for p in personas}
    for agent in agents:
        persona = by_id.get(agent.id)
        if persona is None:
            continue
        agent.status, agent.missing_criteria = persona_status(persona.criteria)  # type: ignore[assignment]
        agent.contributors = contributors(persona.rubric, persona.criteria, deterministic)
        if agent.status == "not_measured":
            agent.notes.append("nothing this persona scores was measured: no score, left out of the overall")
        elif agent.status == "partial":
            agent.notes.append(f"scored from partial evidence; not measured: {', '.join(agent.missing_criteria)}")


def _finish(evidence: Evidence, config: Config, agents: list[AgentResult], personas: list[PersonaInput],
            deterministic: list[Finding], everything: list[Finding]) -> dict:
    _explain(agents, personas, deterministic)
    weights = {p.rubric.id: p.rubric.weight for p in personas}
    base_overall = overall_score([a.model_copy(update={"score": a.base_score}) for a in agents], weights)
    verdict, reasons = decide_verdict(evidence, deterministic, base_overall, config.review.coverage_target)
    criteria = [c for p in personas for c in p.criteria]
    return {
        "overall_score": overall_score(agents, weights), "verdict": verdict, "verdict_reasons": reasons,
        "blockers": find_blockers(evidence, deterministic),
        "health": health_table(criteria, deterministic), "severity_counts": severity_counts(everything),
        "recommendations": build_recommendations(evidence, everything, config.review.coverage_target),
    }


def review_evidence(evidence: Evidence, root: Path, config: Config, backend: Backend, *,
                    terminal: Terminal | None = None) -> ReviewResult:
    """The full review of ``evidence`` (measured on ``root``) with ``backend``; never raises for model failures."""
    stages = _Stages()
    with stages("scoring"):
        rubrics = load_rubrics(config.review.personas, user_dir(root, config.rubrics_dir, "rubrics_dir"))
        deterministic = _deterministic(evidence, rubrics, root, config)
        personas = _personas(rubrics, evidence, deterministic, config)
    model = _model_part(personas, evidence, root, config, backend, deterministic, terminal, stages)
    with stages("assemble"):
        agents, everything = assemble_agents(personas, deterministic, model)
        for f in everything:  # model findings too: every finding with a file says where it belongs
            if f.scope is None and f.file is not None:
                f.scope = scope_of(f.file, config.scopes)
        summary = _finish(evidence, config, agents, personas, deterministic, everything)
    git = evidence.repo_facts.git if evidence.repo_facts is not None else None
    model_name = backend.model_name or None if backend.capabilities.generates else None
    return ReviewResult(
        tool_version=__version__, repo_name=evidence.repo_name, commit=git.commit if git else None,
        backend=BackendInfo(name=backend.name, model=model_name), agents=agents,
        findings=everything, metrics=metrics_from_evidence(evidence), model_context=model.context,
        timings=stages.seconds, unanalysed_files=unanalysed_files(evidence), **summary,
        failure_paths=evidence.failure_paths, claims_audit=evidence.claims_audit,
    )
