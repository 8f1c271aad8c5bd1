"""Cheap token estimates: the backend's own tokenizer when it exposes ``count_tokens(text)``, else chars / 3.5."""

from __future__ import annotations

import math
from collections.abc import Callable

from reviewer.backends.base import Backend

__all__ = ["CHARS_PER_TOKEN", "TokenCounter", "token_counter"]

CHARS_PER_TOKEN = 3.5

TokenCounter = Callable[[str], int]


def _estimate(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def token_counter(backend: Backend) -> TokenCounter:
    counter = getattr(backend, "count_tokens", None)
    return counter if callable(counter) else _estimate
