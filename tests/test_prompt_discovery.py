"""Which files are prompt files: what a walk recognises by name, what a name on the command
line or --stdin-filename makes one, and the `prompt-files` / `extend-prompt-files` globs."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import ConfigError, Settings
from ctxlint.discovery import find_inputs
from ctxlint.rule import InputKind

from conftest import REPO, make_settings

CASSETTE = REPO / "fixtures" / "trace" / "clean" / "vcr_anthropic.yaml"

PROMPT_FILES = [
    "agent/system.j2",
    "agent/tool.jinja",
    "agent/tool.jinja2",
    "flows/chat.prompty",
    "genkit/answer.prompt",
    "prompts/system.md",
    "prompts/nested/deeper/user.txt",
    "system_prompts/coder.txt",
    "prompt_templates/qa.yaml",
    "docs/prompt_template_samples/summary.yml",
    "Prompts/Planner.md",
    "src/PromptTemplates/Writer.yaml",
    "tests/unit/prompt_template/cases.txt",
    "plugins/Writer/Summarize/skprompt.txt",
    "evals/promptfooconfig.yaml",
]
NOT_PROMPT_FILES = [
    "docs/guide.md",
    "notes.txt",
    "config.yaml",
    "prompts/README.md",
    "prompts/CHANGELOG.md",
    "prompts/LICENSE.txt",
    "prompts/requirements.txt",
    "prompts/logo.png",
    # Code under prompts/ is code: a script is read as TypeScript/JavaScript.
    "prompts/loader.js",
    # A file whose name holds "prompt" is not a folder of prompts.
    "docs/prompting.md",
    # Nor is a folder about prompts: a course's CloudFormation, the articles an eval grades.
    "prompt_engineering_tutorial/cloudformation/stack.yml",
    "prompt_evaluations/09_graded/articles/article1.txt",
    "vendor/prompt_toolkit/docs/index.md",
    "promptflow/docs/guide.md",
    # Jinja templates of something else: a Dockerfile, a web page, a configuration file.
    "runtime/templates/Dockerfile.j2",
    "web/templates/index.html.jinja",
    "deploy/nginx.conf.j2",
    "prompts/values.yaml.j2",
]


def _tree(root: Path, paths: list[str], text: str = "Hello {name}\n") -> None:
    for relative in paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _kinds(root: Path, settings: Settings | None = None, paths=None) -> dict[str, str]:
    found = find_inputs([str(p) for p in (paths or [root])], settings or Settings(root=root))
    return {Path(f.path).relative_to(root).as_posix(): f.kind.value for f in found.files}


def test_a_walk_finds_templates_anywhere_and_text_under_prompt_folders(tmp_path):
    _tree(tmp_path, PROMPT_FILES + NOT_PROMPT_FILES)
    (tmp_path / "agent" / "app.py").write_text("print(1)\n")
    kinds = _kinds(tmp_path)
    expected = {"agent/app.py": "python", **dict.fromkeys(PROMPT_FILES, "prompt")}
    assert kinds == {**expected, "prompts/loader.js": "typescript"}


def test_a_cassette_under_a_prompts_folder_stays_a_trace(tmp_path):
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "recorded.yaml").write_bytes(CASSETTE.read_bytes())
    (tmp_path / "prompts" / "system.yaml").write_text("system: You are terse.\n")
    assert _kinds(tmp_path) == {"prompts/recorded.yaml": "trace", "prompts/system.yaml": "prompt"}
    named = [tmp_path / "prompts" / "recorded.yaml", tmp_path / "prompts" / "system.yaml"]
    assert _kinds(tmp_path, paths=named) == _kinds(tmp_path)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("x.j2", "prompt"),
        ("flow.prompty", "prompt"),
        # Named, Markdown and text are prompts wherever they are: no Python, no trace.
        ("notes.md", "prompt"),
        ("notes.txt", "prompt"),
        ("prompts/README.md", "prompt"),
        # YAML outside a prompts folder is still read as the trace it may be.
        ("config.yaml", "trace"),
        ("agent.py", "python"),
        ("session.jsonl", "trace"),
    ],
)
def test_a_named_file_is_checked_as_its_name_says(tmp_path, name, kind):
    _tree(tmp_path, [name], "name: demo\n")
    assert _kinds(tmp_path, paths=[tmp_path / name]) == {name: kind}


def test_prompt_files_replaces_the_defaults_and_extend_prompt_files_adds(tmp_path):
    _tree(tmp_path, ["templates/a/answer.tmpl", "system.j2", "prompts/s.md"])
    replaced = make_settings({"prompt-files": ["templates/**/*.tmpl"]}, tmp_path)
    assert _kinds(tmp_path, replaced) == {"templates/a/answer.tmpl": "prompt"}
    extended = make_settings({"extend-prompt-files": ["*.tmpl"]}, tmp_path)
    assert _kinds(tmp_path, extended) == {
        "templates/a/answer.tmpl": "prompt",
        "system.j2": "prompt",
        "prompts/s.md": "prompt",
    }
    # Named on the command line, a template is checked whatever the globs say.
    assert _kinds(tmp_path, replaced, [tmp_path / "system.j2"]) == {"system.j2": "prompt"}


def test_excludes_and_per_folder_configurations_apply_to_prompt_files(tmp_path):
    _tree(tmp_path, ["prompts/a.md", "vendor/prompts/b.md", "sub/prompts/c.md", "sub/x.tmpl"])
    (tmp_path / "pyproject.toml").write_text('[tool.ctxlint]\nextend-exclude = ["vendor"]\n')
    (tmp_path / "sub" / "ctxlint.toml").write_text('prompt-files = ["*.tmpl"]\n')
    from ctxlint.config_resolution import SettingsResolver

    found = find_inputs([str(tmp_path)], SettingsResolver(cwd=tmp_path))
    relative = {Path(f.path).relative_to(tmp_path).as_posix() for f in found.files}
    assert relative == {"prompts/a.md", "sub/x.tmpl"}


@pytest.mark.parametrize("key", ["prompt-files", "extend-prompt-files"])
def test_a_bad_prompt_file_glob_is_a_configuration_error(tmp_path, key):
    config = tmp_path / "ctxlint.toml"
    config.write_text(f'{key} = ["ok/*.md", ""]\n')
    result = CliRunner().invoke(main, ["--config", str(config), str(tmp_path)])
    assert result.exit_code == 2
    assert f"{key}.1" in result.output and "empty glob" in result.output
    config.write_text(f"{key} = 3\n")
    result = CliRunner().invoke(main, ["--config", str(config), str(tmp_path)])
    assert result.exit_code == 2 and "is not of type 'array'" in result.output
    with pytest.raises(ConfigError):
        Settings(prompt_files=("[",) if key == "prompt-files" else (), extend_prompt_files=("",))


def test_show_settings_and_show_files_tell_prompt_files(tmp_path, monkeypatch):
    _tree(tmp_path, ["prompts/system.md", "agent.py"])
    (tmp_path / "ctxlint.toml").write_text('extend-prompt-files = ["*.tmpl"]\n')
    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(main, ["check", "--show-settings", "--show-files", "."])
    assert shown.exit_code == 0, shown.output
    assert 'extend-prompt-files = ["*.tmpl"]' in shown.output
    assert 'prompt-files = ["*.j2", "*.jinja"' in shown.output
    assert "prompt prompts/system.md\n" in shown.output
    assert "python agent.py\n" in shown.output
    stdin = CliRunner().invoke(main, ["check", "--show-files", "--stdin-filename", "x.j2"])
    assert stdin.output == "prompt x.j2\n"


def test_a_walk_reads_no_text_file_to_tell_it_is_no_prompt(tmp_path, monkeypatch):
    """The checks are by name: a Python project's Markdown and text are never opened."""
    _tree(tmp_path, [f"docs/page{n}.md" for n in range(20)] + ["notes.txt", "a.py"])
    _tree(tmp_path, ["prompts/system.md"])
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def recording_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def recording_os_open(path, *args, **kwargs):
        opened.append(str(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    found = find_inputs([str(tmp_path)], Settings(root=tmp_path))
    monkeypatch.undo()
    assert {f.kind for f in found.files} == {InputKind.PYTHON, InputKind.PROMPT}
    assert [path for path in opened if path.endswith((".md", ".txt"))] == []
