"""CTX005: the tool names of one tool set do not follow consistent group prefixes."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.python.index import decorator_name
from ctxlint.python.module import PythonModule
from ctxlint.python.prefilter import Trigger
from ctxlint.rule import Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.trace.compare import Step

_TOOL_DECORATORS = frozenset({"tool", "function_tool", "tool_plain", "register_tool"})
# Constructors of tool objects that take the tool's name as `name=`: ToolSpec, StructuredTool,
# FunctionTool, ChatCompletionToolParamFunctionChunk...
_TOOL_CONSTRUCTOR = re.compile(r"(?:Tool|ToolSpec|ToolParam|FunctionChunk|FunctionDefinition)$")
# Keywords of tool decorators that rename the tool.
_NAME_KEYWORDS = ("name", "name_override")
# Leading verbs: a set named verb-first (get_x, list_y) is grouped by action, not by area,
# and its "groups" say nothing about which tools belong together.
_VERBS = frozenset(
    [
        "get",
        "list",
        "create",
        "update",
        "delete",
        "set",
        "add",
        "remove",
        "read",
        "write",
        "search",
        "find",
        "run",
        "send",
        "fetch",
        "check",
        "open",
        "close",
        "make",
        "do",
        "edit",
        "query",
        "lookup",
        "load",
        "save",
        "post",
        "put",
        "patch",
        "insert",
        "upload",
        "download",
        "start",
        "stop",
        "execute",
        "call",
        "generate",
        "describe",
        "show",
        "view",
    ]
)
_HUMP = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_WHY = (
    "consistent group prefixes (`browser_*`, `shell_*`) let an agent restrict the choice to a "
    "group by prefix at decode time, keeping the tool list fixed"
)


@dataclass(frozen=True, slots=True)
class _Tool:
    name: str
    # Where the name is written: the "name" value, or the function's or class's name.
    node: ast.AST


class InconsistentToolPrefix(Rule):
    """
    ## What it does
    Flags tool names, within one tool set defined in code, that break the set's naming: a
    name in another style (`readFile` among `snake_case` names), or a name outside the group
    prefixes the rest of the set shares (`search` among `browser_*` and `shell_*` tools).

    A tool set is a list literal of tool definitions (dicts with a `"name"`), the functions of
    a module under one tool decorator (`@tool`, `@function_tool`, `@agent.tool`,
    `@mcp.tool()`), or the tool classes of a module (subclasses of `...Tool` with a `name`).
    Only sets of at least `min-tool-set` tools (default 4) are checked, and names are held to
    group prefixes only when most of the set already shares them. Sets named verb-first
    (`get_user`, `list_orders`) are grouped by action, not area, and are left alone.

    In recorded traces, it checks the tool list of each session the same way.

    ## Why is this bad?
    The cheapest way to restrict an agent's choice of tools is to keep the tool list fixed
    (so the cached prefix survives) and constrain decoding: prefill the response up to a tool
    name prefix, or mask the logits of names outside a group. That only works when tool
    names share prefixes by group. A tool outside the groups has to be allowed or banned
    one by one, which takes a stateful logits processor, or tempts removing tools from the
    list, which breaks the cache (CTX004).

    ## Example
    ```python
    @mcp.tool()
    def browser_open(url: str) -> str: ...
    @mcp.tool()
    def browser_click(selector: str) -> str: ...
    @mcp.tool()
    def shell_exec(command: str) -> str: ...
    @mcp.tool()
    def shell_read(path: str) -> str: ...
    @mcp.tool()
    def search(query: str) -> str: ...
    ```

    Use instead:
    ```python
    @mcp.tool()
    def browser_search(query: str) -> str: ...
    ```

    ## Options
    - `tool-prefixes` (default empty): the prefixes every tool name must start with; when
      set, every name without one is flagged.
    - `min-tool-set` (default 4): smaller tool sets are not checked.

    ## References
    - [Manus: context engineering for AI agents (mask, don't remove)](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    """

    code = "CTX005"
    name = "inconsistent-tool-prefix"
    # Standalone: a module of tool definitions need not call an LLM. The needles are the
    # decorators as written above a `def`, tool classes, tool dicts and tool constructors.
    python_trigger = Trigger(
        needles=(
            b"@tool",
            b"@function_tool",
            b".tool()\n",
            b".tool(name",
            b".tool(description",
            b".tool(\n",
            b".tool\ndef",
            b".tool\nasync def",
            b".tool\n    def",
            b".tool\n    async def",
            b".tool_plain",
            b"register_tool",
            b"Tool):",
            b'"input_schema"',
            b"'input_schema'",
            b"""'type': 'function'""",
            b'"type": "function"',
            b"ToolSpec(",
            b"FunctionTool(",
            b"StructuredTool",
        ),
        standalone=True,
    )
    summary = "A tool name breaks the naming of its tool set"

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        tools = step.current.tools
        if tools is None:
            return
        unique = list({tool.name: tool for tool in tools}.values())
        checked = step.session.memo.setdefault(self.code, set())
        names = frozenset(tool.name for tool in unique)
        if len(unique) < step.settings.min_tool_set or names in checked:
            return
        checked.add(names)
        reported = step.session.memo.setdefault(self.code + ":tools", set())
        for tool, message in _misfits(unique, step.settings.tool_prefixes):
            if tool.name not in reported:
                reported.add(tool.name)
                yield step.diagnostic(self, message)

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        settings = module.settings
        reported: set[int] = set()
        for found in _tool_sets(module):
            # A tool defined twice (in two branches, or in tests) is one tool of the set.
            tools = list({tool.name: tool for tool in reversed(found)}.values())[::-1]
            if len(tools) < settings.min_tool_set:
                continue
            for tool, message in _misfits(tools, settings.tool_prefixes):
                if id(tool.node) not in reported:  # a dict listed in two sets
                    reported.add(id(tool.node))
                    yield module.diagnostic(self, tool.node, message)


def _misfits(tools: list[_Tool], expected: tuple[str, ...]) -> Iterator[tuple[_Tool, str]]:
    """The tools whose names break the set's style or group prefixes, with the message."""
    if expected:
        wanted = ", ".join(f"`{p}`" for p in expected)
        for tool in tools:
            if not tool.name.startswith(expected):
                yield (
                    tool,
                    f"tool name `{tool.name}` has none of the configured prefixes ({wanted}): {_WHY}",
                )
        return
    styles = {tool.name: _style(tool.name) for tool in tools}
    odd_style: set[str] = set()
    definite = Counter(style for style in styles.values() if style != "lower")
    if len(definite) >= 2:
        majority, count = definite.most_common(1)[0]
        if count * 3 >= sum(definite.values()) * 2:
            for tool in tools:
                style = styles[tool.name]
                if style not in ("lower", majority):
                    odd_style.add(tool.name)
                    yield (
                        tool,
                        (
                            f"tool name `{tool.name}` is {style} while {count} of the {len(tools)} "
                            f"tools in this set are {majority}: {_WHY}"
                        ),
                    )
    prefixes = {tool.name: _prefix(tool.name, styles[tool.name]) for tool in tools}
    counts = Counter(p for p in prefixes.values() if p is not None)
    groups = {prefix for prefix, count in counts.items() if count >= 2}
    if len(groups) < 2 or groups & _VERBS:
        return
    outliers = [tool for tool in tools if prefixes[tool.name] not in groups]
    if not outliers or (len(tools) - len(outliers)) * 3 < len(tools) * 2:
        return
    shown = ", ".join(f"`{g}_*`" for g in sorted(groups))
    for tool in outliers:
        if tool.name not in odd_style:
            yield (
                tool,
                (
                    f"tool name `{tool.name}` is outside the group prefixes the other tools in "
                    f"this set share ({shown}): {_WHY}"
                ),
            )


def _style(name: str) -> str:
    if "-" in name:
        return "kebab-case"
    if "_" in name.strip("_"):
        return "snake_case" if name == name.lower() else "mixed"
    if name.islower() or name.isdigit():
        return "lower"
    if name[:1].isupper():
        return "PascalCase" if not name.isupper() else "UPPERCASE"
    return "camelCase"


def _prefix(name: str, style: str) -> str | None:
    """The first word of a name of several words; None for one word."""
    if style in ("snake_case", "kebab-case", "mixed"):
        parts = [p for p in re.split(r"[_\-]", name) if p]
    else:
        parts = _HUMP.findall(name)
    return parts[0].lower() if len(parts) >= 2 else None


def _tool_sets(module: PythonModule) -> Iterator[list[_Tool]]:
    index = module.index
    by_decorator: dict[str, list[_Tool]] = {}
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.Lambda):
            continue
        for decorator in node.decorator_list:
            group = _tool_decorator_group(decorator)
            if group is not None:
                name_node = _decorator_name_argument(decorator)
                if name_node is not None:
                    by_decorator.setdefault(group, []).append(_Tool(name_node.value, name_node))
                else:
                    by_decorator.setdefault(group, []).append(
                        _Tool(node.name, _name_position(module, node))
                    )
                break
    yield from by_decorator.values()
    classes = []
    for info in index.classes:
        if any(_base_name(base).endswith("Tool") for base in info.node.bases):
            name_node = _class_tool_name(info.node)
            if name_node is not None:
                classes.append(_Tool(name_node.value, name_node))
    yield classes
    constructed = []
    for site in index.calls:
        call = site.call
        function = call.func
        callee = (
            function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        )
        if callee == "from_function" and isinstance(function, ast.Attribute):
            callee = getattr(function.value, "id", "") or getattr(function.value, "attr", "")
        if not _TOOL_CONSTRUCTOR.search(callee):
            continue
        for keyword in call.keywords:
            if keyword.arg == "name" and _is_string(keyword.value):
                constructed.append(_Tool(keyword.value.value, keyword.value))  # type: ignore[union-attr]
    yield constructed
    yield from _tool_definition_dicts(module)


def _tool_decorator_group(decorator: ast.expr) -> str | None:
    """`@tool` → "tool"; `@mcp.tool()` → "mcp.tool"; None for other decorators."""
    name = decorator_name(decorator)
    if name not in _TOOL_DECORATORS:
        return None
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target)


def _decorator_name_argument(decorator: ast.expr) -> ast.Constant | None:
    if not isinstance(decorator, ast.Call):
        return None
    for keyword in decorator.keywords:
        if keyword.arg in _NAME_KEYWORDS and _is_string(keyword.value):
            return keyword.value  # type: ignore[return-value]
    if decorator.args and _is_string(decorator.args[0]):
        return decorator.args[0]  # type: ignore[return-value]
    return None


def _class_tool_name(node: ast.ClassDef) -> ast.Constant | None:
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
            value = statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
            value = statement.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "name" for t in targets) and _is_string(value):
            return value  # type: ignore[return-value]
    return None


# A definition dict's keys as its literal spells them (`_tool_of_dict`).
_DEFINITION_KEYS = ('"parameters"', "'parameters'", '"input_schema"', "'input_schema'")


def _tool_definition_dicts(module: PythonModule) -> Iterator[list[_Tool]]:
    """The tool-definition dicts of a module, one set per list or tuple that gathers them
    (`TOOLS = [SEARCH_TOOL, {...}]`, `return [*BASE_TOOLS, EXTRA_TOOL]`). Dicts a module
    defines one by one are not one set by themselves: they are often advertised per surface
    (`if editor: defs.append(EDIT_TOOL)`), and only those listed together are sent together."""
    if not any(key in module.source.text for key in _DEFINITION_KEYS):
        return  # every tool-definition dict spells one of these keys: spare the walk
    if not any(_tool_of_dict(node) is not None for node, _ in module.index.dicts):
        return  # the index holds every dict literal: with no definition among them, no set
    bound = _module_dicts(module)
    for node in module.index.sequences:
        tools = [
            tool
            for element in _gathered(node.elts, bound)
            if (tool := _tool_of_dict(element)) is not None
        ]
        if tools:
            yield tools


def _module_dicts(module: PythonModule) -> dict[str, ast.expr]:
    """The module-level names bound once, to a dict, list or tuple literal."""
    found: dict[str, ast.expr] = {}
    for name, bindings in module.index.module_scope.bindings.items():
        value = bindings[0].value if len(bindings) == 1 else None
        if isinstance(value, ast.Dict | ast.List | ast.Tuple):
            found[name] = value
    return found


def _gathered(elements: list[ast.expr], bound: dict[str, ast.expr]) -> Iterator[ast.expr]:
    """The elements of a list literal, with module-level names replaced by their dict and
    `*NAME` by the elements of the list it names (one level)."""
    for element in elements:
        if isinstance(element, ast.Starred) and isinstance(element.value, ast.Name):
            listed = bound.get(element.value.id)
            if isinstance(listed, ast.List | ast.Tuple):
                yield from (
                    bound.get(e.id, e) if isinstance(e, ast.Name) else e for e in listed.elts
                )
        elif isinstance(element, ast.Name):
            yield bound.get(element.id, element)
        else:
            yield element


def _tool_of_dict(node: ast.expr, typed_function: bool = False) -> _Tool | None:
    """The tool a dict literal defines. A description is optional in every provider's
    schema, so a name with its parameters defines a tool when the dict says it is a function
    (`{"type": "function", ...}`, flat or wrapping `"function": {...}`); a bare
    `{"name", "parameters"}` also describes calls and records, so it needs a description."""
    if not isinstance(node, ast.Dict):
        return None
    entries = {
        k.value: v
        for k, v in zip(node.keys, node.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }
    is_function = _constant_value(entries.get("type")) == "function"
    if "arguments" in entries or "id" in entries or "call_id" in entries:
        return None  # a tool call in an assistant message, not a definition
    inner = entries.get("function")
    if isinstance(inner, ast.Dict):
        return _tool_of_dict(inner, typed_function=is_function)
    name = entries.get("name")
    if not _is_string(name):
        return None
    if "input_schema" in entries or (
        "parameters" in entries and ("description" in entries or is_function or typed_function)
    ):
        return _Tool(name.value, name)  # type: ignore[union-attr]
    return None


def _constant_value(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    if isinstance(base, ast.Name):
        return base.id
    if isinstance(base, ast.Subscript):
        return _base_name(base.value)
    return ""


def _is_string(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _name_position(module: PythonModule, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    """A node spanning the function's name in `def name(`, for the finding's range."""
    line = module.source.line_text(node.lineno)
    column = line.find(node.name, line.find("def ") + 4)
    start = max(column, 0)
    return ast.Name(
        id=node.name,
        lineno=node.lineno,
        col_offset=len(line[:start].encode("utf-8")),
        end_lineno=node.lineno,
        end_col_offset=len(line[: start + len(node.name)].encode("utf-8")),
    )


_PREAMBLE = "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('demo')\n"


def _tools(*names: str) -> str:
    return "".join(f"@mcp.tool()\ndef {name}(x: str) -> str:\n    return x\n" for name in names)


InconsistentToolPrefix.VALID = (
    # The listed set of the INVALID case below, its outlier renamed into a group.
    Valid(
        "OPEN = {'type': 'function', 'function': {'name': 'browser_open', 'parameters': {}}}\n"
        "CLICK = {'type': 'function', 'function': {'name': 'browser_click', 'parameters': {}}}\n"
        "EXEC = {'type': 'function', 'function': {'name': 'shell_exec', 'parameters': {}}}\n"
        "READ = {'type': 'function', 'function': {'name': 'shell_read', 'parameters': {}}}\n"
        "SEARCH = {'type': 'function', 'function': {'name': 'browser_search', 'parameters': {}}}\n"
        "BASE = [OPEN, CLICK]\n"
        "TOOLS = [*BASE, EXEC, READ, SEARCH]\n"
    ),
    # Tool dicts of one module advertised per surface, never listed together: not one set.
    Valid(
        "OPEN = {'type': 'function', 'function': {'name': 'browser_open', 'parameters': {}}}\n"
        "CLICK = {'type': 'function', 'function': {'name': 'browser_click', 'parameters': {}}}\n"
        "EXEC = {'type': 'function', 'function': {'name': 'shell_exec', 'parameters': {}}}\n"
        "READ = {'type': 'function', 'function': {'name': 'shell_read', 'parameters': {}}}\n"
        "SEARCH = {'type': 'function', 'function': {'name': 'search', 'parameters': {}}}\n"
        "def tool_defs(browser: bool, shell: bool) -> list[dict]:\n"
        "    defs = [SEARCH]\n"
        "    if browser:\n"
        "        defs += [OPEN, CLICK]\n"
        "    if shell:\n"
        "        defs += [EXEC, READ]\n"
        "    return defs\n"
    ),
    # Function tools without descriptions, named consistently.
    Valid(
        "TOOLS = [\n"
        "    {'type': 'function', 'function': {'name': 'read_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'write_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'list_dir', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'read_url', 'parameters': {}}},\n"
        "]\n"
    ),
    # Tool calls in assistant messages and bare name/parameters records are not definitions.
    Valid(
        "CALLS = [\n"
        "    {'id': 'c1', 'type': 'function', 'function': {'name': 'read_file', 'parameters': {}}},\n"
        "    {'id': 'c2', 'type': 'function', 'function': {'name': 'write_file', 'parameters': {}}},\n"
        "    {'id': 'c3', 'type': 'function', 'function': {'name': 'list_dir', 'parameters': {}}},\n"
        "    {'id': 'c4', 'type': 'function', 'function': {'name': 'readUrl', 'parameters': {}}},\n"
        "]\n"
        "STEPS = [\n"
        "    {'name': 'read_file', 'parameters': {}},\n"
        "    {'name': 'write_file', 'parameters': {}},\n"
        "    {'name': 'list_dir', 'parameters': {}},\n"
        "    {'name': 'readUrl', 'parameters': {}},\n"
        "]\n"
    ),
    Valid(_PREAMBLE + _tools("browser_open", "browser_click", "shell_exec", "shell_read")),
    # Verb-first names are grouped by action: no group prefixes to keep.
    Valid(_PREAMBLE + _tools("get_user", "get_order", "list_orders", "list_users", "search")),
    # Too small a set to have a pattern.
    Valid(_PREAMBLE + _tools("browser_open", "browser_click", "search")),
    # Single words everywhere: nothing is grouped, nothing stands out.
    Valid(_PREAMBLE + _tools("search", "fetch", "summarize", "translate")),
)
InconsistentToolPrefix.INVALID = (
    # Tool dicts defined one by one and listed together (through `*BASE` too): one set.
    Invalid(
        "OPEN = {'type': 'function', 'function': {'name': 'browser_open', 'parameters': {}}}\n"
        "CLICK = {'type': 'function', 'function': {'name': 'browser_click', 'parameters': {}}}\n"
        "EXEC = {'type': 'function', 'function': {'name': 'shell_exec', 'parameters': {}}}\n"
        "READ = {'type': 'function', 'function': {'name': 'shell_read', 'parameters': {}}}\n"
        "SEARCH = {'type': 'function', 'function': {'name': 'search', 'parameters': {}}}\n"
        "BASE = [OPEN, CLICK]\n"
        "TOOLS = [*BASE, EXEC, READ, SEARCH]\n",
        line=5,
        message_contains="`search` is outside the group prefixes",
    ),
    # Function tools are tool definitions with or without a description.
    Invalid(
        "TOOLS = [\n"
        "    {'type': 'function', 'function': {'name': 'read_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'write_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'list_dir', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'readUrl', 'parameters': {}}},\n"
        "]\n",
        line=5,
        message_contains="is camelCase",
    ),
    Invalid(
        "TOOLS = [\n"
        "    {'type': 'function', 'name': 'read_file', 'parameters': {}},\n"
        "    {'type': 'function', 'name': 'write_file', 'parameters': {}},\n"
        "    {'type': 'function', 'name': 'list_dir', 'parameters': {}},\n"
        "    {'type': 'function', 'name': 'readUrl', 'parameters': {}},\n"
        "]\n",
        line=5,
        message_contains="is camelCase",
    ),
    Invalid(
        _PREAMBLE + _tools("browser_open", "browser_click", "shell_exec", "shell_read", "search"),
        line=16,
        message_contains="outside the group prefixes",
    ),
    Invalid(
        "TOOLS = [\n"
        "    {'name': 'read_file', 'input_schema': {}},\n"
        "    {'name': 'write_file', 'input_schema': {}},\n"
        "    {'name': 'list_dir', 'input_schema': {}},\n"
        "    {'name': 'readUrl', 'input_schema': {}},\n"
        "]\n",
        line=5,
        message_contains="is camelCase while 3 of the 4 tools in this set are snake_case",
    ),
    Invalid(
        _PREAMBLE + _tools("browser_open", "browser_click", "shell_exec", "search"),
        line=13,
        message_contains="configured prefixes",
        settings={"tool-prefixes": ["browser_", "shell_"]},
    ),
)
