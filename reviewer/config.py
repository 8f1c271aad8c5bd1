"""Configuration: ``[tool.reviewer]`` in the target's pyproject.toml, or ``reviewer.yaml`` / ``.reviewer.yaml``.

Nothing is read at import time: :func:`load_config` is called by the CLI with the target path, and CLI flags
are applied on top with :func:`apply_overrides`. Unknown keys are errors that name the file and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.errors import ConfigError
from reviewer.findings import Severity
from reviewer.scopes import ScopesConfig

__all__ = [
    "BackendConfig",
    "Config",
    "GateConfig",
    "ReportConfig",
    "ReviewConfig",
    "TestsConfig",
    "NoiseConfig",
    "apply_overrides",
    "load_config",
    "read_toml",
    "read_yaml",
]

CONFIG_FILES = ("reviewer.yaml", "reviewer.yml", ".reviewer.yaml", ".reviewer.yml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TestsConfig(_Section):
    __test__ = False

    run: bool = Field(default=False, description="Run the target's tests (its code is untrusted: explicit opt-in)")
    command: list[str] = Field(default_factory=lambda: ["pytest"], description="Test command, run under coverage")
    python: str | None = Field(default=None, description="Interpreter of the target's environment")
    timeout_s: float = Field(default=900.0, gt=0)
    junit: list[str] = Field(default_factory=list, description="JUnit XML files to ingest (globs)")
    coverage: list[str] = Field(default_factory=list, description="coverage.xml / coverage.json / .coverage")


class BackendConfig(_Section):
    name: str | None = Field(default=None, description="llamacpp, openai, mlx, none, or a plugin's name")
    model: str | None = None
    base_url: str | None = None
    options: dict[str, Any] = Field(default_factory=dict, description="Backend-specific options")


class ReviewConfig(_Section):
    personas: list[str] = Field(
        default_factory=lambda: [
            "product_engineer",
            "qa_engineer",
            "architect",
            "test_engineer",
            "security_engineer",
        ]
    )
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    coverage_target: float = Field(default=80.0, ge=0, le=100)
    model_budget_s: float = Field(
        default=180.0, ge=0, description="Seconds the model may spend reading code, riskiest units first; 0 = all")
    diff_base: str | None = Field(
        default=None, description="Git ref: units touching lines changed since it are read first (PR mode)")
    min_yes_probability: float = Field(
        default=0.4, ge=0.05, le=1.0, description="A site is kept when the model's probability of yes reaches this "
        "bar, where the backend reports token probabilities (llama.cpp; OpenAI-compatible servers with the logprobs "
        "option); elsewhere on a yes. Above 0.5 a doubtful yes is dropped; below it a close no is kept, explained by "
        "what the tool saw. 0.4 was chosen on the fixture's tuning sets (benchmarks/judgement.py prints each bar)")
    open_reading: bool = Field(
        default=False, description="Also read units where no site finder saw a possible defect (ordinary product code "
        "with some risk, after every unit with sites): the model names the line most likely to be wrong, and the kinds "
        "that line can hold are asked about. Off by default: with the embedded 1.5B model it found no further defect "
        "on two held-out sets and added 10 false positives in 120 correct functions (benchmarks/judgement.py prints "
        "both)")
    open_min_yes_probability: float = Field(
        default=0.8, ge=0.5, le=1.0, description="The bar on the probability of yes for a site an open reading "
        "proposed (only a yes is kept there). 0.8 was chosen on two tuning sets read openly as a whole "
        "(benchmarks/judgement.py --open-all): about one false positive in 12-25 correct functions at 0.8, one in "
        "four or five at 0.5")


class ReportConfig(_Section):
    style: Literal["review", "checkpoint", "readiness", "validation", "status"] = "review"
    formats: list[Literal["md", "json", "sarif", "summary"]] = Field(default_factory=lambda: ["md", "json"])
    template: str | None = None
    max_items: int = Field(default=25, gt=0)


class GateConfig(_Section):
    min_overall_score: float | None = Field(default=None, ge=0, le=100)
    min_coverage: float | None = Field(default=None, ge=0, le=100)
    max_failing_tests: int | None = Field(default=0, ge=0)
    max_findings: dict[Severity, int] = Field(default_factory=lambda: {Severity.critical: 0})
    worst_complexity_rank: Literal["A", "B", "C", "D", "E", "F"] | None = None
    min_persona_score: float | None = Field(default=None, ge=0, le=100)
    blockers: bool = Field(default=True, description="Fail on any named blocker of the verdict (critical or "
                           "high-confidence high-severity security finding, failing tests, no tests at all)")
    finding_scopes: list[Literal["product", "tests", "fixtures", "examples", "docs", "build"]] | None = Field(
        default_factory=lambda: ["product"],
        description="Scopes whose findings count towards max_findings (None: every scope); a finding with no "
        "file counts as product")
    max_unanalysed_files: int | None = Field(
        default=0, ge=0, description="Most files holding code that could not be analysed for a reason in "
                                     "unanalysed_reasons (default: code files over max_file_bytes); null: no check")
    unanalysed_reasons: list[str] = Field(
        default_factory=lambda: ["too_large"],
        description="File failure kinds counted by max_unanalysed_files (too_large, decode_error, binary, "
                    "unreadable, outside_root, syntax_error, ...)")


class NoiseConfig(_Section):
    """Findings users expect to be left out as noise: not reported, counted as suppressed (as B101 in tests)."""

    test_bandit: list[str] = Field(
        default_factory=lambda: ["B101", "B105", "B106", "B107", "B311"],
        description="Bandit test ids not reported in test code (tests/fixtures scopes): asserts, dummy "
        "passwords, random")
    test_complexity: bool = Field(default=True, description="Leave out complexity findings of test code")
    low_signal_info: bool = Field(
        default=True, description="Report low-signal bandit rules as info: B404 (import subprocess), B603 with "
        "a literal program in an argument list, import-only blacklist entries (B401-B415)")


class Config(_Section):
    exclude: list[str] = Field(default_factory=list, description="Extra glob patterns to leave out")
    max_file_bytes: int = Field(default=2_000_000, gt=0, description="Larger files are recorded, not parsed")
    rubrics_dir: str | None = None
    prompts_dir: str | None = None
    suppressions_file: str | None = None
    cache: bool = True
    tests: TestsConfig = Field(default_factory=TestsConfig)
    backend: BackendConfig = Field(default_factory=BackendConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    gate: GateConfig = Field(default_factory=GateConfig)
    scopes: ScopesConfig = Field(default_factory=ScopesConfig, description="Globs per scope (product, tests, ...)")
    noise: NoiseConfig = Field(default_factory=NoiseConfig)
    source: str | None = Field(default=None, description="The file this config came from (set by the loader)")


def _cannot_read(path: Path, what: str, exc: Exception) -> ConfigError:
    return ConfigError(f"cannot read{' ' + what if what else ''}: {exc}", file=path)


def read_toml(path: Path, *, what: str = "", invalid: str = "invalid TOML") -> dict[str, Any]:
    """Parse a TOML file; any failure is a :class:`ConfigError` naming the file (``what`` names its kind)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _cannot_read(path, what, exc) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{invalid}: {exc}", file=path) from exc


def read_yaml(path: Path, *, what: str = "") -> Any:
    """Parse a YAML file with ``safe_load``; any failure is a :class:`ConfigError` naming the file."""
    import yaml  # only when there is a YAML file to read (start-up of every command)

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _cannot_read(path, what, exc) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=path) from exc


def _read_pyproject(path: Path) -> dict[str, Any] | None:
    section = read_toml(path).get("tool", {}).get("reviewer")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError("must be a table", file=path, key="tool.reviewer")
    return section


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("the top level must be a mapping", file=path)
    return data


def _validate(data: dict[str, Any], file: Path, prefix: str) -> Config:
    try:
        return Config.model_validate({**data, "source": str(file)})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join([prefix, *[str(p) for p in first["loc"]]]) if prefix else ".".join(map(str, first["loc"]))
        msg = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        extra = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise ConfigError(msg + extra, file=file, key=key) from exc


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Read the target repository's config: an explicit file, a reviewer.yaml, or [tool.reviewer]."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("config file not found", file=explicit)
        if explicit.name == "pyproject.toml" or explicit.suffix == ".toml":
            section = _read_pyproject(explicit)
            return _validate(section or {}, explicit, "tool.reviewer")
        return _validate(_read_yaml(explicit), explicit, "")
    for name in CONFIG_FILES:
        candidate = root / name
        if candidate.is_file():
            return _validate(_read_yaml(candidate), candidate, "")
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        section = _read_pyproject(pyproject)
        if section is not None:
            return _validate(section, pyproject, "tool.reviewer")
    return Config()


def apply_overrides(config: Config, overrides: dict[str, Any]) -> Config:
    """Apply CLI flags on top of the file config. Keys are dotted (``backend.name``); None values are ignored."""
    data = config.model_dump()
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(first["msg"], key=".".join(map(str, first["loc"]))) from exc
