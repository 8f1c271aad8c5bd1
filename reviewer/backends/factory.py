"""Build the configured backend: config section + CLI flags -> a ready (not yet loaded) Backend."""

from __future__ import annotations

from typing import Any

from reviewer.backends.base import Backend
from reviewer.backends.registry import backend_class, create_backend
from reviewer.config import BackendConfig

__all__ = ["DEFAULT_BACKEND", "backend_from_config"]

DEFAULT_BACKEND = "llamacpp"


def backend_from_config(
    config: BackendConfig, *, name: str | None = None, model: str | None = None, base_url: str | None = None
) -> Backend:
    """The backend named by ``name`` / ``config.name`` / "llamacpp", with options from config and flags.

    Flags win over config. The config's model/base_url/options apply only when the config names the same
    backend (or none): options written for llamacpp would be rejected by another backend. ``model`` goes to
    every backend (all Options have ``model``); ``base_url`` only to backends whose Options declare it.
    Option errors raise ConfigError naming the key.
    """
    chosen = name or config.name or DEFAULT_BACKEND
    same = config.name in (None, chosen)
    options: dict[str, Any] = dict(config.options) if same else {}
    chosen_model = model if model is not None else (config.model if same else None)
    if chosen_model is not None:
        options["model"] = chosen_model
    chosen_url = base_url if base_url is not None else (config.base_url if same else None)
    if chosen_url is not None and "base_url" in backend_class(chosen).Options.model_fields:
        options["base_url"] = chosen_url
    return create_backend(chosen, options)
