"""reviewer: evidence-first code review with a local quantized model and a deterministic gate."""

__all__ = ["DISTRIBUTION", "__version__"]

# The name on PyPI (the import package and the command stay `reviewer`; that PyPI name is someone else's).
DISTRIBUTION = "evidence-reviewer"

# The single source of the version (pyproject.toml reads it from here): no importlib.metadata at start-up.
__version__ = "0.1.0"
