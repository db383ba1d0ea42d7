"""The renders of a run kept in the cache folder: reused while nothing they rest on changed."""

from __future__ import annotations

import os

from ctxlint.config import Settings
from ctxlint.renders_cache import cached_renders


def _finder(result):
    calls = []

    def find():
        calls.append(1)
        return result

    return find, calls


def test_an_unchanged_run_is_answered_from_the_folder(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text("x = 1\n")
    find, calls = _finder({"a": ("render",)})
    folder = tmp_path / "cache"
    first = cached_renders(folder, [str(code)], Settings(), find)
    again = cached_renders(folder, [str(code)], Settings(), find)
    assert first == again == {"a": ("render",)}
    assert len(calls) == 1


def test_a_changed_file_or_setting_finds_them_again(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text("x = 1\n")
    find, calls = _finder({})
    folder = tmp_path / "cache"
    cached_renders(folder, [str(code)], Settings(), find)
    code.write_text("x = 22\n")
    os.utime(code, ns=(1, 1))
    cached_renders(folder, [str(code)], Settings(), find)
    cached_renders(folder, [str(code)], Settings(flag_daily_values=True), find)
    cached_renders(folder, [str(code), str(tmp_path / "gone.py")], Settings(), find)
    assert len(calls) == 4


def test_a_damaged_entry_or_no_folder_finds_them_again(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text("x = 1\n")
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "prompt-renders.pickle").write_bytes(b"not a pickle")
    find, calls = _finder({"b": ()})
    assert cached_renders(folder, [str(code)], Settings(), find) == {"b": ()}
    assert cached_renders(None, [str(code)], Settings(), find) == {"b": ()}
    assert len(calls) == 2
