"""The quality gate (deterministic checks, baseline mode), suppressions, reviewer init and the GitHub PR comment."""

__all__: list[str] = []
