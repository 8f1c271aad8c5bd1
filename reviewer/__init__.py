"""reviewer: evidence-first code review with a local quantized model and a deterministic gate."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["DISTRIBUTION", "__version__"]

# The name on PyPI (the import package and the command stay `reviewer`; that PyPI name is someone else's).
DISTRIBUTION = "evidence-reviewer"

try:
    __version__: str = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
