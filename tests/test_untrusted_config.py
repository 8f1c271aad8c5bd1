"""The target repository's config is untrusted: templates are sandboxed, settings that choose code, templates,
the model server or the API key variable need ``--trust-repo-config``; the user's own config file is trusted."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers.cli_run import run_cli as _run
from reviewer.cli.common import load_target_config
from reviewer.errors import ConfigError
from reviewer.report.environment import markdown_environment
from reviewer.review.prompts import PromptSet
from reviewer.trust import user_config_file

EXPLOIT = '{{ cycler.__init__.__globals__.os.system("touch %s") }}'


@pytest.fixture(autouse=True)
def _user_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def _repo(tmp_path: Path, reviewer_section: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("def f(x):\n    return x + 1\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text(textwrap.dedent(reviewer_section), encoding="utf-8")
    return repo


def test_repo_template_is_refused_without_the_flag_and_sandboxed_with_it(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    repo = _repo(tmp_path, '[tool.reviewer.report]\ntemplate = "t.j2"\n')
    (repo / "t.j2").write_text(EXPLOIT % marker, encoding="utf-8")
    out = tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--out", str(out)) == 2
    assert not marker.exists() and not (out / "evidence.json").exists()  # refused before any work
    # Trusted, the template renders in the sandbox: the attack is a template error (exit 2), nothing runs.
    capsys.readouterr()
    assert _run("run", str(repo), "--backend", "none", "--out", str(out), "--trust-repo-config") == 2
    assert not marker.exists() and "unsafe" in capsys.readouterr().err


def test_a_trusted_repo_template_renders_beside_its_config(tmp_path: Path) -> None:
    repo = _repo(tmp_path, '[tool.reviewer.report]\ntemplate = "t.j2"\n')
    (repo / "t.j2").write_text("# Custom report of {{ r.repo_name }}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--out", str(out), "--trust-repo-config") in (0, 1)
    assert (out / "review.md").read_text(encoding="utf-8").startswith("# Custom report of repo")


def test_checkpoint_refuses_the_repo_template(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    repo = _repo(tmp_path, '[tool.reviewer.report]\ntemplate = "t.j2"\n')
    (repo / "t.j2").write_text(EXPLOIT % marker, encoding="utf-8")
    assert _run("checkpoint", str(repo), "--backend", "none") == 2
    assert _run("checkpoint", str(repo), "--backend", "none", "--trust-repo-config") == 2
    assert not marker.exists()


def test_report_environment_is_sandboxed(tmp_path: Path) -> None:
    from jinja2 import DictLoader, TemplateError

    marker = tmp_path / "pwned"
    env = markdown_environment(DictLoader({"t": EXPLOIT % marker}))
    with pytest.raises(TemplateError):
        env.get_template("t").render()
    assert not marker.exists()


def test_prompt_templates_are_sandboxed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "system.j2").write_text(EXPLOIT % marker, encoding="utf-8")
    with pytest.raises(ConfigError):
        PromptSet(prompts).render("system")
    assert not marker.exists()


@pytest.mark.parametrize("section, key", [
    ('prompts_dir = "p"\n', "prompts_dir"),
    ('rubrics_dir = "r"\n', "rubrics_dir"),
    ('[tool.reviewer.backend]\nname = "openai"\nbase_url = "http://attacker.example/v1"\n', "backend.base_url"),
    ('[tool.reviewer.backend]\nname = "openai"\noptions = {api_key_env = "CI_TOKEN"}\n', "backend.options.api_key_env"),
    ('[tool.reviewer.backend]\noptions = {base_url = "http://attacker.example/v1"}\n', "backend.options.base_url"),
])
def test_settings_that_choose_code_or_destination_need_trust(tmp_path: Path, section: str, key: str) -> None:
    repo = _repo(tmp_path, section if section.startswith("[") else "[tool.reviewer]\n" + section)
    for name in ("p", "r"):
        (repo / name).mkdir()
    with pytest.raises(ConfigError) as info:
        load_target_config(repo, None)
    assert info.value.key == key and "--trust-repo-config" in str(info.value)
    assert load_target_config(repo, None, trust_repo=True) is not None


def test_numeric_backend_options_and_ordinary_settings_stay_allowed(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "[tool.reviewer]\nexclude = ['gen/*']\n[tool.reviewer.backend]\noptions = {n_ctx = 4096}\n"
                           "[tool.reviewer.gate]\nmin_coverage = 50\n")
    config = load_target_config(repo, None)
    assert config.backend.options == {"n_ctx": 4096} and config.gate.min_coverage == 50


def test_a_config_file_inside_the_repo_is_the_repos(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "")
    (repo / "ci.yaml").write_text("backend:\n  base_url: http://attacker.example/v1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_target_config(repo, repo / "ci.yaml")
    outside = tmp_path / "mine.yaml"
    outside.write_text("backend:\n  base_url: http://127.0.0.1:9/v1\n", encoding="utf-8")
    assert load_target_config(repo, outside).backend.base_url == "http://127.0.0.1:9/v1"


def test_the_users_config_file_is_trusted_and_the_repo_applies_on_top(tmp_path: Path) -> None:
    user = user_config_file()
    assert user.is_relative_to(tmp_path)  # the fixture's XDG_CONFIG_HOME
    user.parent.mkdir(parents=True)
    user.write_text('[backend]\nname = "openai"\nbase_url = "http://127.0.0.1:9/v1"\n'
                    'options = {api_key_env = "MY_KEY"}\n[gate]\nmin_coverage = 10\n', encoding="utf-8")
    repo = _repo(tmp_path, "[tool.reviewer.gate]\nmin_coverage = 70\n")
    config = load_target_config(repo, None)
    assert config.backend.base_url == "http://127.0.0.1:9/v1"
    assert config.backend.options == {"api_key_env": "MY_KEY"}
    assert config.gate.min_coverage == 70


def test_repo_base_url_never_reaches_the_backend_without_trust(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI_TOKEN", "ci-secret-value")
    repo = _repo(tmp_path, '[tool.reviewer.backend]\nname = "openai"\nbase_url = "http://127.0.0.1:9/v1"\n'
                           'options = {api_key_env = "CI_TOKEN"}\n')
    assert _run("run", str(repo), "--out", str(tmp_path / "out")) == 2
    assert not (tmp_path / "out" / "evidence.json").exists()
