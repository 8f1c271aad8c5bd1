"""Where reviewer itself came from, and what installing its extras takes: for CI (the Action, `reviewer init`).

* :func:`extra_requirements` -- the requirements of our own extras (``local``, ``model``) read from the installed
  distribution's metadata, so that CI installs the extras of exactly the copy it runs, wherever it came from.
* :func:`model_cache_info` -- the pinned sha256 of a known assembled model and the folder it is assembled into:
  the key and path of a CI cache, so that the 1.1 GB model is assembled once per model, not once per run.
* :func:`install_source` -- the pip requirement a generated workflow should install: the git repository and
  commit this copy was installed from (PEP 610 ``direct_url.json``) while the name is unpublished, else the
  released version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageNotFoundError, distribution

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement

from reviewer import DISTRIBUTION, __version__

__all__ = ["ModelCacheInfo", "extra_requirements", "install_source", "model_cache_info", "with_extras"]


def _own() -> Distribution | None:
    try:
        return distribution(DISTRIBUTION)
    except PackageNotFoundError:
        return None


def extra_requirements(extras: list[str], dist: Distribution | None = None) -> list[str]:
    """The requirements that ``extras`` add on this platform (markers evaluated), in declaration order."""
    dist = dist if dist is not None else _own()
    if dist is None:
        raise LookupError(f"{DISTRIBUTION} is not installed; cannot read the requirements of its extras")
    chosen: list[str] = []
    for line in dist.requires or []:
        req = Requirement(line)
        if req.marker is None:
            continue
        for extra in extras:
            if req.marker.evaluate({**default_environment(), "extra": extra}) and _is_for_extra(req):
                req.marker = None
                chosen.append(str(req))
                break
    return list(dict.fromkeys(chosen))


def _is_for_extra(req: Requirement) -> bool:
    """True when the marker mentions an extra at all (a platform-only marker is a core dependency)."""
    return req.marker is not None and "extra" in str(req.marker)


@dataclass(frozen=True)
class ModelCacheInfo:
    alias: str
    sha256: str
    file: str
    cache_dir: str

    def lines(self) -> list[str]:
        return [f"alias={self.alias}", f"sha256={self.sha256}", f"file={self.file}", f"cache-dir={self.cache_dir}"]


def model_cache_info(spec: str | None) -> ModelCacheInfo:
    """What to cache for ``spec`` (an alias, a path, or None for the default); empty sha256 when nothing is
    assembled (a GGUF path, or a model shipped whole inside a package)."""
    from reviewer.backends.models import DEFAULT_MODEL, KNOWN_MODELS, cache_dir

    alias = (spec or DEFAULT_MODEL).lower()
    known = KNOWN_MODELS.get(alias)
    if known is None or known.filename is None or known.sha256 is None:
        return ModelCacheInfo(alias=alias if known else "", sha256="", file="", cache_dir="")
    folder = cache_dir()
    return ModelCacheInfo(alias=alias, sha256=known.sha256, file=str(folder / known.filename), cache_dir=str(folder))


def _direct_git_source(dist: Distribution) -> str | None:
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    vcs = data.get("vcs_info") if isinstance(data, dict) else None
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git" or not isinstance(url, str):
        return None
    ref = vcs.get("commit_id") or vcs.get("requested_revision")
    sub = f"#subdirectory={data['subdirectory']}" if data.get("subdirectory") else ""
    return f"{DISTRIBUTION} @ git+{url}{'@' + ref if ref else ''}{sub}"


def install_source(dist: Distribution | None = None) -> str:
    """The requirement that installs this very reviewer: its git repository at the installed commit when it was
    installed from git, else ``evidence-reviewer==VERSION``."""
    dist = dist if dist is not None else _own()
    from_git = _direct_git_source(dist) if dist is not None else None
    return from_git or f"{DISTRIBUTION}=={__version__}"


def with_extras(source: str, extras: list[str]) -> str:
    """``source`` with ``extras`` added: ``name[a,b]==1`` or ``name[a,b] @ url``; a path or URL gets ``[a,b]``."""
    try:
        req = Requirement(source)
    except InvalidRequirement:
        return f"{source}[{','.join(extras)}]"
    req.extras = set(req.extras) | set(extras)
    return str(req)
