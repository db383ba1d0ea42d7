"""Findings across modules: multi-file fixture projects, import resolution, and how the
engine reports a finding that lies in another file than the one checked."""

from __future__ import annotations

import ast
import json
import os
import textwrap

import pytest

from ctxlint.config import Settings
from ctxlint.engine import PythonChecker, check_paths, selected_rules
from ctxlint.python.imports import module_name, resolve, roots_for
from ctxlint.python.project import Project
from ctxlint.reporters import render
from ctxlint.source import SourceText

from conftest import REPO

PROJECTS = REPO / "fixtures" / "projects"


def _findings(folder, jobs=None) -> list[str]:
    report = check_paths([str(folder)], Settings(root=folder), jobs=jobs)
    return [
        f"{os.path.relpath(d.path, folder)}:{d.start.line}:{d.start.column}: {d.code}"
        for d in report.diagnostics
    ]


@pytest.mark.parametrize("name", [p.name for p in sorted(PROJECTS.iterdir()) if p.is_dir()])
def test_project(name):
    folder = PROJECTS / name
    expected = (folder / "expected").read_text().split("\n")
    assert _findings(folder) == [line for line in expected if line]


def _write(root, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


_SENDER = """\
    import anthropic
    {imports}
    client = anthropic.Anthropic()

    def ask(q):
        return client.messages.create(model="m", max_tokens=9, system={system}, messages=q)
"""
_CLOCK = """\
    from datetime import datetime

    def header():
        return f"Now: {datetime.now()}"
"""


@pytest.mark.parametrize(
    ("imports", "system"),
    [
        ("from pkg.clock import header", "header()"),
        ("from pkg import clock", "clock.header()"),
        ("import pkg.clock", "pkg.clock.header()"),
        ("import pkg.clock as c", "c.header()"),
        ("from pkg import header", "header()"),  # re-exported by pkg/__init__.py
    ],
)
def test_imports_are_followed(tmp_path, imports, system):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .clock import header\n",
            "pkg/clock.py": _CLOCK,
            "app.py": _SENDER.format(imports=imports, system=system),
        },
    )
    assert _findings(tmp_path) == ["pkg/clock.py:4:20: CTX001"]


def test_relative_import_from_parent_package(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/util/__init__.py": "",
            "pkg/util/clock.py": _CLOCK,
            "pkg/app/__init__.py": "",
            "pkg/app/send.py": _SENDER.format(
                imports="from ..util.clock import header as h", system="h()"
            ),
        },
    )
    assert _findings(tmp_path) == ["pkg/util/clock.py:4:20: CTX001"]


@pytest.mark.parametrize(
    "clock",
    [
        # Computed once at import: stable for the life of the process.
        "from datetime import datetime\nSTART = str(datetime.now())\n"
        "def header():\n    return START\n",
        # A function of the same name elsewhere is not the one imported.
        'def header():\n    return "Be brief."\n',
        # Recursion gives up quietly.
        'from datetime import datetime\ndef header(n=3):\n    return header(n - 1) if n else "x"\n',
    ],
)
def test_near_misses_stay_silent(tmp_path, clock):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clock.py": clock,
            "other.py": _CLOCK,
            "app.py": _SENDER.format(imports="from pkg.clock import header", system="header()"),
        },
    )
    assert _findings(tmp_path) == []


def test_a_missing_or_broken_module_gives_up_quietly(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clock.py": "def header(:\n",
            "app.py": _SENDER.format(
                imports="from pkg.clock import header; from pkg.gone import nothing",
                system="header() + nothing()",
            ),
        },
    )
    report = check_paths([str(tmp_path / "app.py")], Settings(root=tmp_path))
    assert report.diagnostics == []


def test_a_module_added_between_runs_of_one_process_is_found(tmp_path):
    # What a run learns of the folders (which files exist) is not carried into the next run.
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "app.py": _SENDER.format(imports="from pkg.clock import header", system="header()"),
        },
    )
    assert _findings(tmp_path) == []
    _write(tmp_path, {"pkg/clock.py": _CLOCK})
    assert _findings(tmp_path) == ["pkg/clock.py:4:20: CTX001"]


def test_noqa_in_the_file_of_the_finding(tmp_path):
    noqa = _CLOCK.replace('{datetime.now()}"', '{datetime.now()}"  # noqa: CTX001')
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clock.py": noqa,
            "app.py": _SENDER.format(imports="from pkg.clock import header", system="header()"),
        },
    )
    assert _findings(tmp_path) == []


def test_one_finding_reached_from_two_checked_files(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clock.py": _CLOCK,
            "a.py": _SENDER.format(imports="from pkg.clock import header", system="header()"),
        },
    )
    (tmp_path / "b.py").write_text((tmp_path / "a.py").read_text())
    report = check_paths([str(tmp_path)], Settings(root=tmp_path))
    found = [d for d in report.diagnostics if d.path.endswith("clock.py")]
    # One finding at the clock read, naming both requests it reaches, in path order.
    assert len(found) == 1
    assert [os.path.basename(r.path) for r in found[0].related] == ["a.py", "b.py"]
    assert found[0].fix is None


def test_parallel_run_gives_the_serial_result(tmp_path, monkeypatch):
    monkeypatch.setattr("ctxlint.parallel.PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr("ctxlint.parallel.BATCH_SIZE", 1)
    files = {"pkg/__init__.py": "", "pkg/clock.py": _CLOCK}
    for number in range(4):
        files[f"app{number}.py"] = _SENDER.format(
            imports="from pkg.clock import header", system="header()"
        )
    _write(tmp_path, files)
    assert _findings(tmp_path, jobs=2) == _findings(tmp_path, jobs=1)
    serial = check_paths([str(tmp_path)], Settings(root=tmp_path), jobs=1).diagnostics
    parallel = check_paths([str(tmp_path)], Settings(root=tmp_path), jobs=2).diagnostics
    assert parallel == serial
    assert len(serial) == 1 and len(serial[0].related) == 4


def test_related_location_in_json_and_sarif(monkeypatch):
    monkeypatch.chdir(REPO)
    report = check_paths(["fixtures/projects/clock_two_calls_deep"], Settings(root=REPO))
    (item,) = json.loads(render("json", report))
    assert item["filename"].endswith("agent/prompts.py")
    assert item["message"] == "`datetime.now()` reads the clock and reaches the system prompt"
    (related,) = item["related"]
    assert related["message"].endswith("through compose() → _header()")
    assert related["filename"].endswith("agent/loop.py")
    assert related["location"] == {"row": 14, "column": 20}
    sarif = json.loads(render("sarif", report))
    (result,) = sarif["runs"][0]["results"]
    (location,) = result["relatedLocations"]
    assert location["physicalLocation"]["region"]["startLine"] == 14
    assert "note: sent as the system prompt of" in render("text", report)


def test_dependencies_name_the_files_read(monkeypatch):
    folder = PROJECTS / "clock_two_calls_deep" / "agent"
    settings = Settings(root=folder)
    checker = PythonChecker(settings, selected_rules(settings))
    seen = {}
    original = checker.project.end

    def end(module):
        seen[module.path] = module.dependencies()
        original(module)

    monkeypatch.setattr(checker.project, "end", end)
    loop = str(folder / "loop.py")
    checker.check_text(loop, SourceText((folder / "loop.py").read_text()))
    assert {os.path.basename(p) for p in seen[loop]} == {"prompts.py"}


def test_module_names_and_resolution(tmp_path):
    _write(tmp_path, {"src/pkg/__init__.py": "", "src/pkg/mod.py": "", "src/ns/deep/m.py": ""})
    src = str(tmp_path / "src")
    assert module_name(str(tmp_path / "src/pkg/mod.py"), [src]) == "pkg.mod"
    assert module_name(str(tmp_path / "src/pkg/__init__.py"), [src]) == "pkg"
    # A folder without __init__.py under a root: a namespace package.
    assert module_name(str(tmp_path / "src/ns/deep/m.py"), [src]) == "ns.deep.m"
    importer = str(tmp_path / "src/pkg/mod.py")
    assert resolve("ns.deep.m.f", importer, [src]) == (str(tmp_path / "src/ns/deep/m.py"), ["f"])
    assert resolve(".f", importer, [src]) == (str(tmp_path / "src/pkg/__init__.py"), ["f"])
    assert resolve("openai.OpenAI", importer, [src]) is None


_UNPACKING = """\
    import anthropic
    from pkg.ids import new_id
    client = anthropic.Anthropic()

    def split(q):
        return {system}, [{{"role": "user", "content": q, "id": new_id()}}]

    def ask(q):
        system_prompt, messages = split(q)
        return client.messages.create(
            model="m", max_tokens=9, system=system_prompt, messages=messages
        )
"""


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ('"Be brief."', []),  # the id goes with the messages, not the system prompt
        ('f"Be brief. {new_id()}"', ["pkg/ids.py:4:12: CTX001"]),
    ],
)
def test_a_tuple_unpacked_from_a_call_takes_its_own_part(tmp_path, system, expected):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/ids.py": "import uuid\n\ndef new_id():\n    return uuid.uuid4().hex\n",
            "app.py": _UNPACKING.format(system=system),
        },
    )
    assert _findings(tmp_path) == expected


def test_rules_reporting_in_the_checked_file_ignore_other_modules_values(tmp_path):
    # CTX002 reports in the file it checks: a json.dumps of another module must not be
    # placed at that module's line numbers in this file.
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/render.py": "import json\n\ndef render(d):\n    return json.dumps(d)\n",
            "app.py": _SENDER.format(
                imports="from pkg.render import render", system="render({'b': 1, 'a': 2})"
            ),
        },
    )
    assert [f for f in _findings(tmp_path) if f.startswith("app.py")] == []


def test_no_finding_in_an_excluded_folder(tmp_path):
    _write(
        tmp_path,
        {
            "vendored/__init__.py": "",
            "vendored/clock.py": _CLOCK,
            "app.py": _SENDER.format(
                imports="from vendored.clock import header", system="header()"
            ),
        },
    )
    report = check_paths([str(tmp_path)], Settings(root=tmp_path, exclude=("vendored",)))
    assert report.diagnostics == []
    report = check_paths([str(tmp_path)], Settings(root=tmp_path))
    assert [d.path.endswith("vendored/clock.py") for d in report.diagnostics] == [True]


_HISTORY_SENDER = """\
    import openai
    from chat.store import SessionStore

    client = openai.OpenAI()

    def chat(read_line):
        store = SessionStore()
        while True:
            store.add_user(read_line())
            reply = client.chat.completions.create(model="gpt-5", messages=store.recent())
            store.add_reply(reply.choices[0].message)
"""
_STORE = """\
    class SessionStore:
        def __init__(self):
            self._messages = []

        def add_user(self, text):
            self._messages.append(dict(role="user", content=text))

        def add_reply(self, message):
            self._messages.append(message)

        def recent(self):
            return {returned}
"""


@pytest.mark.parametrize(
    ("returned", "found"), [("self._messages[-30:]", True), ("self._messages", False)]
)
def test_a_history_sender_is_parsed_for_a_rewrite_in_an_import(tmp_path, returned, found):
    """A file that sends a history and spells none of what the rules look for is still parsed
    when a project module it imports may rewrite histories: the rewrite is found there."""
    _write(
        tmp_path,
        {
            "chat/__init__.py": "",
            "chat/loop.py": _HISTORY_SENDER,
            "chat/store.py": _STORE.format(returned=returned),
        },
    )
    settings = Settings(root=tmp_path)
    checker = PythonChecker(settings, selected_rules(settings))
    loop = tmp_path / "chat" / "loop.py"
    assert not checker.prefilter.wanted(loop.read_bytes())
    assert checker.wanted(loop.read_bytes(), str(loop)) is found
    codes = [d.code for d in check_paths([str(loop)], settings).diagnostics]
    assert codes == (["CTX006"] if found else [])


def test_a_package_named_on_the_command_line_resolves_from_above(tmp_path):
    # `ctxlint app`: app is a package whose sub-folder has no __init__.py; its absolute
    # imports (`from app.agent.prompts import ...`) resolve from the folder above app.
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/agent/prompts.py": """\
                from langchain_core.messages import SystemMessage

                class SystemPrompt:
                    def __init__(self, now):
                        self.now = now

                    def get_system_message(self):
                        return SystemMessage(content=f"Be brief. Now: {self.now.isoformat()}")
            """,
            "app/agent/manager.py": """\
                from datetime import datetime
                from app.agent.prompts import SystemPrompt

                def start(llm):
                    return llm.invoke([SystemPrompt(datetime.now()).get_system_message()])
            """,
        },
    )
    assert roots_for([str(tmp_path / "app")]) == (str(tmp_path / "app"), str(tmp_path))
    report = check_paths([str(tmp_path / "app")], Settings(root=tmp_path))
    found = [(os.path.relpath(d.path, tmp_path), d.start.line, d.code) for d in report.diagnostics]
    assert found == [("app/agent/manager.py", 5, "CTX001")]


@pytest.mark.parametrize("sender", ["app.py", "zapp.py"])  # checked before clock.py, after it
def test_a_file_imported_and_checked_in_one_run_is_parsed_once(tmp_path, monkeypatch, sender):
    # Whichever comes first, the check of clock.py or the sender's import of it, the other
    # takes its tree: the analysis never changes a tree, so the findings are those of two parses.
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clock.py": _CLOCK,
            sender: _SENDER.format(imports="from pkg.clock import header", system="header()"),
        },
    )
    parsed: list[str] = []
    parse = ast.parse

    def counting(source, filename="<unknown>", *arguments, **keywords):
        parsed.append(os.path.basename(filename))
        return parse(source, filename, *arguments, **keywords)

    monkeypatch.setattr(ast, "parse", counting)
    paths = [str(tmp_path / sender), str(tmp_path / "pkg" / "clock.py")]
    report = check_paths(paths, Settings(root=tmp_path), jobs=1)
    found = [f"{os.path.basename(d.path)}:{d.start.line}: {d.code}" for d in report.diagnostics]
    assert found == ["clock.py:4: CTX001"]
    assert sorted(parsed) == sorted([sender, "clock.py"])


def test_a_kept_tree_is_taken_once_and_only_for_the_same_text(tmp_path):
    project = Project(Settings(root=tmp_path))
    tree = ast.parse("x = 1\n")
    project.keep_tree("m.py", "x = 1\n", tree)
    assert project.tree_to_check("m.py", "x = 2\n") is None  # the file changed since
    project.keep_tree("m.py", "x = 1\n", tree)
    assert project.tree_to_check("m.py", "x = 1\n") is tree
    assert project.tree_to_check("m.py", "x = 1\n") is None  # one module owns a tree
