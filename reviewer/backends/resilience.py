"""Retries and a circuit breaker for backends that talk to a server over the network.

One remote call is a series of *attempts*. An attempt that fails in a way worth retrying (connection refused,
5xx, 429) raises :class:`TransientFailure` wrapping the BackendError to report if retries run out; tenacity
retries it with exponential backoff and jitter, or after the server's ``Retry-After`` (capped). Every attempt
goes through a pybreaker circuit breaker (without holding its lock while a request runs, so requests can be in
flight in parallel): after ``failures`` consecutive transient failures or timeouts the
circuit opens, and for ``cooldown`` seconds calls fail fast with BackendUnavailableError without touching the
network; then one trial call is let through (half-open). Errors that prove the server is alive (a 400, an
unparsable body) pass straight through: they are neither retried nor counted against the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TypeVar

import pybreaker
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from reviewer.errors import BackendError, BackendTimeoutError, BackendUnavailableError

__all__ = ["RetryPolicy", "TransientFailure", "new_breaker", "parse_retry_after", "run_resilient"]

T = TypeVar("T")


class TransientFailure(Exception):
    """An attempt failed in a way worth retrying; ``error`` is raised once retries run out."""

    def __init__(self, error: BackendError, *, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    backoff_base: float
    backoff_max: float
    max_retry_after: float

    def wait(self, state: RetryCallState) -> float:
        """Seconds before the next attempt: the server's Retry-After (capped), else backoff with jitter."""
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, TransientFailure) and failure.retry_after is not None:
            return min(max(failure.retry_after, 0.0), self.max_retry_after)
        backoff = wait_exponential_jitter(multiplier=self.backoff_base, max=self.backoff_max, jitter=self.backoff_base)
        return float(backoff(state))


def _counts_against_server(exc: BaseException) -> bool:
    """pybreaker 'exclude' predicate: True for errors that do NOT count as a server failure."""
    return isinstance(exc, BackendError) and not isinstance(exc, BackendTimeoutError)


def new_breaker(failures: int, cooldown: float, name: str) -> pybreaker.CircuitBreaker:
    """A circuit breaker that opens after ``failures`` consecutive transient failures or timeouts."""
    return pybreaker.CircuitBreaker(
        fail_max=failures,
        reset_timeout=cooldown,
        exclude=[_counts_against_server],
        throw_new_error_on_trip=False,
        name=name,
    )


def run_resilient(
    attempt: Callable[[], T],
    *,
    policy: RetryPolicy,
    breaker: pybreaker.CircuitBreaker,
    backend: str,
    model: str | None,
) -> T:
    """Run ``attempt`` through the breaker, retrying transient failures; raise a BackendError at the end."""
    retrying = Retrying(
        stop=stop_any(stop_after_attempt(policy.max_retries + 1), _StopWhenOpen(breaker)),
        wait=policy.wait,
        retry=retry_if_exception_type(TransientFailure),
        reraise=True,
    )
    try:
        return retrying(_through_breaker, breaker, attempt)
    except TransientFailure as failure:
        attempts = retrying.statistics.get("attempt_number", policy.max_retries + 1)
        tripped = "; circuit breaker now open" if _is_open(breaker) else ""
        raise type(failure.error)(
            f"{_strip_prefix(failure.error, backend, model)} (gave up after {attempts} attempt(s){tripped})",
            backend=backend,
            model=model,
        ) from failure
    except pybreaker.CircuitBreakerError as exc:
        raise BackendUnavailableError(
            f"circuit breaker open after {breaker.fail_max} consecutive failures; "
            f"not calling the server again for up to {breaker.reset_timeout:g}s",
            backend=backend,
            model=model,
        ) from exc


def _noop() -> None:
    return None


def _reraise(exc: BaseException) -> None:
    raise exc


def _through_breaker(breaker: pybreaker.CircuitBreaker, attempt: Callable[[], T]) -> T:
    """``breaker.call(attempt)`` without holding the breaker's lock while a closed circuit's request runs.

    pybreaker runs the whole call under one lock, which would let only one request in flight at a time. With
    the circuit closed the attempt runs unlocked and only its outcome goes through the breaker (a failure is
    counted and may open it); an open circuit fails fast and a half-open one lets one trial through, as before.
    """
    if breaker.current_state != pybreaker.STATE_CLOSED:
        return breaker.call(attempt)
    try:
        result = attempt()
    except BaseException as exc:
        if breaker.is_system_error(exc):
            breaker.call(_reraise, exc)  # counted against the server; raises exc
        breaker.call(_noop)  # an error that proves the server alive counts as a success, as in pybreaker
        raise
    breaker.call(_noop)
    return result


def _is_open(breaker: pybreaker.CircuitBreaker) -> bool:
    return bool(breaker.current_state == pybreaker.STATE_OPEN)


class _StopWhenOpen(stop_base):
    """Stop retrying once the breaker has opened: further attempts would only fail fast."""

    def __init__(self, breaker: pybreaker.CircuitBreaker) -> None:
        self.breaker = breaker

    def __call__(self, retry_state: RetryCallState) -> bool:
        return _is_open(self.breaker)


def _strip_prefix(error: BackendError, backend: str, model: str | None) -> str:
    prefix = f"{backend}" + (f"/{model}" if model else "") + ": "
    text = str(error)
    return text[len(prefix) :] if text.startswith(prefix) else text


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)
