"""Which configuration is trusted: the user's own config file, the environment and the command line.

The target repository's config (``[tool.reviewer]``, ``reviewer.yaml``, or a ``--config`` file inside the
repository) is untrusted input. It may tune what is measured and how it is reported, but not:

* choose code or templates: ``report.template``, ``prompts_dir``, ``rubrics_dir`` (Jinja2 templates and the
  rubrics that score the gate);
* choose where the code and our credentials go: ``backend.base_url`` and any text-valued ``backend.options``
  (``base_url``, ``api_key_env``, headers, ...; numbers and booleans such as ``n_ctx`` stay allowed);
* point at files outside the repository (``suppressions_file`` and the paths above, absolute or ``../``).

Those settings are refused (:class:`~reviewer.errors.ConfigError`, exit 2) unless ``--trust-repo-config`` is
given; paths outside the root are refused even then. The user's config file
(``<platformdirs user config dir>/reviewer/config.toml``, e.g. ``~/.config/reviewer/config.toml``) is
trusted; its keys are the same as ``[tool.reviewer]`` (at its top level or under ``[tool.reviewer]``) and the
repository's settings apply on top of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from reviewer.config import CONFIG_FILES, Config, read_toml
from reviewer.confine import inside
from reviewer.errors import ConfigError

__all__ = ["TRUSTED_ONLY", "check_config_files", "check_repo_config", "inside", "merge_user_config",
           "user_config_file"]

TRUSTED_ONLY: tuple[str, ...] = ("report.template", "prompts_dir", "rubrics_dir", "backend.base_url")
PATH_KEYS: tuple[str, ...] = ("suppressions_file", "rubrics_dir", "prompts_dir", "report.template")
_SECTIONS = ("tests", "backend", "review", "report", "gate")
FLAG = "--trust-repo-config"


def user_config_file() -> Path:
    """The user's own (trusted) config file."""
    return Path(user_config_dir("reviewer")) / "config.toml"


def _get(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, dict):
        return any(_has_text(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_text(v) for v in value)
    return False


def refused_settings(repo_set: dict[str, Any]) -> list[str]:
    """The settings of the repository's config that only a trusted source may give."""
    keys = [k for k in TRUSTED_ONLY if _get(repo_set, k) is not None]
    options = _get(repo_set, "backend.options") or {}
    keys += [f"backend.options.{k}" for k, v in options.items() if _has_text(v)]
    return keys


def _outside_paths(root: Path, repo_set: dict[str, Any]) -> list[str]:
    keys = [k for k in PATH_KEYS
            if isinstance(_get(repo_set, k), str) and not inside(root, Path(_get(repo_set, k)).expanduser())]
    for key in ("tests.junit", "tests.coverage"):  # globs: no absolute pattern, no way up
        patterns = _get(repo_set, key) or []
        keys += [key for p in patterns if Path(p).expanduser().is_absolute() or ".." in Path(p).parts][:1]
    return keys


def check_config_files(root: Path) -> None:
    """Refuse a repository config file that is a symlink leaving the root, before anything reads it."""
    for name in (*CONFIG_FILES, "pyproject.toml"):
        candidate = root / name
        if candidate.is_symlink() and not inside(root, candidate):
            raise ConfigError("the config file is a symlink that leaves the repository; it is not read",
                              file=candidate)


def check_repo_config(root: Path, repo: Config, *, trusted: bool) -> None:
    """Refuse what the repository's config may not choose (see the module docstring)."""
    if repo.source is None:
        return
    repo_set = repo.model_dump(exclude_unset=True)
    outside = _outside_paths(root, repo_set)
    if outside:
        raise ConfigError(f"{outside[0]} points outside the repository; the repository's config may only name "
                          "files inside it", file=repo.source, key=outside[0])
    refused = [] if trusted else refused_settings(repo_set)
    if refused:
        raise ConfigError(
            f"the repository's config sets {', '.join(refused)}, which chooses code, templates or where code and "
            f"credentials are sent; pass {FLAG} to honour it, or set it in your own config "
            f"({user_config_file()}), the environment or on the command line", file=repo.source, key=refused[0])


def _user_data() -> tuple[Path, dict[str, Any]] | None:
    path = user_config_file()
    if not path.is_file():
        return None
    data = read_toml(path, what="user config")
    section = data.get("tool", {}).get("reviewer", data) if isinstance(data.get("tool"), dict) else data
    if not isinstance(section, dict):
        raise ConfigError("must be a table", file=path, key="tool.reviewer")
    return path, section


def merge_user_config(repo: Config) -> Config:
    """The user's config file with the repository's settings on top (section by section)."""
    found = _user_data()
    if found is None:
        return repo
    path, user = found
    from reviewer.config import _validate

    _validate(user, path, "")  # a bad user file is reported as such
    merged: dict[str, Any] = dict(user)
    for key, value in repo.model_dump(exclude_unset=True).items():
        if key in _SECTIONS and isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    merged.pop("source", None)
    return _validate(merged, Path(repo.source) if repo.source else path, "")
