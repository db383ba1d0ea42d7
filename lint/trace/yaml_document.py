"""Reading a YAML document (a VCR cassette) safely: only plain data is built (the safe
loader, never one that makes Python objects), aliases cannot blow a small file up into a huge
value, and every fault is a ReadFailure with the line YAML names, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ctxlint.trace.reading import Problem, ReadFailure

# Values a document may unfold into, counting each alias as the value it repeats: far more
# than any cassette holds (a few thousand), few enough that walking them stays fast. A file of
# nested aliases ("billion laughs") would unfold into more than memory holds.
MAX_NODES = 2_000_000
# Deeper than any cassette nests; PyYAML builds nested values recursively.
MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A document's value, and the line each item of its top-level sequences starts on."""

    value: Any
    # For each top-level key whose value is a sequence: the 1-based line of each item.
    item_lines: dict[str, list[int]]


_LOADER: Any = None


def _loader_class() -> Any:
    """The safe loader (the C one, some 10 times faster, where PyYAML was built with libyaml),
    reading dates as the text they are: a trace's values are JSON's, and JSON has no dates."""
    global _LOADER
    if _LOADER is None:
        import yaml  # Only a YAML document needs it: most runs never import it.

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        resolvers = {
            first: [(tag, pattern) for tag, pattern in found if not tag.endswith(":timestamp")]
            for first, found in base.yaml_implicit_resolvers.items()
        }
        _LOADER = type("TraceYamlLoader", (base,), {"yaml_implicit_resolvers": resolvers})
    return _LOADER


def load_yaml(data: bytes) -> YamlDocument:
    """The value of a single YAML document; raises ReadFailure."""
    import yaml

    _check_depth(data)
    loader = _loader_class()(data)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_size(node)
        value = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or error.context or "malformed"
        raise ReadFailure(Problem(line, f"not valid YAML: {reason}")) from None
    except yaml.YAMLError as error:
        raise ReadFailure(Problem(1, f"not valid YAML: {error}")) from None
    except RecursionError:
        raise ReadFailure(Problem(1, "YAML nested too deep to read")) from None
    finally:
        loader.dispose()
    return YamlDocument(value, _item_lines(node))


def _check_depth(data: bytes) -> None:
    """Refuse a document nested too deep before any value is built: the C loader builds the
    node tree recursively in C, where a file of 100,000 open brackets overflows the stack and
    ends the process. Its events come from a parser with a stack of its own."""
    import yaml

    depth = 0
    try:
        for event in yaml.parse(data, Loader=_loader_class()):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 1
                    raise ReadFailure(Problem(line, "YAML nested too deep to read"))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        # load_yaml reports it, with its line.
        return


def _check_size(root: Any) -> None:
    """Refuse a document nested too deep, or whose aliases unfold into too many values."""
    import yaml

    stack = [(root, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise ReadFailure(
                Problem(
                    node.start_mark.line + 1,
                    f"YAML document unfolds into more than {MAX_NODES:,} values (aliases)",
                )
            )
        if depth > MAX_DEPTH:
            raise ReadFailure(Problem(node.start_mark.line + 1, "YAML nested too deep to read"))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, item in node.value:
                stack.append((key, depth + 1))
                stack.append((item, depth + 1))


def _item_lines(root: Any) -> dict[str, list[int]]:
    import yaml

    found: dict[str, list[int]] = {}
    if not isinstance(root, yaml.MappingNode):
        return found
    for key, item in root.value:
        if isinstance(key, yaml.ScalarNode) and isinstance(item, yaml.SequenceNode):
            found[str(key.value)] = [entry.start_mark.line + 1 for entry in item.value]
    return found
