"""Reading a source file: whole, capped at the limit, and whole too when the file holds more
than its size told (it grew after the stat, or it is a /proc file that says 0 bytes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.files import NotRead, read_source


def test_a_file_is_read_whole_up_to_the_limit(tmp_path: Path):
    path = tmp_path / "agent.ts"
    path.write_bytes(b"x" * 10)
    assert read_source(str(path), limit=10) == b"x" * 10
    path.write_bytes(b"x" * 11)
    with pytest.raises(NotRead, match="too large"):
        read_source(str(path), limit=10)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_file_holding_more_than_its_size_says_is_read_whole():
    assert Path("/proc/self/status").stat().st_size == 0
    data = read_source("/proc/self/status")
    assert b"Name:" in data and b"VmRSS" in data
    with pytest.raises(NotRead, match="too large"):
        read_source("/proc/self/status", limit=10)
