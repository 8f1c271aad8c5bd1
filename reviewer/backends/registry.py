"""Backend registry: the built-ins plus any plugin registered under the entry-point group ``reviewer.backends``.

A plugin package declares, in its pyproject.toml::

    [project.entry-points."reviewer.backends"]
    mybackend = "mypkg.backend:MyBackend"

and ``MyBackend`` subclasses :class:`reviewer.backends.base.Backend`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from pydantic import ValidationError

from reviewer.backends.base import Backend
from reviewer.errors import ConfigError, UnknownBackendError

__all__ = ["BUILTIN_BACKENDS", "ENTRY_POINT_GROUP", "available_backends", "backend_class", "create_backend"]

ENTRY_POINT_GROUP = "reviewer.backends"

# name -> "module:Class"; imported lazily so that a missing optional extra only matters when it is used.
BUILTIN_BACKENDS: dict[str, str] = {
    "llamacpp": "reviewer.backends.llamacpp:LlamaCppBackend",
    "openai": "reviewer.backends.openai:OpenAIBackend",
    "mlx": "reviewer.backends.mlx:MLXBackend",
    "none": "reviewer.backends.none:NoneBackend",
    "fake": "reviewer.backends.fake:FakeBackend",
}


def _plugins() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_backends() -> list[str]:
    return sorted({*BUILTIN_BACKENDS, *_plugins()})


def backend_class(name: str) -> type[Backend]:
    """The class behind a backend name. Importing it does not import the heavy library (that is lazy)."""
    if name in BUILTIN_BACKENDS:
        module_name, _, attr = BUILTIN_BACKENDS[name].partition(":")
        cls = getattr(importlib.import_module(module_name), attr)
    else:
        plugin = _plugins().get(name)
        if plugin is None:
            raise UnknownBackendError(name, available_backends())
        cls = plugin.load()
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise ConfigError(f"{cls!r} is not a reviewer Backend", key="backend.name")
    return cls


def create_backend(name: str, options: dict[str, Any] | None = None) -> Backend:
    """Build a backend from its name and raw options (validated by the backend's own Options model)."""
    cls = backend_class(name)
    try:
        opts = cls.Options.model_validate(options or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = "backend.options." + ".".join(map(str, first["loc"]))
        msg = "unknown option" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(f"{msg} (backend {name!r})", key=key) from exc
    return cls(opts)
