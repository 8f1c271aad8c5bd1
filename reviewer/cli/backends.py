"""``reviewer backends`` (what is there and in which state) and ``reviewer backends check`` (does it answer?).

``check`` loads the model or connects, asks for a tiny generation, and prints the load time and tokens/s.
An unhealthy backend raises its BackendError, which :func:`reviewer.cli.main` turns into exit 3.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from pathlib import Path

import click

from reviewer.backends.base import Backend, Completion, CompletionRequest, Message
from reviewer.backends.factory import backend_from_config
from reviewer.backends.models import DEFAULT_MODEL, KNOWN_MODELS, is_verified, model_path
from reviewer.backends.registry import BUILTIN_BACKENDS, available_backends, backend_class
from reviewer.cli.common import load_target_config, trust_option
from reviewer.console import Terminal
from reviewer.errors import BackendResponseError, ReviewerError

__all__ = ["backends_group", "check_command", "commands"]

# The library each built-in backend imports lazily; its absence means "not installed".
_REQUIRED_MODULES = {"llamacpp": "llama_cpp", "mlx": "mlx_lm"}
_CHECK_PROMPT = "Reply with the single word OK."


def _install_state(name: str) -> str:
    module = _REQUIRED_MODULES.get(name)
    if module is None or importlib.util.find_spec(module) is not None:
        return "installed" if name in BUILTIN_BACKENDS else "installed (plugin)"
    hint = getattr(importlib.import_module(backend_class(name).__module__), "INSTALL_HINT", "")
    return f"not installed: {hint}" if hint else "not installed"


def _default_model_state() -> str:
    spec = DEFAULT_MODEL
    known = KNOWN_MODELS[spec]
    path = model_path(spec)
    if is_verified(path, known.sha256 or ""):
        return f"{spec} -> {path} (assembled, sha256 verified)"
    return f"{spec} -> {path} (assembled on first use from {known.install_hint.split('  ')[0]})"


def _row(name: str) -> list[str]:
    try:
        backend = backend_class(name)()
        caps = backend.capabilities
        model = backend.model_name
    except ReviewerError as exc:
        return [name, _install_state(name), "-", f"error: {exc}"]
    flags = [flag for flag in ("json_schema", "prefix_cache") if getattr(caps, flag)]
    capabilities = "no model" if not caps.generates else ", ".join([*flags, f"ctx {caps.max_context}"])
    if name == "llamacpp" and model == DEFAULT_MODEL:
        model = _default_model_state()
    return [name, _install_state(name), capabilities, model or "-"]


@click.group("backends", invoke_without_command=True)
@click.pass_context
def backends_group(ctx: click.Context) -> None:
    """List the model backends, whether they are installed, and their default model."""
    if ctx.invoked_subcommand is not None:
        return
    terminal: Terminal = ctx.obj
    rows = [_row(name) for name in available_backends()]
    terminal.table("Backends", ["backend", "state", "capabilities", "model"], rows)


def _probe(backend: Backend, max_tokens: int) -> tuple[float, Completion]:
    start = time.perf_counter()
    backend.load()
    load_s = time.perf_counter() - start
    request = CompletionRequest(messages=[Message(role="user", content=_CHECK_PROMPT)], max_tokens=max_tokens)
    completion = backend.complete(request)
    if not completion.text.strip() or completion.usage.completion_tokens == 0:
        raise BackendResponseError("the model answered nothing to a tiny prompt", backend=backend.name,
                                   model=backend.model_name or None)
    return load_s + completion.timings.load_s, completion


@click.command("check")
@click.option("--backend", "backend_name", default=None, help="Backend to check (default: config, else llamacpp).")
@click.option("--model", default=None, help="Model name, alias or GGUF path.")
@click.option("--base-url", default=None, help="OpenAI-compatible server URL.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), default=None,
              help="Config file (default: reviewer.yaml or [tool.reviewer] in the current directory).")
@click.option("--max-tokens", default=16, show_default=True, type=click.IntRange(1, 256))
@trust_option
@click.pass_obj
def check_command(terminal: Terminal, backend_name: str | None, model: str | None, base_url: str | None,
                  config_file: Path | None, max_tokens: int, trust_repo_config: bool = False) -> None:
    """Load or connect, ask for a tiny generation, print load time and tokens/s (exit 3 when unhealthy)."""
    config = load_target_config(Path.cwd(), config_file, trust_repo=trust_repo_config)
    backend = backend_from_config(config.backend, name=backend_name, model=model, base_url=base_url)
    if not backend.capabilities.generates:
        terminal.line(f"{backend.name}: no model; the review is the deterministic one (healthy)")
        return
    terminal.info(f"checking {backend.name} ({backend.model_name or 'default model'}) ...")
    with backend:
        load_s, completion = _probe(backend, max_tokens)
    rate = completion.timings.tokens_per_s(completion.usage)
    terminal.line(f"backend:     {completion.backend}")
    terminal.line(f"model:       {completion.model}")
    terminal.line(f"load:        {load_s:.2f} s")
    terminal.line(f"generation:  {completion.usage.completion_tokens} tokens, "
                  + (f"{rate:.1f} tokens/s" if rate else "rate unknown"))
    terminal.line(f"answer:      {completion.text.strip()[:60]!r}")
    terminal.line("healthy")


@click.command("requirements")
@click.argument("extras", nargs=-1, required=True)
def requirements_command(extras: tuple[str, ...]) -> None:
    """Print the requirements that reviewer's EXTRAS (local, model, mlx) add, one per line (for CI installs)."""
    from reviewer.install import extra_requirements

    try:
        lines = extra_requirements(list(extras))
    except LookupError as exc:
        raise click.UsageError(str(exc)) from exc
    for line in lines:
        click.echo(line)


@click.command("model-info")
@click.option("--model", default=None, help="Model alias or GGUF path (default: the embedded default model).")
def model_info_command(model: str | None) -> None:
    """Print the pinned sha256 and the cache folder of an assembled model as key=value lines (a CI cache key).

    sha256 is empty when nothing is assembled (a GGUF path, or a model shipped whole in a package)."""
    from reviewer.install import model_cache_info

    for line in model_cache_info(model).lines():
        click.echo(line)


backends_group.add_command(check_command)
backends_group.add_command(requirements_command)
backends_group.add_command(model_info_command)

commands: list[click.Command] = [backends_group]
