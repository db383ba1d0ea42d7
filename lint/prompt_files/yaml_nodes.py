"""Reading a prompt config's YAML (or JSON, which YAML reads too) as nodes that keep where each
value sits in the file: the safe loader only, and a fault is a PromptFileError at the line YAML
names, never an exception."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxlint.prompt_files.model import PromptFileError
from ctxlint.prompt_files.parts import Located

_STRING_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True)
class YamlRead:
    """A document's root node (None when empty or unreadable), and its faults."""

    root: Any
    errors: tuple[PromptFileError, ...]


def compose(source: str, path: Path, last_line: int | None = None) -> YamlRead:
    """The node tree of a single YAML document. A fault YAML places past `last_line` (front
    matter left unclosed, seen only at the end of the text) is placed where the construct it
    breaks was opened, when YAML says."""
    import yaml  # A YAML prompt config is being read: only then is PyYAML needed.

    # The pure-Python loader: prompt files are small, and its recursion on a document nested
    # too deep is a RecursionError here, where the C loader's would end the process.
    loader = yaml.SafeLoader(source)
    try:
        return YamlRead(loader.get_single_node(), ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if last_line is not None and mark is not None and mark.line + 1 > last_line:
            mark = error.context_mark or mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or error.context or "malformed"
        return YamlRead(None, (PromptFileError(path, line, f"not valid YAML: {reason}"),))
    except yaml.YAMLError as error:
        return YamlRead(None, (PromptFileError(path, 1, f"not valid YAML: {error}"),))
    except RecursionError:
        return YamlRead(None, (PromptFileError(path, 1, "YAML nested too deep"),))
    finally:
        loader.dispose()


def plain_value(node: Any) -> Any:
    """A node's value as plain data (for metadata); None when it cannot be built."""
    import yaml

    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except (yaml.YAMLError, RecursionError, TypeError, ValueError):
        return None
    finally:
        loader.dispose()


def is_mapping(node: Any) -> bool:
    import yaml

    return isinstance(node, yaml.MappingNode)


def is_sequence(node: Any) -> bool:
    import yaml

    return isinstance(node, yaml.SequenceNode)


def get(node: Any, key: str) -> Any:
    """The value node of `key` in a mapping node; None when absent or not a mapping."""
    if not is_mapping(node):
        return None
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == key and getattr(key_node, "tag", "") == _STRING_TAG:
            return value_node
    return None


def keys(node: Any) -> list[str]:
    if not is_mapping(node):
        return []
    return [str(key.value) for key, _ in node.value if getattr(key, "tag", "") == _STRING_TAG]


def items(node: Any) -> list[Any]:
    """The item nodes of a sequence node; [] for anything else."""
    return list(node.value) if is_sequence(node) else []


def string(node: Any) -> str | None:
    """The text of a string scalar node; None for anything else (a number, a mapping)."""
    import yaml

    if isinstance(node, yaml.ScalarNode) and node.tag == _STRING_TAG:
        return str(node.value)
    return None


def located_string(node: Any, source: str) -> Located | None:
    """A string scalar's text with the way back to the file."""
    text = string(node)
    if text is None:
        return None
    start = node.start_mark.index
    end = node.end_mark.index
    if node.style in ("'", '"'):
        start, end = start + 1, end - 1
    return Located.from_value(text, source, start, end)
