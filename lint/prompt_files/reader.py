"""Reading one prompt file: its kind from its name, its text decoded, and the reader for its kind.
Every fault (unreadable, not UTF-8, too large, unparseable) is a PromptFileError in the result;
nothing raises."""

from __future__ import annotations

from pathlib import Path

from ctxlint.prompt_files.model import UNRECOGNISED, PromptFile, PromptFileError

# Larger than any prompt a person writes (the longest real system prompts are some 100 kB);
# a larger file under prompts/ is data, and reading it as a template would be slow for nothing.
MAX_PROMPT_FILE_BYTES = 4 * 2**20

_YAML_SUFFIXES = (".yaml", ".yml", ".json")


def read_prompt_file(path: Path, source: str | bytes | None = None) -> PromptFile:
    """The prompt file at `path`, read from disk unless its text (or bytes) is given."""
    path = Path(path)
    text, error = _decoded(path, source)
    if text is None:
        return PromptFile(path, UNRECOGNISED, (), (error,) if error else ())
    try:
        return _read(path, text)
    except (RecursionError, MemoryError):
        return PromptFile(path, UNRECOGNISED, (), (PromptFileError(path, 1, "nested too deep"),))


def _read(path: Path, text: str) -> PromptFile:
    suffix = path.suffix.lower()
    if suffix == ".prompty":
        from ctxlint.prompt_files.front_matter import read_prompty

        return read_prompty(path, text)
    if suffix == ".prompt" and not _jinja_named_prompt(text):
        from ctxlint.prompt_files.front_matter import read_dotprompt

        return read_dotprompt(path, text)
    if suffix in _YAML_SUFFIXES:
        from ctxlint.prompt_files.yaml_configs import read_yaml_config

        return read_yaml_config(path, text)
    from ctxlint.prompt_files.text_files import read_template_file

    return read_template_file(path, text)


def _decoded(path: Path, source: str | bytes | None) -> tuple[str | None, PromptFileError | None]:
    if isinstance(source, str):
        return source, None
    if source is None:
        try:
            with path.open("rb") as handle:
                source = handle.read(MAX_PROMPT_FILE_BYTES + 1)
        except OSError as error:
            return None, PromptFileError(path, 1, f"cannot be read: {error.strerror or error}")
    if len(source) > MAX_PROMPT_FILE_BYTES:
        limit = MAX_PROMPT_FILE_BYTES // 2**20
        return None, PromptFileError(path, 1, f"larger than {limit} MB: not read as a prompt")
    try:
        # A byte order mark is no character of the prompt; offsets count from after it.
        return source.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = source[: error.start].count(b"\n") + 1
        return None, PromptFileError(path, line, "not UTF-8 text")


def _jinja_named_prompt(text: str) -> bool:
    """A `.prompt` file that is Jinja, not Dotprompt: no front matter and no role helper, but
    Jinja's block tags (gpt-pilot keeps its Jinja templates as `*.prompt`)."""
    head = text.lstrip("\ufeff \t\r\n")
    return not head.startswith("---") and "{%" in text and "{{role" not in text.replace(" ", "")
