"""Multi-agent review: rubrics, prompts, grounded model findings, deterministic scores."""
