"""The functions, methods and attributes whose result carries a value's content, which the
value flow (ctxlint.python.flow) walks through, by what they do to its order or format."""

# Functions whose result carries their arguments' content in the same order.
PASS_THROUGH_FUNCTIONS = frozenset(
    {
        "str",
        "repr",
        "format",
        "dict",
        "copy.copy",
        "copy.deepcopy",
        "textwrap.dedent",
        "textwrap.indent",
        "textwrap.fill",
        "textwrap.shorten",
        "json.dumps",
        "orjson.dumps",
        "simplejson.dumps",
        "inspect.cleandoc",
        "set",
        "frozenset",
        "string.Template",
        "jinja2.Template",
        "datetime.datetime.fromtimestamp",
        "datetime.datetime.utcfromtimestamp",
    }
)
# Functions that iterate an argument and keep the order they meet its items in.
ITERATING_FUNCTIONS = frozenset(
    {
        "list",
        "tuple",
        "iter",
        "reversed",
        "enumerate",
        "zip",
        "map",
        "filter",
        "dict.fromkeys",
        "itertools.chain",
        "itertools.chain.from_iterable",
        "itertools.islice",
    }
)
SORTING_FUNCTIONS = frozenset({"sorted"})
# Methods whose result carries the receiver's content (and, for some, their arguments').
RECEIVER_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "capitalize",
        "casefold",
        "replace",
        "format",
        "format_map",
        "encode",
        "decode",
        "removeprefix",
        "removesuffix",
        "expandtabs",
        "center",
        "ljust",
        "rjust",
        "zfill",
        "strftime",
        "isoformat",
        "ctime",
        "date",
        "items",
        "keys",
        "values",
        "copy",
        "union",
        "intersection",
        "difference",
        "symmetric_difference",
        "render",
        "substitute",
        "safe_substitute",
        "astimezone",
    }
)
ARGUMENT_METHODS = frozenset(
    {"format", "format_map", "replace", "render", "substitute", "safe_substitute", "union"}
)
# Attributes that carry their object's value: a UUID's forms, a datetime's fields.
VALUE_ATTRIBUTES = frozenset({"hex", "urn", "int", "bytes"})
# Attributes of a result object that hold what a listing returned (an MCP ListToolsResult).
LISTING_ATTRIBUTES = frozenset({"tools"})
DATE_ATTRIBUTES = frozenset({"year", "month", "day"})
TIME_ATTRIBUTES = frozenset({"hour", "minute", "second", "microsecond"})
