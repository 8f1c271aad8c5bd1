"""reviewer: evidence-first code review with a local quantized model and a deterministic gate."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("reviewer")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
