"""find_renders: which prompt file each Python call renders, and what it passes per variable.

Each test writes a small project (Python and templates) under tmp_path, shaped after a real
one where the name says so (Skyvern, OpenHands, devika, browser-use, contoso-chat, agent-zero);
the code is written for these tests, not copied."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from ctxlint.prompt_files.renders import Render
from ctxlint.python.prompt_renders import find_renders


def _project(root: Path, files: dict[str, str]) -> dict[str, tuple[Render, ...]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    python = sorted(str(root / name) for name in files if name.endswith(".py"))
    return find_renders(python, (str(root),))


def _only(found: dict[str, tuple[Render, ...]], root: Path, name: str) -> Render:
    assert list(found) == [str(root / name)], found
    (render,) = found[str(root / name)]
    return render


def _kinds(render: Render) -> dict[str, tuple[str | None, str | None, str | None]]:
    return {v.name: (v.volatile, v.per_turn, v.unordered) for v in render.values}


TEMPLATE = "You help. Now: {{ now }}\n"


# Loading styles ------------------------------------------------------------------------------


def test_jinja_file_system_loader_next_to_the_module(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "app/prompts/system.j2": TEMPLATE,
            "app/agent.py": """
                from datetime import date, datetime
                from pathlib import Path
                from jinja2 import Environment, FileSystemLoader

                env = Environment(loader=FileSystemLoader(Path(__file__).parent / "prompts"))
                FORMAT = load_format()

                def system(question, retriever, tags):
                    template = env.get_template("system.j2")
                    now = datetime.now().isoformat()
                    return template.render(
                        now=now,
                        today=date.today(),
                        day=datetime.now().strftime("%Y-%m-%d"),
                        minute=datetime.now().strftime("%H:%M"),
                        stamp=datetime.now(),
                        shown=datetime.now().strftime(FORMAT),
                        docs=retriever.invoke(question),
                        tags=set(tags),
                        sorted_tags=sorted(set(tags)),
                        question=question,
                    )
            """,
        },
    )
    render = _only(found, tmp_path, "app/prompts/system.j2")
    assert render.call == "template.render"
    assert render.complete
    # Where the code renders it: the render's place is in the Python file.
    assert render.path == str(tmp_path / "app/agent.py")
    assert render.start.line == 12
    assert _kinds(render) == {
        "now": ("reads the clock to the microsecond", None, None),
        "today": (None, None, None),
        "day": (None, None, None),
        "minute": ("reads the clock to the minute", None, None),
        "stamp": ("reads the clock to the microsecond", None, None),
        # A format not known here: a clock read, at a precision not known.
        "shown": ("reads the clock", None, None),
        "docs": (None, "retrieval results", None),
        "tags": (None, None, "a set"),
        "sorted_tags": (None, None, None),
        "question": (None, "the user's question", None),
    }
    now = render.value("now")
    assert now is not None and now.expression == "now" and now.path.endswith("agent.py")
    assert render.value("now.hour") is now


def test_os_path_join_folder_and_template_on_self(tmp_path: Path) -> None:
    # OpenHands' PromptManager, with the folder a constant of the module.
    found = _project(
        tmp_path,
        {
            "pkg/prompts/system_prompt.j2": TEMPLATE,
            "pkg/prompts/user_prompt.j2": "Hi\n",
            "pkg/prompt.py": """
                import os
                from jinja2 import Environment, FileSystemLoader, Template

                PROMPT_DIR = os.path.join(os.path.dirname(__file__), "prompts")

                class PromptManager:
                    def __init__(self, system_prompt_filename: str = "system_prompt.j2"):
                        self.env = Environment(loader=FileSystemLoader(PROMPT_DIR))
                        self.system_template: Template = self._load_template(system_prompt_filename)
                        self.user_template = self._load_template("user_prompt.j2")

                    def _load_template(self, template_name: str) -> Template:
                        return self.env.get_template(template_name)

                    def get_system_message(self, **context) -> str:
                        return self.system_template.render(**context).strip()

                    def get_user_message(self, when) -> str:
                        return self.user_template.render(when=when)
            """,
        },
    )
    system = found[str(tmp_path / "pkg/prompts/system_prompt.j2")]
    assert [r.call for r in system] == ["system_template.render"]
    assert not system[0].complete  # **context: what callers pass is not seen here
    user = found[str(tmp_path / "pkg/prompts/user_prompt.j2")]
    assert [v.name for v in user[0].values] == ["when"] and user[0].complete


def test_from_string_of_a_file_read_at_import(tmp_path: Path) -> None:
    # devika: the path is relative to the repository's top, where the app is started.
    found = _project(
        tmp_path,
        {
            "src/agents/coder/prompt.jinja2": "{{ step_by_step_plan }}\n",
            "src/agents/coder/coder.py": """
                from jinja2 import BaseLoader, Environment

                PROMPT = open("src/agents/coder/prompt.jinja2", "r").read().strip()

                class Coder:
                    def render(self, step_by_step_plan: str, search_results: dict) -> str:
                        env = Environment(loader=BaseLoader())
                        template = env.from_string(PROMPT)
                        return template.render(
                            step_by_step_plan=step_by_step_plan, search_results=search_results
                        )
            """,
        },
    )
    render = _only(found, tmp_path, "src/agents/coder/prompt.jinja2")
    assert [v.name for v in render.values] == ["step_by_step_plan", "search_results"]


def test_jinja_template_of_read_text(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/summary.md": "{{ text }}\n",
            "summarise.py": """
                import uuid
                from pathlib import Path
                import jinja2

                HERE = Path(__file__).resolve().parent

                def summarise(text):
                    template = jinja2.Template((HERE / "prompts" / "summary.md").read_text())
                    return template.render(text=text, request_id=str(uuid.uuid4()))
            """,
        },
    )
    render = _only(found, tmp_path, "prompts/summary.md")
    assert _kinds(render)["request_id"] == ("returns a new random value on every call", None, None)


def test_open_read_format_of_a_file_at_the_repository_top(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "instructions.md": "You are {name}. Today is {today}.\n",
            "bot/main.py": """
                import time

                def instructions(name):
                    with open("instructions.md") as f:
                        text = f.read()
                    return text.format(name=name, today=time.strftime("%Y-%m-%d %H:%M:%S"))
            """,
        },
    )
    render = _only(found, tmp_path, "instructions.md")
    assert render.call == "text.format"
    assert _kinds(render)["today"] == ("reads the clock to the second", None, None)
    assert _kinds(render)["name"] == (None, None, None)


def test_replace_chain_is_one_render(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/system.txt": "{{memories}} {{date}}\n",
            "agent.py": """
                from datetime import datetime
                from pathlib import Path

                def system_prompt(memory, message):
                    text = Path("prompts/system.txt").read_text()
                    return (
                        text.replace("{{memories}}", memory.search(message))
                        .replace("{{date}}", datetime.now().strftime("%d %B %Y"))
                    )
            """,
        },
    )
    render = _only(found, tmp_path, "prompts/system.txt")
    assert _kinds(render) == {
        "memories": (None, "memory search results", None),
        "date": (None, None, None),
    }


def test_importlib_resources_then_format(tmp_path: Path) -> None:
    # browser-use: the template is a package resource, read once and formatted.
    found = _project(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/agent/__init__.py": "",
            "shop/agent/system_prompts/__init__.py": "",
            "shop/agent/system_prompts/system_prompt.md": "At most {max_actions} actions.\n",
            "shop/agent/prompts.py": """
                import importlib.resources

                class SystemPrompt:
                    def __init__(self, max_actions_per_step: int = 4):
                        self.max_actions_per_step = max_actions_per_step
                        self.prompt_template = (
                            importlib.resources.files("shop.agent.system_prompts")
                            .joinpath("system_prompt.md")
                            .read_text(encoding="utf-8")
                        )

                    def get_system_message(self):
                        return self.prompt_template.format(max_actions=self.max_actions_per_step)
            """,
        },
    )
    render = _only(found, tmp_path, "shop/agent/system_prompts/system_prompt.md")
    assert [v.name for v in render.values] == ["max_actions"]


def test_langchain_from_file_and_load_prompt(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/qa.txt": "{context}\nQuestion: {question}\n",
            "prompts/chat.yaml": "_type: prompt\ninput_variables: [topic]\ntemplate: '{topic}'\n",
            "chain.py": """
                from langchain_core.prompts import PromptTemplate, load_prompt

                qa = PromptTemplate.from_file("prompts/qa.txt")
                chat = load_prompt("prompts/chat.yaml")

                def answer(question, retriever, llm):
                    docs = retriever.get_relevant_documents(question)
                    chain = qa | llm
                    return chain.invoke({"context": docs, "question": question})

                def topic(name):
                    return chat.format(topic=name)
            """,
        },
    )
    qa = found[str(tmp_path / "prompts/qa.txt")][0]
    assert qa.call == "chain.invoke"
    assert _kinds(qa) == {
        "context": (None, "retrieval results", None),
        "question": (None, "the user's question", None),
    }
    assert [v.name for v in found[str(tmp_path / "prompts/chat.yaml")][0].values] == ["topic"]


def test_prompty_execute_and_prepare(tmp_path: Path) -> None:
    # contoso-chat: the .prompty file sits beside the module that runs it.
    found = _project(
        tmp_path,
        {
            "api/chat.prompty": "---\nname: chat\n---\nsystem:\n{{question}}\n",
            "api/grade.prompty": "---\nname: grade\n---\nsystem:\n{{answer}}\n",
            "api/chat_request.py": """
                import prompty

                def get_response(customer_id, question, search):
                    context = search.similarity_search(question)
                    return prompty.execute(
                        "chat.prompty",
                        inputs={"question": question, "documentation": context},
                    )

                def grade(answer):
                    loaded = prompty.load("grade.prompty")
                    return prompty.prepare(loaded, {"answer": answer})
            """,
        },
    )
    chat = found[str(tmp_path / "api/chat.prompty")][0]
    assert chat.call == "prompty.execute"
    assert _kinds(chat) == {
        "question": (None, "the user's question", None),
        "documentation": (None, "retrieval results", None),
    }
    grade = found[str(tmp_path / "api/grade.prompty")][0]
    assert grade.call == "prompty.prepare" and [v.name for v in grade.values] == ["answer"]


# Wrappers of the project's own ---------------------------------------------------------------


SKYVERN_LIKE = {
    "web/__init__.py": "",
    "web/forge/__init__.py": "",
    "web/constants.py": """
        from pathlib import Path
        WEB_DIR = Path(__file__).parent
    """,
    "web/forge/prompts/web/extract-action.j2": "Goal: {{ goal }}\nNow: {{ local_datetime }}\n",
    "web/forge/prompting.py": """
        import glob
        import os
        from difflib import get_close_matches
        from jinja2 import Environment, FileSystemLoader
        from web.constants import WEB_DIR

        class PromptEngine:
            def __init__(self, model, prompts_dir=WEB_DIR / "forge" / "prompts"):
                models_dir = os.path.abspath(prompts_dir)
                names = [os.path.basename(d) for d in glob.glob(os.path.join(models_dir, "*/"))]
                self.model = get_close_matches(model, names, n=1)[0]
                self.env = Environment(loader=FileSystemLoader(models_dir))

            def load_prompt(self, template: str, **kwargs) -> str:
                template = "/".join([self.model, template])
                jinja_template = self.env.get_template(f"{template}.j2")
                return jinja_template.render(**kwargs)
    """,
    "web/forge/prompts.py": """
        from web.forge.prompting import PromptEngine
        prompt_engine = PromptEngine("web")
    """,
    "web/agent.py": """
        from datetime import datetime
        from web.forge.prompts import prompt_engine

        def next_action(goal, context):
            return prompt_engine.load_prompt(
                "extract-action",
                goal=goal,
                local_datetime=datetime.now(context.tz_info).isoformat(),
            )

        def replay(goal):
            return prompt_engine.load_prompt("extract-action", goal=goal, local_datetime="now")
    """,
}


def test_skyvern_like_wrapper_with_the_values_of_each_caller(tmp_path: Path) -> None:
    found = _project(tmp_path, SKYVERN_LIKE)
    renders = found[str(tmp_path / "web/forge/prompts/web/extract-action.j2")]
    assert list(found) == [str(tmp_path / "web/forge/prompts/web/extract-action.j2")]
    assert [r.call for r in renders] == ["prompt_engine.load_prompt"] * 2
    assert all(r.path == str(tmp_path / "web/agent.py") for r in renders)
    live, replayed = sorted(renders, key=lambda r: r.start.line)
    assert live.value("local_datetime").volatile == "reads the clock to the microsecond"  # type: ignore[union-attr]
    assert live.value("local_datetime").path == str(tmp_path / "web/agent.py")  # type: ignore[union-attr]
    assert replayed.value("local_datetime").volatile is None  # type: ignore[union-attr]
    assert live.complete


def test_agent_zero_like_read_prompt_through_two_helpers(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/agent.system.datetime.md": "- current datetime: {{date_time}}\n",
            "helpers/__init__.py": "",
            "helpers/files.py": """
                import os

                def get_abs_path(*relative_paths):
                    return os.path.join(os.path.dirname(os.path.dirname(__file__)), *relative_paths)

                def replace_placeholders_text(_content: str, **kwargs):
                    for key, value in kwargs.items():
                        _content = _content.replace("{{" + key + "}}", str(value))
                    return _content

                def read_file(_relative_path, _backup_dirs=None, **kwargs):
                    with open(_relative_path, "r", encoding="utf-8") as f:
                        content = f.read()
                    return replace_placeholders_text(content, **kwargs)
            """,
            "agent.py": """
                from helpers import files

                class Agent:
                    def read_prompt(self, file: str, **kwargs) -> str:
                        prompt_dir = files.get_abs_path("prompts")
                        return files.read_file(files.get_abs_path(prompt_dir, file), **kwargs)
            """,
            "helpers/localization.py": """
                def to_local(utc_dt, sep=" ", timespec="auto"):
                    return utc_dt.astimezone().isoformat(sep=sep, timespec=timespec)
            """,
            "extensions/include_datetime.py": """
                from datetime import datetime, timezone
                from helpers.localization import to_local

                class IncludeCurrentDatetime:
                    def __init__(self, agent):
                        self.agent = agent

                    def execute(self, loop_data):
                        current = to_local(datetime.now(timezone.utc), timespec="seconds")
                        name = "agent.system.datetime.md"
                        prompt = self.agent.read_prompt(name, date_time=current)
                        loop_data.extras["current_datetime"] = prompt
            """,
        },
    )
    render = _only(found, tmp_path, "prompts/agent.system.datetime.md")
    assert render.call == "agent.read_prompt"
    assert _kinds(render) == {"date_time": ("reads the clock to the second", None, None)}


def test_wrapper_values_given_from_its_parameters(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/goal.j2": "{{ goal }} {{ at }}\n",
            "render.py": """
                from datetime import datetime
                from jinja2 import Environment, FileSystemLoader

                env = Environment(loader=FileSystemLoader("prompts"))

                def goal_prompt(name, goal, at):
                    return env.get_template(name).render(goal=goal, at=at)

                def step(goal):
                    return goal_prompt("goal.j2", goal, datetime.now())
            """,
        },
    )
    render = _only(found, tmp_path, "prompts/goal.j2")
    assert render.call == "goal_prompt"
    assert _kinds(render)["at"] == ("reads the clock to the microsecond", None, None)


# What a call passes -------------------------------------------------------------------------


def test_dict_built_just_before_and_unknown_mappings(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/a.j2": "{{ x }}\n",
            "prompts/b.j2": "{{ x }}\n",
            "make.py": """
                import random
                from jinja2 import Environment, FileSystemLoader

                env = Environment(loader=FileSystemLoader("prompts"))

                def a(x):
                    values = {"x": x}
                    values["seed"] = random.randint(0, 9)
                    return env.get_template("a.j2").render(**values)

                def b(settings):
                    return env.get_template("b.j2").render(**settings.as_dict())
            """,
        },
    )
    a = found[str(tmp_path / "prompts/a.j2")][0]
    assert a.complete and [v.name for v in a.values] == ["x", "seed"]
    assert a.value("seed").volatile == "returns a new random value on every call"  # type: ignore[union-attr]
    b = found[str(tmp_path / "prompts/b.j2")][0]
    assert not b.complete and b.values == ()


def test_file_system_listing_passed_whole(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/skills.j2": "{% for s in skills %}{{ s }}{% endfor %}\n",
            "skills.py": """
                import os
                from jinja2 import Environment, FileSystemLoader

                env = Environment(loader=FileSystemLoader("prompts"))

                def system(folder):
                    return env.get_template("skills.j2").render(
                        skills=os.listdir(folder), ordered=sorted(os.listdir(folder))
                    )
            """,
        },
    )
    render = _only(found, tmp_path, "prompts/skills.j2")
    assert _kinds(render) == {
        "skills": (None, None, "a file-system listing (os.listdir(...))"),
        "ordered": (None, None, None),
    }


def test_sent_as_the_system_prompt_or_a_user_message(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/system.j2": "Be brief.\n",
            "prompts/user.j2": "{{ q }}\n",
            "ask.py": """
                import anthropic
                from jinja2 import Environment, FileSystemLoader

                client = anthropic.Anthropic()
                env = Environment(loader=FileSystemLoader("prompts"))

                def ask(q):
                    system = env.get_template("system.j2").render()
                    user = env.get_template("user.j2").render(q=q)
                    return client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=100,
                        system=system,
                        messages=[{"role": "user", "content": user}],
                    )

                def draft(q):
                    return env.get_template("user.j2").render(q=q)
            """,
            "respond.py": """
                from openai import OpenAI
                from jinja2 import Environment, FileSystemLoader

                client = OpenAI()
                env = Environment(loader=FileSystemLoader("prompts"))

                def respond(q):
                    return client.responses.create(
                        model="gpt-5",
                        instructions=env.get_template("system.j2").render(),
                        input=q,
                    )
            """,
        },
    )
    system = found[str(tmp_path / "prompts/system.j2")]
    assert sorted(r.sent_as for r in system) == ["instructions", "system"]  # type: ignore[type-var]
    user = sorted(found[str(tmp_path / "prompts/user.j2")], key=lambda r: r.start.line)
    assert [r.sent_as for r in user] == ["user", None]


# Paths that link nothing ---------------------------------------------------------------------


def test_unknown_folder_links_a_unique_file_name_only(tmp_path: Path) -> None:
    files = {
        "one/prompts/system.j2": TEMPLATE,
        "one/prompts/extract.j2": TEMPLATE,
        "two/prompts/system.j2": TEMPLATE,
        "manager.py": """
            from jinja2 import Environment, FileSystemLoader

            class Manager:
                def __init__(self, prompt_dir):
                    self.env = Environment(loader=FileSystemLoader(prompt_dir))

                def system(self):
                    return self.env.get_template("system.j2").render(now=1)

                def extract(self):
                    return self.env.get_template("extract.j2").render(now=2)
        """,
    }
    found = _project(tmp_path, files)
    # system.j2 is in two folders: which one the manager reads is not known.
    assert list(found) == [str(tmp_path / "one/prompts/extract.j2")]


def test_missing_or_computed_paths_link_nothing(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/real.j2": TEMPLATE,
            "app.py": """
                import sys
                from jinja2 import Environment, FileSystemLoader

                env = Environment(loader=FileSystemLoader("prompts"))

                def missing():
                    return env.get_template("absent.j2").render(now=1)

                def computed():
                    return env.get_template(sys.argv[1]).render(now=1)

                def not_a_template(text):
                    return text.format(now=1)
            """,
        },
    )
    assert found == {}


def test_never_raises_on_broken_or_circular_code(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/system.j2": TEMPLATE,
            "broken.py": "def get_template(:\n    .render(\n",
            "circular.py": """
                from jinja2 import Environment, FileSystemLoader

                def template(name):
                    return template(name)

                def loop(a):
                    b = a
                    a = b
                    return Environment(loader=FileSystemLoader(a)).get_template(b).render(x=a)

                def weird():
                    return template("x").render(**{1: 2}, *[3])
            """,
        },
    )
    assert found == {}
    assert find_renders([str(tmp_path / "absent.py")], (str(tmp_path),)) == {}


def test_only_files_that_mention_a_loading_call_are_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctxlint.python.project import Project

    parsed: list[str] = []
    original = Project.module_at

    def module_at(self, path):  # type: ignore[no-untyped-def]
        parsed.append(os.path.basename(path))
        return original(self, path)

    monkeypatch.setattr(Project, "module_at", module_at)
    found = _project(
        tmp_path,
        {
            "prompts/system.j2": TEMPLATE,
            "plain.py": "def add(a, b):\n    return a + b\n",
            "render.py": """
                from jinja2 import Environment, FileSystemLoader
                env = Environment(loader=FileSystemLoader("prompts"))
                def system():
                    return env.get_template("system.j2").render(now=1)
            """,
        },
    )
    assert list(found) == [str(tmp_path / "prompts/system.j2")]
    assert "plain.py" not in parsed


def test_folder_given_by_each_constructor_call(tmp_path: Path) -> None:
    # OpenHands: one PromptManager class, each agent making it with its own prompts folder;
    # a test's manager made over a fixture's folder says nothing of the app.
    manager = """
        from jinja2 import Environment, FileSystemLoader

        class PromptManager:
            def __init__(self, prompt_dir: str, system_prompt_filename: str = "system_prompt.j2"):
                self.env = Environment(loader=FileSystemLoader(prompt_dir))
                self.system_template = self.env.get_template(system_prompt_filename)
                self.info_template = self.env.get_template("additional_info.j2")

            def build_workspace_context(self, runtime_info):
                return self.info_template.render(runtime_info=runtime_info)
    """
    agent = """
        import os
        from app.prompt import PromptManager

        class {name}:
            def __init__(self):
                self.prompt_manager = PromptManager(
                    prompt_dir=os.path.join(os.path.dirname(__file__), "prompts")
                )
    """
    found = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/prompt.py": manager,
            "app/coder/__init__.py": "",
            "app/coder/agent.py": agent.format(name="Coder"),
            "app/coder/prompts/additional_info.j2": "{{ runtime_info.date }}\n",
            "app/reader/__init__.py": "",
            "app/reader/agent.py": agent.format(name="Reader"),
            "app/reader/prompts/additional_info.j2": "{{ runtime_info.date }}\n",
            "app/elsewhere/additional_info.j2": "{{ runtime_info.date }}\n",
            "tests/test_prompt.py": """
                from app.prompt import PromptManager

                def test_manager(tmp_path):
                    PromptManager(prompt_dir="app/elsewhere")
            """,
        },
    )
    assert sorted(found) == [
        str(tmp_path / "app/coder/prompts/additional_info.j2"),
        str(tmp_path / "app/reader/prompts/additional_info.j2"),
    ]
    for renders in found.values():
        assert [r.call for r in renders] == ["info_template.render"]


def test_a_file_name_chosen_by_branch_links_each_file(tmp_path: Path) -> None:
    # browser-use: one of several system prompt variants, by the agent's flags.
    found = _project(
        tmp_path,
        {
            "agent/prompts/system.md": "At most {max_actions} actions.\n",
            "agent/prompts/system_flash.md": "At most {max_actions} actions, fast.\n",
            "agent/prompts/system_other.md": "Not read by the code.\n",
            "agent/prompts.py": """
                from pathlib import Path

                class SystemPrompt:
                    def __init__(self, flash: bool, max_actions: int):
                        if flash:
                            name = "system_flash.md"
                        else:
                            name = "system.md"
                        folder = Path(__file__).parent / "prompts"
                        self.template = (folder / name).read_text()
                        self.max_actions = max_actions

                    def text(self):
                        return self.template.format(max_actions=self.max_actions)
            """,
        },
    )
    assert sorted(found) == [
        str(tmp_path / "agent/prompts/system.md"),
        str(tmp_path / "agent/prompts/system_flash.md"),
    ]


def test_promptflow_and_azure_inference_prompty_loaders(tmp_path: Path) -> None:
    # contoso-creative-writer's editor (promptflow) and researcher (azure-ai-inference).
    found = _project(
        tmp_path,
        {
            "agents/editor.prompty": "---\nname: editor\n---\nsystem:\n{{feedback}}\n",
            "agents/researcher.prompty": "---\nname: r\n---\nsystem:\n{{instructions}}\n",
            "agents/editor.py": """
                from pathlib import Path
                from promptflow.core import Prompty

                folder = Path(__file__).parent.absolute().as_posix()

                def edit(article, feedback):
                    prompty_obj = Prompty.load(folder + "/editor.prompty")
                    return prompty_obj(article=article, feedback=feedback)
            """,
            "agents/researcher.py": """
                from azure.ai.inference.prompts import PromptTemplate

                def research(instructions):
                    template = PromptTemplate.from_prompty(file_path="researcher.prompty")
                    return template.create_messages(instructions=instructions)
            """,
        },
    )
    editor = found[str(tmp_path / "agents/editor.prompty")][0]
    assert editor.call == "prompty_obj" and [v.name for v in editor.values] == [
        "article",
        "feedback",
    ]
    researcher = found[str(tmp_path / "agents/researcher.prompty")][0]
    assert researcher.call == "template.create_messages"


def test_a_tree_without_prompt_files_parses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctxlint.python.project import Project

    parsed: list[str] = []
    monkeypatch.setattr(Project, "module_at", lambda self, path: parsed.append(path))
    found = _project(
        tmp_path,
        {
            "render.py": """
                from jinja2 import Environment, FileSystemLoader
                env = Environment(loader=FileSystemLoader("prompts"))
                def system():
                    return env.get_template("system.j2").render(now=1)
            """,
        },
    )
    assert found == {} and parsed == []


def test_template_made_in_another_module(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/prompts/system.j2": TEMPLATE,
            "app/templates.py": """
                from pathlib import Path
                from jinja2 import Template

                SYSTEM = Template((Path(__file__).parent / "prompts" / "system.j2").read_text())
            """,
            "app/agent.py": """
                from datetime import datetime
                from app.templates import SYSTEM

                def system():
                    return SYSTEM.render(now=datetime.now())
            """,
        },
    )
    render = _only(found, tmp_path, "app/prompts/system.j2")
    assert render.call == "SYSTEM.render" and render.path == str(tmp_path / "app/agent.py")
    assert _kinds(render) == {"now": ("reads the clock to the microsecond", None, None)}


def test_langchain_chat_template_message_from_a_file(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        {
            "prompts/system.md": "You are {persona}. Context: {context}\n",
            "prompts/human.md": "{question}\n",
            "chain.py": """
                from langchain_core.prompts import (
                    ChatPromptTemplate,
                    HumanMessagePromptTemplate,
                )

                with open("prompts/system.md") as f:
                    SYSTEM = f.read()

                prompt = ChatPromptTemplate.from_messages(
                    [("system", SYSTEM), ("placeholder", "{history}"), ("human", "{question}")]
                )
                human = HumanMessagePromptTemplate.from_template_file(
                    "prompts/human.md", input_variables=["question"]
                )

                def answer(question, retriever, persona, llm):
                    chain = prompt | llm
                    context = retriever.invoke(question)
                    values = {"persona": persona, "context": context, "question": question}
                    return chain.invoke(values)

                def ask(question):
                    return human.format(question=question)
            """,
        },
    )
    system = found[str(tmp_path / "prompts/system.md")][0]
    assert system.sent_as == "system"
    assert _kinds(system)["context"] == (None, "retrieval results", None)
    assert found[str(tmp_path / "prompts/human.md")][0].sent_as == "user"


def test_a_clock_printed_with_a_format_constant_from_another_module(tmp_path: Path) -> None:
    # Skyvern: `strftime(CURRENT_DATE_FORMAT)`, the constant "%Y-%m-%d" imported: a date.
    found = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/prompts/system.j2": TEMPLATE,
            "app/constants.py": 'DATE_FORMAT = "%Y-%m-%d"\nSTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"\n',
            "app/agent.py": """
                from datetime import datetime
                from pathlib import Path
                from jinja2 import Template
                from app.constants import DATE_FORMAT, STAMP_FORMAT

                SYSTEM = Template((Path(__file__).parent / "prompts" / "system.j2").read_text())
                LOCAL = "%H:%M"

                def day():
                    return SYSTEM.render(now=datetime.now().strftime(DATE_FORMAT))

                def stamp():
                    return SYSTEM.render(now=datetime.now().strftime(STAMP_FORMAT))

                def local():
                    return SYSTEM.render(now=datetime.now().strftime(LOCAL))
            """,
        },
    )
    renders = sorted(found[str(tmp_path / "app/prompts/system.j2")], key=lambda r: r.start.line)
    assert [_kinds(render)["now"][0] for render in renders] == [
        None,
        "reads the clock to the second",
        "reads the clock to the minute",
    ]
