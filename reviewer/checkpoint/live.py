"""Run a fresh review for ``reviewer checkpoint PATH`` with the review engine's own functions.

The engine modules are imported when a live review is asked for, so ``reviewer checkpoint --result FILE`` and
``reviewer trend`` work without loading collectors or backends.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.gate.suppress import apply_suppressions
from reviewer.review.result import ReviewResult

__all__ = ["run_review"]


def run_review(
    root: Path,
    config: Config,
    *,
    backend: str | None,
    model: str | None,
    base_url: str | None,
    run_tests: bool,
    terminal: Terminal | None = None,
) -> ReviewResult:
    """Collect evidence, review it with the chosen backend and mark suppressed findings (idempotent)."""
    from reviewer.backends.factory import backend_from_config
    from reviewer.collectors.runner import collect_evidence
    from reviewer.review.engine import review_evidence

    evidence = collect_evidence(root, config, run_tests=run_tests, terminal=terminal)
    with backend_from_config(config.backend, name=backend, model=model, base_url=base_url) as chosen:
        result = review_evidence(evidence, root, config, chosen, terminal=terminal)
    apply_suppressions(result.findings, root, config)
    return result
